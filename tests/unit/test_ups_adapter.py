# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS adapter against the UPS contract simulator over HTTP (no database).

Every request the adapter builds is checked against the published example of
its contract, every example file is parsed, errors are classified, tokens
cached and refreshed, Track Alert pushes verified and parsed.
"""

import base64
import hashlib
import json
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import logistics_carriers.ups
import logistics_simulators.ups.server
from logistics_carriers import (
    CANONICAL_CODES,
    AccountConfig,
    Address,
    CarrierAuthError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    Parcel,
    ShipmentRequest,
    WebhookAuthError,
    get_adapter_class,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "logistics_carrier_ups" / "tests" / "carrier_examples"
# the project's shared folder, beside the checkout (developers' machines and CI)
SHARED_EXAMPLES = ROOT.parent / "shared" / "carrier-examples" / "ups"


ups = logistics_carriers.ups
ups_sim = logistics_simulators.ups.server
UpsAdapter = ups.UpsAdapter

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
    email="jordan.miller@example.com",
)
DE_SHIPPER = Address(
    name="Versand Ottilie",
    street="Lagerstrasse 7",
    city="Hamburg",
    zip="20095",
    country_code="DE",
    phone="+4940555012345",
)
DE_RECIPIENT = Address(
    name="Jakob Empfaenger",
    street="Birkenweg 12",
    city="Berlin",
    zip="10115",
    country_code="DE",
    phone="+4930555098765",
)
PERSONAL = ["Jordan Miller", "55 Glenlake", "4048286000", "jordan.miller@example"]


def load(name):
    return json.loads((EXAMPLES / name).read_text())


# -- fixtures ------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim_server():
    server = ups_sim.UpsSimulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server):
    sim_server.reset()
    sim_server.credentials = None
    yield sim_server
    sim_server.reset()


@pytest.fixture
def logs():
    return []


@pytest.fixture
def make_adapter(sim, logs):
    made = []

    def make(token_store=None, extra=None, **overrides):
        values = {
            "carrier_code": "ups",
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "label_format": "GIF",
            "account_ref": "logistics.carrier.account(7)",
            **sim.account_values(),
        }
        values.update(overrides)
        adapter = UpsAdapter(
            AccountConfig(extra=dict(extra or {}), **values),
            token_store=token_store,
            log_sink=logs.append,
        )
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def adapter(make_adapter):
    return make_adapter()


def shipment_request(**overrides):
    values = {
        "reference": "WH/OUT/00042",
        "idempotency_key": "ls-test-1",
        "service_code": "03",
        "shipper": US_SHIPPER,
        "recipient": US_RECIPIENT,
        "parcels": [Parcel(4.0, 30, 20, 10, reference="PACK0000001")],
        "label_format": "GIF",
        "currency": "USD",
    }
    values.update(overrides)
    return ShipmentRequest(**values)


def sent(sim, operation):
    return [r for r in sim.requests if r["operation"] == operation]


def key_paths(value, prefix=""):
    """Dotted key paths of a JSON document; arrays and objects alike."""
    paths = set()
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            for key, sub in item.items():
                path = f"{prefix}.{key}" if prefix else key
                paths.add(path)
                paths |= key_paths(sub, path)
    return paths


def leaves(value):
    if isinstance(value, dict):
        for sub in value.values():
            yield from leaves(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from leaves(sub)
    else:
        yield value


def is_1z(number):
    body = number[2:17]
    total = sum(
        (int(c) if c.isdigit() else (ord(c) - 63) % 10) * (1 if i % 2 == 0 else 2)
        for i, c in enumerate(body)
    )
    return number.startswith("1Z") and number[17] == str((10 - total % 10) % 10)


# -- the adapter class ------------------------------------------------------------
def test_registered_under_ups_with_contract_urls(adapter):
    assert get_adapter_class("ups") is UpsAdapter
    assert UpsAdapter.default_base_urls == {
        "sandbox": "https://wwwcie.ups.com/api",
        "production": "https://onlinetools.ups.com/api",
    }
    assert UpsAdapter.supports_lookup is False
    assert UpsAdapter.idempotent_create is False
    production = UpsAdapter(AccountConfig("ups", environment="production"))
    assert production.token_url() == (
        "https://onlinetools.ups.com/security/v1/oauth/token"
    )
    sandbox = UpsAdapter(AccountConfig("ups"))
    assert sandbox.token_url() == "https://wwwcie.ups.com/security/v1/oauth/token"
    assert adapter.token_url() == adapter.base_url + "/security/v1/oauth/token"


def test_tracking_url_is_ups_public_page(adapter):
    assert adapter.tracking_url("1Z999AA10123456784") == (
        "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"
    )


# -- requests against the published examples ---------------------------------------
# Keys the adapter sends that the published example of the request omits;
# each is documented in Shipping.yaml / Rating.yaml (contract §1.2).
SHIP_EXTRA_KEYS = {
    # Shipping.yaml requires LabelStockSize (the Postman example omits it)
    "ShipmentRequest.LabelSpecification.LabelStockSize",
    "ShipmentRequest.LabelSpecification.LabelStockSize.Height",
    "ShipmentRequest.LabelSpecification.LabelStockSize.Width",
    "ShipmentRequest.Shipment.Package.ReferenceNumber",
    "ShipmentRequest.Shipment.Package.ReferenceNumber.Value",
    "ShipmentRequest.Shipment.ShipmentRatingOptions",
    "ShipmentRequest.Shipment.ShipmentRatingOptions.NegotiatedRatesIndicator",
}
RATE_EXTRA_KEYS = {
    # Rating.yaml: Request.RequestOption and the unit's Description required
    "RateRequest.Request.RequestOption",
    "RateRequest.Shipment.ShipmentTotalWeight.UnitOfMeasurement.Description",
    "RateRequest.Shipment.Shipper.AttentionName",
    "RateRequest.Shipment.Shipper.Phone",
    "RateRequest.Shipment.Shipper.Phone.Number",
    "RateRequest.Shipment.ShipTo.AttentionName",
    "RateRequest.Shipment.ShipTo.Phone",
    "RateRequest.Shipment.ShipTo.Phone.Number",
    "RateRequest.Shipment.ShipFrom.AttentionName",
    "RateRequest.Shipment.ShipFrom.Phone",
    "RateRequest.Shipment.ShipFrom.Phone.Number",
    "RateRequest.Shipment.ShipmentRatingOptions",
    "RateRequest.Shipment.ShipmentRatingOptions.NegotiatedRatesIndicator",
    # Rating.yaml: time in transit (Ratetimeintransit / Shoptimeintransit)
    "RateRequest.Shipment.DeliveryTimeInformation",
    "RateRequest.Shipment.DeliveryTimeInformation.PackageBillType",
    "RateRequest.Shipment.DeliveryTimeInformation.Pickup",
    "RateRequest.Shipment.DeliveryTimeInformation.Pickup.Date",
    "RateRequest.Shipment.ShipmentTotalWeight",
    "RateRequest.Shipment.ShipmentTotalWeight.UnitOfMeasurement",
    "RateRequest.Shipment.ShipmentTotalWeight.UnitOfMeasurement.Code",
    "RateRequest.Shipment.ShipmentTotalWeight.Weight",
}
SHIP_REQUIRED = {
    "ShipmentRequest.Request.RequestOption",
    "ShipmentRequest.Shipment.Shipper.Name",
    "ShipmentRequest.Shipment.Shipper.ShipperNumber",
    "ShipmentRequest.Shipment.Shipper.Address.AddressLine",
    "ShipmentRequest.Shipment.Shipper.Address.City",
    "ShipmentRequest.Shipment.Shipper.Address.CountryCode",
    "ShipmentRequest.Shipment.ShipTo.Name",
    "ShipmentRequest.Shipment.ShipTo.Address.AddressLine",
    "ShipmentRequest.Shipment.ShipTo.Address.City",
    "ShipmentRequest.Shipment.ShipTo.Address.CountryCode",
    "ShipmentRequest.Shipment.PaymentInformation.ShipmentCharge.Type",
    "ShipmentRequest.Shipment.PaymentInformation.ShipmentCharge.BillShipper"
    ".AccountNumber",
    "ShipmentRequest.Shipment.Service.Code",
    "ShipmentRequest.Shipment.Package.Packaging.Code",
    "ShipmentRequest.Shipment.Package.PackageWeight.UnitOfMeasurement.Code",
    "ShipmentRequest.Shipment.Package.PackageWeight.Weight",
    "ShipmentRequest.LabelSpecification.LabelImageFormat.Code",
}


def test_ship_request_matches_the_published_contract(sim, make_adapter):
    adapter = make_adapter(extra={"negotiated_rates": True})
    adapter.create_shipment(shipment_request())
    (request,) = sent(sim, "create_shipment")
    assert request["path"] == "/shipments/v2409/ship"
    assert request["method"] == "POST"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["json"]
    ours = key_paths(body)
    example = key_paths(load("ups-ship-request.json"))
    assert ours - example <= SHIP_EXTRA_KEYS, ours - example
    assert SHIP_REQUIRED <= ours
    assert all(isinstance(v, str) for v in leaves(body))  # UPS: all strings
    shipment = body["ShipmentRequest"]["Shipment"]
    assert shipment["Shipper"]["ShipperNumber"] == "A1B2C3"
    assert shipment["PaymentInformation"]["ShipmentCharge"] == [
        {"Type": "01", "BillShipper": {"AccountNumber": "A1B2C3"}}
    ]
    assert shipment["Shipper"]["Name"] == "T and T Designs"
    assert shipment["Shipper"]["AttentionName"] == "Dana Shipwright"
    assert shipment["ShipTo"]["Address"] == {
        "AddressLine": ["55 Glenlake Pkwy NE", "Suite 200"],
        "City": "Atlanta",
        "PostalCode": "30328",
        "CountryCode": "US",
        "StateProvinceCode": "GA",
    }
    assert shipment["ShipTo"]["Phone"] == {"Number": "4048286000"}
    assert shipment["ShipFrom"]["Address"]["City"] == "Timonium"
    assert shipment["Service"] == {"Code": "03", "Description": "UPS Ground"}
    assert shipment["ShipmentRatingOptions"] == {"NegotiatedRatesIndicator": ""}
    (package,) = shipment["Package"]
    assert package["Packaging"] == {"Code": "02"}
    assert package["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
        "Weight": "8.8",
    }
    # Shipping.yaml: 1-3 characters, whole inches rounded up
    assert package["Dimensions"] == {
        "UnitOfMeasurement": {"Code": "IN", "Description": "Inches"},
        "Length": "12",
        "Width": "8",
        "Height": "4",
    }
    assert package["ReferenceNumber"] == [{"Value": "PACK0000001"}]
    assert body["ShipmentRequest"]["LabelSpecification"] == {
        "LabelImageFormat": {"Code": "GIF", "Description": "GIF"},
        "LabelStockSize": {"Height": "6", "Width": "4"},
        "HTTPUserAgent": "Mozilla/4.5",
    }
    assert body["ShipmentRequest"]["Request"]["TransactionReference"] == {
        "CustomerContext": "WH/OUT/00042"
    }
    assert len(request["headers"]["transId"]) == 32
    assert request["headers"]["transactionSrc"] == "odoo-logistics-suite"


def test_rate_request_matches_the_published_contract(sim, make_adapter):
    adapter = make_adapter(extra={"negotiated_rates": True})
    adapter.get_rates(shipment_request(ship_date=date(2026, 11, 20)))
    (request,) = sent(sim, "rates")
    assert request["path"] == "/rating/v2409/Ratetimeintransit"
    ours = key_paths(request["json"])
    example = key_paths(load("ups-rate-request.json"))
    assert ours - example <= RATE_EXTRA_KEYS, ours - example
    shipment = request["json"]["RateRequest"]["Shipment"]
    assert shipment["PaymentDetails"]["ShipmentCharge"][0]["BillShipper"] == {
        "AccountNumber": "A1B2C3"
    }
    assert shipment["NumOfPieces"] == "1"
    assert shipment["Package"][0]["PackagingType"] == {"Code": "02"}
    assert shipment["DeliveryTimeInformation"] == {
        "PackageBillType": "03",
        "Pickup": {"Date": "20261120"},
    }
    assert shipment["ShipmentTotalWeight"] == {
        "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
        "Weight": "8.8",
    }
    assert request["json"]["RateRequest"]["Request"]["RequestOption"] == (
        "Ratetimeintransit"
    )
    assert all(isinstance(v, str) for v in leaves(request["json"]))


def test_address_request_matches_the_published_contract(sim, adapter):
    adapter.validate_address(US_RECIPIENT)
    (request,) = sent(sim, "validate_address")
    assert urlsplit(request["path"]).path == "/addressvalidation/v2/3"
    assert parse_qs(urlsplit(request["path"]).query) == {
        "maximumcandidatelistsize": ["5"]
    }
    ours = key_paths(request["json"])
    assert ours <= key_paths(load("ups-address-validation-request.json"))
    assert request["json"]["XAVRequest"]["AddressKeyFormat"] == {
        "ConsigneeName": "Jordan Miller",
        "AddressLine": ["55 Glenlake Pkwy NE", "Suite 200"],
        "PoliticalDivision2": "Atlanta",
        "PoliticalDivision1": "GA",
        "PostcodePrimaryLow": "30328",
        "CountryCode": "US",
    }


def test_subscription_request_matches_the_published_contract(sim, adapter):
    adapter.subscribe(["1ZCIETST0111111114", "1ZCIETST0422222228"])
    (request,) = sent(sim, "subscription")
    assert request["path"] == "/track/v2/subscription/standard/package"
    assert request["json"] == {
        key: value
        for key, value in load("ups-trackalert-subscription-request.json").items()
        if not key.startswith("_")
    }
    assert request["headers"]["transId"] and request["headers"]["transactionSrc"]


# -- every published example is parsed ---------------------------------------------
def _parse_ship(adapter, sim):
    result = adapter.parse_ship_response(load("ups-ship-response.json"), "GIF")
    assert result.carrier_shipment_id == "ShipmentIdentificationNumber"
    assert result.tracking_numbers == ["TrackingNumber"]
    assert result.packages[0].label == base64.b64decode("GraphicImage")
    assert result.label_format == "GIF"
    assert (result.charges_amount, result.charges_currency) == (0.0, "USD")


def _parse_ship_multi(adapter, sim):
    result = adapter.parse_ship_response(
        load("ups-ship-response-multipackage.json"), "ZPL"
    )
    assert result.carrier_shipment_id == "1ZCIETST0111111114"
    assert result.tracking_numbers == ["1ZCIETST0111111114", "1ZCIETST0422222228"]
    assert result.label_format == "ZPL"
    assert [p.label for p in result.packages] == [None, None]  # truncated Base64
    assert result.raw["labels_not_decoded"] == result.tracking_numbers
    assert (result.charges_amount, result.charges_currency) == (31.10, "USD")
    assert result.raw["billing_weight"] == {"unit": "LBS", "weight": "12.0"}
    json.dumps(result.to_dict())  # what the ledger stores is JSON


def _parse_void(adapter, sim):
    assert adapter.parse_void_response(load("ups-void-response.json"), ["1Z"]) == []


def _parse_rate(adapter, sim):
    (quote,) = adapter.parse_rate_response(load("ups-rate-response.json"))
    assert (quote.service_code, quote.service_name) == ("03", "UPS Ground")
    assert (quote.amount, quote.currency, quote.negotiated) == (15.54, "USD", False)


def _parse_address(adapter, sim):
    result = adapter.parse_address_response(
        load("ups-address-validation-response.json"), US_RECIPIENT
    )
    assert result.valid is True
    (candidate,) = result.candidates
    assert (candidate.street, candidate.city, candidate.state_code) == (
        "12380 MORRIS RD",
        "ALPHARETTA",
        "GA",
    )
    assert (candidate.zip, candidate.country_code) == ("30005-4616", "US")
    assert candidate.name == US_RECIPIENT.name


def _parse_track_delivered(adapter, sim):
    events = adapter.parse_track_response(load("ups-track-response-delivered.json"))
    assert [e.code for e in events] == ["label_created", "delivered"]
    assert [e.raw_code for e in events] == ["003/M/MP", "011/D/F4"]
    delivered = events[-1]
    assert delivered.tracking_number == "1Z1442YY7229014688"
    assert delivered.occurred_at == datetime(2022, 1, 26, 16, 30, tzinfo=timezone.utc)
    assert delivered.location == "PARAMUS, NJ, US"
    assert delivered.description == "DELIVERED"


def _parse_track_exception(adapter, sim):
    events = adapter.parse_track_response(load("ups-track-response-exception.json"))
    assert [e.code for e in events] == [
        "label_created",
        "out_for_delivery",
        "delivery_attempted",
    ]
    # gmtDate/gmtTime are UTC
    assert events[-1].occurred_at == datetime(
        2024, 4, 23, 18, 30, 12, tzinfo=timezone.utc
    )
    assert events[-1].raw_code == "022/X/48"


def _parse_track_not_found(adapter, sim):
    assert adapter.parse_track_response(load("ups-track-response-not-found.json")) == []
    assert "TW0001" in adapter.last_track_problems[""]


def _parse_push(adapter, sim):
    body = (EXAMPLES / "ups-trackalert-push.json").read_bytes()
    assert adapter.check_webhook_shape({}, body) is None
    (event,) = adapter.parse_webhook({}, body)
    assert (event.tracking_number, event.code) == (
        "1Z204W4R0308071865",
        "out_for_delivery",
    )
    assert event.raw_code == "021/I/OT"
    assert event.occurred_at == datetime(2024, 4, 23, 13, 15, 19, tzinfo=timezone.utc)
    assert event.location == "Charlotte, NC, 30004, US"


def _parse_push_delivered(adapter, sim):
    body = (EXAMPLES / "ups-trackalert-push-delivered.json").read_bytes()
    (event,) = adapter.parse_webhook({}, body)
    assert (event.code, event.signatory) == ("delivered", "MASKED")
    assert event.raw_code == "011/D/FS"
    assert event.occurred_at == datetime(2024, 4, 23, 13, 50, 4, tzinfo=timezone.utc)


def _parse_subscription_response(adapter, sim):
    sim.add_fault(
        "subscription", 200, body=load("ups-trackalert-subscription-response.json")
    )
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    result = adapter.subscribe(["1Z1234567891234556", "1Z1234567$8"], now=now)
    assert result.valid == ["1Z1234567891234556"]
    assert result.invalid == ["1Z1234567$8"]
    assert result.expires_at == now + timedelta(days=14)


def _parse_error(adapter, sim):
    sim.add_fault("rates", 401, body=load("ups-error-response.json"), times=2)
    with pytest.raises(CarrierAuthError) as info:  # refreshed once, refused again
        adapter.get_rates(shipment_request())
    assert info.value.carrier_message == "Invalid Authentication Information (250002)"
    assert info.value.code == "250002"
    assert sim.count("token") == 2
    assert ups.classify_error(401, [("250002", "x")]) == ("auth", "authentication")


def _parse_track_invalid(adapter, sim):
    sim.add_fault("tracking", 400, body=load("ups-error-response-track-invalid.json"))
    assert adapter.track(["1Z999AA10123456784"]) == []
    assert adapter.last_track_problems == {
        "1Z999AA10123456784": "Invalid inquiry number (TV1002)"
    }


def _parse_oauth_error(adapter, sim):
    sim.add_fault("token", 401, body=load("ups-oauth-error-response.json"))
    with pytest.raises(CarrierAuthError, match="ClientId is Invalid") as info:
        adapter.get_token()
    assert info.value.code == "10401"


def _parse_oauth_token(adapter, sim):
    sim.add_fault("token", 200, body=load("ups-oauth-token-response.json"))
    assert adapter.get_token() == "EXAMPLE_ACCESS_TOKEN"
    _token, expires_at = adapter.token_store.get()
    assert expires_at == pytest.approx(time.time() + 14399, abs=5)


def _request_shape_only(adapter, sim):
    """Request examples: checked by the request-shape tests above."""


EXAMPLE_PARSERS = {
    "ups-ship-response.json": _parse_ship,
    "ups-ship-response-multipackage.json": _parse_ship_multi,
    "ups-void-response.json": _parse_void,
    "ups-rate-response.json": _parse_rate,
    "ups-address-validation-response.json": _parse_address,
    "ups-track-response-delivered.json": _parse_track_delivered,
    "ups-track-response-exception.json": _parse_track_exception,
    "ups-track-response-not-found.json": _parse_track_not_found,
    "ups-trackalert-push.json": _parse_push,
    "ups-trackalert-push-delivered.json": _parse_push_delivered,
    "ups-trackalert-subscription-response.json": _parse_subscription_response,
    "ups-error-response.json": _parse_error,
    "ups-error-response-track-invalid.json": _parse_track_invalid,
    "ups-oauth-error-response.json": _parse_oauth_error,
    "ups-oauth-token-response.json": _parse_oauth_token,
    "ups-ship-request.json": _request_shape_only,
    "ups-rate-request.json": _request_shape_only,
    "ups-address-validation-request.json": _request_shape_only,
    "ups-trackalert-subscription-request.json": _request_shape_only,
}


def test_every_example_file_has_a_parser():
    files = sorted(p.name for p in EXAMPLES.glob("*.json"))
    assert files == sorted(EXAMPLE_PARSERS)


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="shared examples absent")
def test_examples_are_the_shared_ones():
    for path in SHARED_EXAMPLES.glob("*.json"):
        assert (EXAMPLES / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("name", sorted(EXAMPLE_PARSERS))
def test_example_is_parsed(name, adapter, sim):
    EXAMPLE_PARSERS[name](adapter, sim)


# -- shipping over HTTP ---------------------------------------------------------------
def test_create_shipment_gif_label_and_negotiated_charges(sim, make_adapter):
    adapter = make_adapter(extra={"negotiated_rates": True})
    result = adapter.create_shipment(shipment_request())
    (number,) = result.tracking_numbers
    assert is_1z(number) and number.startswith("1ZA1B2C303")
    assert result.carrier_shipment_id == number
    label = result.packages[0].label
    assert label.startswith(b"GIF89a") and label.endswith(b";")
    assert result.label_format == "GIF"
    stored = sim.shipments[number]
    assert stored["negotiated"] is True
    listed = float(stored["charges"]["amount"])
    assert result.charges_amount == pytest.approx(listed * 0.85, abs=0.01)
    assert result.charges_currency == "USD"
    assert result.raw["total_charges"] == (listed, "USD")


def test_gif_label_is_a_decodable_image(adapter):
    pil = pytest.importorskip("PIL.Image")
    import io

    label = adapter.create_shipment(shipment_request()).packages[0].label
    image = pil.open(io.BytesIO(label))
    image.load()
    assert image.format == "GIF"
    assert image.size == (320, 120)
    assert len(set(image.getdata())) == 2  # bars and background


def test_multi_package_zpl_labels(sim, make_adapter):
    adapter = make_adapter(label_format="ZPL", extra={"label_stock_size": "8"})
    parcels = [Parcel(1.0, reference="P1"), Parcel(2.0, reference="P2"), Parcel(3.0)]
    result = adapter.create_shipment(
        shipment_request(parcels=parcels, label_format="ZPL")
    )
    assert len(result.packages) == 3
    assert len(set(result.tracking_numbers)) == 3
    assert all(is_1z(n) for n in result.tracking_numbers)
    assert result.carrier_shipment_id == result.tracking_numbers[0]
    for package in result.packages:
        assert package.label_format == "ZPL"
        assert package.label.startswith(b"^XA")
        assert package.tracking_number.encode() in package.label
    (request,) = sent(sim, "create_shipment")
    body = request["json"]["ShipmentRequest"]
    assert body["LabelSpecification"] == {
        "LabelImageFormat": {"Code": "ZPL", "Description": "ZPL"},
        "LabelStockSize": {"Height": "8", "Width": "4"},
    }
    weights = [p["PackageWeight"]["Weight"] for p in body["Shipment"]["Package"]]
    assert weights == ["2.2", "4.4", "6.6"]
    references = [p["ReferenceNumber"][0]["Value"] for p in body["Shipment"]["Package"]]
    assert references == ["P1", "P2", "WH/OUT/00042"]


@pytest.mark.parametrize(
    "account_format, requested, expected, magic",
    [
        ("PNG", "PNG", "PNG", b"\x89PNG"),
        ("PDF", "PDF", "GIF", b"GIF89a"),  # UPS prints no PDF
        ("GIF", "", "GIF", b"GIF89a"),
    ],
)
def test_label_formats(make_adapter, account_format, requested, expected, magic):
    adapter = make_adapter(label_format=account_format)
    result = adapter.create_shipment(shipment_request(label_format=requested))
    assert result.label_format == expected
    assert result.packages[0].label.startswith(magic)


def test_international_units_references_and_description(sim, adapter):
    request = shipment_request(
        shipper=DE_SHIPPER,
        recipient=Address(
            name="Camille Durand",
            street="12 Rue de la République",
            city="Lyon",
            zip="69002",
            country_code="FR",
            phone="+33472000000",
        ),
        service_code="11",
        parcels=[Parcel(2.5, 40, 30, 20, reference="PACK7")],
    )
    adapter.create_shipment(request)
    (sent_request,) = sent(sim, "create_shipment")
    shipment = sent_request["json"]["ShipmentRequest"]["Shipment"]
    (package,) = shipment["Package"]
    assert package["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
        "Weight": "2.5",
    }
    assert package["Dimensions"]["UnitOfMeasurement"] == {
        "Code": "CM",
        "Description": "Centimeters",
    }
    assert package["Dimensions"]["Length"] == "40"
    assert "ReferenceNumber" not in package  # outside US/PR: shipment level
    assert shipment["ReferenceNumber"] == [{"Value": "WH/OUT/00042"}]
    assert shipment["Description"] == "WH/OUT/00042"
    assert "StateProvinceCode" not in shipment["ShipTo"]["Address"]
    assert shipment["ShipTo"]["Phone"] == {"Number": "33472000000"}


def test_account_weight_unit_wins(sim, make_adapter):
    adapter = make_adapter(extra={"weight_unit": "KGS"})
    adapter.create_shipment(shipment_request())
    (request,) = sent(sim, "create_shipment")
    package = request["json"]["ShipmentRequest"]["Shipment"]["Package"][0]
    assert package["PackageWeight"]["UnitOfMeasurement"]["Code"] == "KGS"
    assert package["Dimensions"]["UnitOfMeasurement"]["Code"] == "CM"


def test_us_to_canada_needs_invoice_line_total(sim, adapter):
    canada = Address(
        name="Henry Lee",
        street="34 Queen St",
        city="Toronto",
        zip="M5C2M6",
        state_code="ON",
        country_code="CA",
        phone="+14165550123",
    )
    with pytest.raises(CarrierValidationError, match="Invoice line total") as info:
        adapter.create_shipment(shipment_request(recipient=canada, service_code="11"))
    assert info.value.category == "data"
    result = adapter.create_shipment(
        shipment_request(recipient=canada, service_code="11", declared_value=120.5)
    )
    assert result.tracking_numbers
    body = sent(sim, "create_shipment")[-1]["json"]["ShipmentRequest"]["Shipment"]
    assert body["InvoiceLineTotal"] == {"CurrencyCode": "USD", "MonetaryValue": "120.5"}


def test_single_object_shapes_are_parsed_everywhere(sim, make_adapter):
    """Postman shows single objects where v2403+ sends arrays: both work."""
    sim.configure(single_objects=True)
    adapter = make_adapter(extra={"negotiated_rates": True})
    result = adapter.create_shipment(shipment_request())
    assert len(result.tracking_numbers) == 1 and result.packages[0].label
    # the simulator really answers with single objects
    raw = adapter.http.session.post(
        f"{sim.url}/shipments/v2409/ship",
        json=sent(sim, "create_shipment")[0]["json"],
        headers={"Authorization": f"Bearer {adapter.get_token()}"},
        timeout=5,
    ).json()
    assert isinstance(
        raw["ShipmentResponse"]["ShipmentResults"]["PackageResults"], dict
    )
    (quote,) = adapter.get_rates(shipment_request())
    assert quote.negotiated
    assert adapter.validate_address(US_RECIPIENT).candidates
    recovered = adapter.get_label(result.carrier_shipment_id)
    assert recovered.packages[0].label == result.packages[0].label
    number = result.tracking_numbers[0]
    assert adapter.cancel_shipment(number, packages=[number]) is True
    void = sent(sim, "cancel_shipment")[-1]
    assert parse_qs(urlsplit(void["path"]).query) == {"trackingnumber": [number]}


def test_label_recovery_returns_every_package(sim, adapter):
    result = adapter.create_shipment(
        shipment_request(parcels=[Parcel(1.0), Parcel(2.0)])
    )
    recovered = adapter.get_label(result.carrier_shipment_id)
    assert recovered.carrier_shipment_id == result.carrier_shipment_id
    assert [p.tracking_number for p in recovered.packages] == result.tracking_numbers
    assert [p.label for p in recovered.packages] == [p.label for p in result.packages]
    (request,) = sent(sim, "label")
    assert request["path"] == "/labels/v1/recovery"


# -- void ----------------------------------------------------------------------------
def test_void_whole_shipment_then_again(sim, adapter):
    result = adapter.create_shipment(shipment_request(parcels=[Parcel(1), Parcel(2)]))
    sid = result.carrier_shipment_id
    assert adapter.cancel_shipment(sid, result.tracking_numbers) is True
    (void,) = sent(sim, "cancel_shipment")
    assert void["path"] == f"/shipments/v2409/void/cancel/{sid}"  # one call
    assert void["method"] == "DELETE"
    assert sim.shipments[sid]["status"] == "cancelled"
    # UPS: "Voided or Already Voided": a repeated void succeeds
    assert adapter.cancel_shipment(sid) is True
    events = adapter.track(result.tracking_numbers)
    assert [e.code for e in events].count("cancelled") == 2


def test_void_single_packages_in_batches_of_20(sim, adapter):
    result = adapter.create_shipment(
        shipment_request(parcels=[Parcel(1.0) for _ in range(22)])
    )
    numbers = result.tracking_numbers
    assert adapter.cancel_shipment(result.carrier_shipment_id, packages=numbers[:21])
    calls = sent(sim, "cancel_shipment")
    assert len(calls) == 2
    first = parse_qs(urlsplit(calls[0]["path"]).query)["trackingnumber"][0]
    assert json.loads(first) == numbers[:20]
    assert parse_qs(urlsplit(calls[1]["path"]).query) == {
        "trackingnumber": [numbers[20]]
    }
    packages = sim.shipments[result.carrier_shipment_id]["packages"]
    assert [packages[n] for n in numbers] == ["cancelled"] * 21 + ["label_created"]
    assert sim.shipments[result.carrier_shipment_id]["status"] == "label_created"


def test_void_refused_packages_are_reported(sim, adapter):
    result = adapter.create_shipment(shipment_request(parcels=[Parcel(1), Parcel(2)]))
    first, second = result.tracking_numbers
    sim.advance(second, "picked_up")
    with pytest.raises(CarrierValidationError, match=second) as info:
        adapter.cancel_shipment(result.carrier_shipment_id, packages=[first, second])
    assert info.value.code == "not_voided"
    assert [fe.field for fe in info.value.field_errors] == [second]
    assert sim.shipments[result.carrier_shipment_id]["packages"][first] == "cancelled"


def test_void_after_pickup_keeps_ups_words(sim, adapter):
    result = adapter.create_shipment(shipment_request())
    sim.advance(result.carrier_shipment_id, "picked_up")
    with pytest.raises(CarrierValidationError) as info:
        adapter.cancel_shipment(result.carrier_shipment_id, result.tracking_numbers)
    assert "picked up" in info.value.carrier_message
    assert info.value.status == 400


def test_void_unknown_shipment(adapter):
    with pytest.raises(CarrierValidationError, match="void period"):
        adapter.cancel_shipment("1Z0000000000000000")


def test_void_response_without_package_results_but_not_voided(adapter):
    data = {
        "VoidShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1"}},
            "SummaryResult": {"Status": {"Code": "0", "Description": "Not Voided"}},
        }
    }
    assert adapter.parse_void_response(data, ["1ZX"]) == [("1ZX", "Not Voided")]


# -- rating ------------------------------------------------------------------------
def test_shop_without_service_code(sim, adapter):
    quotes = adapter.get_rates(shipment_request(service_code=""))
    (request,) = sent(sim, "rates")
    assert request["path"] == "/rating/v2409/Shoptimeintransit"
    assert "Service" not in request["json"]["RateRequest"]["Shipment"]
    codes = {q.service_code for q in quotes}
    assert {"01", "02", "03", "12"} <= codes
    ground = next(q for q in quotes if q.service_code == "03")
    # no guaranteed delivery for Ground: the days come from TimeInTransit
    assert ground.transit_days == ups_sim.TRANSIT_DAYS["03"]
    assert ground.negotiated is False
    next_day = next(q for q in quotes if q.service_code == "01")
    assert next_day.transit_days == 1
    assert next_day.amount > ground.amount


def test_rate_for_a_service_not_offered_on_the_lane(adapter):
    with pytest.raises(CarrierValidationError) as info:
        adapter.get_rates(shipment_request(shipper=DE_SHIPPER, recipient=DE_RECIPIENT))
    assert info.value.category == "service"
    assert info.value.code == "111210"


def test_transit_days_from_time_in_transit_or_guaranteed_delivery():
    summary = {"EstimatedArrival": {"BusinessDaysInTransit": "4"}}
    assert UpsAdapter.transit_days({"TimeInTransit": {"ServiceSummary": summary}}) == 4
    # an array of one summary, as v2409 may send
    assert (
        UpsAdapter.transit_days({"TimeInTransit": {"ServiceSummary": [summary]}}) == 4
    )
    guaranteed = {"GuaranteedDelivery": {"BusinessDaysInTransit": "2"}}
    assert UpsAdapter.transit_days(guaranteed) == 2
    assert UpsAdapter.transit_days({"Service": {"Code": "03"}}) is None
    # the published Rate response carries no time in transit
    (quote,) = UpsAdapter.parse_rate_response(load("ups-rate-response.json"))
    assert quote.transit_days is None


def test_time_in_transit_arrival_counts_business_days(sim, adapter):
    # Friday pickup, Ground 3 business days: arrival on Wednesday
    quotes = adapter.get_rates(shipment_request(ship_date=date(2026, 11, 20)))
    (quote,) = quotes
    assert quote.transit_days == 3
    (request,) = sent(sim, "rates")
    assert request["json"]["RateRequest"]["Shipment"]["Service"]["Code"] == "03"


def test_time_in_transit_without_bill_type_is_refused(sim, adapter):
    body = adapter.build_rate_request(shipment_request())
    del body["RateRequest"]["Shipment"]["DeliveryTimeInformation"]
    response = adapter._call(
        "POST", "/rating/v2409/Ratetimeintransit", operation="rates", json=body
    )
    with pytest.raises(CarrierValidationError) as info:
        adapter._check(response, "rates")
    assert info.value.code == "111620"
    # the plain Rate option does not need it
    response = adapter._call("POST", "/rating/v2409/Rate", operation="rates", json=body)
    (quote,) = UpsAdapter.parse_rate_response(adapter._check(response, "rates"))
    assert quote.transit_days is None  # Ground: no guaranteed days, no TimeInTransit


# -- returns -------------------------------------------------------------------------
def return_request(**overrides):
    """A return: the customer ships back to the warehouse (base's swap)."""
    values = {
        "reference": "WH/IN/00007",
        "shipper": US_RECIPIENT,
        "recipient": US_SHIPPER,
        "is_return": True,
    }
    values.update(overrides)
    return shipment_request(**values)


def test_ups_supports_returns():
    assert UpsAdapter.supports_returns is True


def test_return_is_a_print_return_label(sim, adapter):
    result = adapter.create_shipment(return_request())
    (request,) = sent(sim, "create_shipment")
    shipment = request["json"]["ShipmentRequest"]["Shipment"]
    assert shipment["ReturnService"] == {
        "Code": "9",
        "Description": "UPS Print Return Label",
    }
    # the account holder pays and receives; the customer is ShipFrom
    assert shipment["Shipper"]["ShipperNumber"] == "A1B2C3"
    assert shipment["Shipper"]["Address"]["PostalCode"] == "21093"
    assert shipment["ShipTo"]["Address"]["PostalCode"] == "21093"
    assert shipment["ShipFrom"]["Address"]["PostalCode"] == "30328"
    assert shipment["ShipFrom"]["Name"] == "Jordan Miller"
    assert [p["Description"] for p in shipment["Package"]] == ["Return WH/IN/00007"]
    bill = shipment["PaymentInformation"]["ShipmentCharge"][0]["BillShipper"]
    assert bill == {"AccountNumber": "A1B2C3"}
    (package,) = result.packages
    assert is_1z(package.tracking_number)
    assert package.label.startswith(b"GIF8")
    record = sim.shipments[result.carrier_shipment_id]
    assert record["return_service"] == "9"


def test_outbound_shipments_carry_no_return_service(sim, adapter):
    adapter.create_shipment(shipment_request())
    (request,) = sent(sim, "create_shipment")
    shipment = request["json"]["ShipmentRequest"]["Shipment"]
    assert "ReturnService" not in shipment
    assert all("Description" not in p for p in shipment["Package"])


def test_return_customs_description_names_the_goods(sim, adapter):
    body = adapter.build_ship_request(
        return_request(customs={"description": "Blue mug, " * 6})
    )
    (package,) = body["ShipmentRequest"]["Shipment"]["Package"]
    assert package["Description"] == ("Blue mug, " * 6).strip()[:35]
    assert len(package["Description"]) <= 35


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda s: s["Package"][0].pop("Description"), "120543"),
        (lambda s: s["Package"][0].update(Description="x" * 36), "120544"),
        (lambda s: s["ReturnService"].update(Code="42"), "120540"),
        (lambda s: s["ReturnService"].update(Code="8"), "120541"),
        (lambda s: s.pop("ShipFrom"), "120542"),
        (lambda s: s["Package"].append(dict(s["Package"][0])), "120545"),
    ],
)
def test_simulator_refuses_returns_as_ups_does(sim, adapter, change, code):
    body = adapter.build_ship_request(return_request())
    change(body["ShipmentRequest"]["Shipment"])
    response = adapter._call(
        "POST", "/shipments/v2409/ship", operation="create_shipment", json=body
    )
    with pytest.raises(CarrierValidationError) as info:
        adapter._check(response, "create_shipment")
    assert code in {e.code for e in info.value.field_errors} | {info.value.code}
    assert not sim.shipments


