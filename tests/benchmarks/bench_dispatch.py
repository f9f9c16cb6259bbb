# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dispatch throughput: Send to carrier through the full path vs no-op jobs.

Starts Odoo (2 workers, the real queue_job runner, ``db_name`` alone) and the
carriers' contract simulators, warms the runner (queue_job waits ~5 s after
the start before it dispatches, and each worker loads the registry on its
first job: none of that may land in a baseline), then per carrier
(``--carriers``, default sim,ups,dhl), three rounds (``--rounds``) of:

1. baseline: N no-op queue jobs on channel root.logistics.outbound;
2. N delivery orders sent to carrier (pre-flight, shipment, ledger, HTTP call
   to the carrier's contract simulator, label attachment, tracking, event,
   chatter), drained by the same runner on the same channel: the generic
   simulator, UPS (OAuth, Shipping v2409, from a US warehouse) and DHL
   Parcel DE (orders v2, from a German warehouse).

Reports the medians, the spread and the median of the per-round ratios;
target: shipments/s >= 0.5x no-op jobs/s. ``--workers 2,4`` repeats it at 4
workers (channel capacity = workers; ``--scale-rounds`` rounds, 1 by
default) for the scale-out figures (reported, no target). Exits 1 naming
each missed target.
"""

import argparse
import contextlib
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

sys.path.insert(0, HERE)

from benchlib import interleave, median, ratios, server, warm_runner  # noqa: E402
from support.bench_report import check, report, spread, verdict  # noqa: E402
from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


# Per carrier: its simulator, the account and shipping method on it, and the
# warehouse and customer addresses its lane needs (UPS ships from the US,
# DHL Parcel DE from Germany).
CARRIERS = {
    "sim": {
        "label": "generic simulator",
        "delivery_type": "logistics_sim",
        "service": "SIM_STD",
        "lane": "DE",
    },
    "ups": {
        "label": "UPS",
        "delivery_type": "logistics_ups",
        "service": "03",
        "lane": "US",
        "account": {"label_format": "GIF"},
    },
    "dhl": {
        "label": "DHL Parcel DE",
        "delivery_type": "logistics_dhl",
        "service": "V01PAK",
        "lane": "DE",
        "account": {
            "label_format": "PDF",
            "username": "user-valid",
            "password": "SandboxPasswort2023!",
            "dhl_billing_number": "33333333330101",
        },
    },
}
ADDRESSES = {
    "DE": (
        {
            "street": "Hauptstraße 1",
            "city": "Hamburg",
            "zip": "20095",
            "phone": "+49 40 1234567",
        },
        {
            "name": "Bench Kunde",
            "street": "Friedrichstraße 123",
            "city": "Berlin",
            "zip": "10117",
            "phone": "+49 30 12345678",
        },
    ),
    "US": (
        {
            "street": "2311 York Rd",
            "city": "Timonium",
            "zip": "21093",
            "phone": "+1 410-308-1234",
            "state": "MD",
        },
        {
            "name": "Bench Customer",
            "street": "55 Glenlake Pkwy NE",
            "city": "Atlanta",
            "zip": "30328",
            "phone": "+1 404-828-6000",
            "state": "GA",
        },
    ),
}


def start_simulator(code, stack):
    """The carrier's contract simulator, stopped with ``stack``."""
    if code == "ups":
        from logistics_simulators.ups.server import (
            UpsSimulatorServer as Server,
        )
    elif code == "dhl":
        from logistics_simulators.dhl.server import (
            DhlSimulator as Server,
        )
    else:
        from logistics_simulators.generic.server import (
            SimulatorServer as Server,
        )
    return stack.enter_context(Server())


def _address(env, lane, values):
    country = env.ref(f"base.{lane.lower()}")
    values = dict(values, country_id=country.id)
    state = values.pop("state", None)
    if state:
        values["state_id"] = (
            env["res.country.state"]
            .search([("country_id", "=", country.id), ("code", "=", state)], limit=1)
            .id
        )
    return values


def ship_from(registry, lane):
    """Move the warehouse to the lane's country (requests are prepared when
    Send to carrier is clicked, so each phase ships from its own address)."""
    with registry.cursor() as cr:
        env = _env(cr)
        warehouse_values = _address(env, lane, ADDRESSES[lane][0])
        env.company.partner_id.write(warehouse_values)
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        warehouse.partner_id = env.company.partner_id
        cr.commit()


