# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE Shipping v2 adapter against the DHL simulator over HTTP."""

import base64
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from unit import test_dhl_support as support

from logistics_carriers import (
    AccountConfig,
    Address,
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    MemoryTokenStore,
    Parcel,
)

support.use_fixtures(globals())


def _query(request):
    return parse_qs(urlsplit(request["path"]).query)


def _keys(obj):
    """Nested key structure of a JSON value (lists: their first element)."""
    if isinstance(obj, dict):
        return {k: _keys(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [_keys(obj[0])] if obj else []
    return None


# keys of the 2.1.13 schema (docs/carrier-contracts.md §2.1) the example does not show
SCHEMA_KEYS = {"shipDate", "name2", "additionalAddressInformation1", "state"}


def _subset(small, big, path=""):
    """Every key of ``small`` is in ``big`` (recursively) or in the schema."""
    if isinstance(small, dict):
        assert isinstance(big, dict), path
        for key, value in small.items():
            if key in SCHEMA_KEYS and key not in big:
                continue
            assert key in big, f"{path}.{key} is not in the contract example"
            _subset(value, big[key], f"{path}.{key}")
    elif isinstance(small, list) and small and big:
        _subset(small[0], big[0], path + "[]")


# -- request built --------------------------------------------------------------
def test_order_request_has_the_contract_example_shape(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    result = adapter.create_shipment(dhl_request())
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    body = sent["json"]
    example = support.example("dhl-parcel-de-order-request")
    _subset(_keys(body), _keys(example))  # no key the contract does not know
    assert set(_keys(example)) == set(_keys(body))
    (shipment,) = body["shipments"]
    for key in ("product", "billingNumber", "refNo", "shipper", "consignee"):
        assert key in shipment
    assert shipment["product"] == "V01PAK"
    assert shipment["billingNumber"] == support.BILLING
    assert shipment["refNo"] == "WH/OUT/00012"
    assert shipment["shipDate"] >= date.today().isoformat()
    assert shipment["consignee"] == {
        "name1": "Jakob Empfaenger",
        "addressStreet": "Birkenweg 12",
        "additionalAddressInformation1": "Hinterhaus",
        "postalCode": "10115",
        "city": "Berlin",
        "country": "DEU",
        "email": "jakob.empfaenger@example.net",
        "phone": "+4930555098765",
    }
    assert shipment["shipper"]["name1"] == "Versand Ottilie GmbH"
    assert shipment["shipper"]["name2"] == "Ottilie Versandhaus"
    assert shipment["details"] == {
        "weight": {"uom": "g", "value": 2500},
        "dim": {"uom": "cm", "height": 10, "length": 30, "width": 20},
    }
    assert body["profile"] == "STANDARD_GRUPPENPROFIL"
    query = _query(sent)
    assert query == {"docFormat": ["PDF"], "includeDocs": ["include"]}
    headers = sent["headers"]
    assert headers["dhl-api-key"] == support.API_KEY
    expected = base64.b64encode(f"{support.USER}:{support.PASSWORD}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["Accept-Language"] == "en-US"
    assert result.tracking_numbers == [result.carrier_shipment_id]


def test_optional_settings_become_query_parameters(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(
        extra={
            "print_format": "910-300-700",
            "must_encode": True,
            "language": "de-DE",
            "profile": "MEIN_PROFIL",
            "shipper_ref": "SHIPPER-01",
        }
    )
    adapter.create_shipment(dhl_request())
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    assert _query(sent)["printFormat"] == ["910-300-700"]
    assert _query(sent)["mustEncode"] == ["true"]
    assert sent["headers"]["Accept-Language"] == "de-DE"
    assert sent["json"]["profile"] == "MEIN_PROFIL"
    assert sent["json"]["shipments"][0]["shipper"] == {"shipperRef": "SHIPPER-01"}


@pytest.mark.parametrize(
    ("product", "billing"),
    [
        ("V01PAK", "33333333330101"),
        ("V53WPAK", "33333333335301"),
        ("V62KP", "33333333336201"),
        ("V66WPI", "33333333336601"),
    ],
)
def test_billing_number_follows_the_product(make_dhl, product, billing):
    assert make_dhl().billing_number(product) == billing
    ekp_only = make_dhl(extra={"billing_number": ""}, account_number="3333333333")
    assert ekp_only.billing_number(product) == billing


def test_international_address_alpha3_state_and_no_past_ship_date(
    make_dhl, dhl_request
):
    recipient = Address(
        name="Jordan Miller",
        street="55 Glenlake Pkwy NE",
        city="Atlanta",
        zip="30328",
        country_code="US",
        state_code="GA",
    )
    body, _params = make_dhl().build_order(
        dhl_request(
            recipient=recipient,
            service_code="V53WPAK",
            ship_date=date.today() - timedelta(days=3),
            customs={
                "currency": "EUR",
                "lines": [
                    {
                        "description": "Mug",
                        "quantity": 1,
                        "unit_value": 9.5,
                        "weight_kg": 0.4,
                    }
                ],
            },
        )
    )
    (shipment,) = body["shipments"]
    assert shipment["consignee"]["country"] == "USA"
    assert shipment["consignee"]["state"] == "US-GA"
    assert shipment["shipper"]["country"] == "DEU"
    assert shipment["billingNumber"] == "33333333335301"
    assert shipment["shipDate"] >= date.today().isoformat()


def test_multi_parcel_order_one_shipment_per_parcel(make_dhl, dhl_request, dhl_sim):
    parcels = [
        Parcel(weight_kg=1.2, reference="P1"),
        Parcel(weight_kg=7, reference="P2"),
    ]
    result = make_dhl().create_shipment(dhl_request(parcels=parcels))
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    shipments = sent["json"]["shipments"]
    assert [s["details"]["weight"]["value"] for s in shipments] == [1200, 7000]
    assert [s["refNo"] for s in shipments] == ["WH/OUT/00012 1/2", "WH/OUT/00012 2/2"]
    assert "dim" not in shipments[0]["details"]  # DHL wants all three or none
    assert len(result.packages) == 2
    assert result.carrier_shipment_id == ",".join(result.tracking_numbers)
    stored = dhl_sim.shipments
    for package, weight in zip(result.packages, (1200, 7000), strict=True):
        assert stored[package.tracking_number]["request"]["details"]["weight"] == {
            "uom": "g",
            "value": weight,
        }
        assert package.label.startswith(b"%PDF")
        assert package.label_format == "PDF"


def test_zpl_labels(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(label_format="ZPL")
    result = adapter.create_shipment(dhl_request(label_format="ZPL"))
    assert _query(support.requests_of(dhl_sim, "create_shipment")[0])["docFormat"] == [
        "ZPL2"
    ]
    assert result.label_format == "ZPL"
    assert result.label.startswith(b"^XA")


def test_short_reference_is_left_out(make_dhl, dhl_request):
    body, _params = make_dhl().build_order(dhl_request(reference="OUT/7"))
    assert "refNo" not in body["shipments"][0]


# -- nothing sent for what DHL cannot take ---------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field", "category"),
    [
        ({"label_format": "PNG"}, "docFormat", "data"),
        ({"service_code": "EXPRESS"}, "product", "service"),
        ({"parcels": [Parcel(weight_kg=32)]}, "shipments[0].details.weight", "data"),
        (
            {
                "recipient": Address(
                    name="X",
                    street="S" * 51,
                    city="Berlin",
                    zip="10115",
                    country_code="DE",
                )
            },
            "consignee.addressStreet",
            "address",
        ),
        (
            {
                "recipient": Address(
                    name="X",
                    street="S 1",
                    city="Pristina",
                    zip="10000",
                    country_code="XK",
                )
            },
            "consignee.country",
            "address",
        ),
    ],
)
def test_local_validation_sends_nothing(
    make_dhl, dhl_request, dhl_sim, overrides, field, category
):
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().create_shipment(dhl_request(**overrides))
    assert info.value.category == category
    assert field in [fe.field for fe in info.value.field_errors]
    assert dhl_sim.count("create_shipment") == 0


def test_missing_billing_number_is_explained(make_dhl, dhl_request, dhl_sim):
    with pytest.raises(CarrierValidationError, match="billing number") as info:
        make_dhl(extra={"billing_number": ""}).create_shipment(dhl_request())
    assert info.value.category == "service"
    assert dhl_sim.count("create_shipment") == 0


# -- DHL's errors -----------------------------------------------------------------
def test_business_validation_error_is_an_address_error(make_dhl, dhl_request):
    recipient = Address(
        name="Lena",
        street="Friedrichstr. 1",
        city="Berlin",
        zip="1011",
        country_code="DE",
    )
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().create_shipment(dhl_request(recipient=recipient))
    err = info.value
    assert err.status == 400
    assert err.category == "address"
    assert err.field_errors[0].field == "consignee"
    assert err.field_errors[0].message == "The postcode entered is not valid."
    assert err.field_errors[0].code == "Error"
    assert "The postcode entered is not valid." in str(err)
    assert "0 of 1 shipment successfully created." in err.carrier_message


def test_product_error_is_a_service_error(make_dhl, dhl_request):
    recipient = Address(
        name="Camille", street="12 Rue X", city="Lyon", zip="69002", country_code="FR"
    )
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().create_shipment(dhl_request(recipient=recipient))
    assert info.value.category == "service"
    assert "only available for destinations in Germany" in str(info.value)


def test_not_codeable_address_is_a_warning_or_an_error(make_dhl, dhl_request):
    recipient = Address(
        name="Lena", street="Weg 1", city="Nirgendwo", zip="99999", country_code="DE"
    )
    result = make_dhl().create_shipment(dhl_request(recipient=recipient))
    assert "not codeable" in result.raw["shipments"][0]["warnings"][0]
    with pytest.raises(CarrierValidationError, match="not codeable"):
        make_dhl(extra={"must_encode": True}).create_shipment(
            dhl_request(recipient=recipient)
        )


def test_schema_error_shape(make_dhl, dhl_request, dhl_sim):
    dhl_sim.add_fault(
        "create_shipment", 400, body=support.example("dhl-parcel-de-schema-error")
    )
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().create_shipment(dhl_request())
    fields = [fe.field for fe in info.value.field_errors]
    assert fields == ["shipments[0].shipper.country", "shipments[0].consignee.country"]
    assert info.value.category == "address"
    assert "ISO 3166-1 alpha-3" in str(info.value)


@pytest.mark.parametrize("auth_mode", ["basic", "oauth"])
def test_wrong_credentials_are_an_authentication_error(
    make_dhl, dhl_request, dhl_sim, auth_mode
):
    adapter = make_dhl(extra={"auth_mode": auth_mode, "password": "wrong"})
    with pytest.raises(CarrierAuthError) as info:
        adapter.create_shipment(dhl_request())
    assert info.value.category == "authentication"
    assert dhl_sim.count("create_shipment") == 0 or auth_mode == "basic"
    assert not dhl_sim.shipments


def test_401_body_is_reported_in_dhl_words(make_dhl, dhl_request, dhl_sim):
    dhl_sim.add_fault(
        "create_shipment", 401, body=support.example("dhl-parcel-de-unauthorized")
    )
    with pytest.raises(CarrierAuthError) as info:
        make_dhl().create_shipment(dhl_request())
    assert info.value.status == 401
    assert (
        info.value.carrier_message == "Unauthorized: Unauthorized for given resource."
    )


def test_missing_credentials_send_nothing(make_dhl, dhl_request, dhl_sim):
    with pytest.raises(CarrierAuthError, match="portal password"):
        make_dhl(extra={"password": ""}).create_shipment(dhl_request())
    with pytest.raises(CarrierAuthError, match="client secret"):
        make_dhl(extra={"auth_mode": "oauth"}, client_secret="").create_shipment(
            dhl_request()
        )
    assert dhl_sim.requests == []


def test_429_on_create_was_not_processed_retry_after_kept(
    make_dhl, dhl_request, dhl_sim
):
    dhl_sim.add_fault("create_shipment", 429, headers={"Retry-After": "17"})
    with pytest.raises(CarrierTransientError) as info:
        make_dhl().create_shipment(dhl_request())
    assert info.value.status == 429
    assert info.value.retry_after == 17
    assert info.value.maybe_sent is False  # safe to send again
    assert info.value.carrier_message  # DHL's RequestStatus body


@pytest.mark.parametrize("status, maybe_sent", [(500, True), (502, True), (503, False)])
def test_5xx_on_create_may_have_been_processed(
    make_dhl, dhl_request, dhl_sim, status, maybe_sent
):
    # 503 refuses the request before doing it; 500/502 may come after the work
    dhl_sim.add_fault("create_shipment", status)
    with pytest.raises(CarrierTransientError) as info:
        make_dhl().create_shipment(dhl_request())
    assert info.value.status == status
    assert info.value.maybe_sent is maybe_sent


def test_slow_answer_is_a_read_timeout(make_dhl, dhl_request, dhl_sim):
    dhl_sim.add_fault("create_shipment", None, action="timeout", delay=1.5)
    with pytest.raises(CarrierTransientError) as info:
        make_dhl(read_timeout=0.5).create_shipment(dhl_request())
    assert info.value.code == "read_timeout"
    assert info.value.maybe_sent is True


def test_partial_order_is_cancelled_then_retryable(make_dhl, dhl_request, dhl_sim):
    dhl_sim.add_item_fault(position=1)  # GeneralShipmentError 206 on parcel 2
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    with pytest.raises(CarrierTransientError) as info:
        make_dhl().create_shipment(dhl_request(parcels=parcels))
    assert info.value.maybe_sent is False
    assert "General Shipment Backend Error" in str(info.value)
    assert "cancelled again" in str(info.value)
    (created,) = dhl_sim.shipments.values()
    assert created["cancelled"] is True
    (cancel,) = support.requests_of(dhl_sim, "cancel_shipment")
    assert _query(cancel)["shipment"] == [created["shipmentNo"]]


def test_partial_order_with_invalid_parcel_is_a_validation_error(
    make_dhl, dhl_request, dhl_sim
):
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    dhl_sim.add_item_fault(
        position=1,
        status=400,
        title="Bad Request",
        detail="Weight",
        messages=[
            {
                "property": "details.weight",
                "validationMessage": "The weight is too high",
                "validationState": "Error",
            }
        ],
    )
    with pytest.raises(CarrierValidationError) as info:
        make_dhl().create_shipment(dhl_request(parcels=parcels))
    assert info.value.field_errors[0].field == "shipments[1].details.weight"
    assert info.value.category == "data"
    assert all(s["cancelled"] for s in dhl_sim.shipments.values())


def test_partial_order_left_at_dhl_is_named(make_dhl, dhl_request, dhl_sim):
    dhl_sim.add_item_fault(position=1)
    dhl_sim.add_fault("cancel_shipment", 500)
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    with pytest.raises(CarrierError) as info:
        make_dhl().create_shipment(dhl_request(parcels=parcels))
    assert not isinstance(info.value, CarrierTransientError)  # never resent blindly
    (created,) = dhl_sim.shipments
    assert created in str(info.value)


# -- OAuth -------------------------------------------------------------------------
def test_oauth_password_grant_token_cached_and_refreshed_once(
    make_dhl, dhl_request, dhl_sim
):
    store = MemoryTokenStore()
    adapter = make_dhl(extra={"auth_mode": "oauth"}, token_store=store)
    adapter.create_shipment(dhl_request())
    adapter.create_shipment(dhl_request())
    (token_call,) = support.requests_of(dhl_sim, "token")
    assert token_call["path"] == "/parcel/de/account/auth/ropc/v1/token"
    assert token_call["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    token, expires_at = store.get()
    assert expires_at == pytest.approx(time.time() + 1799, abs=5)
    creates = support.requests_of(dhl_sim, "create_shipment")
    assert {r["headers"]["Authorization"] for r in creates} == {f"Bearer {token}"}
    assert "dhl-api-key" not in creates[0]["headers"]  # no mixed credentials
    dhl_sim.expire_tokens()
    adapter.create_shipment(dhl_request())
    assert dhl_sim.count("token") == 2
    assert dhl_sim.count("create_shipment") == 4  # 401, then once more
    assert len(dhl_sim.shipments) == 3


def test_oauth_form_fields(make_dhl, dhl_log):
    adapter = make_dhl(extra={"auth_mode": "oauth"})
    adapter.get_token()
    (entry,) = [e for e in dhl_log if e["operation"] == "token"]
    body = parse_qs(entry["request_body"])
    assert body["grant_type"] == ["password"]
    assert body["username"] == ["***"]  # the portal user is a credential too
    assert body["password"] == ["***"]  # masked in the log
    assert body["client_secret"] == ["***"]


def test_oauth_token_error_is_authentication(make_dhl, dhl_sim):
    dhl_sim.add_fault(
        "token", 401, body={"error": "invalid_client", "error_description": "bad"}
    )
    with pytest.raises(CarrierAuthError) as info:
        make_dhl(extra={"auth_mode": "oauth"}).get_token()
    assert info.value.code == "invalid_client"
    assert "bad" in info.value.carrier_message


def test_oauth_token_example_response_is_read(make_dhl, dhl_sim):
    dhl_sim.add_fault(
        "token", 200, body=support.example("dhl-parcel-de-oauth-token-response")
    )
    store = MemoryTokenStore()
    token = make_dhl(extra={"auth_mode": "oauth"}, token_store=store).get_token()
    assert token == "UtN71yyK8y8tuargZzmttyx8Y7Lp"
    assert store.get()[1] == pytest.approx(time.time() + 1799, abs=5)


# -- cancel, reprint ----------------------------------------------------------------
def test_cancel_all_parcels_of_an_order(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    result = adapter.create_shipment(dhl_request(parcels=parcels))
    assert adapter.cancel_shipment(result.carrier_shipment_id) is True
    (cancel,) = support.requests_of(dhl_sim, "cancel_shipment")
    assert cancel["method"] == "DELETE"
    assert urlsplit(cancel["path"]).path == "/parcel/de/shipping/v2/orders"
    query = _query(cancel)
    assert query["profile"] == ["STANDARD_GRUPPENPROFIL"]
    assert query["shipment"] == result.tracking_numbers
    assert all(s["cancelled"] for s in dhl_sim.shipments.values())


def test_cancel_of_an_already_cancelled_shipment_is_a_success(
    make_dhl, dhl_request, dhl_sim
):
    """A cancel retried after a lost reply: DHL answers 400 with the item
    UnknownShipmentNumber (204); counted as cancelled, like UPS's
    "Voided or Already Voided"."""
    adapter = make_dhl()
    number = adapter.create_shipment(dhl_request()).carrier_shipment_id
    assert adapter.cancel_shipment(number) is True
    response = adapter._shipping(
        "DELETE",
        "/orders",
        operation="cancel_shipment",
        params=[("profile", adapter.profile), ("shipment", number)],
    )
    assert response.status_code == 400  # what DHL answers the second time
    assert response.json()["items"][0]["sstatus"]["title"] == "UnknownShipmentNumber"
    assert adapter.cancel_shipment(number) is True


def test_cancel_of_a_closed_out_shipment_is_refused(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    number = adapter.create_shipment(dhl_request()).carrier_shipment_id
    dhl_sim.close_out()
    with pytest.raises(CarrierValidationError) as info:
        adapter.cancel_shipment(number)
    assert "closed out" in str(info.value)


def test_cancel_partly_refused_names_both(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    result = adapter.create_shipment(dhl_request())
    closed = adapter.create_shipment(dhl_request()).carrier_shipment_id
    dhl_sim.close_out([closed])
    with pytest.raises(CarrierValidationError) as info:
        adapter.cancel_shipment("", [result.carrier_shipment_id, closed])
    assert f"cancelled: {result.carrier_shipment_id}" in str(info.value)
    assert closed in str(info.value)


def test_cancel_more_than_30_goes_in_chunks(make_dhl, dhl_sim):
    numbers = [f"0034040000000000{i:04d}" for i in range(31)]
    # numbers DHL does not know count as cancelled before (see above)
    assert make_dhl().cancel_shipment("", numbers) is True
    calls = support.requests_of(dhl_sim, "cancel_shipment")
    assert [len(_query(c)["shipment"]) for c in calls] == [30, 1]


def test_reprint_is_label_recovery(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    created = adapter.create_shipment(dhl_request(parcels=parcels))
    again = adapter.get_label(created.carrier_shipment_id)
    assert again.tracking_numbers == created.tracking_numbers
    assert all(p.label.startswith(b"%PDF") for p in again.packages)
    (call,) = support.requests_of(dhl_sim, "label")
    assert call["method"] == "GET"
    assert _query(call)["shipment"] == created.tracking_numbers
    assert dhl_sim.count("create_shipment") == 1
    dhl_sim.close_out()
    with pytest.raises(CarrierValidationError, match="closed out"):
        adapter.get_label(created.carrier_shipment_id)


def test_label_given_as_url_is_downloaded(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    result = adapter.create_shipment(dhl_request())
    number = result.carrier_shipment_id
    url_answer = dhl_sim._op_reprint(
        query={"shipment": [number], "includeDocs": ["URL"]}
    ).payload
    result = adapter.parse_order_response(200, url_answer, 1)
    assert result.label.startswith(b"%PDF")
    assert dhl_sim.count("get_shipment") == 1


def test_no_rates_no_lookup(make_dhl, dhl_request):
    adapter = make_dhl()
    with pytest.raises(CarrierNotSupported):
        adapter.get_rates(dhl_request())
    assert adapter.supports_lookup is False
    assert adapter.idempotent_create is False


def test_base_urls_per_environment():
    config = AccountConfig(carrier_code="dhl", environment="production")
    adapter = support.DhlParcelDeAdapter(config)
    assert adapter.base_url == "https://api-eu.dhl.com"
    assert adapter.tracking_endpoint == "https://api-eu.dhl.com/track/shipments"
    sandbox = support.DhlParcelDeAdapter(
        AccountConfig(carrier_code="dhl", environment="sandbox")
    )
    assert sandbox.base_url == "https://api-sandbox.dhl.com"
    # DHL has no Unified test environment for customers: production tracking
    assert sandbox.tracking_endpoint == "https://api-eu.dhl.com/track/shipments"
    full = support.DhlParcelDeAdapter(
        AccountConfig(
            carrier_code="dhl",
            base_url="https://proxy.example/parcel/de/shipping/v2",
        )
    )
    assert full.base_url == "https://proxy.example"
    assert full.tracking_endpoint == "https://proxy.example/track/shipments"
    assert support.dhl_adapters.to_alpha3("de") == "DEU"


def test_logs_hold_no_credentials_or_personal_data(
    make_dhl, dhl_request, dhl_log, personal_values
):
    adapter = make_dhl()
    adapter.create_shipment(dhl_request())
    make_dhl(extra={"auth_mode": "oauth"}).create_shipment(dhl_request())
    text = repr(dhl_log)
    for secret in (support.PASSWORD, support.API_SECRET):
        assert secret not in text
    for value in personal_values:
        assert value not in text, value
