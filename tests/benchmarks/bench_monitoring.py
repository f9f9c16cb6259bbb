# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Monitoring at scale: the aging cron and the dashboards' queries.

Run by ``./setup/bench.sh`` on the bench database. Generates set-based (SQL
INSERT ... SELECT generate_series) N shipments (default 100,000, with their
delivery orders) and M tracking events (default 1,000,000), a small share of
them late for each aging milestone, then times in the same run:

- the aging cron (``logistics.aging.rule._cron_evaluate``): first run (raises
  the exceptions) and steady state (nothing new), against a plain
  ``read_group`` count of the shipments;
- every dashboard query (read_group of the SQL views, the exception analysis,
  integration health, duplicates, the overview screen) against a plain
  ``read_group`` count on the table it reads.

Targets: aging cron < 10 s over 100k shipments; every dashboard query < 1 s.
Prints the ratios and one ``BENCH-RESULT`` line per figure.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from support.odoo_server import load_config  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api, fields  # noqa: E402

BENCH = "bench_monitoring"
LATE_EVERY = 500  # one shipment in 500 is late for each milestone (0.2 %)


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


MISSED = []


def result(metric, value, unit, baseline=None, target=""):
    """Print one figure; a target "< N s" is checked (MISSED when not met)."""
    ratio = value / baseline if baseline else None
    passed = None
    if target.startswith("< ") and target.endswith(" s"):
        passed = value < float(target[2:-2])
        if not passed:
            MISSED.append(f"{metric}: {value:.3f} s, target {target}")
    line = {
        "bench": BENCH,
        "metric": metric,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4) if baseline is not None else None,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "target": target,
        "passed": passed,
    }
    shown = f" (baseline {baseline:.3f} {unit}, ratio {ratio:.1f})" if ratio else ""
    print(f"{metric}: {value:.3f} {unit}{shown}  target {target}", flush=True)
    print("BENCH-RESULT " + json.dumps(line), flush=True)


