# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS status mapping, code by code (docs/carrier-contracts.md §3.1-3.3).

The expected values below are transcribed from the contract independently of
the table module, so a change in either shows here.
"""

import pytest

from logistics_carriers.ups import ups_status


def _expand(text):
    codes = []
    for part in text.split():
        if "-" in part:
            low, high = part.split("-")
            codes += [f"{n:03d}" for n in range(int(low), int(high) + 1)]
        else:
            codes.append(part)
    return codes


# §3.2, one line per canonical code, as the contract groups them.
CONTRACT_STATUS_CODES = {
    "label_created": "003 157 080 166 044 045 079",
    "pickup_scheduled": "077",
    "picked_up": "038 160 167 168 169",
    "in_transit": "005 010 025 039 047 087 158 159 164 165 057 073 074 137 138 071",
    "arrived_at_facility": "016",
    "customs_hold": "012 092 058 124 125 123 126 083 141",
    "customs_cleared": "014 084 134",
    "delayed": "032 046 048 086 090 049 051 052 053 132 019 020 055",
    "out_for_delivery": "006 021 037 089 091 146 162 072 078 075",
    "delivery_attempted": "022 023 024 060 145 061 062 066 064 069 139",
    "available_for_pickup": "017 040 144 161",
    "delivered": "011 026 143 156",
    "returned_to_sender": "034 067 081 033 119 118 117 035 036",
    "address_issue": "050",
    "damaged": "059",
    "lost": "068 147 149",
    "cancelled": "007",
    "info": "000 013 029 030 076 148 163 153 154 155 088 041 042 056 122 027 028 "
    "096-099 018 054 063 082 095 100-116 120 121 136 043 065 131 135 070 085 "
    "093 094 133 127-130 140 142",
}
EXPECTED = {
    code: canonical
    for canonical, text in CONTRACT_STATUS_CODES.items()
    for code in _expand(text)
}


def test_the_contract_lists_160_distinct_status_codes():
    total = sum(len(_expand(text)) for text in CONTRACT_STATUS_CODES.values())
    assert total == len(EXPECTED) == 160


def test_the_table_holds_exactly_the_160_documented_codes():
    assert set(ups_status.STATUS_CODES) == set(EXPECTED)
    for canonical, description in ups_status.STATUS_CODES.values():
        assert canonical in CONTRACT_STATUS_CODES
        assert description.strip()


@pytest.mark.parametrize("status_code", sorted(EXPECTED))
def test_status_code(status_code):
    assert ups_status.map_status(status_code) == EXPECTED[status_code]
    assert ups_status.is_mapped(status_code)


@pytest.mark.parametrize("status_code", ["011", "11", 11, " 011 ", "011/D/FS"])
def test_status_code_spellings(status_code):
    assert ups_status.map_status(status_code) == "delivered"


@pytest.mark.parametrize(
    "type_, expected",
    [
        ("M", "label_created"),
        ("MV", "cancelled"),
        ("P", "picked_up"),
        ("I", "in_transit"),
        ("X", "info"),
        ("D", "delivered"),
        ("DO", "in_transit"),
        ("DD", "arrived_at_facility"),
        ("W", "arrived_at_facility"),
        ("NA", "info"),
        ("U", "info"),
        ("RS", "returned_to_sender"),
        ("O", "out_for_delivery"),
        ("d", "delivered"),
    ],
)
def test_type_alone(type_, expected):
    assert ups_status.map_status("", type_) == expected
    assert ups_status.map_status(f"/{type_}/") == expected


# §3.3: (type, code) -> canonical, without a statusCode
CODE_CASES = [
    ("M", "DP", "label_created"),
    ("M", "MP", "label_created"),
    ("M", "RD", "label_created"),
    ("I", "PL", "label_created"),
    ("I", "OC", "label_created"),
    ("MV", "VP", "cancelled"),
    ("I", "SP", "pickup_scheduled"),
    ("I", "OR", "picked_up"),
    ("I", "PU", "picked_up"),
    ("I", "PC", "picked_up"),
    ("I", "PT", "picked_up"),
    ("I", "XD", "picked_up"),
    ("I", "AR", "arrived_at_facility"),
    ("I", "DS", "arrived_at_facility"),
    ("I", "UL", "arrived_at_facility"),
    ("I", "WH", "arrived_at_facility"),
    ("I", "IP", "arrived_at_facility"),
    ("I", "DP", "departed_facility"),
    ("I", "EP", "departed_facility"),
    ("I", "AG", "in_transit"),
    ("I", "YP", "in_transit"),
    ("I", "OF", "out_for_delivery"),
    ("I", "OT", "out_for_delivery"),
    ("I", "YF", "out_for_delivery"),
    ("I", "OD", "out_for_delivery"),
    ("I", "DL", "out_for_delivery"),
    ("I", "YI", "out_for_delivery"),
    ("I", "CA", "info"),
    ("I", "VP", "info"),
    ("X", "48", "delivery_attempted"),
    ("X", "C4", "delivery_attempted"),
    ("X", "AY", "delivery_attempted"),
    ("X", "KT", "delivery_attempted"),
    ("X", "A6", "address_issue"),
    ("X", "H2", "address_issue"),
    ("X", "50", "address_issue"),
    ("X", "BO", "address_issue"),
    ("X", "5", "customs_hold"),
    ("X", "05", "customs_hold"),
    ("X", "2T", "customs_hold"),
    ("X", "71", "customs_hold"),
    ("X", "OT", "customs_hold"),
    ("X", "3", "delayed"),
    ("X", "17", "delayed"),
    ("X", "1K", "delayed"),
    ("X", "13", "damaged"),
    ("X", "66", "damaged"),
    ("X", "A3", "damaged"),
    ("X", "28", "damaged"),
    ("X", "24", "lost"),
    ("X", "AJ", "lost"),
    ("X", "TJ", "lost"),
    ("X", "54", "available_for_pickup"),
    ("X", "5R", "available_for_pickup"),
    ("X", "90", "returned_to_sender"),
    ("X", "6C", "returned_to_sender"),
    ("X", "30", "cancelled"),
    ("X", "5D", "cancelled"),
    ("X", "F4", "delivered"),
    ("D", "F4", "delivered"),
    ("D", "FS", "delivered"),
    ("D", "KB", "delivered"),
    ("D", "2Q", "available_for_pickup"),
    ("", "FS", "delivered"),
    ("", "DP", "departed_facility"),
]


@pytest.mark.parametrize("type_, code, expected", CODE_CASES)
def test_code_read_with_type(type_, code, expected):
    assert ups_status.map_status("", type_, code) == expected
    assert ups_status.map_status(f"/{type_}/{code}") == expected


@pytest.mark.parametrize(
    "status_code, type_, code, expected",
    [
        # a specific statusCode wins over type and code
        ("011", "D", "F4", "delivered"),
        ("011", "X", "48", "delivered"),
        ("022", "X", "48", "delivery_attempted"),
        ("003", "M", "MP", "label_created"),
        ("021", "I", "OT", "out_for_delivery"),
        ("007", "I", "AR", "cancelled"),
        # generic statusCodes are refined by a facility scan
        ("005", "I", "AR", "arrived_at_facility"),
        ("005", "I", "DP", "departed_facility"),
        ("005", "I", "OT", "in_transit"),
        ("016", "I", "DP", "departed_facility"),
        ("016", "I", "AR", "arrived_at_facility"),
        # info statusCodes (exceptions) are refined by the code
        ("013", "X", "A6", "address_issue"),
        ("029", "X", "13", "damaged"),
        ("030", "X", "90", "returned_to_sender"),
        ("076", "X", "24", "lost"),
        ("013", "X", "ZZ", "info"),
        ("154", "U", "UP", "info"),
        # unknown statusCode: code, then type
        ("999", "X", "48", "delivery_attempted"),
        ("999", "D", "", "delivered"),
    ],
)
def test_status_code_refined_by_type_and_code(status_code, type_, code, expected):
    assert ups_status.map_status(status_code, type_, code) == expected
    composite = ups_status.composite_code(status_code, type_, code)
    assert ups_status.map_status(composite) == expected


@pytest.mark.parametrize(
    "args", [("999",), ("",), (None,), ("999", "Q", "ZZ"), ("abc",), ("", "", "ZZ")]
)
def test_unknown_is_info_and_not_mapped(args):
    assert ups_status.map_status(*args) == "info"
    assert not ups_status.is_mapped(*args)


def test_composite_code_round_trip():
    assert ups_status.composite_code(11, "d", "fs") == "011/D/FS"
    assert ups_status.composite_code(None, None, None) == "//"
    assert ups_status.split_raw_code("011/D/FS") == ("011", "D", "FS")
    assert ups_status.split_raw_code("022", "X", "48") == ("022", "X", "48")
    assert ups_status.description("11") == "Delivered"
    assert ups_status.description("1") == ""


def test_every_code_table_value_is_canonical():
    canonical = set(CONTRACT_STATUS_CODES) | {"departed_facility"}
    assert len(canonical) == 19  # the suite's taxonomy (docs/DESIGN.md §3)
    for table in ups_status.ALL_TABLES:
        assert set(table.values()) <= canonical
    assert {v[0] for v in ups_status.TYPES.values()} <= canonical
