# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL requests and parsers against schemas written from DHL's specifications.

Every order the DHL adapter builds, for every option, is validated with
``jsonschema`` against tests/contracts/dhl/parcel_de_shipping_v2.json
(written from Parcel DE Shipping 2.1.13), tracking queries against
tracking_unified.json (Shipment Tracking - Unified 1.3.1); the published
examples are fed to the parsers; the simulator refuses what the schema does.
"""

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from unit import test_dhl_support as support

from logistics_carriers import (
    Address,
    CarrierValidationError,
    Parcel,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from contracts import contracts  # noqa: E402

support.use_fixtures(globals())

SHIPPING = "parcel_de_shipping_v2"


def _address(name, street, city, zip_code, country):
    return Address(
        name=name, street=street, city=city, zip=zip_code, country_code=country
    )


ABROAD = {
    "CH": _address("Urs Keller", "Bahnhofstrasse 1", "Zurich", "8001", "CH"),
    "GB": _address("Amelia Hart", "10 Downing Street", "London", "SW1A 2AA", "GB"),
    "NO": _address("Ola Nordmann", "Karl Johans gate 1", "Oslo", "0154", "NO"),
    "US": Address(
        name="Jordan Miller",
        street="55 Glenlake Pkwy NE",
        city="Atlanta",
        zip="30328",
        state_code="GA",
        country_code="US",
    ),
}
FRANCE = _address("Camille Durand", "12 Rue de la Republique", "Lyon", "69002", "FR")
CUSTOMS = {
    "reason": "SALE",
    "invoice_number": "INV/2026/0042",
    "currency": "EUR",
    "lines": [
        {
            "description": "Espresso machine",
            "quantity": 1,
            "unit_value": 249.0,
            "weight_kg": 6.5,
            "hs_code": "8516.71",
            "origin_country": "IT",
        },
        {"description": "Descaler", "quantity": 2, "unit_value": 9.9, "weight_kg": 0.5},
    ],
}


def _valid(body):
    return contracts.errors("dhl", SHIPPING, "ShipmentOrderRequest", body)


def _options():
    cases = {
        "domestic": ({}, {}),
        "domestic_zpl": ({"label_format": "ZPL"}, {}),
        "multi_parcel": (
            {"parcels": [Parcel(1.0), Parcel(2.0, 30, 20, 10), Parcel(31.5)]},
            {},
        ),
        "eu_france": ({"recipient": FRANCE, "service_code": "V53WPAK"}, {}),
        "retoure": ({}, {"retoure": True, "retoure_print_format": "910-300-700"}),
        "shipper_ref": ({}, {"shipper_ref": "SHIPPER-REF-1"}),
    }
    for country, address in ABROAD.items():
        for product in ("V53WPAK", "V66WPI"):
            weight = 0.9 if product == "V66WPI" else 7.5
            cases[f"customs_{country}_{product}"] = (
                {
                    "recipient": address,
                    "service_code": product,
                    "customs": CUSTOMS
                    if product == "V53WPAK"
                    else dict(CUSTOMS, lines=[dict(CUSTOMS["lines"][1])]),
                    "parcels": [Parcel(weight)],
                },
                {},
            )
    cases["customs_return_of_goods"] = (
        {
            "recipient": ABROAD["CH"],
            "service_code": "V53WPAK",
            "customs": dict(CUSTOMS, reason="RETURN"),
        },
        {},
    )
    cases["customs_other"] = (
        {
            "recipient": ABROAD["NO"],
            "service_code": "V53WPAK",
            "customs": dict(CUSTOMS, reason="REPAIR", description="Repair"),
        },
        {},
    )
    return cases


OPTIONS = _options()


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_order_is_valid_against_parcel_de_shipping(option, make_dhl, dhl_request):
    overrides, extra = OPTIONS[option]
    body, params = make_dhl(extra=extra).build_order(dhl_request(**overrides))
    assert _valid(body) == []
    shipments = body["shipments"]
    leaves = overrides.get("recipient", FRANCE).country_code not in (
        "FR",
        "DE",
    ) and overrides.get("recipient")
    assert all(("customs" in s) == bool(leaves) for s in shipments)
    if extra.get("retoure"):
        assert ("combine", "false") in params
        assert ("retourePrintFormat", "910-300-700") in params


def test_customs_items_export_type_and_weights(make_dhl, dhl_request):
    body, _params = make_dhl().build_order(
        dhl_request(
            recipient=ABROAD["CH"],
            service_code="V53WPAK",
            customs=CUSTOMS,
            parcels=[Parcel(7.5)],
        )
    )
    customs = body["shipments"][0]["customs"]
    assert customs["exportType"] == "COMMERCIAL_GOODS"
    assert customs["invoiceNo"] == "INV/2026/0042"
    assert customs["postalCharges"] == {"currency": "EUR", "value": 0.0}
    first, second = customs["items"]
    assert first == {
        "itemDescription": "Espresso machine",
        "packagedQuantity": 1,
        "itemValue": {"currency": "EUR", "value": 249.0},
        "itemWeight": {"uom": "g", "value": 6500},
        "hsCode": "851671",
        "countryOfOrigin": "ITA",
    }
    assert second["packagedQuantity"] == 2 and "hsCode" not in second


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"customs": {}}, "needs the goods (customs declaration)"),
        (
            {"customs": CUSTOMS, "parcels": [Parcel(3.0), Parcel(4.5)]},
            "declares the goods per parcel",
        ),
        (
            {"customs": dict(CUSTOMS, lines=[dict(CUSTOMS["lines"][0], quantity=1.5)])},
            "whole quantities",
        ),
    ],
)
def test_parcel_outside_the_eu_without_usable_customs_is_not_sent(
    overrides, words, make_dhl, dhl_request, dhl_sim
):
    request = dhl_request(recipient=ABROAD["CH"], service_code="V53WPAK", **overrides)
    with pytest.raises(CarrierValidationError, match="Not sent to DHL") as info:
        make_dhl().create_shipment(request)
    assert words in str(info.value)
    assert not support.requests_of(dhl_sim, "create_shipment")


# -- the simulator refuses what DHL refuses ------------------------------------
def test_simulator_requires_customs_outside_the_eu(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    body, params = adapter.build_order(
        dhl_request(recipient=ABROAD["GB"], service_code="V53WPAK", customs=CUSTOMS)
    )
    del body["shipments"][0]["customs"]
    response = adapter._shipping(
        "POST", "/orders", operation="create_shipment", json=body, params=params
    )
    assert response.status_code == 400
    (message,) = response.json()["items"][0]["validationMessages"]
    assert message["property"] == "customs"
    created = adapter.create_shipment(
        dhl_request(recipient=ABROAD["GB"], service_code="V53WPAK", customs=CUSTOMS)
    )
    assert created.tracking_numbers


def test_simulator_refuses_what_the_schema_refuses(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    body, params = adapter.build_order(
        dhl_request(recipient=ABROAD["US"], service_code="V53WPAK", customs=CUSTOMS)
    )
    body["shipments"][0]["customs"]["items"][0]["hsCode"] = "12"
    response = adapter._shipping(
        "POST", "/orders", operation="create_shipment", json=body, params=params
    )
    assert response.status_code == 400
    (item,) = response.json()["items"]
    assert item["propertyPath"] == "shipments[0].customs.items[0].hsCode"
    assert not dhl_sim.shipments


def test_retoure_label_apart_only_with_combine_false(make_dhl, dhl_request, dhl_sim):
    extra = {"retoure": True, "retoure_print_format": "910-300-700"}
    adapter = make_dhl(extra=extra)
    result = adapter.create_shipment(dhl_request())
    (package,) = result.return_packages
    assert package.label.startswith(b"%PDF")
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    query = parse_qs(urlsplit(sent["path"]).query)
    assert query["combine"] == ["false"]
    assert query["retourePrintFormat"] == ["910-300-700"]
    # DHL's default (combine=true): one document, no returnLabel
    body, params = adapter.build_order(dhl_request())
    params = [p for p in params if p[0] != "combine"]
    response = adapter._shipping(
        "POST", "/orders", operation="create_shipment", json=body, params=params
    )
    (item,) = response.json()["items"]
    assert item["returnShipmentNo"] and "returnLabel" not in item
    # the reprint asks for the return label apart too
    adapter.get_label(result.carrier_shipment_id)
    (reprint,) = support.requests_of(dhl_sim, "label")
    assert parse_qs(urlsplit(reprint["path"]).query)["combine"] == ["false"]


def test_tracking_queries_are_valid_against_unified(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(extra={"tracking_language": "de"})
    number = adapter.create_shipment(dhl_request()).carrier_shipment_id
    adapter.track([number], postal_codes={number: "10115"})
    adapter.track([number])
    for call in support.requests_of(dhl_sim, "tracking"):
        query = {k: v[0] for k, v in parse_qs(urlsplit(call["path"]).query).items()}
        assert (
            contracts.errors("dhl", "tracking_unified", "ShipmentsQuery", query) == []
        )


# -- the published examples ------------------------------------------------------
@pytest.mark.parametrize(
    "name, schema, root",
    [
        ("dhl-parcel-de-order-response", SHIPPING, "LabelDataResponse"),
        ("dhl-parcel-de-order-multistatus", SHIPPING, "LabelDataResponse"),
        ("dhl-parcel-de-cancel-response", SHIPPING, "LabelDataResponse"),
        ("dhl-parcel-de-cancel-error", SHIPPING, "LabelDataResponse"),
        ("dhl-parcel-de-validation-error", SHIPPING, "LabelDataResponse"),
        ("dhl-parcel-de-order-request", SHIPPING, "ShipmentOrderRequest"),
        ("dhl-unified-tracking-response", "tracking_unified", "Shipments"),
        ("dhl-unified-tracking-not-found", "tracking_unified", "ProblemDetail"),
    ],
)
def test_published_examples_fit_the_schemas(name, schema, root):
    data = {k: v for k, v in support.example(name).items() if not k.startswith("_")}
    assert contracts.errors("dhl", schema, root, data) == []


def test_unified_example_is_parsed_with_german_local_time(make_dhl):
    data = support.example("dhl-unified-tracking-response")
    events = make_dhl().events_from_response(data, "7777777770")
    (event,) = events  # status and event are the same: once
    # the event's "2018-03-02T07:53:47" is German local time (CET, UTC+1)
    assert event.occurred_at.isoformat() == "2018-03-02T06:53:47+00:00"
