# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook ingestion and inbox processing, against baselines in the same run.

1. Ingestion: signed webhooks POSTed to ``/logistics/webhook/sim/<token>``
   (verify + durable insert + pending drain job) against a bare public Odoo
   controller doing one ORM insert (``tests/benchmarks/addons``), same server
   (2 workers, fixed db_name), concurrency 8 and 32. Throughput, p50, p99 and
   the ratio (target >= 0.8).
2. Apply: N messages already in the inbox drained to events by the real
   queue_job runner (one job per account and batch). Messages/s and events/s
   (target >= 250 messages/s); for scale, one job per message could not
   exceed the runner's no-op job rate (~30-100 jobs/s here).
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import types
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from support.bench_report import report  # noqa: E402
from support.odoo_server import (  # noqa: E402
    OdooServer,
    load_config,
    odoo_command,
)

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def install_baseline(dbname):
    with odoo.registry(dbname).cursor() as cr:
        cr.execute(
            "SELECT state FROM ir_module_module WHERE name = 'logistics_bench_baseline'"
        )
        row = cr.fetchone()
    if row and row[0] == "installed":
        return
    addons = odoo.tools.config["addons_path"]
    subprocess.run(
        [*odoo_command(), "-c", odoo.tools.config.rcfile, "-d", dbname,
         "--addons-path", addons, "-i", "logistics_bench_baseline",
         "--stop-after-init", "--no-http", "--log-level", "warn"],
        check=True,
    )  # fmt: skip


def prepare_account(registry, shipments):
    """An account and ``shipments`` label-created shipments with packages."""
    from bench_dispatch import prepare

    # no carrier is called: the shipments are marked sent below
    nowhere = types.SimpleNamespace(url="http://127.0.0.1:9")
    picking_ids = prepare(registry, "sim", nowhere, shipments)
    with registry.cursor() as cr:
        env = _env(cr)
        pickings = env["stock.picking"].browse(picking_ids)
        carrier = pickings[:1].carrier_id
        account = carrier.logistics_account_id
        account.write(
            {"webhook_token": f"bench-{uuid.uuid4().hex}", "webhook_secret": "bench"}
        )
        shipment_model = env["logistics.shipment"]
        vals = []
        for index, picking in enumerate(pickings):
            number = f"SIMBENCH{account.id:04d}{index:06d}"
            vals.append(
                dict(
                    shipment_model._prepare_vals(picking, carrier, 1),
                    state="label_created",
                    carrier_shipment_id=f"S{number}",
                    tracking_ref=number,
                    package_ids=[(0, 0, {"tracking_number": number})],
                )
            )
        shipments = shipment_model.create(vals)
        cr.commit()
        return account.id, account.webhook_token, shipments.mapped("tracking_ref")


def load(url, bodies, headers_for, concurrency):
    """POST every body with ``concurrency`` keep-alive clients."""
    latencies, statuses = [], []
    lock = threading.Lock()
    queue = list(bodies)

    def worker():
        # one connection per request, as carriers' webhook senders do (Odoo's
        # prefork workers close idle keep-alive connections after 2 s)
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            headers = dict(headers_for(body), Connection="close")
            start = time.perf_counter()
            try:
                status = requests.post(url, data=body, headers=headers, timeout=60)
                status = status.status_code
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "ok": sum(1 for s in statuses if 200 <= s < 300),
        "n": len(latencies),
    }


