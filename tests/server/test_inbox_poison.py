# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Poison messages beside good ones, on a running server (real runner).

A message Python or PostgreSQL cannot take (a date that overflows in UTC, a
NUL character, a number where an object is expected) used to fail the whole
drain job, and every later drain took the same oldest messages and failed
again: the account's inbox stalled. Now each bad message fails alone, with
its reason, and the good ones beside it are applied. The same holds for a
tracking poll whose answer holds such a value.
"""

import http.server
import json
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from support.server_rpc import make_sim_carrier, ship, wait_until

from logistics_carriers import generic_signature

PARTNER_SECRET = "whsec_" + "cG9pc29uLXRlc3QtcGFydG5lci1zZWNyZXQtMzItYnl0ZXM="
DHL_TOKEN = "dhl-push-token-" + uuid.uuid4().hex
UPS_SECRET = "ups-credential-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def setup(odoo_server, rpc, sim):
    account, carrier = make_sim_carrier(rpc, sim, poll_interval=1)
    shipment = ship(rpc, carrier)
    polled = ship(rpc, carrier)  # left alone until the poll test
    tag = uuid.uuid4().hex[:10]
    accounts = {}
    for code, secret in (
        ("generic", PARTNER_SECRET),
        ("dhl", DHL_TOKEN),
        ("ups", UPS_SECRET),
    ):
        accounts[code] = rpc(
            "logistics.carrier.account",
            "create",
            {
                "name": f"Poison {code} {tag}",
                "carrier_code": code,
                "webhook_token": f"{code}-{tag}",
                "webhook_secret": secret,
                "poll_interval": 0,
            },
        )
    # the messages sent together are drained together (one batch)
    previous = rpc(
        "ir.config_parameter", "get_param", "logistics.inbox_batch_delay", "2"
    )
    rpc("ir.config_parameter", "set_param", "logistics.inbox_batch_delay", "4")
    yield {
        "sim_account": account,
        "shipment": shipment,
        "polled": polled,
        "number": shipment["tracking_ref"].split(",")[0],
        "accounts": accounts,
        "url": {
            code: f"{odoo_server.url}/logistics/webhook/{code}/{code}-{tag}"
            for code in accounts
        },
    }
    rpc("ir.config_parameter", "set_param", "logistics.inbox_batch_delay", previous)


def _post(url, body, headers):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _partner(setup, event):
    body = json.dumps(event).encode()
    msg_id = f"msg-{event['event_id']}"
    headers = generic_signature.sign_headers(msg_id, body, PARTNER_SECRET)
    headers["Content-Type"] = "application/json"
    return _post(setup["url"]["generic"], body, headers), msg_id


def _stamp(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _messages(rpc, account):
    return {
        m["message_key"]: m
        for m in rpc(
            "logistics.inbound.message",
            "search_read",
            [("account_id", "=", account)],
            ["message_key", "state", "error_kind", "error", "event_count", "body"],
        )
    }


def _drained(rpc, account, count):
    def done():
        rows = _messages(rpc, account)
        pending = [m for m in rows.values() if m["state"] == "pending"]
        return rows if len(rows) >= count and not pending else None

    return wait_until(done, timeout=90, message="inbox drained")


def _jobs(rpc, account):
    return rpc(
        "queue.job",
        "search_read",
        [("method_name", "=", "_drain"), ("args", "like", f"[{account}]")],
        ["state", "exc_info"],
    )


def _events(rpc, domain):
    return rpc(
        "logistics.shipment.event",
        "search_read",
        domain,
        ["dedupe_key", "code", "raw_description", "location", "shipment_id"],
    )


def test_partner_poison_beside_good_messages(setup, rpc):
    account = setup["accounts"]["generic"]
    number = setup["number"]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    tag = uuid.uuid4().hex[:8]

    def event(name, code, **values):
        return dict(
            {
                "event_id": f"{name}-{tag}",
                "code": code,
                "tracking_number": number,
                "occurred_at": _stamp(now),
            },
            **values,
        )

    sent = [
        event("good-1", "picked_up", occurred_at=_stamp(now - timedelta(hours=2))),
        event("bad-date", "in_transit", occurred_at="0001-01-01T00:00:00+01:00"),
        event("bad-number", "in_transit", tracking_number=f"{number}\u0000X"),
        event("nul-text", "arrived_at_facility", raw_description="Hub\u0000 Kassel"),
        event("good-2", "in_transit", occurred_at=_stamp(now - timedelta(hours=1))),
    ]
    keys = {}
    for item in sent:
        (status, text), keys[item["event_id"].split(f"-{tag}")[0]] = _partner(
            setup, item
        )
        assert status == 200, text
    rows = _drained(rpc, account, len(sent))
    state = {name: rows[key] for name, key in keys.items()}
    # the bad ones: failed, with a reason a supervisor can act on
    assert state["bad-date"]["state"] == "failed"
    assert state["bad-date"]["error_kind"] == "parse"
    assert "out of range" in state["bad-date"]["error"]
    assert state["bad-number"]["state"] == "failed"
    assert "control characters" in state["bad-number"]["error"]
    # nothing lost: the raw message is kept as received
    assert "0001-01-01T00:00:00+01:00" in state["bad-date"]["body"]
    # the good ones (and the cleaned text) applied, once
    for name in ("good-1", "nul-text", "good-2"):
        assert (state[name]["state"], state[name]["event_count"]) == ("done", 1)
    events = _events(rpc, [("dedupe_key", "like", f"partner-{account}-%-{tag}")])
    assert sorted(e["dedupe_key"].split("-", 2)[2] for e in events) == sorted(
        f"{name}-{tag}" for name in ("good-1", "nul-text", "good-2")
    )
    cleaned = next(e for e in events if "nul-text" in e["dedupe_key"])
    assert cleaned["raw_description"] == "Hub Kassel"
    assert {e["shipment_id"][0] for e in events} == {setup["shipment"]["id"]}
    shipment = rpc("logistics.shipment", "read", [setup["shipment"]["id"]], ["state"])
    assert shipment[0]["state"] == "in_transit"
    jobs = _jobs(rpc, account)
    assert jobs and {j["state"] for j in jobs} == {"done"}, jobs

    # a later message is drained: the failed ones are not taken again
    (status, text), key = _partner(
        setup, event("good-3", "out_for_delivery", occurred_at=_stamp(now))
    )
    assert status == 200, text
    rows = _drained(rpc, account, len(sent) + 1)
    assert rows[key]["state"] == "done"
    assert rows[keys["bad-date"]]["state"] == "failed"
    shipment = rpc("logistics.shipment", "read", [setup["shipment"]["id"]], ["state"])
    assert shipment[0]["state"] == "out_for_delivery"
    assert {j["state"] for j in _jobs(rpc, account)} == {"done"}


def test_carrier_pushes_of_the_wrong_json_types(setup, rpc):
    """A DHL push whose ``location`` is a string is applied (the place kept);
    a UPS push whose ``activityStatus`` is a string fails alone; a good UPS
    push in the same batch is applied."""
    tag = uuid.uuid4().hex[:10].upper()
    dhl_number = f"00340434{tag}"
    dhl = {
        "shipments": [
            {
                "id": dhl_number,
                "service": "parcel-de",
                "events": [
                    {
                        "timestamp": "2026-11-20T10:00:00+01:00",
                        "statusCode": "transit",
                        "description": "Die Sendung wurde sortiert.",
                        "location": "Bonn",
                    }
                ],
            }
        ]
    }
    status, text = _post(
        setup["url"]["dhl"],
        json.dumps(dhl).encode(),
        {"Content-Type": "application/json", "X-DHL-Push-Token": DHL_TOKEN},
    )
    assert status == 200, text

    def ups(number, activity_status):
        return {
            "trackingNumber": number,
            "localActivityDate": "20261120",
            "localActivityTime": "101500",
            "activityLocation": {"city": "Atlanta", "country": "US"},
            "activityStatus": activity_status,
            "gmtActivityDate": "20261120",
            "gmtActivityTime": "151500",
            "gmtOffset": "-05:00",
        }

    good = ups(f"1ZGOOD{tag}", {"type": "I", "code": "DP", "description": "Departed"})
    bad = ups(f"1ZBAD{tag}", "I")
    for payload in (bad, good):
        status, text = _post(
            setup["url"]["ups"],
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", "credential": UPS_SECRET},
        )
        assert status == 200, text

    dhl_rows = _drained(rpc, setup["accounts"]["dhl"], 1)
    assert [m["state"] for m in dhl_rows.values()] == ["done"]
    dhl_events = _events(rpc, [("tracking_number", "=", dhl_number)])
    assert [e["location"] for e in dhl_events] == ["Bonn"]

    ups_rows = _drained(rpc, setup["accounts"]["ups"], 2)
    by_number = {json.loads(m["body"])["trackingNumber"]: m for m in ups_rows.values()}
    assert by_number[bad["trackingNumber"]]["state"] == "failed"
    assert "activityStatus" in by_number[bad["trackingNumber"]]["error"]
    assert by_number[good["trackingNumber"]]["state"] == "done"
    assert _events(rpc, [("tracking_number", "=", good["trackingNumber"])])
    for code in ("dhl", "ups"):
        jobs = _jobs(rpc, setup["accounts"][code])
        assert jobs and {j["state"] for j in jobs} == {"done"}, jobs


def test_poll_answer_with_a_nul_is_applied_cleaned(setup, rpc, sim):
    """The tracking poll applies what the carrier answered, cleaned; a NUL
    in a description used to fail the whole poll job."""
    shipment = setup["polled"]
    sim.advance(
        shipment["carrier_shipment_id"],
        "in_transit",
        description="Zustellung\x00 heute",
        push=False,
    )
    cron = rpc(
        "ir.model.data",
        "search_read",
        [
            ("module", "=", "logistics_connector_base"),
            ("name", "=", "cron_poll_tracking"),
        ],
        ["res_id"],
    )[0]["res_id"]
    rpc("ir.cron", "method_direct_trigger", [cron])
    account = setup["sim_account"]

    def poll_done():
        jobs = rpc(
            "queue.job",
            "search_read",
            [
                ("method_name", "=", "_poll_tracking"),
                ("records", "like", f'"ids": [{account}]'),
                ("state", "in", ("done", "failed")),
            ],
            ["state", "exc_info", "result"],
        )
        return jobs or None

    jobs = wait_until(poll_done, timeout=90, message="poll job ended")
    assert [j["state"] for j in jobs] == ["done"], jobs[0]["exc_info"]
    events = _events(
        rpc,
        [("shipment_id", "=", shipment["id"]), ("source", "=", "poll")],
    )
    texts = [e["raw_description"] for e in events]
    assert "Zustellung heute" in texts, texts


class _NulReceiver(http.server.BaseHTTPRequestHandler):
    """A partner endpoint whose answer holds a NUL character."""

    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(json.loads(self.rfile.read(length)))
        body = b"accepted\x00 thanks"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_outbound_delivery_answered_with_a_nul_is_recorded(setup, rpc):
    """The outbound half of the same kind: the receiver's answer holds a NUL.
    It used to fail recording the outcome after the POST was made (the job
    failed, the event was sent again after the lease)."""
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NulReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        sub = rpc(
            "logistics.event.subscription",
            "create",
            {
                "name": f"NUL receiver {uuid.uuid4().hex[:6]}",
                "url": f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                "event_codes": "delivered",
                "environment": "sandbox",  # a loopback receiver
            },
        )
        tag = uuid.uuid4().hex[:8]
        (status, text), _key = _partner(
            setup,
            {
                "event_id": f"delivered-{tag}",
                "code": "delivered",
                "tracking_number": setup["number"],
                "occurred_at": _stamp(datetime.now(timezone.utc)),
                "signatory": "M. Muster",
            },
        )
        assert status == 200, text

        def recorded():
            rows = rpc(
                "logistics.event.delivery",
                "search_read",
                [("subscription_id", "=", sub)],
                ["state", "last_status", "last_response", "attempts"],
            )
            return rows if rows and rows[0]["state"] in ("done", "failed") else None

        rows = wait_until(recorded, timeout=90, message="delivery recorded")
        assert [(r["state"], r["last_status"], r["attempts"]) for r in rows] == [
            ("done", 200, 1)
        ]
        assert rows[0]["last_response"] == "accepted thanks"
        assert len(_NulReceiver.received) == 1  # sent once
        rpc("logistics.event.subscription", "write", [sub], {"active": False})
    finally:
        receiver.shutdown()