# -- address validation ----------------------------------------------------------------
def test_address_validation_valid_ambiguous_none(adapter):
    valid = adapter.validate_address(US_RECIPIENT)
    assert valid.valid is True
    assert valid.candidates[0].zip.startswith("30328-")
    assert "residential" in " ".join(valid.messages)
    no_zip = Address(**{**US_RECIPIENT.to_dict(), "zip": ""})
    ambiguous = adapter.validate_address(no_zip)
    assert ambiguous.valid is False
    assert len(ambiguous.candidates) == 2
    nowhere = Address(**{**US_RECIPIENT.to_dict(), "street": "1 Nowhere Lane"})
    none = adapter.validate_address(nowhere)
    assert (none.valid, none.candidates) == (False, [])
    company = Address(**{**US_RECIPIENT.to_dict(), "company_name": "Acme Inc"})
    assert "commercial" in " ".join(adapter.validate_address(company).messages)


def test_address_validation_only_where_ups_offers_it(sim, make_adapter):
    adapter = make_adapter()
    with pytest.raises(CarrierNotSupported, match="United States"):
        adapter.validate_address(DE_RECIPIENT)
    disabled = make_adapter(extra={"street_validation": False})
    with pytest.raises(CarrierNotSupported, match="not enabled"):
        disabled.validate_address(US_RECIPIENT)
    assert sim.count("validate_address") == 0


