# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rate shopping across every carrier while one of them answers in 5 s.

Run by ``./setup/bench.sh`` (or directly with ODOO_RC and LOGISTICS_BENCH_DB
set). Starts the generic, UPS and DHL contract simulators in-process, creates
(in a transaction that is rolled back at the end) one shipping method per
carrier service on the bench database and a US delivery order, then runs
Compare rates (``delivery.carrier._logistics_compare_rates``, the wizard's
path) with UPS answering its rating calls after ``--slow`` seconds:

1. generous: the UPS time limit (connect + read timeout) is above the slow
   answer; UPS must quote, and the whole comparison must take about the slow
   answer, not the sum of all carriers (sequential baseline measured in the
   same run: each carrier asked alone, one after the other);
2. tight: the UPS limit is below the slow answer; UPS must be reported as
   too slow and the comparison must end within that limit.

Figures: wall time / slowest carrier's limit (target <= 1.0 plus the
thread start-up, i.e. < 1.1) for both, and parallel / sequential (< 1).
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, REPO)

from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

BENCH = "bench_rate_shopping"


def result(metric, value, unit, baseline=None, ratio=None, target="", passed=None):
    line = {
        "bench": BENCH,
        "metric": metric,
        "value": round(float(value), 4),
        "unit": unit,
        "baseline": None if baseline is None else round(float(baseline), 4),
        "ratio": None if ratio is None else round(float(ratio), 4),
        "target": target,
        "passed": passed,
    }
    print("BENCH-RESULT " + json.dumps(line), flush=True)
    return passed is not False


def prepare(env, sims):
    """Accounts, shipping methods and a delivery order (not committed)."""
    us = env.ref("base.us")
    states = env["res.country.state"]
    md = states.search([("country_id", "=", us.id), ("code", "=", "MD")], limit=1)
    ga = states.search([("country_id", "=", us.id), ("code", "=", "GA")], limit=1)
    env.company.partner_id.write(
        {
            "street": "2311 York Rd",
            "city": "Timonium",
            "zip": "21093",
            "state_id": md.id,
            "country_id": us.id,
            "phone": "+1 410-308-1234",
        }
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    warehouse.partner_id = env.company.partner_id
    stamp = f"{time.time():.0f}"
    account_model = env["logistics.carrier.account"]
    common = {"connect_timeout": 2.0, "read_timeout": 6.0}
    sim_account = account_model.create(
        dict(
            common,
            name=f"Bench sim {stamp}",
            carrier_code="sim",
            api_base_url=sims["sim"].url,
            client_id="bench",
            client_secret="bench",
        )
    )
    ups_values = sims["ups"].account_values()
    ups_account = account_model.create(
        dict(
            common,
            name=f"Bench UPS {stamp}",
            carrier_code="ups",
            api_base_url=ups_values["base_url"],
            client_id=ups_values["client_id"],
            client_secret=ups_values["client_secret"],
            account_number=ups_values["account_number"],
            label_format="GIF",
        )
    )
    dhl_account = account_model.create(
        dict(
            common,
            name=f"Bench DHL {stamp}",
            carrier_code="dhl",
            api_base_url=sims["dhl"].url,
            client_id="bench-dhl-key",
            client_secret="bench-dhl-secret",
            username="user-valid",
            password="SandboxPasswort2023!",
            dhl_billing_number="33333333330101",
        )
    )

    def method(name, account, delivery_type, code, price=0.0):
        product = env["product.product"].create(
            {"name": f"{name} shipping", "type": "service", "list_price": price}
        )
        return env["delivery.carrier"].create(
            {
                "name": f"{name} {stamp}",
                "delivery_type": delivery_type,
                "product_id": product.id,
                "fixed_price": price,
                "logistics_account_id": account.id,
                "logistics_service_code": code,
            }
        )

    carriers = (
        method("Sim Express", sim_account, "logistics_sim", "SIM_EXP")
        | method("Sim Economy", sim_account, "logistics_sim", "SIM_ECO")
        | method("UPS Ground", ups_account, "logistics_ups", "03")
        | method("UPS 2nd Day Air", ups_account, "logistics_ups", "02")
        | method("DHL Paket", dhl_account, "logistics_dhl", "V01PAK", 7.49)
    )
    partner = env["res.partner"].create(
        {
            "name": "Jordan Miller",
            "street": "55 Glenlake Pkwy NE",
            "city": "Atlanta",
            "zip": "30328",
            "state_id": ga.id,
            "country_id": us.id,
            "phone": "+1 404-828-6000",
            "email": "jordan.miller@example.com",
        }
    )
    item = env["product.product"].create(
        {"name": "Bench item", "type": "consu", "weight": 2.5}
    )
    ptype = warehouse.out_type_id
    dest = env.ref("stock.stock_location_customers")
    picking = env["stock.picking"].create(
        {
            "partner_id": partner.id,
            "picking_type_id": ptype.id,
            "location_id": ptype.default_location_src_id.id,
            "location_dest_id": dest.id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Bench item",
                        "product_id": item.id,
                        "product_uom_qty": 2,
                        "product_uom": env.ref("uom.product_uom_unit").id,
                        "location_id": ptype.default_location_src_id.id,
                        "location_dest_id": dest.id,
                    },
                )
            ],
        }
    )
    picking.action_confirm()
    return carriers, ups_account, picking


