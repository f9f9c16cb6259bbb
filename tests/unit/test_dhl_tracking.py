# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shipment Tracking - Unified (pacing, 429 backoff, quota) and DHL push."""

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from unit import test_dhl_support as support

from logistics_carriers import (
    CarrierAuthError,
    CarrierTransientError,
    CarrierValidationError,
    Parcel,
    WebhookAuthError,
)

support.use_fixtures(globals())


def _created(adapter, dhl_request, count=1):
    parcels = [Parcel(weight_kg=1 + i) for i in range(count)]
    return adapter.create_shipment(dhl_request(parcels=parcels)).tracking_numbers


# -- tracking ---------------------------------------------------------------------
def test_track_request_shape_and_progression(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(extra={"tracking_api_key": "tracking-only-key"})
    dhl_sim.api_keys.add("tracking-only-key")
    (number,) = _created(adapter, dhl_request)
    for step in ("picked_up", "in_transit", "out_for_delivery", "delivered"):
        dhl_sim.advance(number, step, signatory="J. Empfaenger")
    events = adapter.track([number], postal_codes={number: "10115"})
    (call,) = support.requests_of(dhl_sim, "tracking")
    assert urlsplit(call["path"]).path == "/track/shipments"
    assert parse_qs(urlsplit(call["path"]).query) == {
        "trackingNumber": [number],
        "service": ["parcel-de"],
        "recipientPostalCode": ["10115"],
    }
    assert call["headers"]["DHL-API-Key"] == "tracking-only-key"
    assert "Authorization" not in call["headers"]
    codes = [e.code for e in events]
    # Unified statusCode only: transit stays in_transit without a service code
    assert codes == ["label_created"] + ["in_transit"] * 3 + ["delivered"]
    assert [e.raw_code for e in events][-1] == "delivered"
    assert all(e.tracking_number == number for e in events)
    assert events == sorted(events, key=lambda e: e.occurred_at)
    delivered = events[-1]
    assert delivered.signatory == "J. Empfaenger"
    assert delivered.location == "10115 Berlin, DE"
    assert delivered.description == "The shipment has been successfully delivered"
    assert len({e.dedupe_key for e in events}) == 5
    # the same answer twice gives the same events (dedupe keys are stable)
    again = adapter.track([number], postal_codes={number: "10115"})
    assert [e.dedupe_key for e in again] == [e.dedupe_key for e in events]


def test_service_codes_refine_unified_status(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    dhl_sim.detail_codes = True  # events carry Parcel DE codes (statusDetailed)
    for step in ("picked_up", "out_for_delivery", "address_issue", "delivered"):
        dhl_sim.advance(number, step)
    events = adapter.track([number])
    assert [e.code for e in events] == [
        "label_created",
        "picked_up",
        "out_for_delivery",
        "address_issue",
        "delivered",
    ]
    assert [e.raw_code for e in events][1:] == [
        "transit:PCKDU",
        "transit:PO",
        "failure:NTDEL/BDADD",
        "delivered:DLVRD",
    ]


def test_tracking_key_falls_back_to_client_id(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    adapter.track([number])
    (call,) = support.requests_of(dhl_sim, "tracking")
    assert call["headers"]["DHL-API-Key"] == support.API_KEY


def test_unknown_number_is_listed_not_an_error(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    events = adapter.track(["8264715546", number, number])
    assert adapter.last_track_not_found == ["8264715546"]
    assert {e.tracking_number for e in events} == {number}
    assert dhl_sim.count("tracking") == 2  # duplicates asked once


def test_refused_key_is_an_authentication_error(make_dhl, dhl_sim):
    with pytest.raises(CarrierAuthError, match="Tracking API key"):
        make_dhl(extra={"tracking_api_key": "not-a-key"}).track(["1"])


def test_bad_request_is_a_validation_error(make_dhl, dhl_sim):
    dhl_sim.add_fault(
        "tracking", 400, body={"title": "Bad Request", "status": 400, "detail": "x"}
    )
    with pytest.raises(CarrierValidationError):
        make_dhl().track(["1"])


def test_calls_are_paced_at_the_published_rate(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl(pace=0.3)
    numbers = _created(adapter, dhl_request, count=3)
    dhl_sim.track_rate = 4.0  # DHL answers 429 above 4 calls/s for this key
    start = time.monotonic()
    events = adapter.track(numbers)
    elapsed = time.monotonic() - start
    assert elapsed >= 0.6  # 3 calls, 0.3 s apart
    assert dhl_sim.count("tracking") == 3  # never a 429
    assert len(events) == 3


def test_pacing_is_shared_by_adapters_of_one_key(make_dhl, dhl_request, dhl_sim):
    first = make_dhl(pace=0.3)
    second = make_dhl(pace=0.3)
    (number,) = _created(first, dhl_request)
    start = time.monotonic()
    first.track([number])
    second.track([number])
    assert time.monotonic() - start >= 0.3


def test_429_backs_off_and_retries(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    adapter.track_backoff = 0.05
    numbers = _created(adapter, dhl_request, count=2)
    dhl_sim.track_rate = 5.0  # the adapter itself does not pace here
    events = adapter.track(numbers)
    assert {e.tracking_number for e in events} == set(numbers)
    calls = support.requests_of(dhl_sim, "tracking")
    assert len(calls) >= 3  # at least one 429 absorbed


def test_429_retry_after_is_honoured(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    dhl_sim.add_fault("tracking", 429, headers={"Retry-After": "0.4"})
    start = time.monotonic()
    adapter.track([number])
    assert time.monotonic() - start >= 0.4
    assert dhl_sim.count("tracking") == 2


def test_persistent_429_gives_up_with_retry_after(make_dhl, dhl_sim):
    adapter = make_dhl()
    adapter.track_backoff = 0.01
    dhl_sim.add_fault("tracking", 429, times=None)
    with pytest.raises(CarrierTransientError) as info:
        adapter.track(["00340434161094015902"])
    assert info.value.status == 429
    assert info.value.maybe_sent is False
    assert info.value.retry_after > 0
    assert dhl_sim.count("tracking") == adapter.track_max_retries + 1


def test_daily_quota_stops_before_calling(make_dhl, dhl_request, dhl_sim):
    adapter = make_dhl()
    adapter.track_daily_limit = 2
    numbers = _created(adapter, dhl_request, count=3)
    with pytest.raises(CarrierTransientError) as info:
        adapter.track(numbers)
    assert info.value.code == "daily_quota"
    assert 0 < info.value.retry_after <= 24 * 3600
    assert dhl_sim.count("tracking") == 2


def test_class_limits_follow_dhl_published_limits():
    cls = support.DhlParcelDeAdapter
    assert cls.track_min_interval >= 1.0  # 1 call a second (DHL-RL)
    assert cls.track_daily_limit == 250
    assert 1 <= cls.track_batch_size <= 250


def test_5xx_while_tracking_is_transient(make_dhl, dhl_sim):
    dhl_sim.add_fault("tracking", 503)
    with pytest.raises(CarrierTransientError):
        make_dhl().track(["1"])


# -- push -------------------------------------------------------------------------
PUSH_BODY = json.dumps(support.example("dhl-push-or-webhook-payload")).encode()


def test_push_subscription_body_is_dhl_example(make_dhl):
    example = support.example("dhl-unified-push-subscription-request")
    body = make_dhl(
        extra={"push_header": "example-secure-header"}
    ).build_push_subscription(
        "https://examplewebhook.com",
        token="example-token-123",
        account_id="12345678",
        service="ecommerce-europe",
    )
    del example["_note"]
    assert body == example


def test_verify_webhook_static_token(make_dhl):
    adapter = make_dhl()
    header = adapter.push_header
    adapter.verify_webhook({header: "tok-new"}, PUSH_BODY, ["tok-new", "tok-old"])
    adapter.verify_webhook(
        {header.lower(): "tok-old"}, PUSH_BODY, ["tok-new", "tok-old"]
    )
    with pytest.raises(WebhookAuthError) as info:
        adapter.verify_webhook({header: "forged"}, PUSH_BODY, ["tok-new"])
    assert info.value.code == "bad_token"
    with pytest.raises(WebhookAuthError) as info:
        adapter.verify_webhook({}, PUSH_BODY, ["tok-new"])
    assert info.value.code == "missing_token"
    with pytest.raises(WebhookAuthError) as info:
        adapter.verify_webhook({header: "x"}, PUSH_BODY, [])
    assert info.value.code == "no_secret"


def test_parse_push_example(make_dhl):
    adapter = make_dhl()
    assert adapter.check_webhook_shape({}, PUSH_BODY) is None
    events = adapter.parse_webhook({}, PUSH_BODY)
    assert [(e.code, e.raw_code) for e in events] == [
        ("in_transit", "transit"),
        ("delivered", "delivered"),
    ]
    assert {e.tracking_number for e in events} == {"00340434161094015902"}
    assert events[1].location == "Bonn, DE"
    # status repeats the newest event: not counted twice
    assert len({e.dedupe_key for e in events}) == 2


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", "not JSON"),
        (b'{"foo": 1}', "no 'shipments' list"),
        (b'{"shipments": [{"events": []}]}', "id is missing"),
        (b'{"shipments": [{"id": "1", "events": [{"statusCode": "x"}]}]}', "timestamp"),
    ],
)
def test_malformed_push_is_refused_in_words(make_dhl, body, problem):
    adapter = make_dhl()
    assert problem in adapter.check_webhook_shape({}, body)
    with pytest.raises(CarrierValidationError, match=problem):
        adapter.parse_webhook({}, body)


def test_subscription_handshake_carries_no_event(make_dhl):
    body = b'{"scope": "subscription.validate", "self": "https://x"}'
    adapter = make_dhl()
    assert adapter.check_webhook_shape({}, body) is None
    assert adapter.parse_webhook({}, body) == []


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append((dict(self.headers), self.rfile.read(length)))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_push_round_trip_subscribe_deliver_verify_parse(
    make_dhl, dhl_request, dhl_sim, receiver
):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    url = f"http://127.0.0.1:{receiver.server_address[1]}/logistics/webhook/dhl/t"
    answer = adapter.subscribe_push(url, token="push-secret", account_id="3333333333")
    assert answer["hook"]["authentication"]["header"] == adapter.push_header
    dhl_sim.advance(number, "delivered")
    ((headers, body),) = receiver.received
    adapter.verify_webhook(headers, body, ["push-secret"])
    events = adapter.parse_webhook(headers, body)
    assert events[-1].code == "delivered"
    assert {e.tracking_number for e in events} == {number}
    # what a poll returns and what DHL pushes are the same events
    polled = adapter.track([number])
    assert {e.dedupe_key for e in polled} == {e.dedupe_key for e in events}


def test_without_the_recipients_postal_code_parcel_de_answers_no_signatory(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    dhl_sim.advance(number, "delivered", signatory="J. Empfaenger")
    reduced = adapter.track([number])[-1]
    assert (reduced.code, reduced.signatory) == ("delivered", "")
    # the account's lookup (recipient postal code of each number) is used
    adapter.postal_code_lookup = lambda numbers: dict.fromkeys(numbers, "10 115")
    full = adapter.track([number])[-1]
    assert full.signatory == "J. Empfaenger"
    assert [c["full"] for c in dhl_sim.tracking_calls] == [False, True]
    query = parse_qs(
        urlsplit(support.requests_of(dhl_sim, "tracking")[-1]["path"]).query
    )
    assert query["recipientPostalCode"] == ["10115"]


def test_unified_times_without_offset_are_german_local_time(
    make_dhl, dhl_request, dhl_sim
):
    adapter = make_dhl()
    (number,) = _created(adapter, dhl_request)
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)
    winter = datetime(2026, 1, 15, 10, 0, tzinfo=timezone.utc)
    dhl_sim.advance(number, "picked_up", occurred_at=winter)
    dhl_sim.advance(number, "in_transit", occurred_at=summer)
    raw = dhl_sim._unified(dhl_sim._shipments[number])
    stamps = sorted(e["timestamp"] for e in raw["events"])
    assert "2026-01-15T11:00:00" in stamps and "2026-07-01T12:00:00" in stamps
    times = [e.occurred_at for e in adapter.track([number])]
    assert times[:2] == [winter, summer]  # label_created (now) comes last


def test_unified_event_off_the_specification_is_logged_not_dropped(make_dhl):
    entries = []
    adapter = make_dhl()
    adapter.http.log_sink = entries.append
    data = {
        "shipments": [
            {
                "id": "00340434161094042557",
                "service": "parcel-de",
                "events": [
                    {"timestamp": "2026-05-04T10:00:00", "statusCode": "transit"},
                    {"timestamp": "yesterday", "statusCode": "transit"},
                    {"timestamp": "2026-05-04T11:00:00", "statusCode": "lost-ish"},
                ],
            }
        ]
    }
    events = adapter.events_from_response(data, "00340434161094042557")
    assert [e.raw_code for e in events] == ["transit", "lost-ish"]
    assert [what for _op, what in adapter.spec_mismatches] == [
        "event of 00340434161094042557 with an unreadable timestamp",
        "event of 00340434161094042557 with statusCode 'lost-ish' (Unified: "
        "pre-transit, transit, delivered, failure, unknown)",
    ]
    assert [e["operation"] for e in entries] == ["tracking:spec_mismatch"] * 2
    assert all(e["spec_mismatch"] for e in entries)
