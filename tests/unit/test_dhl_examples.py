# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every DHL contract example (carrier-examples/dhl) read by the adapter."""

import json

import pytest
from unit import test_dhl_support as support

from logistics_carriers import (
    Address,
    CarrierAuthError,
    CarrierTransientError,
    CarrierValidationError,
    Parcel,
    ShipmentRequest,
)

support.use_fixtures(globals())

# MyDHL Express is on the roadmap: its examples are not read by this adapter.
EXPRESS = {"dhl-express-error-response.json", "dhl-express-shipment-response.json"}
READ_HERE = {
    "dhl-parcel-de-cancel-error.json",
    "dhl-parcel-de-cancel-response.json",
    "dhl-parcel-de-oauth-token-response.json",
    "dhl-parcel-de-order-multistatus.json",
    "dhl-parcel-de-order-request.json",
    "dhl-parcel-de-order-response.json",
    "dhl-parcel-de-schema-error.json",
    "dhl-parcel-de-unauthorized.json",
    "dhl-parcel-de-validation-error.json",
    "dhl-push-or-webhook-payload.json",
    "dhl-unified-push-subscription-request.json",
    "dhl-unified-tracking-not-found.json",
    "dhl-unified-tracking-response.json",
}


def test_every_example_is_covered_and_copies_are_current():
    names = {p.name for p in support.EXAMPLES_DIR.glob("*.json")}
    assert names == READ_HERE | EXPRESS
    if not support.SHARED_EXAMPLES_DIR.is_dir():
        pytest.skip("the shared carrier-examples directory is not on this machine")
    for name in names:
        shared = support.SHARED_EXAMPLES_DIR / name
        assert json.loads(shared.read_text()) == support.example(name), name


def test_order_response_single_with_warnings_and_return_label(make_dhl):
    data = support.example("dhl-parcel-de-order-response")
    result = make_dhl().parse_order_response(200, data, 1)
    assert result.tracking_numbers == ["0034043333301020022796580"]
    assert result.carrier_shipment_id == "0034043333301020022796580"
    (info,) = result.raw["shipments"]
    assert info["returnShipmentNo"] == "60701001756402"
    assert info["routingCode"] == "40327680807+99000943042250"
    assert info["refNo"] == "LM-DE-DE-10013"
    assert len(info["warnings"]) == 2
    assert info["warnings"][0].startswith("shipper: Die angegebene Hausnummer")
    # the example's base64 is truncated: no broken label, reprint instead
    assert result.packages[0].label is None
    assert info["label_error"]
    assert result.label_format == "PDF"
    assert result.charges_amount is None  # DHL returns no charges


def test_order_multistatus_partial_failure(make_dhl, dhl_sim):
    data = support.example("dhl-parcel-de-order-multistatus")
    adapter = make_dhl()
    with pytest.raises(CarrierValidationError) as info:
        adapter.parse_order_response(207, data, 2, compensate=False)
    (field_error,) = info.value.field_errors
    assert field_error.field == "shipments[1]"
    assert field_error.message == "General Shipment Backend Error"
    assert field_error.code == "GeneralShipmentError"
    # on create, the created parcel is cancelled at DHL, then retried whole
    dhl_sim.add_fault(
        "cancel_shipment", 200, body=support.example("dhl-parcel-de-cancel-response")
    )
    with pytest.raises(CarrierTransientError):
        adapter.parse_order_response(207, data, 2)
    (cancel,) = support.requests_of(dhl_sim, "cancel_shipment")
    assert "shipment=0034043333301010000010004" in cancel["path"]


def test_order_request_example_is_what_build_order_makes(make_dhl):
    example = support.example("dhl-parcel-de-order-request")
    (wanted,) = example["shipments"]
    shipper, consignee = wanted["shipper"], wanted["consignee"]

    def address(data):
        return Address(
            name=data["name1"],
            street=data["addressStreet"],
            city=data["city"],
            zip=data["postalCode"],
            country_code="DE",
            email=data["email"],
            phone=data["phone"],
        )

    request = ShipmentRequest(
        reference=wanted["refNo"],
        idempotency_key="k",
        service_code=wanted["product"],
        shipper=address(shipper),
        recipient=address(consignee),
        parcels=[Parcel(weight_kg=0.5, length_cm=20, width_cm=15, height_cm=10)],
    )
    adapter = make_dhl(extra={"billing_number": wanted["billingNumber"]})
    body, _params = adapter.build_order(request)
    (built,) = body["shipments"]
    assert body["profile"] == example["profile"]
    for key in ("product", "billingNumber", "refNo", "shipper", "consignee"):
        assert built[key] == wanted[key], key
    assert built["details"]["weight"] == wanted["details"]["weight"]
    # same parcel size, in cm instead of the example's mm
    dim = wanted["details"]["dim"]
    assert built["details"]["dim"] == {
        "uom": "cm",
        "height": dim["height"] // 10,
        "length": dim["length"] // 10,
        "width": dim["width"] // 10,
    }


