# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL status mapping, code by code, as docs/carrier-contracts.md §3.4 and §3.5 say."""

import pytest
from unit import test_dhl_support as support

from logistics_carriers import CANONICAL_CODES

status = support.dhl_status
CANONICAL = set(CANONICAL_CODES)
support.use_fixtures(globals())

# §3.4 "Unified statusCode, Push events"
UNIFIED = {
    "pre-transit": "label_created",
    "transit": "in_transit",
    "delivered": "delivered",
    "failure": "info",
    "unknown": "info",
}
PUSH_EVENTS = {
    "Pre-Transit": "label_created",
    "Transit": "in_transit",
    "Delivered": "delivered",
    "Failure": "info",
    "Unknown": "info",
}
# §3.4 "Parcel DE standard event (ttpro)"
PARCEL_DE = {
    "VA": "label_created",
    "ES": "picked_up",
    "AE": "picked_up",
    "AN": "info",
    "AA": "departed_facility",
    "EE": "arrived_at_facility",
    "NB": "in_transit",
    "PO": "out_for_delivery",
    "ZN": "delivery_attempted",
    "ZF": "available_for_pickup",
    "LA": "available_for_pickup",
    "ZU": "delivered",
    "ZO": "customs_hold",
    "BV": "info",
    "DD": "info",
    "GT": "info",
}
# §3.4 "Parcel DE ICE event"
ICE = {
    "PARCV": "label_created",
    "PURCR": "pickup_scheduled",
    "PCKDU": "picked_up",
    "SHRCU": "picked_up",
    "MVARR": "arrived_at_facility",
    "ULFMV": "arrived_at_facility",
    "MVDPT": "departed_facility",
    "LDTMV": "departed_facility",
    "HLDCU": "customs_hold",
    "HLDCP": "customs_hold",
    "ICPRC": "customs_hold",
    "ITBAR": "customs_hold",
    "RSDCP": "customs_cleared",
    "MSRTD": "delayed",
    "MVDEX": "delayed",
    "MVTEX": "delayed",
    "LDEXC": "delayed",
    "NTDEL": "delivery_attempted",
    "DLVRF": "delivery_attempted",
    "CNRFC": "available_for_pickup",
    "HLDCC": "available_for_pickup",
    "DLVRD": "delivered",
    "RETRN": "returned_to_sender",
    "ALERT": "address_issue",
    "BDADD": "address_issue",
    "DMGDS": "damaged",
    "DSPSD": "lost",
    "CNFSC": "lost",
    "CANCL": "cancelled",
    "ADVIS": "info",
    "CHECK": "info",
    "ROUCR": "info",
    "STORN": "info",
    "TRBCR": "info",
    "DTNPC": "info",
    "PBNDT": "info",
    "RCCLS": "info",
}
# §3.5 DHL Express checkpoints
EXPRESS = {
    "104": "label_created",
    "PU": "picked_up",
    "SA": "picked_up",
    "102": "in_transit",
    "PL": "in_transit",
    "TR": "in_transit",
    "FD": "in_transit",
    "SM": "in_transit",
    "TP": "in_transit",
    "AF": "arrived_at_facility",
    "AR": "arrived_at_facility",
    "DF": "departed_facility",
    "CD": "customs_hold",
    "IC": "customs_hold",
    "UD": "customs_hold",
    "BN": "customs_hold",
    "HP": "customs_hold",
    "CR": "customs_cleared",
    "BR": "customs_cleared",
    "MD": "delayed",
    "MS": "delayed",
    "MC": "delayed",
    "WC": "out_for_delivery",
    "NH": "delivery_attempted",
    "CA": "delivery_attempted",
    "ND": "delivery_attempted",
    "RD": "delivery_attempted",
    "CC": "available_for_pickup",
    "101": "delivered",
    "OK": "delivered",
    "PD": "delivered",
    "DD": "delivered",
    "RT": "returned_to_sender",
    "BA": "address_issue",
    "CM": "address_issue",
    "DS": "lost",
    "103": "info",
    "OH": "info",
    "SS": "info",
    "CS": "info",
    "SC": "info",
    "AD": "info",
    "RR": "info",
    "PY": "info",
}


@pytest.fixture
def adapter(make_dhl):
    return make_dhl()