def drain_time(registry, account_id, expected, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FILTER (WHERE state <> 'pending'), "
                "min(received_at), max(processed_at) "
                "FROM logistics_inbound_message WHERE account_id = %s",
                (account_id,),
            )
            done, first, last = cr.fetchone()
        if done >= expected:
            return first, last
        time.sleep(0.3)
    raise SystemExit(f"inbox not drained within {timeout}s ({done}/{expected})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--shipments", type=int, default=200)
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    install_baseline(dbname)
    registry = odoo.registry(dbname)
    from odoo.addons.logistics_connector_base.simulator.server import (
        sign_webhook,
        webhook_body,
    )

    print(f"preparing {args.shipments} shipments ...", flush=True)
    account_id, token, numbers = prepare_account(registry, args.shipments)

    def webhook(index):
        number = numbers[index % len(numbers)]
        return webhook_body(
            [{"tracking_number": number, "status": "in_transit",
              "event_id": f"ev-{uuid.uuid4().hex}", "location": "Hub"}],
            message_id=uuid.uuid4().hex,
        )  # fmt: skip

    channels = "root:2,root.logistics:2,root.logistics.inbound:1"
    results = {}
    with OdooServer(
        odoo.tools.config.rcfile, dbname, workers=2, channels=channels
    ) as server:
        ours = f"{server.url}/logistics/webhook/sim/{token}"
        bare = f"{server.url}/logistics_bench/bare"
        plain = {"Content-Type": "application/json"}

        def signed(body):
            return dict(plain, **{"X-Sim-Signature": sign_webhook("bench", body)})

        # warm up both paths (registry, connections)
        load(bare, [webhook(i) for i in range(50)], lambda b: plain, 4)
        load(ours, [webhook(i) for i in range(50)], signed, 4)
        for concurrency in (8, 32):
            bodies = [webhook(i) for i in range(args.requests)]
            base = load(bare, bodies, lambda b: plain, concurrency)
            bodies = [webhook(i) for i in range(args.requests)]
            mine = load(ours, bodies, signed, concurrency)
            results[concurrency] = (base, mine)
            print(
                f"c={concurrency:<3} bare controller: {base['rps']:7.1f} req/s "
                f"p50 {base['p50']:6.1f} ms p99 {base['p99']:7.1f} ms | "
                f"webhook: {mine['rps']:7.1f} req/s p50 {mine['p50']:6.1f} ms "
                f"p99 {mine['p99']:7.1f} ms ({mine['ok']}/{mine['n']} accepted) | "
                f"ratio {mine['rps'] / base['rps']:.2f}",
                flush=True,
            )
        # wait for the webhooks' own drain jobs, then the apply benchmark
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM logistics_inbound_message WHERE account_id = %s",
                (account_id,),
            )
            received = cr.fetchone()[0]
        drain_time(registry, account_id, received, args.timeout)

        print(f"queueing {args.messages} messages in the inbox ...", flush=True)
        with registry.cursor() as cr:
            rows = [
                (account_id, uuid.uuid4().hex, webhook(i).decode())
                for i in range(args.messages)
            ]
            cr.execute(
                """
                INSERT INTO logistics_inbound_message
                    (account_id, message_key, body, headers, source, state,
                     received_at, attempts, create_date, write_date)
                SELECT a, k, b, '{}', 'webhook', 'pending',
                       now() at time zone 'UTC', 0,
                       now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int[], %s::varchar[], %s::text[]) AS t(a, k, b)
                """,
                tuple(map(list, zip(*rows, strict=True))),
            )
            env = _env(cr)
            env["logistics.inbound.message"]._ensure_drain_job(account_id)
            cr.commit()
            t0 = time.time()
        drain_time(registry, account_id, received + args.messages, args.timeout)
        seconds = time.time() - t0
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM logistics_inbound_message "
                "WHERE account_id = %s AND state = 'done'",
                (account_id,),
            )
            done = cr.fetchone()[0]
        rate = args.messages / seconds
        print(
            f"apply: {args.messages} messages in {seconds:.1f} s = {rate:.0f} "
            f"messages/s = {rate:.0f} events/s ({done} done in all)",
            flush=True,
        )
    for concurrency, (base, mine) in sorted(results.items()):
        report(
            "bench_webhook",
            f"webhooks accepted, concurrency {concurrency}",
            mine["rps"],
            "req/s",
            baseline=base["rps"],
            ratio=mine["rps"] / base["rps"],
            target="ratio >= 0.80 vs bare controller",
        )
    report(
        "bench_webhook",
        "inbox applied (batch drain, real runner)",
        rate,
        "messages/s",
        target=">= 250 messages/s",
    )


if __name__ == "__main__":
    main()