def test_address_validation_service_down_is_transient(sim, adapter):
    sim.add_fault("validate_address", 503)
    with pytest.raises(CarrierTransientError) as info:
        adapter.validate_address(US_RECIPIENT)
    assert "Service Unavailable" in str(info.value)


# -- tracking --------------------------------------------------------------------------
def test_track_events_and_headers(sim, adapter):
    result = adapter.create_shipment(shipment_request())
    number = result.carrier_shipment_id
    for step in ("picked_up", "arrived_at_facility", "out_for_delivery", "delivered"):
        sim.advance(number, step, push=False)
    events = adapter.track([number, number])
    assert [e.code for e in events] == [
        "label_created",
        "picked_up",
        "arrived_at_facility",
        "out_for_delivery",
        "delivered",
    ]
    assert events[-1].signatory == "FRONT DOOR"
    assert events[-1].location == "ATLANTA, GA, 30328, US"
    (request,) = sent(sim, "tracking")  # duplicates asked once
    split = urlsplit(request["path"])
    assert split.path == f"/track/v1/details/{number}"
    assert parse_qs(split.query)["locale"] == ["en_US"]
    assert request["headers"]["transId"] and request["headers"]["transactionSrc"]
    assert all(e.code in CANONICAL_CODES for e in events)
    assert len({e.dedupe_key for e in events}) == len(events)


