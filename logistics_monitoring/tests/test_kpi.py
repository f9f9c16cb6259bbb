# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import MonitoringCase

T0 = datetime(2026, 2, 2, 10, 0, 0)


@tagged("post_install", "-at_install")
class TestKpi(MonitoringCase):
    """A hand-built data set whose right answers are known."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shipments = cls.env["logistics.shipment"]
        # accepted after 10, 20, 30, 40 and 100 minutes
        for minutes in (10, 20, 30, 40, 100):
            cls.shipments |= cls._shipment(
                state="label_created",
                queued_at=T0,
                label_at=T0 + timedelta(minutes=minutes),
                carrier_shipment_id=f"KPI-{minutes}",
            )
        # the 100-minute one needed a retry (and got its label)
        cls.shipments[-1].dispatch_attempts = 2
        # failed after a retry: dead letter
        cls.failed = cls._shipment(
            state="queued", queued_at=T0, health="exception", dispatch_attempts=3
        )
        # still on its way: no outcome yet
        cls.pending = cls._shipment(state="queued", queued_at=T0)
        cls.shipments |= cls.failed | cls.pending
        # four events received 1, 2, 3 and 4 minutes after they happened
        events = cls.env["logistics.shipment.event"]
        for index, latency in enumerate((1, 2, 3, 4)):
            events |= events.create(
                {
                    "shipment_id": cls.shipments[index].id,
                    "code": "in_transit",
                    "occurred_at": T0,
                    "dedupe_key": f"kpi-{index}",
                }
            )
            cls.env.flush_all()
            cls.env.cr.execute(
                "UPDATE logistics_shipment_event SET create_date = %s WHERE id = %s",
                (T0 + timedelta(minutes=latency), events[-1].id),
            )
        cls.events = events
        cls.domain = [("carrier_id", "=", cls.carrier.id)]

    def test_shipment_kpis(self):
        report = self.env["logistics.shipment.report"].with_user(self.supervisor)
        [group] = report.read_group(
            self.domain,
            ["success_rate:avg", "release_p50:avg", "release_p95:avg",
             "release_minutes:avg", "retry_success_rate:avg", "nbr:sum"],
            [],
        )  # fmt: skip
        self.assertEqual(group["nbr"], 7)
        self.assertAlmostEqual(group["success_rate"], 500 / 6, places=6)  # 5 of 6
        self.assertAlmostEqual(group["release_p50"], 30.0, places=6)
        # p95 of 10, 20, 30, 40, 100: 40 + 0.8 * (100 - 40)
        self.assertAlmostEqual(group["release_p95"], 88.0, places=6)
        self.assertAlmostEqual(group["release_minutes"], 40.0, places=6)
        self.assertAlmostEqual(group["retry_success_rate"], 50.0, places=6)
        # by carrier in the pivot: the same figures per group
        [by_carrier] = report.read_group(
            self.domain, ["release_p50:avg"], ["carrier_id"]
        )
        self.assertAlmostEqual(by_carrier["release_p50"], 30.0, places=6)

    def test_event_latency(self):
        report = self.env["logistics.event.report"].with_user(self.supervisor)
        [group] = report.read_group(
            self.domain, ["latency_p50:avg", "latency_p95:avg", "nbr:sum"], []
        )
        self.assertEqual(group["nbr"], 4)
        self.assertAlmostEqual(group["latency_p50"], 2.5, places=6)
        self.assertAlmostEqual(group["latency_p95"], 3.85, places=6)

    def test_exception_volume_and_age(self):
        exceptions = self.env["logistics.exception"]
        first = exceptions._open_for(self.failed, "dispatch_failed", "Dead letter.")
        exceptions._open_for(self.pending, "carrier_error", "Refused.")
        exceptions._open_for(self.failed, "dispatch_failed", "Again.")  # same one
        self.assertEqual(first.occurrences, 2)
        groups = exceptions.read_group(
            self.domain, ["occurrences:sum"], ["category"], orderby="category"
        )
        counts = {g["category"]: g["category_count"] for g in groups}
        self.assertEqual(counts, {"carrier_error": 1, "dispatch_failed": 1})

    def test_integration_health(self):
        self.env["logistics.inbound.message"].create(
            [
                {
                    "account_id": self.account.id,
                    "message_key": "p1",
                    "state": "pending",
                },
                {"account_id": self.account.id, "message_key": "f1", "state": "failed"},
                {"account_id": self.account.id, "message_key": "d1", "state": "done"},
            ]
        )
        self.env["logistics.exception"]._open_for(self.failed, "dispatch_failed", "DL")
        log = self.env["logistics.integration.log"]
        log.create(
            [
                {"account_id": self.account.id, "operation": "create", "state": "ok"},
                {"account_id": self.account.id, "operation": "create", "state": "ok"},
                {"account_id": self.account.id, "operation": "create", "state": "ok"},
                {
                    "account_id": self.account.id,
                    "operation": "create",
                    "state": "error",
                },
                {
                    "account_id": self.account.id,
                    "operation": "tracking:spec_mismatch",
                    "state": "error",
                },
            ]
        )
        self.account.sudo().write(
            {"breaker_open_until": datetime.now() + timedelta(minutes=5)}
        )
        self.env.flush_all()
        health = (
            self.env["logistics.account.health"]
            .with_user(self.supervisor)
            .search([("account_id", "=", self.account.id)])
        )
        self.assertEqual(health.breaker_state, "open")
        self.assertEqual(health.queue_depth, 2)  # failed + pending: not accepted
        self.assertEqual(health.inbox_pending, 1)
        self.assertEqual(health.inbox_failed, 1)
        self.assertEqual(health.dead_letters, 1)
        self.assertEqual(health.calls_1h, 5)
        self.assertAlmostEqual(health.error_rate_1h, 40.0)
        self.assertEqual(health.spec_mismatches, 1)
        self.assertEqual(self.account.spec_mismatch_count, 1)
        self.assertGreaterEqual(health.oldest_unresolved_minutes, 0.0)

    def test_overview_shows_the_dashboard_figures(self):
        overview = (
            self.env["logistics.overview"]
            .with_user(self.supervisor)
            .create(
                {
                    "period": "custom",
                    "date_from": T0.date(),
                    "date_to": T0.date(),
                    "carrier_id": self.carrier.id,
                }
            )
        )
        self.assertEqual(overview.shipment_count, 7)
        self.assertAlmostEqual(overview.success_rate, 500 / 6, places=6)
        self.assertEqual(overview.failed_count, 1)
        self.assertAlmostEqual(overview.release_p50, 30.0, places=6)
        self.assertAlmostEqual(overview.release_p95, 88.0, places=6)
        self.assertAlmostEqual(overview.retry_success_rate, 50.0, places=6)
        self.assertEqual(overview.event_count, 4)
        self.assertAlmostEqual(overview.latency_p50, 2.5, places=6)
        # another day: nothing
        overview.write({"date_from": T0.date() + timedelta(days=1),
                        "date_to": T0.date() + timedelta(days=1)})  # fmt: skip
        self.assertEqual(overview.shipment_count, 0)
        action = overview.action_open_shipments()
        self.assertIn(("carrier_id", "=", self.carrier.id), action["domain"])
        with self.assertRaisesRegex(Exception, "swap"):
            overview.write({"date_from": T0.date() + timedelta(days=5)})
