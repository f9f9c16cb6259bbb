# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fault matrix: many shipments through a misbehaving carrier (issue 18).

Starts Odoo (2 workers, the real queue_job runner) on an installed database
and the bundled carrier simulator, then sends ``--shipments`` delivery orders
in batches; before each batch one fault is injected for the next calls:
503, 429 with Retry-After, an expired token (401, then refresh), 400, a read
timeout after the carrier created the shipment, a connection reset before it
did, a connection reset after it did, a worker killed (SIGKILL) in the middle
of a call and, with ``--private-pg``, PostgreSQL restarted while the batch is
being sent. Driven over XML-RPC only. At the end every delivery order must be
accounted for:

- shipped: label created in Odoo, and that very shipment at the carrier;
- held: an open exception with its reason (e.g. the 400s);
- lost: anything else (must be 0);
and no delivery order may exist twice at the carrier (must be 0).

Usage (also a benchmark; prints one JSON line of figures):

    ODOO_RC=/tmp/lh-x/odoo-test.conf python tests/fault_matrix.py --db x_test \\
        --shipments 1000

The shared PostgreSQL is never restarted: ``--private-pg`` runs the server on
a PostgreSQL instance of its own (``support.private_pg``; the suite is
installed in ``--db`` there first, a minute or two), which enables the
``pg_restart`` fault. Without it that fault is left out. The ERROR records
that Odoo and queue_job log themselves while the database is down are
counted apart (``server_error_lines_db_down``), and so are the queue_job
runner's records of a job request whose worker was killed
(``server_error_lines_worker_killed``); ``server_error_lines`` counts every
other one.
"""

import argparse
import collections
import json
import os
import signal
import sys
import time
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "server")]

from support.odoo_server import (  # noqa: E402
    OdooServer,
    install_database,
    load_config,
)
from support.private_pg import ERRORS_WHILE_DOWN, PrivatePostgres  # noqa: E402

# the runner's own record of a job request whose worker was SIGKILLed
WORKER_KILLED = (
    r"(?s)odoo\.addons\.queue_job\.jobrunner\.runner: exception in GET "
    r"\S+/queue_job/runjob\?.*(RemoteDisconnected|Connection aborted)"
)
FAULTS = [
    "503",
    "429",
    "401",
    "400",
    "timeout_after_create",
    "reset",
    "reset_after_create",
    "kill",
    "pg_restart",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--shipments", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--per-fault", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument(
        "--private-pg",
        action="store_true",
        help="run on a PostgreSQL instance of its own (enables pg_restart)",
    )
    parser.add_argument("--pg-down", type=float, default=5.0)
    args = parser.parse_args()
    config = load_config()
    if not args.private_pg:
        return run(args, config, None)
    with PrivatePostgres() as pg:
        install_database(config.rcfile, args.db, ["logistics_suite"], pg.odoo_args())
        return run(args, config, pg)


def run(args, config, pg):
    faults = [f for f in FAULTS if pg or f != "pg_restart"]
    from _dispatch_helpers import make_picking, setup_carrier, workers_talking_to

    from logistics_simulators.generic.server import (
        SimulatorServer,
    )

    figures = collections.Counter()
    with (
        SimulatorServer() as sim,
        OdooServer(
            config.rcfile,
            args.db,
            channels="root:2,root.logistics.inbound:1,root.logistics.outbound:2",
            extra_args=pg.odoo_args() if pg else (),
        ) as server,
    ):
        rpc = server.rpc()
        account, carrier = setup_carrier(
            rpc, sim, max_dispatch_attempts=10, read_timeout=2.0
        )
        template = make_picking(rpc, carrier)
        tpl = rpc(
            "stock.picking",
            "read",
            [template],
            ["partner_id", "picking_type_id", "location_id", "location_dest_id"],
        )[0]
        move = rpc(
            "stock.move",
            "search_read",
            [("picking_id", "=", template)],
            ["product_id", "product_uom"],
        )[0]

        def vals():
            return {
                "partner_id": tpl["partner_id"][0],
                "picking_type_id": tpl["picking_type_id"][0],
                "location_id": tpl["location_id"][0],
                "location_dest_id": tpl["location_dest_id"][0],
                "carrier_id": carrier,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Matrix item",
                            "product_id": move["product_id"][0],
                            "product_uom_qty": 1,
                            "product_uom": move["product_uom"][0],
                            "location_id": tpl["location_id"][0],
                            "location_dest_id": tpl["location_dest_id"][0],
                        },
                    )
                ],
            }

        started = time.time()
        pickings = []
        port = urlparse(sim.url).port
        for number, start in enumerate(range(0, args.shipments, args.batch)):
            size = min(args.batch, args.shipments - start)
            batch = rpc("stock.picking", "create", [vals() for _i in range(size)])
            rpc("stock.picking", "action_confirm", batch)
            fault = faults[number % len(faults)]
            figures[f"fault_{fault}"] += 1
            _inject(sim, fault, args.per_fault)
            rpc("stock.picking", "action_send_to_carrier", batch)
            if fault == "kill":
                workers = _wait(lambda: workers_talking_to(server, port), 30)
                time.sleep(1.2)  # past the runner's own 1 s wait
                for worker in workers or []:
                    worker.send_signal(signal.SIGKILL)
                    figures["workers_killed"] += 1
            elif fault == "pg_restart":
                time.sleep(1.0)  # the batch's jobs are running
                pg.restart(down_for=args.pg_down)
                figures["pg_restarts"] += 1
            pickings += batch
        sent_at = time.time()

        def tally():
            rows = rpc(
                "logistics.shipment",
                "search_read",
                [("picking_id", "in", pickings), ("state", "!=", "cancelled")],
                ["picking_id", "state", "health", "carrier_shipment_id"],
            )
            return rows

        # a worker killed: other traffic (and the runner's own loop) requeues
        deadline = sent_at + args.timeout
        while time.time() < deadline:
            rows = tally()
            pending = [
                r
                for r in rows
                if r["state"] != "label_created" and r["health"] != "exception"
            ]
            if len(rows) == len(pickings) and not pending:
                break
            time.sleep(3)
        elapsed = time.time() - started
        names = {
            p["id"]: p["name"] for p in rpc("stock.picking", "read", pickings, ["name"])
        }
        at_carrier = collections.defaultdict(list)
        for shipment in sim.shipments.values():
            if shipment["status"] != "cancelled":
                at_carrier[shipment["reference"]].append(shipment["shipment_id"])
        rows = tally()
        by_picking = {r["picking_id"][0]: r for r in rows}
        for picking in pickings:
            row = by_picking.get(picking)
            live = at_carrier.get(names[picking], [])
            _account_for(rpc, sim, picking, row, live, figures)
        create_calls = sum(
            1 for r in sim.requests if r["operation"] == "create_shipment"
        )
        everything = len(server.error_lines())
        killed = everything - len(server.error_lines(allowed=[WORKER_KILLED]))
        down = everything - len(server.error_lines(allowed=ERRORS_WHILE_DOWN))
        errors = server.error_lines(
            allowed=[WORKER_KILLED, *(ERRORS_WHILE_DOWN if pg else ())]
        )
        result = {
            "shipments": len(pickings),
            "seconds": round(elapsed, 1),
            "throughput_per_min": round(len(pickings) / elapsed * 60, 1),
            "carrier_create_calls": create_calls,
            "lookups": sim.count("lookup"),
            "server_error_lines": len(errors),
            "server_error_lines_db_down": down if pg else 0,
            "server_error_lines_worker_killed": killed,
            **{k: figures[k] for k in ("shipped", "held_with_reason", "lost")},
            "created_twice": figures["created_twice"],
            **{k: v for k, v in sorted(figures.items()) if k.startswith("fault_")},
            "workers_killed": figures["workers_killed"],
            "pg_restarts": figures["pg_restarts"],
            "held_but_at_carrier": figures["held_but_at_carrier"],
        }
        print(json.dumps(result))
        if errors:
            print("\n".join(errors[:5]), file=sys.stderr)
        return 1 if result["lost"] or result["created_twice"] else 0


def _inject(sim, fault, n):
    """The fault for the next ``n`` create calls (a batch's first ones)."""
    sim.set_latency(0)
    if fault == "503":
        sim.add_fault("create_shipment", 503, times=n)
    elif fault == "429":
        sim.add_fault("create_shipment", 429, headers={"Retry-After": "1"}, times=n)
    elif fault == "401":
        sim.expire_tokens()
    elif fault == "400":
        sim.add_fault("create_shipment", 400, times=n)
    elif fault == "timeout_after_create":
        sim.add_fault("create_shipment", None, action="timeout", delay=3.0, times=n)
    elif fault == "reset":
        sim.add_fault("create_shipment", None, action="reset", times=n)
    elif fault == "reset_after_create":
        sim.add_fault("create_shipment", None, action="reset_after", times=n)
    elif fault == "pg_restart":
        sim.set_latency(0.2)  # calls in flight when PostgreSQL goes down
    elif fault == "kill":
        sim.add_fault("create_shipment", None, delay=2.5, times=1)


def _account_for(rpc, sim, picking, row, live, figures):
    """Count one delivery order: shipped, held with a reason, or lost."""
    if len(live) > 1:
        figures["created_twice"] += 1
    if row and row["state"] == "label_created" and row["carrier_shipment_id"]:
        shipped = live == [row["carrier_shipment_id"]]
        figures["shipped" if shipped else "lost"] += 1
    elif row and row["health"] == "exception":
        exceptions = rpc(
            "logistics.exception",
            "search_count",
            [("shipment_id", "=", row["id"]), ("state", "=", "open")],
        )
        figures["held_with_reason" if exceptions else "lost"] += 1
        if live:
            figures["held_but_at_carrier"] += 1
    else:
        figures["lost"] += 1


def _wait(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


if __name__ == "__main__":
    sys.exit(main())