@pytest.mark.parametrize("style", ["404", "200"])
def test_track_not_found_gives_no_events(sim, adapter, style):
    sim.configure(not_found_style=style)
    assert adapter.track(["1Z999AA10123456784"]) == []
    assert "TW0001" in adapter.last_track_problems["1Z999AA10123456784"]


def test_track_cie_test_numbers(adapter):
    events = adapter.track(["1ZCIETST0111111114", "1ZCIETST0422222228"])
    by_number = {}
    for event in events:
        by_number.setdefault(event.tracking_number, []).append(event.code)
    assert by_number["1ZCIETST0111111114"][-1] == "delivered"
    assert by_number["1ZCIETST0422222228"][-1] == "delivery_attempted"


def test_track_batches_respect_the_pace(adapter, monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    numbers = [f"1ZTEST{n:012d}" for n in range(60)] + ["1ZTEST000000000000"]
    batches = list(adapter.iter_track_batches(numbers))
    assert [len(b) for b in batches] == [25, 25, 10]
    assert slept == [UpsAdapter.track_min_interval] * 2


def test_track_transient_errors_raise(sim, adapter):
    sim.add_fault("tracking", 429, headers={"Retry-After": "7"})
    with pytest.raises(CarrierTransientError) as info:
        adapter.track(["1ZCIETST0111111114"])
    assert info.value.retry_after == 7


# -- errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, errors, expected",
    [
        (401, [], ("auth", "authentication")),
        (
            403,
            [("250003", "Invalid Access License number")],
            ("auth", "authentication"),
        ),
        (400, [("UJ0001", "Invalid token")], ("auth", "authentication")),
        (400, [("251004", "Token expired")], ("auth", "authentication")),
        (429, [], ("transient", "carrier_error")),
        (500, [("10004", "Internal")], ("transient", "carrier_error")),
        (503, [], ("transient", "carrier_error")),
        (400, [("10004", "Try again")], ("transient", "carrier_error")),
        (404, [("TW0001", "Not found")], ("not_found", "data")),
        (400, [("120205", "Invalid ship to postal code")], ("validation", "address")),
        (
            400,
            [("120203", "Missing or invalid ship to city")],
            ("validation", "address"),
        ),
        (400, [("x", "Missing or invalid shipper phone")], ("validation", "address")),
        (
            400,
            [("111210", "The requested service is unavailable between ...")],
            ("validation", "service"),
        ),
        (
            400,
            [("120512", "Description required for this country")],
            ("validation", "data"),
        ),
        (
            400,
            [("120100", "Missing or invalid shipper number")],
            ("validation", "data"),
        ),
        (400, [("10007", "Invalid Content-Type")], ("validation", "data")),
        (422, [], ("validation", "data")),
    ],
)
def test_error_classification(status, errors, expected):
    assert ups.classify_error(status, errors) == expected


