# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhooks sent all at once to a running server (2 workers, real runner).

A carrier that gets no 2xx sends the same push again, often several times
at once: identical pushes must all be answered 2xx and applied once, and
different pushes arriving together must all be applied. Each test sends 8,
then 32 requests released together (one thread each) and checks the
outcome over XML-RPC: the inbox rows, the events recorded, the shipment's
state and the duplicates counted. The server log must show no retried
request (a serialization failure on the intake) and no ERROR.
"""

import collections
import hashlib
import json
import statistics
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from support.server_rpc import make_sim_carrier, post_concurrently, ship, wait_until

from logistics_carriers import generic_signature
from logistics_simulators.ups.server import (
    UpsSimulatorServer,
    track_alert_payload,
)

# INFO: Odoo logs each request retried after a serialization failure
ODOO_SERVER_OPTIONS = {"log_level": "info"}

PARTNER_SECRET = "whsec_" + "c2VydmVyLXRlc3QtcGFydG5lci1zZWNyZXQtMzItYnl0ZXM="
UPS_SECRET = "ups-server-credential-" + uuid.uuid4().hex
RETRIED = "tries left, try again"  # odoo.service.model.retrying


@pytest.fixture(scope="module")
def setup(odoo_server, rpc, sim):
    """A shipment of the simulator carrier, a UPS account and a partner
    (generic) account, each with its webhook URL."""
    _account, carrier = make_sim_carrier(rpc, sim)
    shipment = ship(rpc, carrier)
    tag = uuid.uuid4().hex[:10]
    ups = rpc(
        "logistics.carrier.account",
        "create",
        {
            "name": f"UPS webhooks {tag}",
            "carrier_code": "ups",
            "webhook_token": f"ups-{tag}",
            "webhook_secret": UPS_SECRET,
            "poll_interval": 0,
        },
    )
    partner = rpc(
        "logistics.carrier.account",
        "create",
        {
            "name": f"Partner webhooks {tag}",
            "carrier_code": "generic",
            "webhook_token": f"partner-{tag}",
            "webhook_secret": PARTNER_SECRET,
            "poll_interval": 0,
        },
    )
    return {
        "shipment": shipment,
        "number": shipment["tracking_ref"].split(",")[0],
        "ups": ups,
        "ups_url": f"{odoo_server.url}/logistics/webhook/ups/ups-{tag}",
        "partner": partner,
        "partner_url": f"{odoo_server.url}/logistics/webhook/generic/partner-{tag}",
    }


_UPS_SIM = UpsSimulatorServer()  # not started: only builds Track Alert activities


def ups_push(setup, number, step, when):
    payload = track_alert_payload(number, _UPS_SIM._activity(step, when))
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "UPSPubSubTrackingService",
        "credential": UPS_SECRET,
    }
    return setup["ups_url"], body, headers


def partner_push(setup, msg_id, *events):
    body = json.dumps({"events": list(events)}).encode()
    headers = generic_signature.sign_headers(msg_id, body, PARTNER_SECRET)
    headers["Content-Type"] = "application/json"
    return setup["partner_url"], body, headers


def partner_event(event_id, code, number, when):
    return {
        "event_id": event_id,
        "code": code,
        "tracking_number": number,
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": "Hamburg DC",
    }


def _figures(label, results):
    statuses = collections.Counter(status for status, _text, _s in results)
    seconds = sorted(s for _status, _text, s in results)
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))]
    print(
        f"\n{label}: statuses {dict(statuses)}, "
        f"p50 {statistics.median(seconds):.3f}s, p99 {p99:.3f}s"
    )
    return statuses


def _assert_all_2xx(results):
    bad = [(s, t) for s, t, _sec in results if not 200 <= s < 300]
    assert not bad, f"{len(bad)} of {len(results)} not answered 2xx: {bad[:3]}"


def _messages_done(rpc, account, domain=()):
    """The account's inbox rows (matching ``domain``) once none is pending."""

    def done():
        rows = rpc(
            "logistics.inbound.message",
            "search_read",
            [("account_id", "=", account), *domain],
            ["state", "error", "message_key"],
        )
        return rows if rows and all(r["state"] != "pending" for r in rows) else None

    return wait_until(done, timeout=90, message="inbox drained")


def _duplicates(rpc, account, scope="inbox"):
    rows = rpc(
        "logistics.duplicate.stat",
        "search_read",
        [("account_id", "=", account), ("scope", "=", scope)],
        ["count"],
    )
    return sum(r["count"] for r in rows)


def _drain_jobs_failed(rpc, account):
    return rpc(
        "queue.job",
        "search_read",
        [
            ("method_name", "=", "_drain"),
            ("args", "like", f"[{account}]"),
            ("state", "=", "failed"),
        ],
        ["exc_info"],
    )


