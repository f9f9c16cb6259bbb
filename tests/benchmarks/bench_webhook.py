# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook ingestion (UPS Track Alert pushes) against a bare controller.

Load from wrk (a native load generator; ./setup/bench.sh installs it) with
tests/benchmarks/wrk_ups_push.lua; only 2xx answers count as throughput,
the others are reported. Odoo runs as ./setup/run.sh configures it (4
workers: 2 for HTTP beside the job channels' capacity 2; ``--workers``), the
real queue_job runner and ``db_name`` alone (no dbfilter, see benchlib.server).

1. Unique pushes, c=8 and c=32: every request a new push (a prepared
   shipment's tracking number, an activity time used once) to
   ``/logistics/webhook/ups/<token>`` (verify + durable insert + pending
   drain job) against the bare controller of tests/benchmarks/addons (parse
   the JSON body, one ORM insert) with the same bodies. Three rounds, bare
   and suite interleaved, the inbox drained before each run; medians and
   spread. Targets: >= 0.9x the bare 2xx/s, p99 <= 1.5x the bare p99.
2. Identical pushes (a carrier's retries), c=8, in the same rounds: targets
   >= 0.9x the unique-push 2xx/s, p99 <= 1.5x the bare p99, 0 answers other
   than 2xx.
3. Sustained, end to end: unique pushes at c=8 for 60 s (offered as fast as
   the suite answers, i.e. about the bare controller's rate) while the drain
   applies them; the inbox is sampled every 0.5 s. Targets: ingestion >= 0.9x
   the bare rate, backlog bounded (max age <= 30 s, empty within 30 s of the
   end of the load), the drain applies >= 1,000 events/s while it runs.
4. Scale-out (reported, no target): 1 and 3 at 2 workers (--scale-workers).

Exits 1 naming each missed target.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
import types
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from benchlib import (  # noqa: E402
    UPS_PUSH_LUA,
    CpuMeter,
    describe,
    install_baseline,
    interleave,
    median,
    ratios,
    server,
    wait_for,
    wrk,
    wrk_binary,
)
from support.bench_report import check, report, spread, verdict  # noqa: E402
from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

BENCH = "bench_webhook"
CHANNELS = "root:2,root.logistics:2,root.logistics.inbound:1"
CREDENTIAL = "bench-ups-credential-" + "x" * 24
# what every push carries (Track Alert v2): "Authorization: Bearer <token>"
# and "x-api-key: <client id>"; set once the account exists
AUTH = []


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def prepare_account(registry, shipments):
    """A UPS account (webhook credential set) and label-created shipments."""
    from bench_dispatch import prepare

    # no carrier is called: the shipments are marked label-created below
    nowhere = types.SimpleNamespace(
        url="http://127.0.0.1:9",
        account_values=lambda: {
            "base_url": "http://127.0.0.1:9",
            "client_id": "bench",
            "client_secret": "bench",
            "account_number": "BENCH1",
        },
    )
    picking_ids = prepare(registry, "ups", nowhere, shipments)
    with registry.cursor() as cr:
        env = _env(cr)
        pickings = env["stock.picking"].browse(picking_ids)
        carrier = pickings[:1].carrier_id
        account = carrier.logistics_account_id
        account.write(
            {"webhook_token": f"bench-{uuid.uuid4().hex}", "webhook_secret": CREDENTIAL}
        )
        shipment_model = env["logistics.shipment"]
        vals = []
        for index, picking in enumerate(pickings):
            number = f"1ZBENCH{account.id:03d}{index:08d}"
            vals.append(
                dict(
                    shipment_model._prepare_vals(picking, carrier, 1),
                    state="label_created",
                    carrier_shipment_id=number,
                    tracking_ref=number,
                    package_ids=[(0, 0, {"tracking_number": number})],
                )
            )
        records = shipment_model.create(vals)
        cr.commit()
        # UPS obtains its token from the account's token endpoint once an hour
        # (logistics_carrier_ups/controllers/ups_oauth.py); the same token,
        # issued here, is what every push of the run carries
        from logistics_carriers.ups import issue_push_token

        client_id = account.ups_oauth_client_id
        token, _ttl = issue_push_token(client_id, CREDENTIAL, ttl=6 * 3600)
        AUTH[:] = [f"Bearer {token}", client_id]
        return account.id, account.webhook_token, records.mapped("tracking_ref")


def with_ratios(values, per_round):
    """Spread of the rounds' values and of their ratios to the baseline."""
    return f"{spread(values)} (ratio {spread(per_round, '{:.2f}')})"


class Inbox:
    """The account's inbox, read on a cursor of its own."""

    def __init__(self, registry, account_id):
        self.registry, self.account_id = registry, account_id

    def query(self, sql, params=()):
        with self.registry.cursor() as cr:
            cr.execute(sql, (self.account_id, *params))
            return cr.fetchone()

    def pending(self):
        """(pending messages, age in s of the oldest one)."""
        return self.query(
            "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM "
            "(now() at time zone 'UTC') - min(received_at)), 0) "
            "FROM logistics_inbound_message WHERE account_id = %s "
            "AND state = 'pending'"
        )

    def drained(self, timeout=600):
        wait_for(lambda: self.pending()[0] == 0, timeout, "draining the inbox")

    def counts(self):
        """(messages processed, failed, events of the account)."""
        return self.query(
            "SELECT (SELECT count(*) FROM logistics_inbound_message "
            "        WHERE account_id = %s AND state = 'done'), "
            "       (SELECT count(*) FROM logistics_inbound_message "
            "        WHERE account_id = %s AND state = 'failed'), "
            "       (SELECT count(*) FROM logistics_shipment_event "
            "        WHERE account_id = %s)",
            (self.account_id, self.account_id),
        )

    def drain_busy_seconds(self, since):
        """Seconds the account's drain jobs ran since ``since`` (db time)."""
        return self.query(
            "SELECT COALESCE(sum(EXTRACT(EPOCH FROM date_done - date_started)), 0), "
            "count(*) FROM queue_job WHERE identity_key = 'logistics-inbox-' || %s "
            "AND state = 'done' AND date_started >= %s",
            (since,),
        )

    def now(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT now() at time zone 'UTC'")
            return cr.fetchone()[0]


def ingestion(srv, token, numbers_file, args, workers, inbox, targets=True):
    """Section 1 and 2: baseline and suite interleaved, ``args.rounds`` rounds."""
    ours = f"{srv.url}/logistics/webhook/ups/{token}"
    bare = f"{srv.url}/logistics_bench/bare"

    def run(url, mode, connections, seconds=args.seconds):
        def go():
            meter = CpuMeter(srv.proc.pid, srv.dbname).start()
            result = wrk(
                url,
                script=UPS_PUSH_LUA,
                args=[mode, numbers_file, *AUTH],
                connections=connections,
                seconds=seconds,
            )
            result["cpu"] = meter.stop()
            return result

        return go

    # warm up both paths (registry, caches, connections) for a few seconds
    for url in (bare, ours):
        print("warm-up " + describe(url, run(url, "unique", 8, 3)()), flush=True)
    inbox.drained()
    tag = f", {workers} workers"
    for connections in args.concurrency:
        steps = [
            ("bare controller", run(bare, "unique", connections)),
            ("unique pushes", run(ours, "unique", connections)),
        ]
        if connections == 8 and targets:
            steps.append(("identical pushes", run(ours, "identical", connections)))
        print(f"-- c={connections}{tag}: {args.rounds} rounds", flush=True)
        res = interleave(args.rounds, steps, pause=inbox.drained)
        base, mine = res["bare controller"], res["unique pushes"]
        base_rps = [r["ok_rps"] for r in base]
        base_p99 = [r["p99"] for r in base]
        mine_rps = [r["ok_rps"] for r in mine]
        mine_p99 = [r["p99"] for r in mine]
        rps_ratios = ratios(mine_rps, base_rps)
        p99_ratios = ratios(mine_p99, base_p99)
        name = f"unique pushes c={connections}{tag}"
        kwargs = {
            "baseline": median(base_rps),
            "ratio": median(rps_ratios),
            "spread": with_ratios(mine_rps, rps_ratios),
        }
        target = ">= 0.9 x bare 2xx/s"
        if targets:
            check(BENCH, f"{name}: 2xx/s", median(mine_rps), "2xx/s",
                  ok=median(rps_ratios) >= 0.9, target=target, **kwargs)  # fmt: skip
        else:
            report(BENCH, f"{name}: 2xx/s", median(mine_rps), "2xx/s", **kwargs)
        kwargs = {
            "baseline": median(base_p99),
            "ratio": median(p99_ratios),
            "spread": with_ratios(mine_p99, p99_ratios),
        }
        if targets:
            check(BENCH, f"{name}: p99", median(mine_p99), "ms",
                  ok=median(p99_ratios) <= 1.5, target="<= 1.5 x bare p99",
                  **kwargs)  # fmt: skip
        else:
            report(BENCH, f"{name}: p99", median(mine_p99), "ms", **kwargs)
        report(BENCH, f"bare controller c={connections}{tag}: 2xx/s",
               median(base_rps), "2xx/s", spread=spread(base_rps),
               target="baseline")  # fmt: skip
        cores = os.cpu_count()
        report(BENCH, f"{name}: 2xx/s per core ({cores} cores)",
               median(mine_rps) / cores, "2xx/s", target="reported")  # fmt: skip
        for label, runs in (("bare controller", base), ("unique push", mine)):
            for index, side in enumerate(("Odoo", "PostgreSQL")):
                per = [1000 * r["cpu"][index] / max(r["ok"], 1) for r in runs]
                report(BENCH, f"{side} CPU per {label} c={connections}{tag}",
                       median(per), "ms", spread=spread(per, "{:.2f}"),
                       target="reported (scale-out)")  # fmt: skip
        bad = sum(sum(r["other"].values()) + sum(r["errors"].values()) for r in mine)
        report(BENCH, f"{name}: answers other than 2xx, socket errors", bad,
               "answers", target="reported")  # fmt: skip
        if "identical pushes" in res:
            same = res["identical pushes"]
            same_rps = [r["ok_rps"] for r in same]
            same_p99 = [r["p99"] for r in same]
            rps_r = ratios(same_rps, mine_rps)
            p99_r = ratios(same_p99, base_p99)
            check(BENCH, f"identical pushes c={connections}{tag}: 2xx/s",
                  median(same_rps), "2xx/s", baseline=median(mine_rps),
                  ratio=median(rps_r),
                  spread=with_ratios(same_rps, rps_r),
                  ok=median(rps_r) >= 0.9,
                  target=">= 0.9 x unique-push 2xx/s")  # fmt: skip
            check(BENCH, f"identical pushes c={connections}{tag}: p99",
                  median(same_p99), "ms", baseline=median(base_p99),
                  ratio=median(p99_r),
                  spread=with_ratios(same_p99, p99_r),
                  ok=median(p99_r) <= 1.5, target="<= 1.5 x bare p99")  # fmt: skip
            other = sum(sum(r["other"].values()) for r in same)
            errors = sum(sum(r["errors"].values()) for r in same)
            total = sum(r["requests"] for r in same)
            statuses = {}
            for r in same:
                for status, n in r["other"].items():
                    statuses[status] = statuses.get(status, 0) + n
            shown = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
            check(BENCH, f"identical pushes c={connections}{tag}: answers other "
                  f"than 2xx (of {total}){': ' + shown if shown else ''}",
                  other + errors, "answers", ok=other + errors == 0,
                  target="0")  # fmt: skip


def sustained(srv, token, numbers_file, args, inbox, workers, targets=True):
    """Section 3: ingestion for args.sustained seconds while the drain applies.

    The bare controller's rate is measured again right before (c=8,
    ``--seconds``): the machine's load drifts between the sections.
    """
    inbox.drained()
    ours = f"{srv.url}/logistics/webhook/ups/{token}"
    bare = wrk(f"{srv.url}/logistics_bench/bare", script=UPS_PUSH_LUA,
               args=["unique", numbers_file, *AUTH], connections=8,
               seconds=args.seconds)  # fmt: skip
    print("right before: " + describe("bare controller c=8", bare), flush=True)
    bare_rate = bare["ok_rps"]
    done0, failed0, events0 = inbox.counts()
    since = inbox.now()
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(inbox.pending())
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run = wrk(ours, script=UPS_PUSH_LUA, args=["unique", numbers_file, *AUTH],
              connections=8, seconds=args.sustained)  # fmt: skip
    load_end = time.time()
    done1, failed1, events1 = inbox.counts()
    inbox.drained()
    empty_after = time.time() - load_end
    stop.set()
    sampler.join()
    done2, failed2, events2 = inbox.counts()
    busy, jobs = inbox.drain_busy_seconds(since)
    max_backlog = max(s[0] for s in samples)
    max_age = max(float(s[1]) for s in samples)
    applied = events2 - events0
    tag = f", {workers} workers"
    print(
        f"sustained{tag}: " + describe("unique pushes c=8", run) + "\n"
        f"  during the load: {done1 - done0} messages processed, "
        f"{events1 - events0} events; after it the backlog was empty within "
        f"{empty_after:.1f} s; in all {done2 - done0} done, {failed2 - failed0} "
        f"failed, {applied} events, {jobs} drain jobs running {float(busy):.1f} s; "
        f"max backlog {max_backlog} messages, max age {max_age:.1f} s",
        flush=True,
    )
    rate = run["ok_rps"]
    drain_rate = applied / float(busy) if busy else 0.0
    label = f"sustained {args.sustained} s{tag}"
    figures = [
        (f"{label}: ingestion 2xx/s", rate, "2xx/s",
         {"baseline": bare_rate, "ratio": rate / bare_rate if bare_rate else None},
         (rate >= 0.9 * bare_rate) if bare_rate else False,
         ">= 0.9 x bare 2xx/s (c=8, right before)"),
        (f"{label}: max inbox backlog", max_backlog, "messages", {},
         None, "reported"),
        (f"{label}: max age of a pending message", max_age, "s", {},
         max_age <= 30, "<= 30 s"),
        (f"{label}: backlog empty after the load", empty_after, "s", {},
         empty_after <= 30, "<= 30 s"),
        (f"{label}: events applied per wall second", applied / (
            args.sustained + empty_after), "events/s", {}, None, "reported"),
        (f"{label}: events applied per second of drain job", drain_rate,
         "events/s", {}, drain_rate >= 1000, ">= 1,000 events/s"),
        (f"{label}: messages failed", failed2 - failed0, "messages", {},
         failed2 - failed0 == 0, "0"),
    ]  # fmt: skip
    for metric, value, unit, extra, ok, target in figures:
        if ok is None:
            report(BENCH, metric, value, unit, target=target, **extra)
        elif not targets:
            report(BENCH, metric, value, unit, target=f"({target}: not checked)",
                   **extra)  # fmt: skip
        else:
            check(BENCH, metric, value, unit, ok=ok, target=target, **extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="8,32")
    parser.add_argument("--sustained", type=int, default=60, help="seconds")
    parser.add_argument("--shipments", type=int, default=2000)
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="workers of the run the targets are checked on (the generated "
        "configuration: 2 for HTTP + the job channels' capacity 2)",
    )
    parser.add_argument(
        "--scale-workers",
        default="2",
        help="worker counts for the scale-out figures (comma-separated, '' none)",
    )
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    wrk_binary()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    install_baseline(dbname)
    registry = odoo.registry(dbname)
    print(f"preparing {args.shipments} UPS shipments ...", flush=True)
    account_id, token, numbers = prepare_account(registry, args.shipments)
    inbox = Inbox(registry, account_id)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".txt", prefix="ups-numbers-", delete=False
    ) as handle:
        handle.write("\n".join(numbers) + "\n")
        numbers_file = handle.name
    try:
        rcfile = odoo.tools.config.rcfile
        with server(rcfile, dbname, workers=args.workers, channels=CHANNELS) as srv:
            ingestion(srv, token, numbers_file, args, args.workers, inbox)
            if args.sustained:
                sustained(srv, token, numbers_file, args, inbox, args.workers)
        for workers in [int(w) for w in args.scale_workers.split(",") if w]:
            with server(rcfile, dbname, workers=workers, channels=CHANNELS) as srv:
                ingestion(srv, token, numbers_file, args, workers, inbox, targets=False)
                if args.sustained:
                    sustained(srv, token, numbers_file, args, inbox,
                              workers, targets=False)  # fmt: skip
    finally:
        os.unlink(numbers_file)
    return verdict(BENCH)


if __name__ == "__main__":
    sys.exit(main())
