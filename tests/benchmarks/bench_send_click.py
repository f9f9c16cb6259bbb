# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Send to carrier click with a slow carrier vs an instant one.

A user's click (``stock.picking.action_send_to_carrier`` over XML-RPC, as the
button does through the web client) must not wait for the carrier: the call
to the carrier runs in a queue job. Starts Odoo (2 workers, the real
queue_job runner, warmed; carrier channel capacity 1 as in production) and
the generic carrier simulator, then three rounds (``--rounds``) of K clicks
(``-k``) one after the other with the simulator answering at once, then K
with it answering every call after 5 s (``--latency``). Before each phase the
outbound queue is drained, so no job left over from the other phase competes.

Target: median click with the slow carrier <= 1.1x the median click with the
instant carrier. Exits 1 naming a missed target.
"""

import argparse
import contextlib
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from bench_dispatch import prepare, start_simulator  # noqa: E402
from benchlib import interleave, median, ratios, server, wait_for, warm_runner  # noqa: E402
from support.bench_report import check, report, spread, verdict  # noqa: E402
from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

BENCH = "bench_send_click"
CHANNELS = (
    "root:2,root.logistics:2,root.logistics.outbound:2,root.logistics.outbound.sim:1"
)


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def outbound_idle(registry):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM queue_job WHERE channel LIKE %s "
            "AND state IN ('pending', 'enqueued', 'started')",
            ("root.logistics.outbound%",),
        )
        return cr.fetchone()[0] == 0


def clicks(rpc, picking_ids):
    """Click Send to carrier on each picking, one after the other; ms each."""
    times = []
    for picking_id in picking_ids:
        start = time.perf_counter()
        rpc("stock.picking", "action_send_to_carrier", [picking_id])
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=10, help="clicks per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=5.0)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    with contextlib.ExitStack() as stack:
        sim = start_simulator("sim", stack)
        picking_ids = iter(prepare(registry, "sim", sim, 2 * args.k * args.rounds + 1))
        srv = stack.enter_context(server(odoo.tools.config.rcfile, dbname, 2, CHANNELS))
        warm_runner(registry, _env, "root.logistics.outbound")
        rpc = srv.rpc()
        clicks(rpc, [next(picking_ids)])  # the first call loads the workers

        def phase(latency):
            def run():
                sim.set_latency(0)
                wait_for(lambda: outbound_idle(registry), args.timeout,
                         "the outbound queue drained")  # fmt: skip
                sim.set_latency(latency)
                times = clicks(rpc, [next(picking_ids) for _ in range(args.k)])
                print(f"carrier answering in {latency:.0f} s: clicks "
                      + ", ".join(f"{t:.0f}" for t in times) + " ms",
                      flush=True)  # fmt: skip
                return statistics.median(times)

            return run

        res = interleave(
            args.rounds,
            [("instant carrier", phase(0.0)), ("slow carrier", phase(args.latency))],
        )
        sim.set_latency(0)
        wait_for(lambda: outbound_idle(registry), args.timeout, "the outbound queue")
        created = sim.count("create_shipment")
    fast, slow = res["instant carrier"], res["slow carrier"]
    per_round = ratios(slow, fast)
    print(f"carrier calls made by the jobs: {created}", flush=True)
    report(BENCH, "click, instant carrier (median)", median(fast), "ms",
           spread=spread(fast), target="baseline")  # fmt: skip
    check(BENCH, f"click, carrier answering in {args.latency:.0f} s (median)",
          median(slow), "ms", baseline=median(fast), ratio=median(per_round),
          spread=f"{spread(slow)} (ratio {spread(per_round, '{:.2f}')})",
          ok=median(per_round) <= 1.1,
          target="<= 1.1 x instant-carrier click")  # fmt: skip
    return verdict(BENCH)


if __name__ == "__main__":
    sys.exit(main())
