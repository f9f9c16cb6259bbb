# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reconciliation: import and match a 100,000-line freight invoice.

Run by ``./setup/bench.sh`` (or directly with ODOO_RC and
LOGISTICS_BENCH_DB set) on a database with logistics_suite installed. In the
same run:

1. N shipments with one package each, and their pickings, are generated with
   set-based SQL (committed, removed again at the end);
2. a generic CSV of N charge lines (about 3 % overcharges, 1 % unknown
   numbers, 1 % charges billed twice, 1 % weight differences) is imported
   through the import wizard (parse, check every row, bulk insert);
3. baseline: the lines are linked to their shipments by ONE SQL statement
   (``UPDATE line ... FROM package JOIN shipment``), then reset;
4. suite: the matching engine links and classifies the same lines (one
   statement: match with the account and the date window, classify with
   tolerances, duplicates and cancellations, plus the invoice totals), then
   the full "Match" action (chatter, exceptions when monitoring is
   installed) is timed too;
5. a 1-row file is imported and matched through the wizard (as from the
   screen, on the same database, next to the 100,000-line invoice), several
   times, each rolled back: the median is reported.

Prints lines/s for import and matching, matching time / baseline join time
(target <= 3), import + match time of 100k lines (target < 30 s) and of a
1-row file (target < 0.2 s), and BENCH-RESULT lines. Exits non-zero when a
target is missed.
"""

import argparse
import base64
import datetime
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

BENCH = "bench_reconciliation"
PREFIX = "RB"
# targets (issue 21)
TARGET_RATIO = 3.0  # matching time / one SQL join, 100k lines
TARGET_LARGE_S = 30.0  # import + match of 100k lines
TARGET_ONE_ROW_S = 0.2  # import + match of a 1-row file
ONE_ROW_RUNS = 7


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def result(metric, value, unit, baseline=None, ratio=None, target=""):
    line = {
        "bench": BENCH,
        "metric": metric,
        "value": round(float(value), 4),
        "unit": unit,
        "baseline": None if baseline is None else round(float(baseline), 4),
        "ratio": None if ratio is None else round(float(ratio), 4),
        "target": target,
    }
    print("BENCH-RESULT " + json.dumps(line), flush=True)


def vacuum(dbname, tables):
    """VACUUM ANALYZE outside a transaction, so each phase starts clean."""
    connection = odoo.sql_db.db_connect(dbname)
    with connection.cursor() as cr:
        cr._cnx.rollback()
        cr._cnx.autocommit = True
        try:
            for table in tables:
                cr._cnx.cursor().execute(f"VACUUM ANALYZE {table}")
        finally:
            cr._cnx.autocommit = False


def prepare(registry, n):
    """Commit an account, a shipping method, N pickings, shipments, packages."""
    with registry.cursor() as cr:
        env = _env(cr)
        stamp = f"{time.time():.0f}"
        account = env["logistics.carrier.account"].create(
            {
                "name": f"Reconciliation bench {stamp}",
                "carrier_code": "sim",
                "account_number": f"RB{stamp}",
                "vendor_partner_id": env.company.partner_id.id,
            }
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Reconciliation bench {account.id}",
                "delivery_type": "logistics_sim",
                "product_id": env["product.product"]
                .create({"name": "Reconciliation bench shipping", "type": "service"})
                .id,
                "logistics_account_id": account.id,
            }
        )
        picking_type = env.ref("stock.picking_type_out")
        params = {
            "n": n,
            "account": account.id,
            "carrier": carrier.id,
            "company": env.company.id,
            "currency": env.company.currency_id.id,
            "type": picking_type.id,
            "src": env.ref("stock.stock_location_stock").id,
            "dst": env.ref("stock.stock_location_customers").id,
            "prefix": f"{PREFIX}{account.id}-",
        }
        cr.execute(
            """
            INSERT INTO stock_picking
                (name, picking_type_id, location_id, location_dest_id, move_type,
                 state, company_id, carrier_id, create_uid, write_uid,
                 create_date, write_date)
            SELECT %(prefix)s || i, %(type)s, %(src)s, %(dst)s, 'direct', 'done',
                   %(company)s, %(carrier)s, 1, 1,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM generate_series(1, %(n)s) AS i
            """,
            params,
        )
        cr.execute(
            """
            INSERT INTO logistics_shipment
                (name, picking_id, company_id, carrier_id, account_id,
                 idempotency_key, state, health, tracking_ref, charges_amount,
                 charges_currency_id, label_at, attempt, create_uid, write_uid,
                 create_date, write_date)
            SELECT 'SHP-' || p.name, p.id, %(company)s, %(carrier)s, %(account)s,
                   'bench-' || p.name,
                   CASE WHEN substr(p.name, length(%(prefix)s) + 1)::int %% 200 = 7
                        THEN 'cancelled' ELSE 'delivered' END,
                   'ok',
                   '1Z' || lpad(substr(p.name, length(%(prefix)s) + 1), 10, '0')
                        || %(account)s::text,
                   10 + (substr(p.name, length(%(prefix)s) + 1)::int %% 50) / 10.0,
                   %(currency)s, now() AT TIME ZONE 'UTC' - interval '3 days', 1,
                   1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM stock_picking p
             WHERE p.carrier_id = %(carrier)s
            """,
            params,
        )
        cr.execute(
            """
            INSERT INTO logistics_shipment_package
                (shipment_id, company_id, sequence, tracking_number, weight,
                 create_uid, write_uid, create_date, write_date)
            SELECT s.id, s.company_id, 10, s.tracking_ref, 2.0, 1, 1,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM logistics_shipment s
             WHERE s.account_id = %(account)s
            """,
            params,
        )
        cr.execute(
            "SELECT tracking_ref, charges_amount FROM logistics_shipment "
            "WHERE account_id = %s ORDER BY id",
            (account.id,),
        )
        shipments = cr.fetchall()
        cr.commit()
        return account.id, carrier.id, shipments


def make_csv(shipments, day):
    """One base charge per shipment; a few discrepancies of each kind."""
    rows = [
        "invoice_number,invoice_date,tracking_number,ship_date,billed_weight,"
        "charge_type,charge_code,amount"
    ]
    for i, (number, expected) in enumerate(shipments):
        amount = float(expected)
        weight = 2.0
        if i % 100 == 3:
            number = f"UNKNOWN{i:08d}"
        elif i % 100 in (5, 6, 9):
            amount += 7.5  # overcharge
        elif i % 100 == 11:
            weight = 9.0  # billed weight differs
        rows.append(f"RB-INV-1,{day},{number},{day},{weight},base,FRT,{amount:.2f}")
        if i % 100 == 13:  # billed twice
            rows.append(f"RB-INV-1,{day},{number},{day},{weight},base,FRT,{amount:.2f}")
    return "\n".join(rows) + "\n"


UNINDEXED_FKS = """
SELECT c.conrelid::regclass::text, a.attname
  FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
 WHERE c.contype = 'f'
   AND c.confrelid IN ('logistics_shipment'::regclass, 'stock_picking'::regclass)
   AND NOT EXISTS (
        SELECT 1 FROM pg_index i
         WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
"""


def cleanup(registry, account_id, carrier_id):
    """Remove what the run created.

    Deleting 100,000 shipments and pickings checks every foreign key pointing
    at them; some of those columns have no index, so they get a temporary
    one for the delete.
    """
    with registry.cursor() as cr:
        cr.execute(UNINDEXED_FKS)
        temporary = []
        for number, (table, column) in enumerate(cr.fetchall()):
            name = f"bench_reconciliation_tmp_{number}"
            cr.execute(f'CREATE INDEX {name} ON {table} ("{column}")')
            temporary.append(name)
        cr.execute(
            "DELETE FROM logistics_exception WHERE shipment_id IN "
            "(SELECT id FROM logistics_shipment WHERE account_id = %s) "
            "OR (category = 'reconciliation' AND name LIKE 'RB-INV-%%')",
            (account_id,),
        )
        cr.execute(
            "DELETE FROM logistics_freight_invoice WHERE account_id = %s",
            (account_id,),
        )
        cr.execute(
            "DELETE FROM logistics_idempotency_record "
            "WHERE scope = 'freight_invoice_import' AND key LIKE %s",
            (f"%:{account_id}:%",),
        )
        cr.execute(
            "DELETE FROM logistics_shipment WHERE account_id = %s", (account_id,)
        )
        cr.execute("DELETE FROM stock_picking WHERE carrier_id = %s", (carrier_id,))
        cr.execute("DELETE FROM delivery_carrier WHERE id = %s", (carrier_id,))
        cr.execute(
            "UPDATE logistics_carrier_account SET active = false WHERE id = %s",
            (account_id,),
        )
        for name in temporary:
            cr.execute(f"DROP INDEX {name}")
        cr.commit()


BASELINE_JOIN = """
UPDATE logistics_freight_invoice_line AS line
   SET shipment_id = s.id, package_id = p.id, match_state = 'matched'
  FROM logistics_shipment_package p
  JOIN logistics_shipment s ON s.id = p.shipment_id
 WHERE line.invoice_id = %(invoice)s
   AND p.tracking_number = line.tracking_number
   AND s.account_id = %(account)s
"""

RESET = """
UPDATE logistics_freight_invoice_line
   SET shipment_id = NULL, package_id = NULL, match_state = 'unmatched'
 WHERE invoice_id = %(invoice)s
"""

TABLES = (
    "logistics_freight_invoice_line",
    "logistics_shipment",
    "logistics_shipment_package",
)


def one_row_file(registry, account_id, number, amount, day, runs=ONE_ROW_RUNS):
    """Median seconds to import and match a 1-row file through the wizard."""
    content = (
        "invoice_number,invoice_date,tracking_number,ship_date,billed_weight,"
        f"charge_type,charge_code,amount\nRB-ONE,{day},{number},{day},2.0,base,FRT,"
        f"{amount:.2f}\n"
    ).encode()
    timings = []
    for _run in range(runs):
        with registry.cursor() as cr:
            env = _env(cr)
            wizard = env["logistics.freight.import.wizard"].create(
                {
                    "account_id": account_id,
                    "profile_id": env.ref(
                        "logistics_reconciliation.import_profile_generic"
                    ).id,
                    "data_file": base64.b64encode(content),
                    "filename": "one-row.csv",
                    "match_after_import": True,
                }
            )
            start = time.perf_counter()
            invoice = wizard._import_file()
            env.flush_all()
            timings.append(time.perf_counter() - start)
            if invoice.line_ids.classification != "matched":
                raise SystemExit(
                    f"1-row file: expected a matched line, got "
                    f"{invoice.line_ids.classification}"
                )
            cr.rollback()
    return statistics.median(timings), timings


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 100000)))
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated data (to inspect)"
    )
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    n = args.n
    print(f"preparing {n} shipments (set-based SQL) ...", flush=True)
    start = time.perf_counter()
    account_id, carrier_id, shipments = prepare(registry, n)
    print(f"prepared in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        day = datetime.date.today().isoformat()
        content = make_csv(shipments, day).encode()
        line_count = content.count(b"\n") - 1
        vacuum(dbname, TABLES)

        # 1. import through the wizard
        with registry.cursor() as cr:
            env = _env(cr)
            wizard = env["logistics.freight.import.wizard"].create(
                {
                    "account_id": account_id,
                    "profile_id": env.ref(
                        "logistics_reconciliation.import_profile_generic"
                    ).id,
                    "data_file": base64.b64encode(content),
                    "filename": "bench.csv",
                    "match_after_import": False,
                }
            )
            start = time.perf_counter()
            invoice = wizard._import_file()
            env.flush_all()
            cr.commit()
            import_seconds = time.perf_counter() - start
            invoice_id = invoice.id
        print(
            f"import:            {line_count} lines in {import_seconds:.2f} s = "
            f"{line_count / import_seconds:,.0f} lines/s",
            flush=True,
        )
        vacuum(dbname, TABLES)
        params = {"invoice": invoice_id, "account": account_id}

        # 2. baseline: one join linking the lines to their shipments
        with registry.cursor() as cr:
            start = time.perf_counter()
            cr.execute(BASELINE_JOIN, params)
            join_rows = cr.rowcount
            join_seconds = time.perf_counter() - start
            cr.execute(RESET, params)
            cr.commit()
        print(
            f"baseline join:     {join_rows} lines linked in {join_seconds:.2f} s "
            "(one UPDATE ... FROM package JOIN shipment)",
            flush=True,
        )
        vacuum(dbname, TABLES)

        # 3. the matching engine: match + classify, then the whole action
        with registry.cursor() as cr:
            env = _env(cr)
            invoice = env["logistics.freight.invoice"].browse(invoice_id)
            start = time.perf_counter()
            invoice._match_and_classify()
            engine_seconds = time.perf_counter() - start
            cr.rollback()
        vacuum(dbname, TABLES)
        with registry.cursor() as cr:
            env = _env(cr)
            invoice = env["logistics.freight.invoice"].browse(invoice_id)
            start = time.perf_counter()
            invoice.action_match()
            env.flush_all()
            cr.commit()
            action_seconds = time.perf_counter() - start
            cr.execute(
                "SELECT classification, count(*) FROM logistics_freight_invoice_line "
                "WHERE invoice_id = %s GROUP BY 1 ORDER BY 1",
                (invoice_id,),
            )
            classes = dict(cr.fetchall())
        print(
            f"matching engine:   {line_count} lines in {engine_seconds:.2f} s = "
            f"{line_count / engine_seconds:,.0f} lines/s (link + classify)",
            flush=True,
        )
        print(
            f"Match action:      {action_seconds:.2f} s (engine, chatter, "
            f"exceptions) -> {classes}",
            flush=True,
        )
        ratio = engine_seconds / join_seconds
        total = import_seconds + action_seconds
        expected_unknown = len([i for i in range(n) if i % 100 == 3])
        if classes.get("unknown") != expected_unknown:
            raise SystemExit(
                f"expected {expected_unknown} unknown lines, got {classes}"
            )

        # 5. a 1-row file, next to the large invoice: a shipment that invoice
        # does not bill (its row 3 bills an unknown number instead)
        number, amount = shipments[3]
        one_row, timings = one_row_file(
            registry, account_id, number, float(amount), day
        )
        print(
            f"1-row file:        import + match in {one_row * 1000:.0f} ms "
            f"(median of {len(timings)}: "
            + ", ".join(f"{t * 1000:.0f}" for t in timings)
            + " ms)",
            flush=True,
        )
        print(
            f"RESULT match_vs_join={ratio:.2f} (target <= {TARGET_RATIO:.2f}) "
            f"import_plus_match_s={total:.1f} (target < {TARGET_LARGE_S:.0f}) "
            f"one_row_s={one_row:.3f} (target < {TARGET_ONE_ROW_S})",
            flush=True,
        )
        result(
            "import_lines_per_s",
            line_count / import_seconds,
            "lines/s",
            None,
            None,
            f"import + match of 100k lines < {TARGET_LARGE_S:.0f} s",
        )
        result(
            "match_lines_per_s",
            line_count / engine_seconds,
            "lines/s",
            line_count / join_seconds,
            (line_count / engine_seconds) / (line_count / join_seconds),
            "match rate >= 1/3 of one SQL join",
        )
        result(
            "match_time_vs_join",
            engine_seconds,
            "s",
            join_seconds,
            ratio,
            f"<= {TARGET_RATIO:.0f}x one SQL join",
        )
        result(
            "import_plus_match_s",
            total,
            "s",
            None,
            None,
            f"< {TARGET_LARGE_S:.0f} s for {n // 1000}k lines",
        )
        result(
            "one_row_import_match_s",
            one_row,
            "s",
            None,
            None,
            f"< {TARGET_ONE_ROW_S} s for a 1-row file",
        )
        missed = []
        if ratio > TARGET_RATIO:
            missed.append(f"match/join {ratio:.2f} > {TARGET_RATIO}")
        if total >= TARGET_LARGE_S:
            missed.append(f"import + match {total:.1f} s >= {TARGET_LARGE_S} s")
        if one_row >= TARGET_ONE_ROW_S:
            missed.append(f"1-row file {one_row:.3f} s >= {TARGET_ONE_ROW_S} s")
        if missed:
            print("TARGET MISSED: " + "; ".join(missed), flush=True)
            status = 1
        else:
            print("all targets met", flush=True)
            status = 0
    finally:
        if args.keep:
            print(f"kept: account {account_id}, carrier {carrier_id}", flush=True)
        else:
            cleanup(registry, account_id, carrier_id)
    return status


if __name__ == "__main__":
    sys.exit(main())