def test_validation_error_keeps_ups_words_and_codes(sim, adapter):
    bad = Address(**{**US_RECIPIENT.to_dict(), "zip": "ABCDE", "city": ""})
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(shipment_request(recipient=bad))
    err = info.value
    assert err.category == "address"
    assert err.status == 400
    assert err.message.startswith("UPS rejected the address: ")
    assert "Invalid ship to postal code for US (120205)" in err.carrier_message
    assert {fe.code for fe in err.field_errors} == {"120203", "120205"}
    assert err.correlation_id == sent(sim, "create_shipment")[0]["headers"]["transId"]


@pytest.mark.parametrize(
    "status, maybe_sent", [(429, False), (503, False), (500, True), (502, True)]
)
def test_transient_answers(sim, adapter, status, maybe_sent):
    sim.add_fault("create_shipment", status, headers={"Retry-After": "12"})
    with pytest.raises(CarrierTransientError) as info:
        adapter.create_shipment(shipment_request())
    err = info.value
    assert err.status == status
    assert err.maybe_sent is maybe_sent
    assert err.retry_after == 12
    assert err.carrier_message.endswith(")")  # UPS's words, not raw JSON
    assert "UPS is unavailable" in str(err)


def test_dropped_connection_and_slow_answer(sim, make_adapter):
    adapter = make_adapter(read_timeout=0.5)
    sim.add_fault("create_shipment", None, action="reset")
    with pytest.raises(CarrierTransientError) as info:
        adapter.create_shipment(shipment_request())
    assert info.value.maybe_sent is True  # it may have been created
    sim.add_fault("create_shipment", None, action="timeout", delay=1.5)
    with pytest.raises(CarrierTransientError) as info:
        adapter.create_shipment(shipment_request())
    assert info.value.code == "read_timeout"
    assert info.value.maybe_sent is True
    time.sleep(1.2)
    assert len(sim.shipments) == 1  # the slow one was created at "UPS"


