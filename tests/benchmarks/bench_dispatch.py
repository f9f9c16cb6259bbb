# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dispatch throughput: Send to carrier through the full path vs no-op jobs.

Run by ``./setup/bench.sh`` (which starts Odoo with 2 workers and the real
queue_job runner on the bench database). In the same run:

1. baseline: N no-op queue jobs on channel root.logistics.outbound;
2. suite: N delivery orders sent to carrier (pre-flight, shipment, ledger,
   HTTP call to an instant carrier simulator, label attachment, tracking,
   event, chatter), drained by the same runner on the same channel.

Prints both rates and the ratio (target >= 0.5).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from support.odoo_server import OdooServer, load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def prepare(registry, sim_url, n):
    """Commit an account on the simulator and N ready delivery orders."""
    with registry.cursor() as cr:
        env = _env(cr)
        de = env.ref("base.de")
        env.company.partner_id.write(
            {
                "street": "Hauptstraße 1",
                "city": "Hamburg",
                "zip": "20095",
                "country_id": de.id,
                "phone": "+49 40 1234567",
            }
        )
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        warehouse.partner_id = env.company.partner_id
        account = env["logistics.carrier.account"].create(
            {
                "name": f"Bench simulator {time.time():.0f}",
                "carrier_code": "sim",
                "api_base_url": sim_url,
                "client_id": "bench",
                "client_secret": "bench",
            }
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Bench carrier {account.id}",
                "delivery_type": "logistics_sim",
                "product_id": env["product.product"]
                .create({"name": "Bench shipping", "type": "service"})
                .id,
                "logistics_account_id": account.id,
                "logistics_service_code": "SIM_STD",
            }
        )
        partner = env["res.partner"].create(
            {
                "name": "Bench Customer",
                "street": "Friedrichstraße 123",
                "city": "Berlin",
                "zip": "10117",
                "country_id": de.id,
                "phone": "+49 30 12345678",
                "email": "bench@example.com",
            }
        )
        item = env["product.product"].create(
            {"name": "Bench item", "type": "consu", "weight": 1.5}
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 1000)))
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    load_config()  # ODOO_RC + the baseline addons
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    from odoo.addons.logistics_connector_base.simulator.server import SimulatorServer

    channels = "root:2,root.logistics:2,root.logistics.outbound:2"
    with (
        SimulatorServer() as sim,
        OdooServer(odoo.tools.config.rcfile, dbname, workers=2, channels=channels),
    ):
        print(f"preparing {args.n} delivery orders ...", flush=True)
        picking_ids = prepare(registry, sim.url, args.n)

        # 1. baseline: N no-op jobs, same channel, same runner
        with registry.cursor() as cr:
            env = _env(cr)
            user = env["res.users"].browse(SUPERUSER_ID)
            for _ in range(args.n):
                user.with_delay(channel="root.logistics.outbound").exists()
            cr.execute("SELECT max(id) FROM queue_job")
            last_noop = cr.fetchone()[0]
            cr.commit()
            start = db_now(registry)
        end, failed = drain(
            registry,
            "id > %s - %s AND id <= %s AND method_name = 'exists'",
            (last_noop, args.n, last_noop),
            args.n,
            args.timeout,
        )
        noop_rate = args.n / max((end - start).total_seconds(), 1e-6)
        print(
            f"no-op jobs:        {args.n} in {(end - start).total_seconds():.1f} s "
            f"= {noop_rate:.1f} jobs/s (failed {failed})",
            flush=True,
        )

        # 2. the suite: Send to carrier on N delivery orders
        with registry.cursor() as cr:
            env = _env(cr)
            t0 = time.time()
            env["stock.picking"].browse(picking_ids).action_send_to_carrier()
            enqueue = time.time() - t0
            cr.execute("SELECT max(id) FROM queue_job")
            last_job = cr.fetchone()[0]
            cr.commit()
            start = db_now(registry)
        end, failed = drain(
            registry,
            "id > %s - %s AND id <= %s AND method_name = '_dispatch'",
            (last_job, args.n, last_job),
            args.n,
            args.timeout,
        )
        seconds = (end - start).total_seconds()
        rate = args.n / max(seconds, 1e-6)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM logistics_shipment WHERE picking_id = ANY(%s) "
                "AND state = 'label_created'",
                (picking_ids,),
            )
            labelled = cr.fetchone()[0]
        print(
            f"send to carrier:   {args.n} in {seconds:.1f} s = {rate:.1f} shipments/s "
            f"(labels {labelled}, failed {failed}; enqueueing took {enqueue:.1f} s, "
            f"{1000 * enqueue / args.n:.1f} ms per click)",
            flush=True,
        )
        print(
            f"carrier calls:     {sim.count('create_shipment')} create, "
            f"{sim.count('token')} token",
            flush=True,
        )
        ratio = rate / noop_rate
        print(
            f"RESULT dispatch_ratio={ratio:.2f} (target >= 0.50) "
            f"noop_jobs_per_s={noop_rate:.1f} shipments_per_s={rate:.1f}",
            flush=True,
        )
        if labelled != args.n or sim.count("create_shipment") != args.n:
            raise SystemExit("not every shipment got exactly one label")


if __name__ == "__main__":
    main()
