# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CarrierHttpClient against the simulator: error classes, timeouts, logs."""

import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from logistics_carriers import (
    CarrierHttpClient,
    CarrierTransientError,
    parse_retry_after,
)


@pytest.fixture
def client(sim, log_entries):
    http = CarrierHttpClient(
        sim.url,
        connect_timeout=2.0,
        read_timeout=2.0,
        log_sink=log_entries.append,
        account_ref="acct(7)",
    )
    yield http
    http.close()


def _rates(client, **kwargs):
    return client.request("POST", "/v1/rates", operation="rates", json={}, **kwargs)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(sim, client, log_entries, status):
    sim.add_fault("rates", status)
    with pytest.raises(CarrierTransientError) as info:
        _rates(client)
    err = info.value
    assert err.kind == "transient"
    assert err.status == status
    assert err.retry_after is None
    assert err.code == "server_error"
    assert "later" in err.message
    assert "simulated" in err.carrier_message
    entry = log_entries[-1]
    assert entry["status_code"] == status
    assert entry["error"].startswith("transient")


def test_429_retry_after_seconds(sim, client):
    sim.add_fault("rates", 429, headers={"Retry-After": "7"})
    with pytest.raises(CarrierTransientError) as info:
        _rates(client)
    assert info.value.status == 429
    assert info.value.code == "rate_limited"
    assert info.value.retry_after == 7.0


def test_429_retry_after_http_date(sim, client):
    when = datetime.now(timezone.utc) + timedelta(seconds=120)
    sim.add_fault("rates", 429, headers={"Retry-After": format_datetime(when, True)})
    with pytest.raises(CarrierTransientError) as info:
        _rates(client)
    assert 100 < info.value.retry_after <= 121


def test_503_with_retry_after(sim, client):
    sim.add_fault("rates", 503, headers={"Retry-After": "30"})
    with pytest.raises(CarrierTransientError) as info:
        _rates(client)
    assert info.value.retry_after == 30.0


def test_connection_reset_is_transient(sim, client, log_entries):
    sim.add_fault("rates", action="reset")
    with pytest.raises(CarrierTransientError) as info:
        _rates(client)
    err = info.value
    assert err.status is None
    assert err.retry_after is None
    assert err.code == "connection_error"
    assert err.maybe_sent is True
    assert log_entries[-1]["error"].startswith("connection")
    assert log_entries[-1]["status_code"] is None
    # the client recovers on the next call (fresh pooled connection)
    assert _rates(client).status_code == 401


def test_read_timeout_via_slow_answer(sim, log_entries):
    http = CarrierHttpClient(
        sim.url, connect_timeout=2.0, read_timeout=0.3, log_sink=log_entries.append
    )
    sim.add_fault("rates", action="timeout", delay=1.5)
    start = time.monotonic()
    with pytest.raises(CarrierTransientError) as info:
        _rates(http)
    assert time.monotonic() - start < 1.2
    assert info.value.code == "read_timeout"
    assert info.value.status is None
    assert info.value.maybe_sent is True
    assert log_entries[-1]["error"].startswith("timeout")
    assert log_entries[-1]["latency_ms"] >= 250
    http.close()


def test_connection_refused_is_transient_and_not_sent(log_entries):
    import socket

    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = CarrierHttpClient(
        f"http://127.0.0.1:{port}",
        connect_timeout=1.0,
        read_timeout=1.0,
        log_sink=log_entries.append,
    )
    with pytest.raises(CarrierTransientError) as info:
        _rates(http)
    assert info.value.code == "connect_failed"
    assert info.value.maybe_sent is False
    assert len(log_entries) == 1
    http.close()


def test_other_statuses_are_returned(sim, client, log_entries):
    response = _rates(client)  # no token -> 401 returned, not raised
    assert response.status_code == 401
    assert log_entries[-1]["error"] == "HTTP 401"
    sim.add_fault("rates", 422, body={"errors": []})
    assert _rates(client).status_code == 422


def test_log_entry_shape_and_correlation_id(sim, client, log_entries):
    sim.add_fault("rates", 200, body={"rates": []})
    response = _rates(client, correlation_id="corr-123", headers={"X-Extra": "1"})
    assert response.status_code == 200
    entry = log_entries[-1]
    assert set(entry) == {
        "operation", "method", "url", "request_headers", "request_body",
        "status_code", "response_headers", "response_body", "latency_ms",
        "correlation_id", "error", "account_ref",
    }  # fmt: skip
    assert entry["operation"] == "rates"
    assert entry["method"] == "POST"
    assert entry["url"] == sim.url + "/v1/rates"
    assert entry["correlation_id"] == "corr-123"
    assert entry["account_ref"] == "acct(7)"
    assert entry["status_code"] == 200
    assert entry["error"] is None
    assert entry["response_body"] == '{"rates": []}'
    assert entry["request_headers"]["X-Extra"] == "1"
    assert sim.requests[-1]["headers"]["X-Correlation-ID"] == "corr-123"

    _rates(client)
    generated = log_entries[-1]["correlation_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert sim.requests[-1]["headers"]["X-Correlation-ID"] == generated


def test_log_body_is_capped(sim, client, log_entries):
    sim.add_fault("rates", 400, body="x" * 100_000)
    response = _rates(client)
    assert len(response.content) == 100_000
    logged = log_entries[-1]["response_body"]
    assert 64 * 1024 <= len(logged) < 64 * 1024 + 100
    assert "truncated" in logged


def test_failing_log_sink_never_breaks_the_call(sim):
    calls = []

    def sink(entry):
        calls.append(entry)
        raise RuntimeError("log table locked")

    http = CarrierHttpClient(sim.url, read_timeout=2.0, log_sink=sink)
    assert _rates(http).status_code == 401
    assert len(calls) == 1
    http.close()


def test_parse_retry_after():
    now = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Mon, 04 May 2026 10:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Mon, 04 May 2026 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