def test_forbidden_is_an_auth_error(sim, adapter):
    sim.add_fault("create_shipment", 403)
    with pytest.raises(CarrierAuthError, match="Invalid Access License"):
        adapter.create_shipment(shipment_request())


# -- OAuth -----------------------------------------------------------------------------
class DictTokenStore:
    def __init__(self):
        self.value = None

    def get(self):
        return self.value

    def set(self, token, expires_at):
        self.value = (token, expires_at)

    def clear(self):
        self.value = None


def test_token_request_and_cache_shared_between_workers(sim, make_adapter):
    store = DictTokenStore()
    first = make_adapter(token_store=store)
    first.create_shipment(shipment_request())
    second = make_adapter(token_store=store)  # another worker, same account
    second.get_rates(shipment_request())
    second.track(["1ZCIETST0111111114"])
    assert sim.count("token") == 1
    (token_call,) = sent(sim, "token")
    assert token_call["path"] == "/security/v1/oauth/token"
    expected = base64.b64encode(b"ups-sim-client:ups-sim-secret").decode()
    assert token_call["headers"]["Authorization"] == f"Basic {expected}"
    assert token_call["headers"]["x-merchant-id"] == "A1B2C3"
    assert token_call["headers"]["Content-Type"] == (
        "application/x-www-form-urlencoded"
    )
    token, expires_at = store.value
    assert expires_at == pytest.approx(time.time() + 14399, abs=5)
    bearers = {r["headers"]["Authorization"] for r in sim.requests[1:]}
    assert bearers == {f"Bearer {token}"}


def test_expired_token_is_refreshed_once(sim, adapter):
    adapter.create_shipment(shipment_request())
    sim.expire_tokens()
    adapter.create_shipment(shipment_request())
    assert sim.count("token") == 2
    assert sim.count("create_shipment") == 3  # one 401 (251004), one retry
    assert len(sim.shipments) == 2


