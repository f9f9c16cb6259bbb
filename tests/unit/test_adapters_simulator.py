# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SimulatorAdapter against a real SimulatorServer."""

import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from logistics_carriers import (
    CANONICAL_CODES,
    Address,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    Parcel,
    SimulatorAdapter,
    WebhookAuthError,
)
from logistics_simulators.generic import sign_webhook, webhook_body


def assert_valid_pdf(data):
    """Header, trailer and every xref offset pointing at its object."""
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)", data).group(1))
    assert data[startxref:].startswith(b"xref")
    count = int(re.search(rb"xref\s+0 (\d+)", data).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n ", data)
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, 1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)
    assert b"/Type /Catalog" in data and b"/Count 1" in data


def test_adapter_class_attributes(adapter):
    assert SimulatorAdapter.carrier_code == "sim"
    assert SimulatorAdapter.label == "Simulator (demo and tests)"
    assert SimulatorAdapter.supports_lookup is True
    assert adapter.http.base_url == adapter.config.base_url


def test_create_shipment_pdf(sim, adapter, make_request):
    request = make_request(parcels=[Parcel(2.5, reference="P1"), Parcel(1.0)])
    result = adapter.create_shipment(request)
    assert result.carrier_shipment_id.startswith("SIM")
    assert len(result.tracking_numbers) == 2
    assert all(n.startswith("SIM") for n in result.tracking_numbers)
    assert result.label_format == "PDF"
    assert result.charges_amount == pytest.approx(5.90 + 0.80 * 3.5)
    assert result.charges_currency == "EUR"
    assert "labels" not in result.raw
    for package in result.packages:
        assert package.label_format == "PDF"
        assert_valid_pdf(package.label)
        assert package.tracking_number.encode() in package.label
    stored = sim.shipments[result.carrier_shipment_id]
    assert stored["reference"] == request.reference
    assert stored["status"] == "label_created"
    sent = sim.requests[-1]
    assert sent["headers"]["Idempotency-Key"] == request.idempotency_key
    assert sent["json"]["recipient"]["zip"] == "10115"
    assert sent["json"]["parcels"][0]["weight_kg"] == 2.5


def test_create_shipment_zpl_and_png(adapter, make_request):
    zpl = adapter.create_shipment(make_request(label_format="ZPL", idempotency_key="z"))
    text = zpl.label.decode()
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
    assert zpl.tracking_numbers[0] in text
    assert zpl.label_format == "ZPL"
    png = adapter.create_shipment(make_request(label_format="PNG", idempotency_key="p"))
    assert png.label.startswith(b"\x89PNG\r\n\x1a\n")


def test_validation_error_address(adapter, make_request):
    recipient = Address("Jakob", "Birkenweg 12", "Berlin", "", "DE")
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(make_request(recipient=recipient))
    err = info.value
    assert err.kind == "validation"
    assert err.status == 422
    assert err.category == "address"
    assert [(f.field, f.code) for f in err.field_errors] == [
        ("recipient.zip", "required")
    ]
    assert "recipient.zip" in err.message
    assert "postal code" in err.message
    assert err.carrier_message == "The recipient's postal code is missing."


def test_validation_error_country_not_served(adapter, make_request):
    recipient = Address("Jakob", "Street 1", "Pyongyang", "0000", "KP")
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(make_request(recipient=recipient))
    assert info.value.category == "address"
    assert info.value.field_errors[0].code == "not_served"


def test_validation_error_service(adapter, make_request):
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(make_request(service_code="TELEPORT"))
    assert info.value.category == "service"
    assert info.value.field_errors[0].field == "service"
    assert info.value.field_errors[0].code == "unknown_service"


def test_validation_error_data(adapter, make_request):
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(make_request(parcels=[Parcel(0)]))
    assert info.value.category == "data"
    assert info.value.field_errors[0].field == "parcels[0].weight_kg"