def test_schema_error(make_dhl):
    data = support.example("dhl-parcel-de-schema-error")
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().parse_order_response(400, data, 1)
    err = info.value
    assert err.category == "address"
    assert [fe.code for fe in err.field_errors] == ["schema", "schema"]
    assert "technical errors" in err.carrier_message


def test_validation_error(make_dhl):
    data = support.example("dhl-parcel-de-validation-error")
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().parse_order_response(400, data, 1)
    err = info.value
    assert err.category == "address"
    assert [fe.field for fe in err.field_errors] == ["shipper", "consignee"]
    assert [fe.code for fe in err.field_errors] == ["Warning", "Warning"]
    assert "The house number entered could not be found." in str(err)
    assert "0 of 1 shipment successfully created." in err.carrier_message


def test_unauthorized(make_dhl, dhl_sim):
    dhl_sim.add_fault("label", 401, body=support.example("dhl-parcel-de-unauthorized"))
    with pytest.raises(CarrierAuthError) as info:
        make_dhl().get_label("0034043333301020022796580")
    assert "Unauthorized for given resource." in info.value.carrier_message


def test_cancel_response_and_cancel_error(make_dhl, dhl_sim):
    adapter = make_dhl()
    dhl_sim.add_fault(
        "cancel_shipment", 200, body=support.example("dhl-parcel-de-cancel-response")
    )
    assert adapter.cancel_shipment("0034043333301010000010001") is True
    dhl_sim.add_fault(
        "cancel_shipment", 400, body=support.example("dhl-parcel-de-cancel-error")
    )
    # unknown / already deleted (HTTP 400, item 204): cancelled before
    assert adapter.cancel_shipment("0034043333301010000010101") is True


def test_oauth_token_response(make_dhl, dhl_sim):
    dhl_sim.add_fault(
        "token", 200, body=support.example("dhl-parcel-de-oauth-token-response")
    )
    adapter = make_dhl(extra={"auth_mode": "oauth"})
    assert adapter._fetch_token() == ("UtN71yyK8y8tuargZzmttyx8Y7Lp", 1799.0)


def test_unified_tracking_response(make_dhl):
    data = support.example("dhl-unified-tracking-response")
    adapter = make_dhl()
    events = adapter.events_from_response(data, "7777777770")
    # id is a number in the example; status and its one event are the same
    assert len(events) == 1
    (event,) = events
    assert event.tracking_number == "7777777770"
    assert event.code == "label_created"  # statusCode pre-transit
    assert event.raw_code == "pre-transit"
    assert event.location == "1043 AG Oderweg 2, AMSTERDAM, NL"
    assert event.description == "MASKED"
    # a piece id of the shipment finds it too
    assert adapter.events_from_response(data, "JD014600002708681600")


def test_unified_not_found(make_dhl, dhl_sim):
    dhl_sim.add_fault(
        "tracking", 404, body=support.example("dhl-unified-tracking-not-found")
    )
    adapter = make_dhl()
    assert adapter.track(["8264715546"]) == []
    assert adapter.last_track_not_found == ["8264715546"]


def test_push_payload_and_subscription_request(make_dhl):
    adapter = make_dhl()
    body = json.dumps(support.example("dhl-push-or-webhook-payload")).encode()
    events = adapter.parse_webhook({}, body)
    assert [e.code for e in events] == ["in_transit", "delivered"]
    request = support.example("dhl-unified-push-subscription-request")
    built = adapter.build_push_subscription("https://examplewebhook.com")
    assert set(built) == set(request) - {"_note", "accountID"}
    assert built["events"] == request["events"]