def test_api_base_url_with_api_prefix(sim, make_adapter):
    adapter = make_adapter(base_url=f"{sim.url}/api")
    assert adapter.token_url() == f"{sim.url}/security/v1/oauth/token"
    assert adapter.create_shipment(shipment_request()).tracking_numbers
    assert sent(sim, "create_shipment")[0]["path"] == "/api/shipments/v2409/ship"


def test_wrong_client_secret(sim, make_adapter):
    sim.credentials = {"ups-sim-client": "the-right-one"}
    with pytest.raises(CarrierAuthError, match="ClientId is Invalid") as info:
        make_adapter().create_shipment(shipment_request())
    assert info.value.status == 401
    assert sim.count("create_shipment") == 0


def test_missing_credentials_make_no_call(sim, make_adapter):
    with pytest.raises(CarrierAuthError, match="no client ID"):
        make_adapter(client_secret="").get_rates(shipment_request())
    assert sim.requests == []


def test_logs_hide_credentials_tokens_and_personal_data(sim, adapter, logs):
    adapter.create_shipment(shipment_request())
    adapter.track(["1ZCIETST0111111114"])
    assert {e["operation"] for e in logs} == {"token", "create_shipment", "tracking"}
    token = adapter.token_store.get()[0]
    text = json.dumps(logs)
    for secret in ("ups-sim-secret", "ups-sim-client", token, *PERSONAL):
        assert secret not in text, secret
    assert all(e["account_ref"] == "logistics.carrier.account(7)" for e in logs)


# -- status mapping through the adapter ----------------------------------------
def test_map_status_delegates_and_counts_unmapped(adapter):
    assert adapter.map_status("011") == "delivered"
    assert adapter.map_status("999", type="X", code="48") == "delivery_attempted"
    assert adapter.map_status("", type="D") == "delivered"
    assert adapter.unmapped == {}
    assert adapter.map_status("998", type="Q", code="ZZ") == "info"
    assert adapter.map_status("998/Q/ZZ") == "info"
    assert adapter.unmapped == {"998/Q/ZZ": 2}


def test_simulator_steps_map_back_to_their_canonical_code():
    for step, (type_, code, status_code, _text) in ups_sim.STEPS.items():
        assert ups.ups_status.map_status(status_code, type_, code) == step, step


# -- Track Alert: verify, parse, subscribe, pushes ------------------------------------
def test_verify_v1_credential_v2_bearer_and_api_key(make_adapter):
    adapter = make_adapter(extra={"oauth_client_id": PUSH_CLIENT_ID})
    body = (EXAMPLES / "ups-trackalert-push.json").read_bytes()
    secrets_ = ["new-secret-0123456789", "previous-secret-9876543210"]
    # v1: the credential of the subscription comes back
    adapter.verify_webhook({"credential": "new-secret-0123456789"}, body, secrets_)
    adapter.verify_webhook({"Credential": "previous-secret-9876543210"}, body, secrets_)
    # v2: a token from our token endpoint, signed with the current or the
    # previous client secret (rotation), and x-api-key = the client id
    for secret in secrets_:
        token, ttl = ups.issue_push_token(PUSH_CLIENT_ID, secret)
        assert ttl == ups.PUSH_TOKEN_TTL
        adapter.verify_webhook(
            {"Authorization": f"Bearer {token}", "x-api-key": PUSH_CLIENT_ID},
            body,
            secrets_,
        )


def test_verify_v2_refuses_static_expired_foreign_and_rotated_tokens(make_adapter):
    adapter = make_adapter(extra={"oauth_client_id": PUSH_CLIENT_ID})
    secrets_ = ["new-secret-0123456789"]
    good, _ttl = ups.issue_push_token(PUSH_CLIENT_ID, secrets_[0])
    old = time.time() - ups.PUSH_TOKEN_TTL - 1
    expired, _ttl = ups.issue_push_token(PUSH_CLIENT_ID, secrets_[0], now=old)
    foreign, _ttl = ups.issue_push_token("ups-other", secrets_[0])
    rotated_out, _ttl = ups.issue_push_token(PUSH_CLIENT_ID, "dropped-secret")
    payload, _dot, signature = good.partition(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    cases = [
        ({"Authorization": "Bearer new-secret-0123456789"}, "bad_credential"),
        ({"x-api-key": "new-secret-0123456789"}, "missing_credential"),
        ({"Authorization": f"Bearer {expired}"}, "token_expired"),
        ({"Authorization": f"Bearer {foreign}"}, "bad_client"),
        ({"Authorization": f"Bearer {rotated_out}"}, "bad_credential"),
        ({"Authorization": f"Bearer {tampered}"}, "bad_credential"),
        (
            {"Authorization": f"Bearer {good}", "x-api-key": "ups-other"},
            "bad_client",
        ),
    ]
    for headers, code in cases:
        with pytest.raises(WebhookAuthError) as info:
            adapter.verify_webhook(headers, b"{}", secrets_)
        assert info.value.code == code, headers


@pytest.mark.parametrize(
    "headers, secrets_, code",
    [
        ({"credential": "guess"}, ["new-secret"], "bad_credential"),
        ({"Authorization": "Bearer guess"}, ["new-secret"], "bad_credential"),
        (
            {"Authorization": "Basic bmV3LXNlY3JldA=="},
            ["new-secret"],
            "missing_credential",
        ),
        (
            {"User-Agent": "UPSPubSubTrackingService"},
            ["new-secret"],
            "missing_credential",
        ),
        ({"credential": "new-secret"}, [], "no_secret"),
        ({"credential": "new-secret"}, ["", None], "no_secret"),
        ({"credential": "new-secret "}, ["new-secret"], None),
        ({"credential": "new-secre"}, ["new-secret"], "bad_credential"),
    ],
)
def test_verify_refusals(adapter, headers, secrets_, code):
    if code is None:
        adapter.verify_webhook(headers, b"{}", secrets_)
        return
    with pytest.raises(WebhookAuthError) as info:
        adapter.verify_webhook(headers, b"{}", secrets_)
    assert info.value.code == code


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"not json", "Expecting value"),
        (b"[]", "no event"),
        (b'"text"', "not a JSON object"),
        (b'{"activityStatus": {"type": "D"}}', "no trackingNumber"),
        (b'{"trackingNumber": "1Z", "activityStatus": {}}', "no activityStatus"),
        (b'[{"trackingNumber": "1Z", "activityStatus": {"type": "I"}}, 3]', "event 1"),
    ],
)
def test_malformed_pushes(adapter, body, reason):
    assert reason in adapter.check_webhook_shape({}, body)
    with pytest.raises(CarrierValidationError, match=reason) as info:
        adapter.parse_webhook({}, body)
    assert info.value.code == "malformed_webhook"