def test_validation_error_several_fields(sim, adapter, make_request):
    recipient = Address("Jakob", "", "Berlin", "10115", "DE")
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(
            make_request(recipient=recipient, parcels=[Parcel(0)], service_code="X")
        )
    fields = {f.field for f in info.value.field_errors}
    assert fields == {"recipient.street", "parcels[0].weight_kg", "service"}
    assert info.value.category == "address"
    assert sim.shipments == {}


def test_idempotency_key_replay(sim, adapter, make_request):
    request = make_request()
    first = adapter.create_shipment(request)
    second = adapter.create_shipment(request)
    assert second.carrier_shipment_id == first.carrier_shipment_id
    assert second.tracking_numbers == first.tracking_numbers
    assert second.label == first.label
    assert sim.count("create_shipment") == 2
    assert len(sim.shipments) == 1
    other = adapter.create_shipment(make_request(idempotency_key="another-key"))
    assert other.carrier_shipment_id != first.carrier_shipment_id
    assert len(sim.shipments) == 2


def test_idempotency_key_reused_with_other_request(sim, adapter, make_request):
    adapter.create_shipment(make_request())
    with pytest.raises(CarrierValidationError) as info:
        adapter.create_shipment(make_request(parcels=[Parcel(9.0)]))
    assert info.value.field_errors[0].code == "idempotency_conflict"
    assert info.value.category == "data"
    assert len(sim.shipments) == 1


def test_cancel(sim, adapter, make_request):
    result = adapter.create_shipment(make_request())
    assert adapter.cancel_shipment(result.carrier_shipment_id) is True
    assert sim.shipments[result.carrier_shipment_id]["status"] == "cancelled"
    assert adapter.cancel_shipment(result.carrier_shipment_id) is True  # repeat: ok


def test_cancel_after_pickup_is_409(sim, adapter, make_request):
    result = adapter.create_shipment(make_request())
    sim.advance(result.carrier_shipment_id, "picked_up")
    with pytest.raises(CarrierValidationError) as info:
        adapter.cancel_shipment(result.carrier_shipment_id, result.tracking_numbers)
    err = info.value
    assert err.status == 409
    assert err.code == "already_picked_up"
    assert "picked up" in err.message
    assert sim.shipments[result.carrier_shipment_id]["status"] == "picked_up"


def test_cancel_unknown_shipment(adapter):
    with pytest.raises(CarrierValidationError) as info:
        adapter.cancel_shipment("SIMSNOPE")
    assert info.value.status == 404
    assert info.value.code == "not_found"


def test_lookup(adapter, make_request):
    request = make_request()
    assert adapter.lookup_shipment(request) is None
    created = adapter.create_shipment(request)
    found = adapter.lookup_shipment(request)
    assert found.carrier_shipment_id == created.carrier_shipment_id
    assert found.tracking_numbers == created.tracking_numbers
    assert found.label == created.label
    # another attempt (other key) for the same picking is not "ours"
    assert adapter.lookup_shipment(make_request(idempotency_key="other")) is None


def test_lookup_after_lost_response(sim, make_adapter, make_request):
    """A create that timed out was done at the carrier: look-up finds it."""
    adapter = make_adapter(read_timeout=0.3)
    request = make_request()
    sim.add_fault("create_shipment", action="timeout", delay=1.0)
    with pytest.raises(CarrierTransientError) as info:
        adapter.create_shipment(request)
    assert info.value.status is None
    found = adapter.lookup_shipment(request)
    assert found is not None
    assert list(sim.shipments) == [found.carrier_shipment_id]
    again = adapter.create_shipment(request)  # safe: same Idempotency-Key
    assert again.carrier_shipment_id == found.carrier_shipment_id
    assert len(sim.shipments) == 1


def test_label_recovery(adapter, make_request):
    created = adapter.create_shipment(make_request())
    recovered = adapter.get_label(created.carrier_shipment_id)
    assert recovered.carrier_shipment_id == created.carrier_shipment_id
    assert recovered.label == created.label
    assert_valid_pdf(recovered.label)
    with pytest.raises(CarrierValidationError):
        adapter.get_label("SIMSNOPE")