def timed(func, repeat=3):
    """Median wall time of ``repeat`` runs (seconds) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def generate(env, n, m):
    """Shipments, delivery orders and events, set-based. Returns the carrier."""
    cr = env.cr
    tag = f"B{int(time.time())}"
    account = env["logistics.carrier.account"].create(
        {"name": f"Bench monitoring {tag}", "carrier_code": "sim"}
    )
    carrier = env["delivery.carrier"].create(
        {
            "name": f"Bench monitoring {tag}",
            "delivery_type": "logistics_sim",
            "product_id": env["product.product"]
            .create({"name": f"Bench shipping {tag}", "type": "service"})
            .id,
            "logistics_account_id": account.id,
        }
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    picking_type = warehouse.out_type_id
    customers = env.ref("stock.stock_location_customers")
    partner = env["res.partner"].create({"name": f"Bench customer {tag}"})
    env.flush_all()
    now = fields.Datetime.now()
    params = {
        "n": n,
        "m": m,
        "tag": tag,
        "type": picking_type.id,
        "src": picking_type.default_location_src_id.id,
        "dest": customers.id,
        "company": env.company.id,
        "partner": partner.id,
        "carrier": carrier.id,
        "account": account.id,
        "now": now,
        "late": LATE_EVERY,
        "uid": SUPERUSER_ID,
    }
    cr.execute(
        """
        INSERT INTO stock_picking
            (name, picking_type_id, location_id, location_dest_id, company_id,
             partner_id, carrier_id, move_type, state, priority,
             create_date, write_date, create_uid, write_uid)
        SELECT %(tag)s || '/' || g, %(type)s, %(src)s, %(dest)s, %(company)s,
               %(partner)s, %(carrier)s, 'direct', 'done', '0',
               %(now)s, %(now)s, %(uid)s, %(uid)s
          FROM generate_series(1, %(n)s) g
        """,
        params,
    )
    # g %% late: 1 no acceptance, 2 no tracking, 3 out for delivery
    # yesterday, 4 delivered without POD; others delivered with POD, released
    # over the last 90 days, accepted 1-60 minutes later
    cr.execute(
        """
        INSERT INTO logistics_shipment
            (name, picking_id, company_id, carrier_id, account_id, carrier_code,
             attempt, idempotency_key, state, health, dispatch_attempts,
             queued_at, label_at, last_event_at, last_tracked_at, delivered_at,
             pod_signatory, carrier_shipment_id, tracking_ref, needs_lookup,
             create_date, write_date, create_uid, write_uid)
        SELECT %(tag)s || '-S' || g, p.id, %(company)s, %(carrier)s, %(account)s,
               'sim', 1, %(tag)s || '-K' || g,
               CASE g %% %(late)s WHEN 1 THEN 'queued' WHEN 2 THEN 'in_transit'
                    WHEN 3 THEN 'out_for_delivery' ELSE 'delivered' END,
               CASE WHEN g %% 97 = 0 THEN 'exception' ELSE 'ok' END,
               CASE WHEN g %% 31 = 0 THEN 2 ELSE 0 END,
               q.queued_at,
               CASE WHEN g %% %(late)s = 1 THEN NULL
                    ELSE q.queued_at + (1 + g %% 60) * interval '1 minute' END,
               CASE g %% %(late)s WHEN 1 THEN NULL
                    WHEN 2 THEN %(now)s - interval '5 days'
                    WHEN 3 THEN %(now)s - interval '1 day'
                    ELSE q.queued_at + interval '1 day' END,
               q.queued_at + interval '1 day',
               CASE WHEN g %% %(late)s IN (1, 2, 3) THEN NULL
                    ELSE q.queued_at + interval '1 day' END,
               CASE WHEN g %% %(late)s IN (1, 2, 3, 4) THEN NULL ELSE 'Bench' END,
               CASE WHEN g %% %(late)s = 1 THEN NULL ELSE %(tag)s || '-C' || g END,
               CASE WHEN g %% %(late)s = 1 THEN NULL ELSE %(tag)s || '-T' || g END,
               false, q.queued_at, q.queued_at, %(uid)s, %(uid)s
          FROM generate_series(1, %(n)s) g
          JOIN stock_picking p ON p.name = %(tag)s || '/' || g
          CROSS JOIN LATERAL (
              SELECT CASE WHEN g %% %(late)s = 1 THEN %(now)s - interval '1 hour'
                          ELSE %(now)s - (g %% 90) * interval '1 day'
                               - (g %% 1440) * interval '1 minute' END AS queued_at
          ) q
        """,
        params,
    )
    cr.execute(
        "SELECT min(id), max(id) FROM logistics_shipment WHERE account_id = %s",
        (account.id,),
    )
    first, last = cr.fetchone()
    params.update(first=first, count=last - first + 1)
    cr.execute(
        """
        INSERT INTO logistics_shipment_event
            (shipment_id, account_id, company_id, code, raw_code, tracking_number,
             occurred_at, received_at, source, dedupe_key,
             create_date, write_date, create_uid, write_uid)
        SELECT s.id, %(account)s, %(company)s,
               (ARRAY['picked_up', 'in_transit', 'out_for_delivery',
                      'delivered'])[1 + e %% 4],
               'X', s.tracking_ref, o.occurred_at, o.received_at,
               'webhook', 'b' || e, o.received_at, o.received_at, %(uid)s, %(uid)s
          FROM generate_series(1, %(m)s) e
          JOIN logistics_shipment s ON s.id = %(first)s + (e %% %(count)s)
          CROSS JOIN LATERAL (
              SELECT s.queued_at + (e %% 24) * interval '1 hour' AS occurred_at,
                     s.queued_at + (e %% 24) * interval '1 hour'
                         + (e %% 600) * interval '1 second' AS received_at
          ) o
        """,
        params,
    )
    cr.execute("ANALYZE logistics_shipment")
    cr.execute("ANALYZE logistics_shipment_event")
    cr.execute("ANALYZE stock_picking")
    return carrier, account


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=int(os.environ.get("BENCH_SHIPMENTS", 100000))
    )
    parser.add_argument(
        "-m", type=int, default=int(os.environ.get("BENCH_EVENTS", 1000000))
    )
    args = parser.parse_args()
    load_config()
    dbname = os.environ["LOGISTICS_BENCH_DB"]
    registry = odoo.registry(dbname)
    with registry.cursor() as cr:
        env = _env(cr)
        print(f"generating {args.n} shipments and {args.m} events ...", flush=True)
        start = time.perf_counter()
        carrier, account = generate(env, args.n, args.m)
        cr.commit()
        print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)

    with registry.cursor() as cr:
        env = _env(cr)
        shipments = env["logistics.shipment"]
        events = env["logistics.shipment.event"]
        exceptions = env["logistics.exception"]
        rules = env["logistics.aging.rule"]
        # the shipped rules, watching the bench account only
        rules.search([]).write({"account_ids": [(6, 0, account.ids)]})
        env.flush_all()

        def count_shipments():
            env.invalidate_all()
            return shipments.read_group([], ["__count"], ["carrier_id"])

        def count_events():
            env.invalidate_all()
            return events.read_group([], ["__count"], ["account_id"])

        base_shipments, _out = timed(count_shipments)
        base_events, _out = timed(count_events)

        start = time.perf_counter()
        rules._cron_evaluate()
        env.flush_all()
        first_run = time.perf_counter() - start
        raised = exceptions.search_count([("aging_rule_id", "!=", False)])
        print(f"aging cron raised {raised} exceptions", flush=True)
        result(
            "aging cron, first run (100k shipments)" if args.n == 100000 else
            f"aging cron, first run ({args.n} shipments)",
            first_run, "s", base_shipments, "< 10 s",
        )  # fmt: skip
        cr.commit()
        steady, _out = timed(lambda: (rules._cron_evaluate(), env.flush_all()))
        result("aging cron, steady state", steady, "s", base_shipments, "< 10 s")
        cr.commit()

        def count_exceptions():
            env.invalidate_all()
            return exceptions.read_group([], ["__count"], ["state"])

        def count_accounts():
            env.invalidate_all()
            return env["logistics.carrier.account"].read_group(
                [], ["__count"], ["carrier_code"]
            )

        base_exceptions, _out = timed(count_exceptions)
        base_accounts, _out = timed(count_accounts)
        since = fields.Datetime.now() - timedelta(days=30)
        period = [("date", ">=", since)]
        report = env["logistics.shipment.report"]
        event_report = env["logistics.event.report"]
        dashboards = [
            (
                "shipment analysis by carrier, 30 days (success, median, p95, retry)",
                lambda: report.read_group(
                    period,
                    [
                        "success_rate:avg",
                        "release_p50:avg",
                        "release_p95:avg",
                        "retry_success_rate:avg",
                        "nbr:sum",
                    ],
                    ["carrier_id"],
                ),  # fmt: skip
                base_shipments,
            ),
            (
                "shipment analysis by warehouse and sales channel, 30 days",
                lambda: report.read_group(
                    period,
                    ["success_rate:avg", "release_p50:avg", "nbr:sum"],
                    ["warehouse_id", "sales_team_id"],
                    lazy=False,
                ),
                base_shipments,
            ),
            (
                "shipment analysis by week, all time",
                lambda: report.read_group(
                    [], ["success_rate:avg", "release_p95:avg"], ["date:week"]
                ),
                base_shipments,
            ),
            (
                "event latency by account, 30 days (median, p95)",
                lambda: event_report.read_group(
                    period,
                    ["latency_p50:avg", "latency_p95:avg", "nbr:sum"],
                    ["account_id"],
                ),
                base_events,
            ),
            (
                "event latency by day, 30 days",
                lambda: event_report.read_group(
                    period, ["latency_p50:avg"], ["date:day"]
                ),
                base_events,
            ),
            (
                "exception volume by category and carrier",
                lambda: exceptions.read_group(
                    [], ["__count"], ["category", "carrier_id"], lazy=False
                ),
                base_exceptions,
            ),
            (
                "open exceptions by age bucket",
                lambda: exceptions.read_group(
                    [("state", "=", "open")], ["__count"], ["age_bucket"]
                ),
                base_exceptions,
            ),
            (
                "integration health (all accounts)",
                lambda: env["logistics.account.health"].search_read([]),
                base_accounts,
            ),
            (
                "duplicates absorbed by account and layer",
                lambda: env["logistics.duplicate.stat"].read_group(
                    [], ["count:sum"], ["account_id", "scope"], lazy=False
                ),
                base_shipments,
            ),
            (
                "overview screen (every tile), 30 days, one carrier",
                lambda: (
                    env["logistics.overview"]
                    .new(
                        {
                            "period": "30d",
                            "carrier_id": carrier.id,
                            "date_from": since.date(),
                        }
                    )
                    ._kpis()
                ),  # fmt: skip
                base_shipments,
            ),
        ]
        print(
            f"baselines: shipments read_group count {base_shipments:.3f} s, "
            f"events read_group count {base_events:.3f} s, exceptions "
            f"{base_exceptions:.3f} s, accounts {base_accounts:.3f} s",
            flush=True,
        )
        for name, func, baseline in dashboards:

            def run(func=func):
                env.invalidate_all()
                return func()

            elapsed, _out = timed(run)
            result(name, elapsed, "s", baseline, "< 1 s")
        cr.rollback()


if __name__ == "__main__":
    main()
    for line in MISSED:
        print(f"TARGET MISSED {BENCH}: {line}", flush=True)
    sys.exit(1 if MISSED else 0)
