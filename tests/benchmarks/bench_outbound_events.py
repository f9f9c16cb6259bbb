# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound event deliveries per second against a bare sender, like with like.

Run by ``./setup/bench.sh`` (or directly with ODOO_RC and LOGISTICS_BENCH_DB
set). Starts Odoo with 2 workers, the real queue_job runner (warmed first)
and channel root.logistics.outbound_events at capacity 1 (as in production),
then three rounds (``--rounds``) of:

1. baseline: the same N signed JSON bodies (the suite's own payloads) POSTed
   to a local receiver by bare queue jobs of 200 (SEND_BATCH) each, on the
   same channel: one keep-alive session, Standard Webhooks HMAC headers, the
   status checked, nothing else (tests/benchmarks/addons);
2. suite: N tracking events applied through the real apply path (which
   writes the outbox in the same transaction) for one active subscription
   whose URL is the receiver; the runner drains the outbox (claim, signed
   POST, outcome recorded per delivery, 200 per job).

Reports the medians, spread and per-round ratio to the bare sender (no
target: the suite also claims each delivery and records every outcome on a
cursor of its own). Exits 1 when a delivery is missing or arrives twice.
"""

import argparse
import os
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

sys.path.insert(0, HERE)

from benchlib import (  # noqa: E402
    install_baseline,
    interleave,
    median,
    ratios,
    server,
    wait_for,
    warm_runner,
)
from support.bench_report import report, spread, verdict  # noqa: E402
from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

CHANNEL = "root.logistics.outbound_events"
SEND_BATCH = 200  # logistics_event_subscription.SEND_BATCH
STEM = "bench_outbound_events"


class Receiver:
    """Answers 200 at once; records webhook ids and arrival times."""

    def __init__(self):
        self.ids = []
        self.last = 0.0
        self.since = 0.0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real receiver

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.ids.append(self.headers.get("webhook-id"))
                    owner.last = time.time()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def prepare(registry, shipments=20):
    """An account, ``shipments`` shipments with one package each; commit."""
    with registry.cursor() as cr:
        env = _env(cr)
        env["logistics.event.subscription"].search([]).write({"active": False})
        account = env["logistics.carrier.account"].create(
            {
                "name": f"Bench outbound {time.time():.0f}",
                "carrier_code": "sim",
                "api_base_url": "http://127.0.0.1:9",
                "poll_interval": 0,
            }
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Bench outbound carrier {account.id}",
                "delivery_type": "logistics_sim",
                "product_id": env["product.product"]
                .create({"name": "Bench shipping", "type": "service"})
                .id,
                "logistics_account_id": account.id,
                "logistics_service_code": "SIM_STD",
            }
        )
        partner = env["res.partner"].create({"name": "Bench outbound customer"})
        ptype = env["stock.warehouse"].search([], limit=1).out_type_id
        pickings = env["stock.picking"].create(
            [
                {
                    "partner_id": partner.id,
                    "picking_type_id": ptype.id,
                    "location_id": ptype.default_location_src_id.id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                    "carrier_id": carrier.id,
                }
                for _ in range(shipments)
            ]
        )
        records = env["logistics.shipment"].create(
            [
                {
                    "picking_id": picking.id,
                    "carrier_id": carrier.id,
                    "account_id": account.id,
                    "idempotency_key": f"bench-out-{account.id}-{picking.id}",
                    "state": "label_created",
                    "package_ids": [
                        (0, 0, {"tracking_number": f"BOUT{account.id}X{picking.id}"})
                    ],
                }
                for picking in pickings
            ]
        )
        cr.commit()
        return account.id, records.mapped("package_ids.tracking_number")


def received(receiver, n, timeout):
    """Wait for ``n`` deliveries; seconds from ``receiver.since`` to the last."""
    wait_for(lambda: len(receiver.ids) >= n, timeout, f"{n} deliveries")
    time.sleep(1.0)  # anything arriving twice arrives now
    with receiver.lock:
        ids = list(receiver.ids)
        receiver.ids.clear()
    if len(ids) != n or len(set(ids)) != n:
        raise SystemExit(
            f"{n} deliveries expected: {len(ids)} received, {len(set(ids))} unique"
        )
    return receiver.last - receiver.since


def bare_round(registry, receiver, messages, secret, timeout):
    """Baseline: the same bodies sent by bare jobs of SEND_BATCH each."""
    with registry.cursor() as cr:
        env = _env(cr)
        row = env["logistics.bench.row"]
        for chunk in range(0, len(messages), SEND_BATCH):
            batch = [
                [f"bare-{time.time_ns()}-{i}", payload]
                for i, payload in enumerate(messages[chunk : chunk + SEND_BATCH])
            ]
            row.with_delay(channel=CHANNEL)._bench_post(receiver.url, batch, secret)
        cr.commit()
        receiver.since = time.time()
    return len(messages) / received(receiver, len(messages), timeout)


def suite_round(registry, receiver, account_id, numbers, n, offset, timeout):
    """Suite: n events applied (outbox written), drained by the runner."""
    from logistics_carriers import TrackingEvent

    codes = ["picked_up", "in_transit", "arrived_at_facility", "info"]
    base = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    events = [
        TrackingEvent(
            tracking_number=numbers[i % len(numbers)],
            code=codes[i % len(codes)],
            raw_code="X",
            description="bench",
            occurred_at=base + timedelta(seconds=i),
            carrier_event_id=f"bench-{account_id}-{i}",
        )
        for i in range(offset, offset + n)
    ]
    with registry.cursor() as cr:
        env = _env(cr)
        account = env["logistics.carrier.account"].browse(account_id)
        for chunk in range(0, n, 500):
            env["logistics.shipment.event"]._apply_tracking_events(
                account, events[chunk : chunk + 500]
            )
        cr.commit()
        receiver.since = time.time()
    return n / received(receiver, n, timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 2000)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    install_baseline(dbname)
    registry = odoo.registry(dbname)
    suite_receiver, bare_receiver = Receiver(), Receiver()
    channels = f"root:2,root.logistics:2,{CHANNEL}:1"
    try:
        with server(odoo.tools.config.rcfile, dbname, 2, channels):
            warm_runner(registry, _env, CHANNEL)
            account_id, numbers = prepare(registry)
            with registry.cursor() as cr:
                sub = _env(cr)["logistics.event.subscription"].create(
                    {
                        "name": f"Bench receiver {account_id}",
                        "url": suite_receiver.url,
                        "environment": "sandbox",  # a loopback receiver
                    }
                )
                sub_id, secret = sub.id, sub.sudo().secret
                cr.commit()
            # warm-up of the suite's path; its payloads are the baseline's bodies
            suite_round(registry, suite_receiver, account_id, numbers, SEND_BATCH,
                        0, args.timeout)  # fmt: skip
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT payload FROM logistics_event_delivery "
                    "WHERE subscription_id = %s ORDER BY id",
                    (sub_id,),
                )
                payloads = [row[0] for row in cr.fetchall()]
            messages = [payloads[i % len(payloads)] for i in range(args.n)]
            size = sum(map(len, payloads)) / len(payloads)
            print(f"payloads: {len(payloads)} of the suite, {size:.0f} bytes on "
                  "average", flush=True)  # fmt: skip
            offsets = iter(range(SEND_BATCH, 10**9, args.n))
            res = interleave(
                args.rounds,
                [
                    ("bare sender", lambda: bare_round(
                        registry, bare_receiver, messages, secret, args.timeout)),
                    ("suite", lambda: suite_round(
                        registry, suite_receiver, account_id, numbers, args.n,
                        next(offsets), args.timeout)),
                ],
            )  # fmt: skip
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT state, count(*) FROM logistics_event_delivery "
                    "WHERE subscription_id = %s GROUP BY state",
                    (sub_id,),
                )
                states = dict(cr.fetchall())
                _env(cr)["logistics.event.subscription"].browse(sub_id).active = False
                cr.commit()
    finally:
        suite_receiver.close()
        bare_receiver.close()
    bare, suite = res["bare sender"], res["suite"]
    per_round = ratios(suite, bare)
    for name, rates in res.items():
        print(f"{name}: " + ", ".join(f"{r:.1f}" for r in rates) + " deliveries/s",
              flush=True)  # fmt: skip
    print(f"suite deliveries by state: {states}", flush=True)
    report(STEM, "bare sender (jobs of 200 signed POSTs)", median(bare),
           "deliveries/s", spread=spread(bare, "{:.1f}"),
           target="baseline")  # fmt: skip
    # issue 19 sets no target for this ratio: reported, not checked
    report(STEM, "outbound event deliveries", median(suite), "deliveries/s",
           baseline=median(bare), ratio=median(per_round),
           spread=f"{spread(suite, '{:.1f}')} (ratio {spread(per_round, '{:.2f}')})",
           target="reported (no target)")  # fmt: skip
    return verdict(STEM)


if __name__ == "__main__":
    sys.exit(main())