@pytest.mark.parametrize(("code", "expected"), sorted(UNIFIED.items()))
def test_unified_status_code(adapter, code, expected):
    assert adapter.map_status(code) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(PUSH_EVENTS.items()))
def test_push_event_names(adapter, code, expected):
    assert adapter.map_status(code) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(PARCEL_DE.items()))
def test_parcel_de_standard_event(adapter, code, expected):
    assert adapter.map_status(code, service="parcel-de") == expected
    assert status.PARCEL_DE_EVENTS[code][1]  # DHL's meaning is kept


@pytest.mark.parametrize(("code", "expected"), sorted(ICE.items()))
def test_parcel_de_ice_event(adapter, code, expected):
    assert adapter.map_status(code, service="parcel-de") == expected
    # refines a Unified statusCode unless it only says "info"
    refined = adapter.map_status(f"transit:{code}", service="parcel-de")
    assert refined == (expected if expected != "info" else "in_transit")


@pytest.mark.parametrize(("code", "expected"), sorted(EXPRESS.items()))
def test_express_checkpoint(adapter, code, expected):
    assert adapter.map_status(code, service="express") == expected


def test_tables_hold_exactly_the_documented_codes_and_canonical_values():
    assert set(status.UNIFIED_STATUS) == set(UNIFIED)
    assert set(status.PARCEL_DE_EVENTS) == set(PARCEL_DE)
    assert set(ICE) <= set(status.ICE_EVENTS)
    assert set(status.EXPRESS_EVENTS) == set(EXPRESS)
    values = {
        v[0] for t in (status.ICE_EVENTS, status.PARCEL_DE_EVENTS) for v in t.values()
    }
    values |= {v[0] for v in status.EXPRESS_EVENTS.values()}
    values |= set(status.UNIFIED_STATUS.values()) | set(status.ICE_RIC.values())
    assert values <= CANONICAL


def test_ice_events_beyond_the_contract_list_are_mapped_too(adapter):
    """The July 2024 ICE list has events §3.4 does not name (judgement)."""
    extra = set(status.ICE_EVENTS) - set(ICE)
    assert {"EXPHD", "SRTED", "NTPUP", "INFCL"} <= extra
    assert adapter.map_status("SRTED", service="parcel-de") == "in_transit"
    assert adapter.map_status("INFCL", service="parcel-de") == "arrived_at_facility"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("failure:NTDEL/BDADD", "address_issue"),
        ("failure:EXPHD/LOSTX", "lost"),
        ("failure:EXPHD/DMGPC", "damaged"),
        ("transit:ALERT/DLVTM", "in_transit"),  # a delivery-time alert is no issue
        ("ALERT/BDADD", "address_issue"),
        ("failure:EXPHD", "info"),
        ("failure:RETRN/BDADD", "returned_to_sender"),
    ],
)
def test_ice_reason_refines_the_event(adapter, raw, expected):
    assert adapter.map_status(raw, service="parcel-de") == expected


def test_same_code_means_what_its_service_says(adapter):
    assert adapter.map_status("DD", service="parcel-de") == "info"  # data service
    assert adapter.map_status("DD", service="express") == "delivered"
    assert adapter.map_status("delivered:DD", service="parcel-de") == "delivered"


def test_unknown_codes_become_info_and_are_counted(adapter):
    status.UNMAPPED.clear()
    assert adapter.map_status("teleported") == "info"
    assert adapter.map_status("transit:ZZZZZ", service="parcel-de") == "in_transit"
    assert adapter.map_status("", service="parcel-de") == "info"
    assert status.UNMAPPED[("detail", "TELEPORTED")] == 1
    assert status.UNMAPPED[("parcel-de", "ZZZZZ")] == 1
    adapter.map_status("teleported")
    assert status.UNMAPPED[("detail", "TELEPORTED")] == 2
    # documented codes are never counted as unmapped
    before = sum(status.UNMAPPED.values())
    for code in UNIFIED:
        adapter.map_status(code)
    assert sum(status.UNMAPPED.values()) == before


def test_raw_code_round_trip():
    assert status.split_raw_code("transit:NTDEL/BDADD") == ("transit", "NTDEL", "BDADD")
    assert status.split_raw_code("Pre-Transit") == ("pre-transit", "", "")
    assert status.split_raw_code("zu") == ("", "ZU", "")
