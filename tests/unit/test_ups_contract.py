# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS requests and parsers against UPS's published OpenAPI files (not circular).

Every request body the UPS adapter builds, for every operation and option,
is validated with ``jsonschema`` against the schema UPS publishes
(tests/contracts/ups, from GitHub UPS-API/api-documentation, MIT) — strict:
arrays where UPS declares arrays. The specification's own examples are fed
to the parsers; the simulator refuses what the schema refuses.
"""

import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import logistics_carriers.ups
import logistics_simulators.ups.server
from logistics_carriers import (
    CANONICAL_CODES,
    AccountConfig,
    Address,
    CarrierValidationError,
    Parcel,
    ShipmentRequest,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from contracts import contracts  # noqa: E402

ups = logistics_carriers.ups
ups_sim = logistics_simulators.ups.server

US_SHIPPER = Address(
    name="Dana Shipwright",
    company_name="T and T Designs",
    street="2311 York Rd",
    city="Timonium",
    zip="21093",
    state_code="MD",
    country_code="US",
    phone="+1 410-308-1234",
)
US_RECIPIENT = Address(
    name="Jordan Miller",
    street="55 Glenlake Pkwy NE",
    street2="Suite 200",
    city="Atlanta",
    zip="30328",
    state_code="GA",
    country_code="US",
    phone="+14048286000",
)
DE_SHIPPER = Address(
    name="Versand Ottilie",
    street="Lagerstrasse 7",
    city="Hamburg",
    zip="20095",
    country_code="DE",
    phone="+4940555012345",
)
CH_RECIPIENT = Address(
    name="Urs Keller",
    street="Bahnhofstrasse 1",
    city="Zurich",
    zip="8001",
    country_code="CH",
    phone="+41445550101",
)
CUSTOMS = {
    "description": "Ceramic mugs",
    "reason": "SALE",
    "invoice_number": "INV/2026/0042",
    "currency": "EUR",
    "lines": [
        {
            "description": "Blue mug",
            "quantity": 2,
            "unit_value": 12.5,
            "hs_code": "6912.00",
            "origin_country": "DE",
            "part_number": "MUG-B",
        }
    ],
}


def make_adapter(base_url="http://127.0.0.1:9/api", **extra):
    return ups.UpsAdapter(
        AccountConfig(
            carrier_code="ups",
            base_url=base_url,
            client_id="ups-client",
            client_secret="ups-secret",
            account_number="A1B2C3",
            label_format="GIF",
            extra=extra,
        )
    )


def request(**overrides):
    values = {
        "reference": "WH/OUT/00042",
        "idempotency_key": "k-1",
        "service_code": "03",
        "shipper": US_SHIPPER,
        "recipient": US_RECIPIENT,
        "parcels": [Parcel(4.0, 30, 20, 10)],
        "label_format": "GIF",
        "currency": "USD",
        "ship_date": date(2026, 11, 20),
    }
    values.update(overrides)
    return ShipmentRequest(**values)


SHIP_OPTIONS = {
    "domestic": {},
    "domestic_no_reference": {"reference": ""},
    "multi_package": {"parcels": [Parcel(1.0, 10, 10, 10), Parcel(2.0), Parcel(31.5)]},
    "international_customs": {
        "shipper": DE_SHIPPER,
        "recipient": CH_RECIPIENT,
        "service_code": "11",
        "customs": CUSTOMS,
        "currency": "EUR",
    },
    "us_to_canada_invoice_line_total": {
        "recipient": Address(
            name="Henry Lee",
            street="34 Queen St",
            city="Toronto",
            zip="M5C2M6",
            state_code="ON",
            country_code="CA",
        ),
        "service_code": "11",
        "declared_value": 120.5,
    },
    "return": {"shipper": US_RECIPIENT, "recipient": US_SHIPPER, "is_return": True},
    "international_return": {
        "shipper": CH_RECIPIENT,
        "recipient": DE_SHIPPER,
        "service_code": "11",
        "customs": dict(CUSTOMS, reason="RETURN"),
        "is_return": True,
    },
    "thermal_zpl": {"label_format": "ZPL"},
}


# -- requests, strictly against the published schemas --------------------------
@pytest.mark.parametrize("option", sorted(SHIP_OPTIONS))
@pytest.mark.parametrize(
    "extra", [{}, {"negotiated_rates": True, "weight_unit": "KGS"}]
)
def test_ship_request_is_valid_against_shipping_yaml(option, extra):
    body = make_adapter(**extra).build_ship_request(request(**SHIP_OPTIONS[option]))
    assert contracts.errors("ups", "shipping", "SHIPRequestWrapper", body) == []


def test_international_return_invoice_is_form_05_not_01():
    body = make_adapter().build_ship_request(
        request(**SHIP_OPTIONS["international_return"])
    )
    shipment = body["ShipmentRequest"]["Shipment"]
    forms = shipment["ShipmentServiceOptions"]["InternationalForms"]
    assert shipment["ReturnService"]["Code"] == "9"
    assert forms["FormType"] == ["05"]
    outbound = make_adapter().build_ship_request(
        request(**SHIP_OPTIONS["international_customs"])
    )
    outbound_forms = outbound["ShipmentRequest"]["Shipment"]["ShipmentServiceOptions"]
    assert outbound_forms["InternationalForms"]["FormType"] == ["01"]


@pytest.mark.parametrize(
    "option", ["domestic", "multi_package", "international_customs", "shop"]
)
def test_rate_request_is_valid_against_rating_yaml(option):
    values = dict(SHIP_OPTIONS.get(option, {}))
    if option == "shop":
        values["service_code"] = ""
    adapter = make_adapter(negotiated_rates=True)
    body = adapter.build_rate_request(request(**values))
    assert contracts.errors("ups", "rating", "RATERequestWrapper", body) == []
    weight = body["RateRequest"]["Shipment"]["ShipmentTotalWeight"]
    assert weight["UnitOfMeasurement"]["Description"] in ("Pounds", "Kilograms")
    assert body["RateRequest"]["Request"]["RequestOption"] == adapter.rate_option(
        request(**values)
    )


@pytest.mark.parametrize("label_format", ["GIF", "ZPL"])
def test_label_recovery_request_has_the_required_request_container(label_format):
    body = make_adapter().build_label_recovery_request(
        "1ZA1B2C30312345678", label_format
    )
    assert "Request" in body["LabelRecoveryRequest"]
    assert (
        contracts.errors("ups", "shipping", "LABELRECOVERYRequestWrapper", body) == []
    )
    # without the container, the schema (and the simulator) refuse it
    del body["LabelRecoveryRequest"]["Request"]
    assert contracts.errors("ups", "shipping", "LABELRECOVERYRequestWrapper", body)


@pytest.mark.parametrize("zip_code", ["30328", "30328-1234", ""])
def test_address_validation_request_is_valid(zip_code):
    address = Address(**{**US_RECIPIENT.to_dict(), "zip": zip_code})
    body = ups.UpsAdapter.build_address_request(address)
    assert (
        contracts.errors("ups", "address_validation", "XAVRequestWrapper", body) == []
    )


def test_track_alert_requests_are_valid_v2_v1_and_account():
    adapter = make_adapter()
    numbers = ["1ZCIETST0111111114", "1ZCIETST0422222228"]
    v2 = adapter.build_subscription_request(numbers)
    enhanced = adapter.build_subscription_request(
        numbers, subscription_type="enhanced", event_preferences=["D", "I", "M"]
    )
    v1 = adapter.build_subscription_request(
        numbers, webhook_url="https://example.org/hook", credential="c" * 32
    )
    account = adapter.build_account_subscription_request()
    v2_file, v1_file = "track_alert_v2", "track_alert_v1"
    assert contracts.errors("ups", v2_file, "PackageSubscriptionRequest", v2) == []
    assert (
        contracts.errors("ups", v2_file, "PackageSubscriptionRequest", enhanced) == []
    )
    assert contracts.errors("ups", v1_file, "TrackSubsServiceRequest", v1) == []
    assert contracts.errors("ups", v2_file, "AccountSubscriptionRequest", account) == []
    assert account["locale"] == "en_US"
    # UPS's own request examples agree with our shapes
    examples = contracts.examples("ups", v2_file, "post_subscription_type_package/req")
    assert examples["post_subscription_type_package/request/1"] == v2


def test_v1_has_no_enhanced_subscription():
    with pytest.raises(ValueError, match="only has standard"):
        make_adapter().subscribe(
            ["1ZCIETST0111111114"],
            webhook_url="https://example.org/hook",
            credential="c" * 32,
            subscription_type="enhanced",
        )


# -- shipper number ---------------------------------------------------------------
@pytest.mark.parametrize("number", ["A1B2C3", "a1b2c3", " 123456 "])
def test_shipper_number_of_six_characters(number):
    adapter = ups.UpsAdapter(
        AccountConfig(carrier_code="ups", base_url="http://x", account_number=number)
    )
    assert adapter.shipper_number() == number.strip().upper()


@pytest.mark.parametrize("number", ["", "12345", "1234567", "A1B2C3D4E5", "A1-B2C"])
def test_shipper_number_not_six_characters_is_refused_in_words(number):
    adapter = ups.UpsAdapter(
        AccountConfig(carrier_code="ups", base_url="http://x", account_number=number)
    )
    with pytest.raises(CarrierValidationError) as info:
        adapter.build_ship_request(request())
    assert info.value.code == "invalid_shipper_number"
    assert "exactly 6" in str(info.value)


# -- UPS times ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "date_text, time_text, offset, expected",
    [
        ("20260504", "20:04:35", None, "2026-05-04T20:04:35"),  # Track gmtTime
        ("20210210", "74700", None, "2021-02-10T07:47:00"),  # Tracking.yaml example
        ("20260504", "160435", "-04.00", "2026-05-04T20:04:35"),  # Track Alert
        ("20260504", "160435", "-04:00", "2026-05-04T20:04:35"),
        ("20260504", "213435", "+05.30", "2026-05-04T16:04:35"),
        ("20260504", "1604", "-0400", "2026-05-04T20:04:00"),
    ],
)
def test_ups_times_and_offsets(date_text, time_text, offset, expected):
    value = ups.ups_datetime(date_text, time_text, offset)
    assert value == datetime.fromisoformat(expected).replace(tzinfo=timezone.utc)


def test_track_activity_with_colon_gmt_time_is_not_read_as_local():
    adapter = make_adapter()
    data = {
        "trackResponse": {
            "shipment": [
                {
                    "package": [
                        {
                            "trackingNumber": "1ZA1B2C30312345678",
                            "activity": [
                                {
                                    "date": "20260504",
                                    "time": "160435",
                                    "gmtDate": "20260504",
                                    "gmtTime": "20:04:35",
                                    "gmtOffset": "-04:00",
                                    "status": {"type": "I", "code": "OR"},
                                }
                            ],
                        }
                    ]
                }
            ]
        }
    }
    assert contracts.errors("ups", "tracking", "TrackApiResponse", data) == []
    (event,) = adapter.parse_track_response(data)
    assert event.occurred_at == datetime(2026, 5, 4, 20, 4, 35, tzinfo=timezone.utc)
    # without the GMT fields, the local time and its offset
    activity = data["trackResponse"]["shipment"][0]["package"][0]["activity"][0]
    del activity["gmtDate"], activity["gmtTime"]
    (event,) = adapter.parse_track_response(data)
    assert event.occurred_at == datetime(2026, 5, 4, 20, 4, 35, tzinfo=timezone.utc)


# -- the specification's own examples, parsed ------------------------------------
def _webhook_examples():
    found = []
    for name in ("track_alert_v2", "track_alert_v1"):
        for key, value in contracts.examples("ups", name, "postTrackingEvent").items():
            found.append(pytest.param(name, value, id=f"{name}:{key}"))
    return found


@pytest.mark.parametrize("name, example", _webhook_examples())
def test_track_alert_examples_are_parsed(name, example):
    adapter = make_adapter()
    body = json.dumps(example).encode()
    assert adapter.check_webhook_shape({}, body) is None
    (event,) = adapter.parse_webhook({}, body)
    # v1's first example has a leading space in trackingNumber: stripped
    assert event.tracking_number == example["trackingNumber"].strip()
    assert event.code in CANONICAL_CODES
    expected = ups.ups_datetime(
        example.get("gmtActivityDate"), example.get("gmtActivityTime")
    ) or ups.ups_datetime(
        example.get("localActivityDate"),
        example.get("localActivityTime"),
        example.get("gmtOffset"),
    )
    assert expected is not None and event.occurred_at == expected
    if example["activityStatus"].get("type") == "D":
        assert event.code == "delivered"


def test_track_alert_v2_delivered_example_maps_and_keeps_its_time():
    examples = contracts.examples("ups", "track_alert_v2", "postTrackingEvent")
    delivered = examples["postTrackingEvent/request/2"]
    (event,) = make_adapter().parse_webhook({}, json.dumps(delivered).encode())
    assert event.code == "delivered"
    assert event.signatory == "John"
    assert event.occurred_at == datetime(2024, 4, 23, 13, 50, 4, tzinfo=timezone.utc)


def test_subscription_response_examples_are_parsed():
    for name, prefix in (
        ("track_alert_v2", "post_subscription_type_package/response_"),
        ("track_alert_v1", "post_subscription_standard_package/response_"),
    ):
        examples = contracts.examples("ups", name, prefix)
        partial = ups.UpsAdapter.parse_subscription_response(
            examples[prefix + "200/PartialSuccessExample"]
        )
        assert partial.valid and partial.invalid == ["1Z1234567$8"]
        complete = ups.UpsAdapter.parse_subscription_response(
            examples[prefix + "200/CompleteSuccessExample"]
        )
        assert complete.valid and not complete.invalid
    refused = ups.UpsAdapter.parse_subscription_response(
        contracts.examples("ups", "track_alert_v2")[
            "post_subscription_type_package/response_400/example"
        ]
    )
    assert refused.invalid == ["1Z1234567$8"]
    assert "Locale is required" in refused.messages[0]


# UPS-PM examples (UPS's Postman collections) that break UPS's own schema:
# listed, so that a new deviation fails here (README "Errata").
KNOWN_EXAMPLE_DEVIATIONS = {
    "ups-ship-response.json": 5,  # placeholder values ("TrackingNumber", "0.0")
    "ups-rate-response.json": 1,  # Service.Description ""
    "ups-ship-response-multipackage.json": 1,  # BillingWeight.Weight "12.0"
}


@pytest.mark.parametrize(
    "name, schema_file, root, parse",
    [
        ("ups-ship-response.json", "shipping", "SHIPResponseWrapper", "ship"),
        (
            "ups-ship-response-multipackage.json",
            "shipping",
            "SHIPResponseWrapper",
            "ship",
        ),
        ("ups-void-response.json", "shipping", "VOIDSHIPMENTResponseWrapper", "void"),
        ("ups-rate-response.json", "rating", "RATERequestWrapper", "rate"),
        ("ups-track-response-delivered.json", "tracking", "TrackApiResponse", "track"),
        ("ups-track-response-exception.json", "tracking", "TrackApiResponse", "track"),
        (
            "ups-address-validation-response.json",
            "address_validation",
            "XAVResponseWrapper",
            "xav",
        ),
    ],
)
def test_published_response_examples_fit_the_schema_and_parse(
    name, schema_file, root, parse
):
    data = json.loads(
        (
            ROOT / "logistics_carrier_ups" / "tests" / "carrier_examples" / name
        ).read_text()
    )
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    if parse == "rate":
        root = "RATEResponseWrapper"
    problems = contracts.errors("ups", schema_file, root, data, single_objects=True)
    assert len(problems) == KNOWN_EXAMPLE_DEVIATIONS.get(name, 0), problems
    adapter = make_adapter()
    if parse == "ship":
        result = adapter.parse_ship_response(data, "GIF")
        assert result.carrier_shipment_id and result.tracking_numbers
    elif parse == "void":
        assert adapter.parse_void_response(data, ["1Z"]) == []
    elif parse == "rate":
        assert adapter.parse_rate_response(data)
    elif parse == "track":
        assert adapter.parse_track_response(data)
    else:
        assert adapter.parse_address_response(data, US_RECIPIENT).candidates


# -- the simulator refuses what UPS's schema refuses ---------------------------------
@pytest.fixture(scope="module")
def sim():
    server = ups_sim.UpsSimulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def adapter(sim):
    sim.reset()
    return ups.UpsAdapter(
        AccountConfig(carrier_code="ups", label_format="GIF", **sim.account_values())
    )


def _post(adapter, path, body, operation):
    response = adapter._call("POST", path, operation=operation, json=body)
    return response.status_code, adapter._json(response)


def test_simulator_refuses_a_label_recovery_without_request(adapter):
    number = adapter.create_shipment(request()).carrier_shipment_id
    body = adapter.build_label_recovery_request(number)
    del body["LabelRecoveryRequest"]["Request"]
    status, data = _post(adapter, "/labels/v1/recovery", body, "label")
    assert status == 400
    assert "'Request' is a required property" in json.dumps(data)
    assert adapter.get_label(number).packages[0].label.startswith(b"GIF8")


def test_simulator_refuses_a_rate_without_the_weight_unit_description(adapter):
    body = adapter.build_rate_request(request())
    total = body["RateRequest"]["Shipment"]["ShipmentTotalWeight"]
    del total["UnitOfMeasurement"]["Description"]
    status, data = _post(adapter, "/rating/v2409/Ratetimeintransit", body, "rates")
    assert status == 400 and "'Description' is a required property" in str(data)


def test_simulator_refuses_an_account_subscription_without_locale(adapter):
    body = adapter.build_account_subscription_request()
    del body["locale"]
    headers = {"transId": "t" * 32, "transactionSrc": "tests"}
    response = adapter.authorized_request(
        "POST",
        "/track/v2/subscription/standard/account",
        operation="subscription",
        json=body,
        headers=headers,
    )
    assert response.status_code == 400
    assert "'locale' is a required property" in response.text
    assert adapter.subscribe_account() == "9999-12-31"


def test_simulator_has_no_v1_enhanced_path(adapter):
    body = adapter.build_subscription_request(
        ["1ZCIETST0111111114"], webhook_url="https://example.org/h", credential="c"
    )
    response = adapter.authorized_request(
        "POST",
        "/track/v1/subscription/enhanced/package",
        operation="subscription",
        json=body,
        headers={"transId": "t" * 32, "transactionSrc": "tests"},
    )
    assert response.status_code == 404


def test_simulator_refuses_an_international_return_with_invoice_01(adapter):
    body = adapter.build_ship_request(request(**SHIP_OPTIONS["international_return"]))
    forms = body["ShipmentRequest"]["Shipment"]["ShipmentServiceOptions"]
    forms["InternationalForms"]["FormType"] = ["01"]
    status, data = _post(adapter, "/shipments/v2409/ship", body, "create_shipment")
    assert status == 400 and "120609" in json.dumps(data)
    result = adapter.create_shipment(request(**SHIP_OPTIONS["international_return"]))
    assert result.packages[0].label


def test_simulator_refuses_a_shipper_number_that_is_not_six_characters(adapter):
    body = adapter.build_ship_request(request())
    body["ShipmentRequest"]["Shipment"]["Shipper"]["ShipperNumber"] = "A1B2C3D4"
    status, data = _post(adapter, "/shipments/v2409/ship", body, "create_shipment")
    assert status == 400 and "shipper number" in json.dumps(data)


def test_simulator_accepts_upss_single_object_form_but_not_broken_shapes(adapter):
    body = adapter.build_ship_request(request())
    shipment = body["ShipmentRequest"]["Shipment"]
    shipment["Package"] = shipment["Package"][0]  # UPS's Postman style
    status, _data = _post(adapter, "/shipments/v2409/ship", body, "create_shipment")
    assert status == 200
    shipment["Package"] = "one package"
    status, _data = _post(adapter, "/shipments/v2409/ship", body, "create_shipment")
    assert status == 400


def test_every_request_the_adapter_sent_to_the_simulator_was_valid(adapter, sim):
    adapter.create_shipment(request(**SHIP_OPTIONS["multi_package"]))
    adapter.get_rates(request(service_code=""))
    adapter.validate_address(US_RECIPIENT)
    adapter.subscribe(["1ZCIETST0111111114"])
    schemas = {
        "create_shipment": ("shipping", "SHIPRequestWrapper"),
        "rates": ("rating", "RATERequestWrapper"),
        "validate_address": ("address_validation", "XAVRequestWrapper"),
        "subscription": ("track_alert_v2", "PackageSubscriptionRequest"),
    }
    seen = set()
    for entry in sim.requests:
        if entry["operation"] in schemas:
            seen.add(entry["operation"])
            target = schemas[entry["operation"]]
            assert contracts.errors("ups", *target, entry["json"]) == []
    assert seen == set(schemas)


# -- an answer off UPS's specification is logged (masked), never dropped --------
def test_track_activity_without_a_readable_date_is_logged_masked():
    entries = []
    adapter = make_adapter()
    adapter.http.log_sink = adapter._masking_sink(entries.append)
    data = {
        "trackResponse": {
            "shipment": [
                {
                    "package": [
                        {
                            "trackingNumber": "1ZA1B2C30312345678",
                            "deliveryInformation": {"receivedBy": "JORDAN MILLER"},
                            "activity": [
                                {
                                    "date": "2026-05-04",
                                    "time": "later",
                                    "status": {"type": "D", "code": "FS"},
                                }
                            ],
                        }
                    ]
                }
            ]
        }
    }
    (event,) = adapter.parse_track_response(data)
    assert event.code == "delivered"  # kept, with the time it was received
    assert adapter.spec_mismatches == [
        ("tracking", "activity of 1ZA1B2C30312345678 without a readable date")
    ]
    (entry,) = entries
    assert entry["operation"] == "tracking:spec_mismatch"
    assert entry["spec_mismatch"] is True
    assert "2026-05-04" in entry["response_body"]


def test_error_examples_of_the_specification_keep_upss_words():
    found = 0
    for name in ("track_alert_v2", "track_alert_v1"):
        for key, example in contracts.examples("ups", name).items():
            status = key.split("/")[1].removeprefix("response_")
            if (
                not status.isdigit()
                or int(status) < 400
                or "errors" not in str(example)
            ):
                continue
            errors = ups.response_errors(example)
            assert errors and all(code and message for code, message in errors), key
            kind, _category = ups.classify_error(int(status), errors)
            expected = {"401": "auth", "500": "transient", "404": "not_found"}
            assert kind == expected.get(status, "validation"), key
            found += 1
    assert found >= 10


def test_account_subscription_answer_is_the_specifications(adapter, sim):
    example = contracts.examples("ups", "track_alert_v2")[
        "post_subscription_type_account/response_200/example"
    ]
    assert adapter.subscribe_account() == example["expiryDate"]
    assert (
        contracts.errors(
            "ups", "track_alert_v2", "AccountSubscriptionResponse", example
        )
        == []
    )