def compare(carriers, picking):
    start = time.perf_counter()
    results = carriers._logistics_compare_rates(picking._logistics_rate_request)
    return time.perf_counter() - start, results


def show(title, wall, results):
    print(f"\n{title}: {wall:.2f} s wall")
    for res in results:
        print(
            f"  {res['carrier'].name:<32} {res['status']:<10} "
            f"{res['price']:>9.2f} {res['currency'] or '':<4} "
            f"days={res['transit_days'] or '-':<3} {res['elapsed']:.2f}s "
            f"limit={res['time_limit']:.1f}s {res['message'][:60]}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=float, default=5.0, help="UPS answer (s)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_config()
    dbname = os.environ.get("LOGISTICS_BENCH_DB") or odoo.tools.config["db_name"]
    if not dbname:
        raise SystemExit("Set LOGISTICS_BENCH_DB (or db_name in ODOO_RC).")
    from logistics_simulators.dhl.server import DhlSimulator
    from logistics_simulators.generic.server import (
        SimulatorServer,
    )
    from logistics_simulators.ups.server import UpsSimulatorServer

    sims = {
        "sim": SimulatorServer().start(),
        "ups": UpsSimulatorServer().start(),
        "dhl": DhlSimulator(
            api_keys={"bench-dhl-key"},
            client_secrets={"bench-dhl-key": "bench-dhl-secret"},
        ).start(),
    }
    registry = odoo.registry(dbname)
    failures = []
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            carriers, ups_account, picking = prepare(env, sims)
            ups = carriers.filtered(lambda c: c.logistics_account_id == ups_account)
            compare(carriers, picking)  # warm-up: tokens, sessions, imports

            # sequential baseline: every method alone, one after the other
            sims["ups"].add_fault("rates", status=None, delay=args.slow, times=None)
            sequential = 0.0
            for carrier in carriers:
                wall, _res = compare(carrier, picking)
                sequential += wall
            # 1. generous limit: the slow carrier answers within it
            walls = []
            for _round in range(args.rounds):
                wall, results = compare(carriers, picking)
                walls.append(wall)
            wall = sorted(walls)[len(walls) // 2]
            show(f"Generous limit (UPS answers in {args.slow:.1f} s)", wall, results)
            limit = max(r["time_limit"] for r in results if r["carrier"] in ups)
            if {r["status"] for r in results if r["carrier"] in ups} != {"ok"}:
                failures.append("UPS did not quote within its generous limit")
            if any(r["status"] != "ok" for r in results):
                failures.append("a carrier failed in the generous scenario")
            if not result(
                "wall_vs_slowest_limit_generous",
                wall,
                "s",
                baseline=limit,
                ratio=wall / limit,
                target="<= 1.0 (slow carrier answers within its limit)",
                passed=wall / limit <= 1.0,
            ):
                failures.append("wall_vs_slowest_limit_generous missed <= 1.0")
            if not result(
                "parallel_vs_sequential",
                wall,
                "s",
                baseline=sequential,
                ratio=wall / sequential,
                target="< 1 (about the slowest carrier, not the sum)",
                passed=wall / sequential < 1,
            ):
                failures.append("parallel_vs_sequential missed < 1")
            # 2. tight limit: the slow carrier is cut off at its limit
            ups_account.write({"connect_timeout": 1.0, "read_timeout": 2.0})
            walls = []
            for _round in range(args.rounds):
                wall, results = compare(carriers, picking)
                walls.append(wall)
            wall = sorted(walls)[len(walls) // 2]
            show(
                f"Tight limit (UPS limit 3 s, answers in {args.slow:.1f} s)",
                wall,
                results,
            )
            limit = max(r["time_limit"] for r in results if r["carrier"] in ups)
            if {r["status"] for r in results if r["carrier"] in ups} != {"too_slow"}:
                failures.append("UPS was not reported too slow under a tight limit")
            if any(r["status"] != "ok" for r in results if r["carrier"] not in ups):
                failures.append("a fast carrier failed in the tight scenario")
            if not result(
                "wall_vs_slowest_limit_tight",
                wall,
                "s",
                baseline=limit,
                ratio=wall / limit,
                target="<= 1.1 (cut off at the slow carrier's limit)",
                passed=wall / limit <= 1.1,
            ):
                failures.append("wall_vs_slowest_limit_tight missed <= 1.1")
            print(
                f"\nslow carrier limit {limit:.1f} s, answer {args.slow:.1f} s, "
                f"comparison {wall:.2f} s = {wall / limit:.2f} x the limit"
            )
            cr.rollback()
    finally:
        for sim in sims.values():
            sim.stop()
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