def test_rates(adapter, make_request):
    only = adapter.get_rates(make_request(service_code="SIM_EXP"))
    assert [q.service_code for q in only] == ["SIM_EXP"]
    quotes = adapter.get_rates(make_request(service_code=""))  # every service
    by_code = {q.service_code: q for q in quotes}
    assert set(by_code) == {"SIM_STD", "SIM_EXP", "SIM_ECO"}
    assert by_code["SIM_STD"].amount == pytest.approx(5.90 + 0.80 * 2.5)
    assert by_code["SIM_EXP"].transit_days == 1
    assert by_code["SIM_STD"].currency == "EUR"
    assert by_code["SIM_STD"].service_name == "Simulator Standard"
    abroad = Address("Ann", "1 Main St", "Paris", "75001", "FR")
    (international,) = adapter.get_rates(make_request(recipient=abroad))
    assert international.service_code == "SIM_STD"
    assert international.amount > by_code["SIM_STD"].amount


def test_track(sim, adapter, make_request):
    created = adapter.create_shipment(make_request())
    number = created.tracking_numbers[0]
    sim.advance(number, "picked_up")
    sim.advance(number, "weird_depot_scan", description="Scanned")
    events = adapter.track([number, "SIMUNKNOWN"])
    assert [e.code for e in events] == ["label_created", "picked_up", "info"]
    assert [e.raw_code for e in events][-1] == "weird_depot_scan"
    assert all(e.tracking_number == number for e in events)
    assert all(e.occurred_at.tzinfo is not None for e in events)
    assert len({e.dedupe_key for e in events}) == 3
    assert events[1].location == "Origin depot"


def test_track_batches_numbers(sim, adapter):
    adapter.track([f"SIMX{i}" for i in range(120)])
    assert sim.count("tracking") == 3


def test_map_status(adapter):
    for code in CANONICAL_CODES:
        assert adapter.map_status(code) == code
    assert adapter.map_status("  Delivered ") == "delivered"
    assert adapter.map_status("attempted") == "delivery_attempted"
    assert adapter.map_status("something_new") == "info"
    assert adapter.map_status("") == "info"
    assert adapter.map_status(None) == "info"


def test_validate_address(adapter):
    good = adapter.validate_address(
        Address("Jakob", "Birkenweg 12", "berlin", "10115", "de")
    )
    assert good.valid is True
    assert good.candidates[0].city == "BERLIN"
    assert good.candidates[0].country_code == "DE"
    bad = adapter.validate_address(Address("Jakob", "", "Berlin", "", "DE"))
    assert bad.valid is False
    assert bad.candidates == []
    assert any("zip" in m for m in bad.messages)


def test_tracking_url_serves_a_page(sim, adapter, make_request):
    import requests

    number = adapter.create_shipment(make_request()).tracking_numbers[0]
    url = adapter.tracking_url(number)
    assert url == f"{sim.url}/track/{number}"
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert number in page.text


def test_not_supported_by_default(adapter):
    from logistics_carriers import CarrierAdapter

    with pytest.raises(CarrierNotSupported):
        CarrierAdapter.get_label(adapter, "x")
    with pytest.raises(CarrierNotSupported):
        CarrierAdapter.verify_webhook(adapter, {}, b"", ["s"])


# -- webhooks ---------------------------------------------------------------
BODY = webhook_body(
    [
        {
            "tracking_number": "SIM000000000001",
            "status": "out_for_delivery",
            "description": "Out for delivery",
            "occurred_at": "2026-05-04T08:15:00Z",
            "location": "Berlin depot",
            "event_id": "evt-1",
        },
        {"tracking_number": "SIM000000000001", "status": "teleported"},
    ],
    message_id="msg-1",
)


def test_verify_webhook_valid(adapter):
    headers = {"X-Sim-Signature": sign_webhook("secret-1", BODY)}
    assert adapter.verify_webhook(headers, BODY, ["secret-1"]) is None
    lower = {"x-sim-signature": headers["X-Sim-Signature"]}  # any header case
    assert adapter.verify_webhook(lower, BODY, ["secret-1"]) is None