def prepare(registry, code, sim, n):
    """Commit an account on the carrier's simulator and N ready delivery orders."""
    spec = CARRIERS[code]
    ship_from(registry, spec["lane"])
    with registry.cursor() as cr:
        env = _env(cr)
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        values = {
            "name": f"Bench {spec['label']} {time.time():.0f}",
            "carrier_code": code,
            "api_base_url": sim.url,
            "client_id": "bench",
            "client_secret": "bench",
        }
        if code == "ups":
            values.update(sim.account_values())
            values["api_base_url"] = values.pop("base_url")
        values.update(spec.get("account", {}))
        account = env["logistics.carrier.account"].create(values)
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Bench {spec['label']} {account.id}",
                "delivery_type": spec["delivery_type"],
                "product_id": env["product.product"]
                .create({"name": f"Bench {code} shipping", "type": "service"})
                .id,
                "logistics_account_id": account.id,
                "logistics_service_code": spec["service"],
            }
        )
        partner = env["res.partner"].create(
            dict(
                _address(env, spec["lane"], ADDRESSES[spec["lane"]][1]),
                email="bench@example.com",
            )
        )
        item = env["product.product"].create(
            {"name": "Bench item", "type": "consu", "weight": 1.5, "lst_price": 20.0}
        )
        ptype = warehouse.out_type_id
        dest = env.ref("stock.stock_location_customers")
        pickings = env["stock.picking"].create(
            [
                {
                    "partner_id": partner.id,
                    "picking_type_id": ptype.id,
                    "location_id": ptype.default_location_src_id.id,
                    "location_dest_id": dest.id,
                    "carrier_id": carrier.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Bench item",
                                "product_id": item.id,
                                "product_uom_qty": 1,
                                "product_uom": env.ref("uom.product_uom_unit").id,
                                "location_id": ptype.default_location_src_id.id,
                                "location_dest_id": dest.id,
                            },
                        )
                    ],
                }
                for _ in range(n)
            ]
        )
        pickings.action_confirm()
        cr.commit()
        return pickings.ids


