# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzz the webhook endpoint of a running server: 0 answered 5xx, 0 applied.

Every body is a mutation of a valid push (partner canonical event, UPS Track
Alert, DHL tracking push) that breaks something the suite must refuse:
bytes that are not JSON or not UTF-8, truncated or deeply nested JSON, wrong
top-level and field types, dates that overflow, NUL and control characters,
lone surrogates, oversized bodies, wrong signatures. All are authenticated
as the carrier would (but those meant to fail authentication), so they go as
far as they can: refused with a 4xx by the controller, or stored and then
failed with a reason by the drain job. None may be answered 5xx, none may
record a tracking event.

As a benchmark (starts its own server on the database of ODOO_RC, like
./setup/bench.sh)::

    python tests/fuzz_webhooks.py --count 10000 [--concurrency 8] [--seed 1]

or against a running server: ``--url http://host:port --db NAME``. The
real-server test ``tests/server/test_webhook_fuzz.py`` runs 500.
"""

import argparse
import collections
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

PARTNER_SECRET = "whsec_" + "ZnV6ei1wYXJ0bmVyLXNlY3JldC0zMi1ieXRlcy1sb25nLi4="
DHL_TOKEN = "dhl-fuzz-token"
UPS_SECRET = "ups-fuzz-credential"


# -- accounts to fuzz (over XML-RPC) --------------------------------------------
def make_targets(rpc, base_url):
    """Fresh partner, UPS and DHL accounts: {carrier: (account id, url)}."""
    tag = uuid.uuid4().hex[:10]
    targets = {}
    for code, secret in (
        ("generic", PARTNER_SECRET),
        ("ups", UPS_SECRET),
        ("dhl", DHL_TOKEN),
    ):
        account = rpc(
            "logistics.carrier.account",
            "create",
            {
                "name": f"Fuzz {code} {tag}",
                "carrier_code": code,
                "webhook_token": f"fuzz-{code}-{tag}",
                "webhook_secret": secret,
                "poll_interval": 0,
            },
        )
        url = f"{base_url}/logistics/webhook/{code}/fuzz-{code}-{tag}"
        targets[code] = (account, url)
    return targets


# -- valid pushes, then what breaks them -------------------------------------------
def _partner_event(rnd):
    return {
        "event_id": f"fz-{rnd.getrandbits(48):x}",
        "code": rnd.choice(["picked_up", "in_transit", "delivered"]),
        "tracking_number": f"FZ{rnd.getrandbits(40):X}",
        "occurred_at": "2026-11-20T08:00:00Z",
        "location": "Hamburg",
    }


def _ups_alert(rnd):
    return {
        "trackingNumber": f"1ZFZ{rnd.getrandbits(48):X}",
        "localActivityDate": "20261120",
        "localActivityTime": "101500",
        "activityLocation": {"city": "Atlanta", "country": "US"},
        "activityStatus": {"type": "I", "code": "DP", "description": "Departed"},
        "gmtActivityDate": "20261120",
        "gmtActivityTime": "151500",
        "gmtOffset": "-05:00",
    }


def _dhl_push(rnd):
    return {
        "shipments": [
            {
                "id": f"0034043{rnd.getrandbits(40)}",
                "service": "parcel-de",
                "events": [
                    {
                        "timestamp": "2026-11-20T10:00:00+01:00",
                        "statusCode": "transit",
                        "description": "sortiert",
                        "location": {"address": {"addressLocality": "Bonn"}},
                    }
                ],
            }
        ]
    }


WRONG_TYPES = [None, 0, -1, 1e308, True, [], [1, 2], {}, {"a": 1}, ""]
BAD_TEXT = ["", " ", "\u0000", "A\u0000B", "\u0001\u001f", "\x7f", "\ud800", "\t"]
BAD_DATES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "1800-01-01T00:00:00Z",
    "2026-13-45T00:00:00Z",
    "2026-11-20T25:61:00Z",
    "2026-11-20",
    "yesterday",
    "",
    "\u0000",
]


def _break_partner(rnd, event):
    """The ways a canonical event is refused or fails (never applied)."""
    how = rnd.randrange(5)
    if how == 0:
        event["code"] = rnd.choice([*WRONG_TYPES, "teleported", "DELIVERED", "\u0000"])
    elif how == 1:
        event["occurred_at"] = rnd.choice([*WRONG_TYPES, *BAD_DATES])
    elif how == 2:
        event["tracking_number"] = rnd.choice([*WRONG_TYPES, *BAD_TEXT])
    elif how == 3:
        event["event_id"] = rnd.choice([None, "", [], {}])
    else:
        del event[rnd.choice(["code", "occurred_at", "tracking_number", "event_id"])]
    return event


def _break_ups(rnd, alert):
    if rnd.randrange(2):
        alert["trackingNumber"] = rnd.choice([*WRONG_TYPES, *BAD_TEXT])
    else:
        alert["activityStatus"] = rnd.choice(
            [*WRONG_TYPES, "D", {"description": "no code"}, {"type": None}]
        )
    return alert


def _break_dhl(rnd, push):
    shipment = push["shipments"][0]
    how = rnd.randrange(4)
    if how == 0:
        push["shipments"] = rnd.choice([None, 1, "x", {"id": "1"}, [1], [None]])
    elif how == 1:
        shipment["id"] = rnd.choice([None, "", "\u0000", "0034\u0000X", "A\u0001"])
    elif how == 2:
        shipment["events"] = rnd.choice([1, "x", {"timestamp": 1}, [None], [1]])
    else:
        shipment["events"][0]["timestamp"] = rnd.choice(
            [None, "", 0, [], *BAD_DATES[:5]]
        )
    return push


def _nested(depth):
    return ("[" * depth + "]" * depth).encode()


def signed(body, carrier, msg_id, bad_auth=False):
    """Headers as the carrier sends them, signed now (a partner signature
    is only valid for a few minutes)."""
    from logistics_carriers import generic_signature

    headers = {"Content-Type": "application/json"}
    if carrier == "generic":
        secret = "whsec_d3Jvbmc=" if bad_auth else PARTNER_SECRET
        headers.update(generic_signature.sign_headers(msg_id, body, secret))
    elif carrier == "ups":
        headers["credential"] = "wrong" if bad_auth else UPS_SECRET
    else:
        headers["X-DHL-Push-Token"] = "wrong" if bad_auth else DHL_TOKEN
    return headers


VALID = {"generic": _partner_event, "ups": _ups_alert, "dhl": _dhl_push}
BREAK = {"generic": _break_partner, "ups": _break_ups, "dhl": _break_dhl}


def fuzz_requests(targets, count, seed=0):
    """``count`` requests ``(kind, url, body, how to sign)``, reproducible by
    seed; ``signed(body, *how)`` gives the headers when it is sent."""
    rnd = random.Random(seed)
    carriers = sorted(targets)
    for _index in range(count):
        carrier = rnd.choice(carriers)
        _account, url = targets[carrier]
        valid = VALID[carrier](rnd)
        kind = rnd.choices(
            ["field", "bytes", "truncated", "toplevel", "nested", "encoding",
             "huge", "empty", "auth", "batch"],
            weights=[40, 8, 8, 8, 5, 8, 2, 3, 8, 10],
        )[0]  # fmt: skip
        if kind == "field":
            body = json.dumps(BREAK[carrier](rnd, valid)).encode()
        elif kind == "bytes":
            body = rnd.randbytes(rnd.randrange(1, 300))
        elif kind == "truncated":
            text = json.dumps(valid).encode()
            body = text[: rnd.randrange(1, len(text) - 1)]
        elif kind == "toplevel":
            body = json.dumps(
                rnd.choice([1, "x", None, True, [1, 2], [], 1.5])
            ).encode()
        elif kind == "nested":
            body = _nested(rnd.choice([1000, 5000, 100000]))
        elif kind == "encoding":
            text = json.dumps(BREAK[carrier](rnd, valid))
            body = text.encode()[:-2] + rnd.choice(
                [b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80"]
            )
            body += b"}"
        elif kind == "huge":
            body = b'{"pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'
        elif kind == "empty":
            body = rnd.choice([b"", b" ", b"\n\n"])
        elif kind == "auth":
            body = json.dumps(valid).encode()  # valid, but not authenticated
        else:  # a batch: good-looking events and one broken (the message fails)
            if carrier == "generic":
                events = [_partner_event(rnd) for _i in range(rnd.randrange(1, 5))]
                events.append(_break_partner(rnd, _partner_event(rnd)))
                rnd.shuffle(events)
                body = json.dumps({"events": events}).encode()
            else:
                body = json.dumps(BREAK[carrier](rnd, valid)).encode()
        msg_id = f"fz-{rnd.getrandbits(64):x}"
        yield kind, url, body, (carrier, msg_id, kind == "auth")


def _post(url, body, headers, timeout=60):
    request = urllib.request.Request(url, data=body, headers=headers)
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status = answer.status
            answer.read()
    except urllib.error.HTTPError as err:
        status = err.code
        err.read()
    except OSError:
        status = 0  # no answer at all: counted with the 5xx
    return status, time.monotonic() - start


def run(targets, count, seed=0, concurrency=8):
    """Send ``count`` fuzzed requests; figures (statuses, 5xx, rate, p50/p99)."""
    queue = list(fuzz_requests(targets, count, seed))
    lock = threading.Lock()
    statuses = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    seconds = []
    bad = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                kind, url, body, how = queue.pop()
            status, took = _post(url, body, signed(body, *how))
            if status == 0 and kind == "huge":
                # refused on its Content-Length before being read: the client
                # may see the connection close while it still sends
                status = "closed_unread"
            with lock:
                statuses[status] += 1
                by_kind[kind][status] += 1
                seconds.append(took)
                if status == 0 or (isinstance(status, int) and status >= 500):
                    bad.append((kind, status, body[:200]))

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    seconds.sort()
    return {
        "requests": count,
        "statuses": {str(s): n for s, n in sorted(statuses.items(), key=str)},
        "by_kind": {
            k: {str(s): n for s, n in v.items()} for k, v in sorted(by_kind.items())
        },
        "answered_5xx": len(bad),
        "failures": bad[:10],
        "seconds": round(elapsed, 2),
        "rate": round(count / elapsed, 1) if elapsed else 0.0,
        "p50": round(statistics.median(seconds), 4) if seconds else 0.0,
        "p99": round(seconds[int(len(seconds) * 0.99) - 1], 4) if seconds else 0.0,
    }


def outcome(rpc, targets, timeout=600):
    """Once the inbox is drained: messages per state, events recorded (must
    be 0) and failed drain jobs (must be none)."""
    accounts = [account for account, _url in targets.values()]
    deadline = time.time() + timeout
    while True:
        pending = rpc(
            "logistics.inbound.message",
            "search_count",
            [("account_id", "in", accounts), ("state", "=", "pending")],
        )
        if not pending or time.time() > deadline:
            break
        time.sleep(1)
    states = collections.Counter(
        m["state"]
        for m in rpc(
            "logistics.inbound.message",
            "search_read",
            [("account_id", "in", accounts)],
            ["state"],
        )
    )
    events = rpc(
        "logistics.shipment.event", "search_count", [("account_id", "in", accounts)]
    )
    failed_jobs = [
        job
        for account in accounts
        for job in rpc(
            "queue.job",
            "search_read",
            [
                ("method_name", "=", "_drain"),
                ("args", "like", f"[{account}]"),
                ("state", "!=", "done"),
            ],
            ["state", "exc_info"],
        )
    ]
    return {
        "messages": dict(states),
        "events_applied": events,
        "drain_jobs_not_done": len(failed_jobs),
        "drain_job_errors": [j["exc_info"] for j in failed_jobs][:3],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="a running server (else one is started)")
    parser.add_argument("--db", help="its database (with --url)")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    from support.odoo_server import OdooRPC, OdooServer, load_config

    config = load_config()  # also makes odoo.addons importable
    server = None
    if args.url:
        url, dbname = args.url.rstrip("/"), args.db or config["db_name"]
    else:
        server = OdooServer(
            config.rcfile,
            config["db_name"],
            channels="root:2,root.logistics.inbound:1",
        ).start()
        url, dbname = server.url, config["db_name"]
    try:
        rpc = OdooRPC(url, dbname, args.login, args.password)
        targets = make_targets(rpc, url)
        figures = run(targets, args.count, args.seed, args.concurrency)
        figures.update(outcome(rpc, targets))
        if server:
            figures["server_log_errors"] = len(server.error_lines())
        print(json.dumps(figures, indent=2))
        ok = (
            figures["answered_5xx"] == 0
            and figures["events_applied"] == 0
            and figures["drain_jobs_not_done"] == 0
            and not figures.get("server_log_errors")
        )
        return 0 if ok else 1
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