def test_verify_webhook_rotated_second_secret(adapter):
    headers = {"X-Sim-Signature": sign_webhook("new-secret", BODY)}
    assert adapter.verify_webhook(headers, BODY, ["old-secret", "new-secret"]) is None
    assert adapter.verify_webhook(headers, BODY, ["", "new-secret"]) is None
    with pytest.raises(WebhookAuthError):
        adapter.verify_webhook(headers, BODY, ["old-secret"])


# The signatures below are made when the module is collected; verifying them
# against that same instant keeps the expectations true however long the run
# takes before this test (a "400 s in the future" signature is not, 100 s later).
COLLECTED_AT = time.time()


@pytest.mark.parametrize(
    ("headers", "body", "secrets", "code"),
    [
        (
            {"X-Sim-Signature": sign_webhook("wrong", BODY)},
            BODY,
            ["s"],
            "bad_signature",
        ),
        (
            {"X-Sim-Signature": sign_webhook("s", BODY)},
            BODY + b" ",
            ["s"],
            "bad_signature",
        ),
        (
            {"X-Sim-Signature": sign_webhook("s", BODY, time.time() - 3600)},
            BODY,
            ["s"],
            "stale_timestamp",
        ),
        (
            {"X-Sim-Signature": sign_webhook("s", BODY, time.time() + 3600)},
            BODY,
            ["s"],
            "stale_timestamp",
        ),
        ({}, BODY, ["s"], "missing_signature"),
        ({"X-Sim-Signature": "v1=abc"}, BODY, ["s"], "malformed_signature"),
        ({"X-Sim-Signature": "t=abc,v1=abc"}, BODY, ["s"], "malformed_signature"),
        ({"X-Sim-Signature": sign_webhook("s", BODY)}, BODY, [], "no_secret"),
        ({"X-Sim-Signature": sign_webhook("", BODY)}, BODY, [""], "no_secret"),
    ],
)
def test_verify_webhook_rejects(adapter, headers, body, secrets, code):
    with pytest.raises(WebhookAuthError) as info:
        adapter.verify_webhook(headers, body, secrets, now=COLLECTED_AT)
    assert info.value.code == code
    assert info.value.kind == "webhook_auth"


def test_verify_webhook_tolerance_edge(adapter):
    now = 1_800_000_000
    header = {"X-Sim-Signature": sign_webhook("s", BODY, now - 300)}
    assert adapter.verify_webhook(header, BODY, ["s"], now=now) is None


def test_parse_webhook(adapter):
    events = adapter.parse_webhook({}, BODY)
    assert [e.code for e in events] == ["out_for_delivery", "info"]
    first = events[0]
    assert first.raw_code == "out_for_delivery"
    assert first.carrier_event_id == "evt-1"
    assert first.dedupe_key == "evt-1"
    assert first.location == "Berlin depot"
    assert first.occurred_at.isoformat() == "2026-05-04T08:15:00+00:00"
    assert events[1].raw_code == "teleported"
    assert adapter.webhook_message_id({}, BODY) == "msg-1"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"message_id": "m"}',
        b'{"events": [{"status": "delivered"}]}',
        b'{"events": [{"tracking_number": "T", "status": "delivered", '
        b'"occurred_at": "yesterday"}]}',
    ],
)
def test_parse_webhook_malformed(adapter, body):
    with pytest.raises(CarrierValidationError) as info:
        adapter.parse_webhook({}, body)
    assert info.value.code == "malformed_webhook"


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_pushed_webhook_verifies_and_parses(sim, adapter, make_request, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/logistics/webhook/sim/tok"
    sim.configure(webhook_url=url, webhook_secret="whsec-1")
    created = adapter.create_shipment(make_request())
    sim.advance(created.carrier_shipment_id, "in_transit")
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    adapter.verify_webhook(headers, body, ["whsec-0", "whsec-1"])
    events = adapter.parse_webhook(headers, body)
    assert [(e.tracking_number, e.code) for e in events] == [
        (created.tracking_numbers[0], "in_transit")
    ]
    assert json.loads(body)["message_id"] == adapter.webhook_message_id(headers, body)
    assert sim.pushes[-1]["status"] == 200
