# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DTOs: canonical dicts, fingerprints, result round trips, dedupe keys."""

import base64
import hashlib
import json
from datetime import date, datetime, timedelta, timezone

from logistics_carriers import (
    CANONICAL_CODES,
    Address,
    PackageResult,
    Parcel,
    ShipmentRequest,
    ShipmentResult,
    TrackingEvent,
    parse_datetime,
)

# Pinned: stored ledger fingerprints must stay valid across releases. If this
# changes, to_dict() changed shape and existing idempotency records conflict.
PINNED_FINGERPRINT = "34ca0c1419672bbb3ff243e7b81f0508cc3e6ccde615ec62db096f24e7cf9dd7"


def _request(**overrides):
    values = {
        "reference": "WH/OUT/00012",
        "idempotency_key": "key-1",
        "service_code": "SIM_STD",
        "shipper": Address("Shop", "Lagerstr. 7", "Hamburg", "20095", "DE"),
        "recipient": Address(
            "Jakob", "Birkenweg 12", "Berlin", "10115", "DE", phone="+4930555098765"
        ),
        "parcels": [Parcel(2.5, 30, 20, 10, "P1"), Parcel(1, reference="P2")],
        "ship_date": date(2026, 5, 4),
        "currency": "EUR",
        "declared_value": 99.9,
    }
    values.update(overrides)
    return ShipmentRequest(**values)


def test_fingerprint_is_sha256_of_canonical_json():
    request = _request()
    expected = hashlib.sha256(
        json.dumps(request.to_dict(), sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert request.fingerprint() == expected
    assert len(expected) == 64


def test_fingerprint_is_pinned():
    assert _request().fingerprint() == PINNED_FINGERPRINT


def test_to_dict_is_json_able_and_complete():
    data = _request().to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["ship_date"] == "2026-05-04"
    assert data["parcels"][1]["weight_kg"] == 1.0
    assert data["recipient"]["phone"] == "+4930555098765"
    assert set(data) == {
        "reference", "idempotency_key", "service_code", "shipper", "recipient",
        "parcels", "ship_date", "label_format", "currency", "declared_value",
    }  # fmt: skip


def test_fingerprint_is_stable_for_equivalent_numbers():
    first = _request(parcels=[Parcel(2, 30, 20, 10, "P1")], declared_value=100)
    second = _request(
        parcels=[Parcel(2.0, 30.0, 20.0, 10.0000001, "P1")], declared_value=100.0
    )
    assert first.fingerprint() == second.fingerprint()
    assert _request().fingerprint() == _request().fingerprint()


def test_fingerprint_changes_with_content():
    base = _request().fingerprint()
    changed = [
        _request(service_code="SIM_EXP"),
        _request(parcels=[Parcel(2.6, 30, 20, 10, "P1"), Parcel(1, reference="P2")]),
        _request(parcels=[Parcel(1, reference="P2"), Parcel(2.5, 30, 20, 10, "P1")]),
        _request(recipient=Address("Jakob", "Birkenweg 12", "Berlin", "10117", "DE")),
        _request(ship_date=None),
        _request(label_format="ZPL"),
    ]
    fingerprints = {r.fingerprint() for r in changed}
    assert base not in fingerprints
    assert len(fingerprints) == len(changed)


def test_request_round_trip_keeps_fingerprint():
    request = _request()
    again = ShipmentRequest.from_dict(json.loads(json.dumps(request.to_dict())))
    assert again == request
    assert again.fingerprint() == request.fingerprint()
    assert request.total_weight_kg == 3.5


def test_shipment_result_round_trip_and_properties():
    result = ShipmentResult(
        carrier_shipment_id="S1",
        packages=[
            PackageResult("T1", b"%PDF-1 first", "PDF"),
            PackageResult("T2", b"%PDF-1 second", "PDF"),
        ],
        charges_amount=12.34,
        charges_currency="EUR",
        raw={"shipment_id": "S1"},
    )
    assert result.tracking_numbers == ["T1", "T2"]
    assert result.label == b"%PDF-1 first"

    light = result.to_dict()
    assert "label" not in light["packages"][0]
    assert json.loads(json.dumps(light)) == light
    restored = ShipmentResult.from_dict(light)
    assert restored.tracking_numbers == ["T1", "T2"]
    assert restored.label is None
    assert restored.charges_amount == 12.34
    assert restored.raw == {"shipment_id": "S1"}

    full = result.to_dict(with_labels=True)
    assert full["packages"][1]["label"] == base64.b64encode(b"%PDF-1 second").decode()
    assert ShipmentResult.from_dict(json.loads(json.dumps(full))) == result


def test_label_is_first_available_label():
    result = ShipmentResult("S1", [PackageResult("T1"), PackageResult("T2", b"L2")])
    assert result.label == b"L2"
    assert ShipmentResult("S2", []).label is None


def _event(**overrides):
    values = {
        "tracking_number": "T1",
        "code": "in_transit",
        "raw_code": "IT",
        "description": "In transit",
        "occurred_at": datetime(2026, 5, 4, 10, 30, tzinfo=timezone.utc),
    }
    values.update(overrides)
    return TrackingEvent(**values)


def test_dedupe_key_prefers_carrier_event_id():
    assert _event(carrier_event_id="evt-9").dedupe_key == "evt-9"


def test_dedupe_key_hash_of_number_code_and_utc_time():
    expected = hashlib.sha1(b"T1|IT|2026-05-04T10:30:00+00:00").hexdigest()
    assert _event().dedupe_key == expected
    cest = timezone(timedelta(hours=2))
    same_instant = _event(occurred_at=datetime(2026, 5, 4, 12, 30, tzinfo=cest))
    naive_utc = _event(occurred_at=datetime(2026, 5, 4, 10, 30))
    assert same_instant.dedupe_key == expected
    assert naive_utc.dedupe_key == expected
    assert naive_utc.occurred_at.tzinfo is not None
    assert _event(raw_code="OD").dedupe_key != expected
    assert _event(tracking_number="T2").dedupe_key != expected


def test_parse_datetime_accepts_z_and_offsets():
    assert parse_datetime("2026-05-04T10:30:00Z") == datetime(
        2026, 5, 4, 10, 30, tzinfo=timezone.utc
    )
    value = parse_datetime("2026-05-04T12:30:00+02:00")
    assert value.utcoffset() == timedelta(0)
    assert value.hour == 10


def test_canonical_codes_contract():
    assert len(CANONICAL_CODES) == len(set(CANONICAL_CODES)) == 19
    assert CANONICAL_CODES[0] == "label_created"
    assert "info" in CANONICAL_CODES
    for code in ("delivered", "address_issue", "customs_hold", "cancelled"):
        assert code in CANONICAL_CODES
