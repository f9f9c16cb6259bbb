# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound event deliveries per second vs no-op queue jobs, in the same run.

Run by ``./setup/bench.sh`` (or directly with ODOO_RC and LOGISTICS_BENCH_DB
set). It starts Odoo with 2 workers and the real queue_job runner, then:

1. baseline: N no-op queue jobs on channel root.logistics.outbound_events;
2. suite: N tracking events applied through the real apply path (which writes
   the outbox in the same transaction) for one active event subscription
   whose URL is a local HTTP receiver in this process; the runner drains the
   outbox (signed POSTs, one job sending many deliveries).

Prints both rates, the ratio (target >= 1.0: batched sending must beat one
job per delivery) and BENCH-RESULT lines. Fails when a delivery is missing
or arrives twice.
"""

import argparse
import json
import os
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from support.odoo_server import OdooServer, load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

CHANNEL = "root.logistics.outbound_events"
STEM = "bench_outbound_events"


class Receiver:
    """Answers 200 at once; records webhook ids and arrival times."""

    def __init__(self):
        self.ids = []
        self.last = 0.0
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


def drain_noop(registry, n, timeout):
    with registry.cursor() as cr:
        env = _env(cr)
        user = env["res.users"].browse(SUPERUSER_ID)
        cr.execute("SELECT COALESCE(max(id), 0) FROM queue_job")
        first = cr.fetchone()[0]
        for _ in range(n):
            user.with_delay(channel=CHANNEL).exists()
        cr.commit()
    start = time.time()
    deadline = start + timeout
    while time.time() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FILTER (WHERE state IN ('done', 'failed')), "
                "max(date_done) FROM queue_job "
                "WHERE id > %s AND method_name = 'exists'",
                (first,),
            )
            done, _last = cr.fetchone()
        if done >= n:
            return time.time() - start
        time.sleep(0.1)
    raise SystemExit(f"no-op jobs not drained within {timeout}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 2000)))
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    from odoo.addons.logistics_connector_base.adapters import TrackingEvent

    receiver = Receiver()
    channels = f"root:2,root.logistics:2,{CHANNEL}:2"
    try:
        with OdooServer(odoo.tools.config.rcfile, dbname, workers=2, channels=channels):
            # 1. baseline: no-op jobs on the same channel and runner
            seconds = drain_noop(registry, args.n, args.timeout)
            noop_rate = args.n / seconds
            print(
                f"no-op jobs:          {args.n} in {seconds:.1f} s = "
                f"{noop_rate:.1f} jobs/s",
                flush=True,
            )
            # 2. N events applied (outbox written), drained to the receiver
            account_id, numbers = prepare(registry)
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
                for i in range(args.n)
            ]
            with registry.cursor() as cr:
                env = _env(cr)
                sub = env["logistics.event.subscription"].create(
                    {
                        "name": f"Bench receiver {account_id}",
                        "url": receiver.url,
                        "environment": "sandbox",
                    }
                )
                account = env["logistics.carrier.account"].browse(account_id)
                t0 = time.time()
                for chunk in range(0, args.n, 500):
                    env["logistics.shipment.event"]._apply_tracking_events(
                        account, events[chunk : chunk + 500]
                    )
                apply_seconds = time.time() - t0
                cr.execute(
                    "SELECT count(*) FROM logistics_event_delivery "
                    "WHERE subscription_id = %s",
                    (sub.id,),
                )
                queued = cr.fetchone()[0]
                cr.commit()
                start = time.time()
                sub_id = sub.id
            print(
                f"apply + outbox:      {args.n} events, {queued} deliveries queued "
                f"in {apply_seconds:.1f} s",
                flush=True,
            )
            deadline = start + args.timeout
            while time.time() < deadline:
                with receiver.lock:
                    got = len(receiver.ids)
                if got >= queued:
                    break
                time.sleep(0.1)
            time.sleep(1.0)  # anything arriving twice arrives now
            seconds = receiver.last - start
            rate = queued / max(seconds, 1e-6)
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
        receiver.close()
    ids = list(receiver.ids)
    print(
        f"outbound deliveries: {len(ids)} received in {seconds:.1f} s = "
        f"{rate:.1f} deliveries/s (unique {len(set(ids))}, states {states})",
        flush=True,
    )
    ratio = rate / noop_rate
    print(
        f"RESULT outbound_ratio={ratio:.2f} (target >= 1.0) "
        f"noop_jobs_per_s={noop_rate:.1f} deliveries_per_s={rate:.1f}",
        flush=True,
    )
    for metric, value, unit, baseline, ratio_value in (
        ("noop_jobs_per_s", noop_rate, "jobs/s", None, None),
        ("deliveries_per_s", rate, "deliveries/s", noop_rate, ratio),
    ):
        line = {
            "bench": STEM,
            "metric": metric,
            "value": round(value, 2),
            "unit": unit,
            "baseline": round(baseline, 2) if baseline else None,
            "ratio": round(ratio_value, 3) if ratio_value else None,
            "target": ">= 1.0 x no-op job rate" if ratio_value else "baseline",
        }
        print("BENCH-RESULT " + json.dumps(line), flush=True)
    if len(ids) != queued or len(set(ids)) != len(ids):
        raise SystemExit("a delivery is missing or arrived twice")


if __name__ == "__main__":
    main()
