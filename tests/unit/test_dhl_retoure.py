# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Retoure: a return label printed with every outbound order."""

from urllib.parse import parse_qs, urlsplit

import pytest
from unit import test_dhl_support as support

from logistics_carriers import (
    CarrierValidationError,
    Parcel,
    get_adapter_class,
)

support.use_fixtures(globals())

RETOURE = {"retoure": True}


def _query(request):
    return parse_qs(urlsplit(request["path"]).query)


def _dhl():
    return get_adapter_class("dhl")


def test_dhl_offers_no_standalone_return():
    assert _dhl().supports_returns is False


def test_option_off_sends_no_retoure(make_dhl, dhl_request, dhl_sim):
    result = make_dhl().create_shipment(dhl_request())
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    assert "services" not in sent["json"]["shipments"][0]
    assert result.return_packages == []
    assert dhl_sim.shipments[result.carrier_shipment_id]["returnShipmentNo"] is None


def test_retoure_service_billing_07_and_warehouse_address(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl(extra={**RETOURE, "retoure_print_format": "910-300-300"})
    result = adapter.create_shipment(dhl_request())
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    retoure = sent["json"]["shipments"][0]["services"]["dhlRetoure"]
    # the account's billing number with product procedure 07
    assert retoure["billingNumber"] == "33333333330701"
    assert retoure["refNo"] == "WH/OUT/00012"
    address = retoure["returnAddress"]
    assert address["name1"] == "Versand Ottilie GmbH"  # the warehouse
    assert (address["city"], address["postalCode"], address["country"]) == (
        "Hamburg",
        "20095",
        "DEU",
    )
    assert _query(sent)["retourePrintFormat"] == ["910-300-300"]
    # DHL's answer: returnShipmentNo + returnLabel
    (back,) = result.return_packages
    number = dhl_sim.shipments[result.carrier_shipment_id]["returnShipmentNo"]
    assert back.tracking_number == number
    assert number.startswith("607") and len(number) == 14
    assert back.label.startswith(b"%PDF")
    assert back.label != result.packages[0].label
    assert back.label_format == "PDF"
    assert result.raw["shipments"][0]["returnShipmentNo"] == number


def test_own_retoure_billing_number_wins(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(extra={**RETOURE, "retoure_billing_number": "33333333330702"})
    adapter.create_shipment(dhl_request())
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    services = sent["json"]["shipments"][0]["services"]
    assert services["dhlRetoure"]["billingNumber"] == "33333333330702"


def test_retoure_billing_number_without_07_is_refused_before_sending(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl(extra={**RETOURE, "retoure_billing_number": "33333333330101"})
    with pytest.raises(CarrierValidationError, match="procedure 07"):
        adapter.create_shipment(dhl_request())
    assert dhl_sim.count("create_shipment") == 0


def test_simulator_refuses_a_retoure_billing_number_of_another_procedure(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl(extra=RETOURE)
    body, params = adapter.build_order(dhl_request())
    body["shipments"][0]["services"]["dhlRetoure"]["billingNumber"] = support.BILLING
    response = adapter._shipping(
        "POST", "/orders", operation="create_shipment", json=body, params=params
    )
    with pytest.raises(CarrierValidationError, match="not valid for DHL Retoure"):
        adapter.parse_order_response(response.status_code, adapter._json(response), 1)


def test_simulator_schema_checks_the_retoure(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(extra=RETOURE)
    body, params = adapter.build_order(dhl_request())
    retoure = body["shipments"][0]["services"]["dhlRetoure"]
    del retoure["billingNumber"]
    del retoure["returnAddress"]["city"]
    response = adapter._shipping(
        "POST", "/orders", operation="create_shipment", json=body, params=params
    )
    assert response.status_code == 400
    paths = {i["propertyPath"] for i in response.json()["items"]}
    assert paths == {
        "shipments[0].services.dhlRetoure.billingNumber",
        "shipments[0].services.dhlRetoure.returnAddress.city",
    }


def test_international_products_carry_no_retoure(make_dhl, dhl_request, dhl_sim):
    from logistics_carriers import Address

    abroad = Address(
        name="Jan Jansen",
        street="Damrak 1",
        city="Amsterdam",
        zip="1012 LG",
        country_code="NL",
    )
    adapter = make_dhl(extra=RETOURE)
    result = adapter.create_shipment(
        dhl_request(service_code="V53WPAK", recipient=abroad)
    )
    (sent,) = support.requests_of(dhl_sim, "create_shipment")
    assert "services" not in sent["json"]["shipments"][0]
    assert result.return_packages == []


def test_every_parcel_gets_its_retoure_and_reprint_keeps_them(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl(extra=RETOURE)
    parcels = [Parcel(weight_kg=1), Parcel(weight_kg=2)]
    created = adapter.create_shipment(dhl_request(parcels=parcels))
    assert len(created.return_packages) == 2
    again = adapter.get_label(created.carrier_shipment_id)
    assert [p.tracking_number for p in again.return_packages] == [
        p.tracking_number for p in created.return_packages
    ]
    assert all(p.label.startswith(b"%PDF") for p in again.return_packages)


def test_published_response_with_return_label_is_read(make_dhl):
    data = support.example("dhl-parcel-de-order-response")
    result = make_dhl().parse_order_response(200, data, 1)
    (back,) = result.return_packages
    assert back.tracking_number == "60701001756402"
    assert back.label_format == "PDF"