@pytest.mark.parametrize("count", [8, 32])
def test_identical_ups_pushes_all_2xx_applied_once(setup, rpc, server_log, count):
    number = "1ZSRV" + uuid.uuid4().hex[:13].upper()
    when = datetime.now(timezone.utc).replace(microsecond=0)
    request = ups_push(setup, number, "in_transit", when)
    before = _duplicates(rpc, setup["ups"])
    results = post_concurrently([request] * count)
    _figures(f"{count} identical UPS pushes", results)
    _assert_all_2xx(results)
    answers = collections.Counter(json.loads(t)["status"] for _s, t, _sec in results)
    assert answers == {"accepted": 1, "duplicate": count - 1}
    key = hashlib.sha256(request[1]).hexdigest()
    rows = _messages_done(rpc, setup["ups"], [("message_key", "=", key)])
    assert [(r["state"], r["error"]) for r in rows] == [("done", False)]
    events = rpc(
        "logistics.shipment.event",
        "search_read",
        [("account_id", "=", setup["ups"]), ("tracking_number", "=", number)],
        ["code"],
    )
    assert [e["code"] for e in events] == ["in_transit"]
    assert _duplicates(rpc, setup["ups"]) - before == count - 1
    assert not _drain_jobs_failed(rpc, setup["ups"])
    assert RETRIED not in server_log.text()


@pytest.mark.parametrize("count, code", [(8, "in_transit"), (32, "out_for_delivery")])
def test_identical_partner_events_move_the_shipment_once(
    setup, rpc, server_log, count, code
):
    event_id = f"evt-{uuid.uuid4().hex}"
    when = datetime.now(timezone.utc).replace(microsecond=0)
    request = partner_push(
        setup, f"msg-{event_id}", partner_event(event_id, code, setup["number"], when)
    )
    results = post_concurrently([request] * count)
    _figures(f"{count} identical partner pushes", results)
    _assert_all_2xx(results)
    key = f"msg-{event_id}"
    rows = _messages_done(rpc, setup["partner"], [("message_key", "=", key)])
    assert [(r["state"], r["error"]) for r in rows] == [("done", False)]
    dedupe = f"partner-{setup['partner']}-{event_id}"
    events = rpc(
        "logistics.shipment.event",
        "search_read",
        [("dedupe_key", "=", dedupe)],
        ["shipment_id", "code"],
    )
    assert [(e["shipment_id"][0], e["code"]) for e in events] == [
        (setup["shipment"]["id"], code)
    ]
    shipment = rpc("logistics.shipment", "read", [setup["shipment"]["id"]], ["state"])
    assert shipment[0]["state"] == code
    assert not _drain_jobs_failed(rpc, setup["partner"])
    assert RETRIED not in server_log.text()


@pytest.mark.parametrize("count", [8, 32])
def test_different_pushes_at_once_are_all_applied(setup, rpc, server_log, count):
    """Half partner events of one shipment, half UPS pushes of distinct
    numbers, and each sent twice: all answered 2xx, each applied once."""
    tag = uuid.uuid4().hex[:8]
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    half = count // 2
    partner_ids = [f"dif-{tag}-{i}" for i in range(half // 2)]
    numbers = ["1ZDIF" + uuid.uuid4().hex[:13].upper() for _i in range(half // 2)]
    distinct = [
        partner_push(
            setup,
            f"msg-{event_id}",
            partner_event(
                event_id,
                "arrived_at_facility",
                setup["number"],
                start + timedelta(minutes=i),
            ),
        )
        for i, event_id in enumerate(partner_ids)
    ] + [ups_push(setup, n, "arrived_at_facility", start) for n in numbers]
    requests_ = distinct * 2  # every one twice: distinct and identical together
    assert len(requests_) == count
    results = post_concurrently(requests_)
    _figures(f"{count} different pushes (each twice)", results)
    _assert_all_2xx(results)
    keys = [f"msg-{e}" for e in partner_ids]
    rows = _messages_done(rpc, setup["partner"], [("message_key", "in", keys)])
    assert sorted(r["message_key"] for r in rows) == sorted(keys)
    assert {r["state"] for r in rows} == {"done"}
    prefix = f"partner-{setup['partner']}-"
    recorded = rpc(
        "logistics.shipment.event",
        "search_read",
        [
            ("dedupe_key", "in", [f"{prefix}{e}" for e in partner_ids]),
            ("shipment_id", "=", setup["shipment"]["id"]),
        ],
        ["dedupe_key"],
    )
    assert len(recorded) == len(partner_ids)
    ups_keys = [hashlib.sha256(r[1]).hexdigest() for r in distinct[len(partner_ids) :]]
    rows = _messages_done(rpc, setup["ups"], [("message_key", "in", ups_keys)])
    assert len(rows) == len(numbers) and {r["state"] for r in rows} == {"done"}
    ups_events = rpc(
        "logistics.shipment.event",
        "search_read",
        [("account_id", "=", setup["ups"]), ("tracking_number", "in", numbers)],
        ["tracking_number"],
    )
    assert sorted(e["tracking_number"] for e in ups_events) == sorted(numbers)
    assert not _drain_jobs_failed(rpc, setup["partner"])
    assert RETRIED not in server_log.text()