def test_push_variants_numeric_code_local_time_and_lists(adapter):
    push = {
        "trackingNumber": "1Z204W4R0308071865",
        "localActivityDate": "20240423",
        "localActivityTime": "091519",
        "gmtOffset": "-04:00",
        "activityStatus": {"type": "I", "code": "OT", "descriptionCode": 21},
    }
    (event,) = adapter.parse_webhook({}, json.dumps(push))
    assert event.raw_code == "021/I/OT"
    assert event.code == "out_for_delivery"
    assert event.occurred_at == datetime(2024, 4, 23, 13, 15, 19, tzinfo=timezone.utc)
    assert event.description == "Out for Delivery"  # UPS's text for 021
    events = adapter.parse_webhook(
        {}, json.dumps([push, {**push, "trackingNumber": "1ZB"}])
    )
    assert [e.tracking_number for e in events] == ["1Z204W4R0308071865", "1ZB"]
    del push["localActivityDate"]
    (undated,) = adapter.parse_webhook({}, json.dumps(push))
    assert abs(undated.occurred_at - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_subscribe_batches_of_100_and_expiry(sim, adapter):
    numbers = [ups_sim.tracking_number("A1B2C3", "03", n) for n in range(150)]
    now = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    result = adapter.subscribe(numbers + ["1Z123", numbers[0]], now=now)
    calls = sent(sim, "subscription")
    assert [len(c["json"]["trackingNumberList"]) for c in calls] == [100, 51]
    assert result.valid == numbers
    assert result.invalid == ["1Z123"]
    assert result.expires_at == now + timedelta(days=14)
    assert not UpsAdapter.needs_renewal(result.expires_at, now=now)
    assert UpsAdapter.needs_renewal(result.expires_at, now=now + timedelta(days=13))
    assert UpsAdapter.needs_renewal(None)


def test_subscribe_only_invalid_numbers(sim, adapter):
    result = adapter.subscribe(["1Z123", "ABC"])
    assert (result.valid, result.invalid, result.expires_at) == (
        [],
        ["1Z123", "ABC"],
        None,
    )
    assert result.messages == ["No valid tracking number in the request (VSS100)"]


def test_subscribe_refused_raises(sim, adapter):
    sim.add_fault(
        "subscription",
        400,
        body={"response": {"errors": [{"code": "VSS220", "message": "Too many"}]}},
    )
    with pytest.raises(CarrierValidationError, match="Too many"):
        adapter.subscribe(["1ZCIETST0111111114"])


PUSH_CLIENT_ID = "ups-client-0a1b2c3d"


class _Receiver:
    """A tiny webhook endpoint recording what UPS pushes, with a token URL
    issuing tokens as the suite's controller does (``issue_push_token``;
    the controller itself is tested on a running Odoo, test_ups_oauth.py)."""

    def __init__(self, client_id=PUSH_CLIENT_ID, secret="portal-credential"):
        received = self.received = []
        token_requests = self.token_requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/token":
                    token_requests.append((dict(self.headers.items()), body))
                    basic = base64.b64encode(f"{client_id}:{secret}".encode())
                    expected = "Basic " + basic.decode()
                    ok = self.headers.get("Authorization") == expected and body == (
                        b"grant_type=client_credentials"
                    )
                    token, ttl = ups.issue_push_token(client_id, secret, 60)
                    answer = json.dumps(
                        {
                            "access_token": token,
                            "token_type": "Bearer",
                            "expires_in": ttl,
                        }
                        if ok
                        else {"error": "invalid_client"}
                    ).encode()
                    self.send_response(200 if ok else 401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                received.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.token_url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = _Receiver()
    yield endpoint
    endpoint.close()


def test_push_v1_subscription_verified_parsed_and_deduplicated(sim, adapter, receiver):
    secret = "whsec-" + hashlib.sha256(b"ups").hexdigest()
    number = adapter.create_shipment(shipment_request()).carrier_shipment_id
    result = adapter.subscribe([number], webhook_url=receiver.url, credential=secret)
    assert result.valid == [number]
    assert sent(sim, "subscription")[0]["path"] == (
        "/track/v1/subscription/standard/package"
    )
    sim.advance(number, "out_for_delivery")
    sim.advance(number, "delivered")
    assert [p["status"] for p in sim.pushes] == [200, 200]
    pushed = []
    for headers, body in receiver.received:
        assert headers["User-Agent"] == "UPSPubSubTrackingService"
        adapter.verify_webhook(headers, body, [secret])
        pushed += adapter.parse_webhook(headers, body)
    assert [e.code for e in pushed] == ["out_for_delivery", "delivered"]
    assert pushed[-1].signatory == "FRONT DOOR"
    # the same activities polled give the same dedupe keys: applied once
    polled = {e.dedupe_key for e in adapter.track([number])}
    assert {e.dedupe_key for e in pushed} <= polled


def test_push_v2_obtains_a_token_from_the_receivers_token_url(
    sim, make_adapter, receiver
):
    adapter = make_adapter(extra={"oauth_client_id": PUSH_CLIENT_ID})
    sim.configure(
        webhook_url=receiver.url,
        webhook_secret="portal-credential",
        webhook_token_url=receiver.token_url,
        webhook_client_id=PUSH_CLIENT_ID,
    )
    number = adapter.create_shipment(shipment_request()).carrier_shipment_id
    sim.advance(number, "picked_up")  # not subscribed: nothing sent
    assert receiver.received == [] and receiver.token_requests == []
    adapter.subscribe([number])
    sim.advance(number, "in_transit")
    sim.advance(number, "out_for_delivery")
    # client credentials, client_secret_basic; one token for both pushes
    ((token_headers, token_body),) = receiver.token_requests
    assert token_body == b"grant_type=client_credentials"
    assert token_headers["Authorization"].startswith("Basic ")
    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        assert ups.values._header(headers, "x-api-key") == PUSH_CLIENT_ID
        assert headers["Authorization"] != "Bearer portal-credential"
        adapter.verify_webhook(headers, body, ["portal-credential"])
        # a static bearer equal to the secret is refused
        with pytest.raises(WebhookAuthError):
            adapter.verify_webhook(
                {"Authorization": "Bearer portal-credential"},
                body,
                ["portal-credential"],
            )
    events = [adapter.parse_webhook(h, b)[0] for h, b in receiver.received]
    assert [(e.tracking_number, e.code) for e in events] == [
        (number, "in_transit"),
        (number, "out_for_delivery"),
    ]


def test_push_v2_without_a_token_is_not_sent(sim, adapter, receiver):
    sim.configure(
        webhook_url=receiver.url,
        webhook_secret="wrong-secret",
        webhook_token_url=receiver.token_url,
        webhook_client_id=PUSH_CLIENT_ID,
        account_subscription=True,
    )
    number = adapter.create_shipment(shipment_request()).carrier_shipment_id
    sim.advance(number, "picked_up")
    assert len(receiver.token_requests) == 1
    assert receiver.received == []
    assert sim.pushes[-1]["status"] == 0
    assert "no token" in sim.pushes[-1]["response"]


def test_push_token_url_of_a_suite_webhook_url():
    assert ups_sim.push_token_url(
        "http://127.0.0.1:8069/logistics/webhook/ups/tok-123"
    ) == ("http://127.0.0.1:8069/logistics/oauth/ups/tok-123/token")
    assert ups_sim.push_token_url("http://example.org/hook") is None


def test_account_subscription_pushes_every_package(sim, make_adapter, receiver):
    adapter = make_adapter(extra={"oauth_client_id": PUSH_CLIENT_ID})
    sim.configure(
        webhook_url=receiver.url,
        webhook_secret="portal-credential",
        webhook_token_url=receiver.token_url,
        webhook_client_id=PUSH_CLIENT_ID,
    )
    assert adapter.subscribe_account() == "9999-12-31"
    (request,) = sent(sim, "subscription")
    assert request["path"] == "/track/v2/subscription/standard/account"
    # UPSTrackAlert.yaml: locale is required (CommonRequest)
    assert request["json"] == {
        "locale": "en_US",
        "countryCode": "US",
        "shipperAccountNumber": "A1B2C3",
        "subAccountType": ["Outbound"],
    }
    number = adapter.create_shipment(shipment_request()).carrier_shipment_id
    sim.advance(number, "picked_up")
    ((headers, body),) = receiver.received
    adapter.verify_webhook(headers, body, ["portal-credential"])
    (event,) = adapter.parse_webhook(headers, body)
    assert (event.tracking_number, event.code) == (number, "picked_up")


def test_auto_advance_moves_shipments_and_pushes(receiver, make_adapter):
    with ups_sim.UpsSimulatorServer(
        auto_advance=0.2,
        account_subscription=True,
        webhook_url=receiver.url,
        webhook_secret="portal-credential",
        webhook_token_url=receiver.token_url,
        webhook_client_id=PUSH_CLIENT_ID,
    ) as server:
        adapter = make_adapter(base_url=server.url)
        number = adapter.create_shipment(shipment_request()).carrier_shipment_id
        deadline = time.time() + 10
        while server.shipments[number]["status"] != "delivered":
            assert time.time() < deadline, server.shipments[number]["status"]
            time.sleep(0.1)
        codes = [e.code for e in adapter.track([number])]
    assert codes == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    pushed = [adapter.parse_webhook(h, b)[0].code for h, b in receiver.received]
    assert pushed == codes[1:]


def test_push_helper_reports_unreachable(sim):
    payload = load("ups-trackalert-push.json")
    status, _text = sim.push_track_alert("http://127.0.0.1:9/hook", "x", payload)
    assert status == 0
    assert sim.pushes[-1]["status"] == 0