def drain(registry, uuids_sql, params, expected, timeout):
    """Wait until ``expected`` jobs are done; return (seconds, failed)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                f"SELECT count(*) FILTER (WHERE state = 'done'), "
                f"count(*) FILTER (WHERE state = 'failed'), "
                f"min(date_enqueued), max(date_done) FROM queue_job WHERE {uuids_sql}",
                params,
            )
            done, failed, _first, last = cr.fetchone()
        if done + failed >= expected:
            return last, failed
        time.sleep(0.2)
    raise SystemExit(f"jobs not drained within {timeout}s ({done}/{expected} done)")


def db_now(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT now() at time zone 'UTC'")
        return cr.fetchone()[0]


def run_noop(registry, n, timeout):
    """Baseline: N no-op jobs on the outbound channel, same runner."""
    with registry.cursor() as cr:
        env = _env(cr)
        user = env["res.users"].browse(SUPERUSER_ID)
        for _ in range(n):
            user.with_delay(channel="root.logistics.outbound").exists()
        cr.execute("SELECT max(id) FROM queue_job")
        last_noop = cr.fetchone()[0]
        cr.commit()
        start = db_now(registry)
    end, failed = drain(
        registry,
        "id > %s - %s AND id <= %s AND method_name = 'exists'",
        (last_noop, n, last_noop),
        n,
        timeout,
    )
    rate = n / max((end - start).total_seconds(), 1e-6)
    print(
        f"no-op jobs:        {n} in {(end - start).total_seconds():.1f} s "
        f"= {rate:.1f} jobs/s (failed {failed})",
        flush=True,
    )
    return rate


def run_carrier(registry, code, sim, n, timeout):
    """Send to carrier on N delivery orders of one carrier; shipments/s."""
    picking_ids = prepare(registry, code, sim, n)
    ship_from(registry, CARRIERS[code]["lane"])
    # the simulator counts since it started: this round's calls are the delta
    creates, tokens = sim.count("create_shipment"), sim.count("token")
    with registry.cursor() as cr:
        env = _env(cr)
        cr.execute("SELECT COALESCE(max(id), 0) FROM queue_job")
        before = cr.fetchone()[0]
        t0 = time.time()
        # one click on N delivery orders: the dispatch jobs are queued in
        # batches per account (logistics.dispatch_batch_size shipments each)
        env["stock.picking"].browse(picking_ids).action_send_to_carrier()
        enqueue = time.time() - t0
        cr.execute(
            "SELECT max(id), count(*) FROM queue_job WHERE id > %s "
            "AND method_name IN ('_dispatch', '_dispatch_batch')",
            (before,),
        )
        last_job, jobs = cr.fetchone()
        cr.commit()
        start = db_now(registry)
    # the simulator runs in this process (threads): its CPU is the carrier's
    carrier_cpu = time.process_time()
    end, failed = drain(
        registry,
        "id > %s AND id <= %s AND method_name IN ('_dispatch', '_dispatch_batch')",
        (before, last_job),
        jobs,
        timeout,
    )
    carrier_cpu = time.process_time() - carrier_cpu
    seconds = (end - start).total_seconds()
    rate = n / max(seconds, 1e-6)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM logistics_shipment WHERE picking_id = ANY(%s) "
            "AND state = 'label_created'",
            (picking_ids,),
        )
        labelled = cr.fetchone()[0]
    label = CARRIERS[code]["label"]
    print(
        f"send to {label}: {n} in {seconds:.1f} s = {rate:.1f} shipments/s "
        f"(labels {labelled}, {jobs} jobs, failed {failed}; "
        f"enqueueing took {enqueue:.1f} s, "
        f"{1000 * enqueue / n:.1f} ms per click)",
        flush=True,
    )
    print(
        f"{label} calls: {sim.count('create_shipment') - creates} create, "
        f"{sim.count('token') - tokens} token; the simulator (and this "
        f"process's polling) used {1000 * carrier_cpu / n:.1f} ms CPU per shipment",
        flush=True,
    )
    if labelled != n or sim.count("create_shipment") - creates != n:
        raise SystemExit(f"{label}: not every shipment got exactly one label")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 200)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--scale-rounds", type=int, default=1, help="rounds beyond 2 workers"
    )
    parser.add_argument(
        "--carriers",
        default=os.environ.get("BENCH_CARRIERS", "sim,ups,dhl"),
        help="comma-separated: sim (generic simulator), ups, dhl",
    )
    parser.add_argument(
        "--workers", default="2,4", help="worker counts (targets checked at 2)"
    )
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    codes = [c.strip() for c in args.carriers.split(",") if c.strip()]
    unknown = set(codes) - set(CARRIERS)
    if unknown:
        raise SystemExit(f"unknown carrier(s): {', '.join(sorted(unknown))}")
    load_config()  # ODOO_RC + the baseline addons
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    bench = "bench_dispatch"
    for workers in [int(w) for w in args.workers.split(",") if w]:
        channels = ",".join(
            f"{name}:{workers}"
            for name in ("root", "root.logistics", "root.logistics.outbound")
        )
        with contextlib.ExitStack() as stack:
            sims = {code: start_simulator(code, stack) for code in codes}
            stack.enter_context(
                server(odoo.tools.config.rcfile, dbname, workers, channels)
            )
            warm_runner(registry, _env, "root.logistics.outbound")
            rounds = args.rounds if workers == 2 else args.scale_rounds
            for code in codes:
                print(f"-- {CARRIERS[code]['label']}, {workers} workers: "
                      f"{rounds} rounds of {args.n}", flush=True)  # fmt: skip
                res = interleave(
                    rounds,
                    [
                        ("noop", lambda: run_noop(registry, args.n, args.timeout)),
                        ("carrier", lambda code=code, sim=sims[code]: run_carrier(
                            registry, code, sim, args.n, args.timeout)),
                    ],
                )  # fmt: skip
                noop, rates = res["noop"], res["carrier"]
                per_round = ratios(rates, noop)
                metric = f"Send to {CARRIERS[code]['label']}, {workers} workers"
                figure = {
                    "baseline": median(noop),
                    "ratio": median(per_round),
                    "spread": f"{spread(rates, '{:.1f}')} (ratio "
                    f"{spread(per_round, '{:.2f}')}; no-op {spread(noop, '{:.1f}')})",
                }
                if workers == 2:
                    check(bench, metric, median(rates), "shipments/s",
                          ok=median(per_round) >= 0.5,
                          target=">= 0.5 x no-op jobs/s", **figure)  # fmt: skip
                else:
                    report(bench, metric, median(rates), "shipments/s",
                           target="reported", **figure)  # fmt: skip
                cores = os.cpu_count()
                report(bench, f"{metric}, per core ({cores} cores)",
                       median(rates) / cores, "shipments/s",
                       target="reported")  # fmt: skip
    return verdict(bench)


if __name__ == "__main__":
    sys.exit(main())
