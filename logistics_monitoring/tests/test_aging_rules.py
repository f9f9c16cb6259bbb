# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MonitoringCase

T0 = datetime(2026, 3, 10, 8, 0, 0)  # a Tuesday, 09:00 in Berlin


@tagged("post_install", "-at_install")
class TestAgingRules(MonitoringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.rule_acceptance = ref("logistics_monitoring.aging_rule_no_acceptance")
        cls.rule_tracking = ref("logistics_monitoring.aging_rule_no_tracking")
        cls.rule_tracking_urgent = ref(
            "logistics_monitoring.aging_rule_no_tracking_urgent"
        )
        cls.rule_eod = ref("logistics_monitoring.aging_rule_not_delivered_eod")
        cls.rule_pod = ref("logistics_monitoring.aging_rule_no_pod")
        cls.rule_inbox = ref("logistics_monitoring.aging_rule_inbox_backlog")
        cls.rule_dead = ref("logistics_monitoring.aging_rule_dead_letter")
        # the rules of this test watch only this test's carrier account
        (
            cls.rule_acceptance | cls.rule_tracking | cls.rule_tracking_urgent
            | cls.rule_eod | cls.rule_pod | cls.rule_inbox | cls.rule_dead
        ).write({"account_ids": [(6, 0, cls.account.ids)]})  # fmt: skip
        cls.env.company.partner_id.tz = "Europe/Berlin"

    def _run(self, rule, at):
        with freeze_time(at):
            return rule._evaluate()[rule.id]

    def test_no_acceptance_at_its_threshold(self):
        shipment = self._shipment(state="queued", queued_at=T0)
        new, _esc = self._run(
            self.rule_acceptance, T0 + timedelta(minutes=14, seconds=59)
        )
        self.assertFalse(new)
        self.assertFalse(self._open_exceptions(shipment))
        new, _esc = self._run(self.rule_acceptance, T0 + timedelta(minutes=15))
        exception = self._open_exceptions(shipment)
        self.assertEqual(exception.ids, new)
        self.assertEqual(exception.category, "no_acceptance")
        self.assertEqual(exception.priority, "2")
        self.assertEqual(
            exception.stage_id, self.env.ref("logistics_monitoring.stage_new")
        )
        self.assertEqual(exception.user_id, self.supervisor)
        self.assertEqual(exception.carrier_id, self.carrier)
        self.assertEqual(exception.warehouse_id, self.warehouse)
        self.assertEqual(exception.aging_rule_id, self.rule_acceptance)
        self.assertEqual(exception.date_deadline, T0 + timedelta(minutes=75))
        self.assertEqual(len(exception.activity_ids), 1, "rule action: activity")
        self.assertIn("aging rule", exception.message_ids[:1].body)
        # the same problem on the next run: still one exception
        new, _esc = self._run(self.rule_acceptance, T0 + timedelta(minutes=20))
        self.assertFalse(new)
        self.assertEqual(len(self._open_exceptions(shipment)), 1)
        # the carrier accepts it: the cron clears the exception
        shipment.write(
            {"label_at": T0 + timedelta(minutes=21), "state": "label_created"}
        )
        with freeze_time(T0 + timedelta(minutes=25)):
            self.env["logistics.aging.rule"]._clear_recovered()
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(
            exception.stage_id, self.env.ref("logistics_monitoring.stage_resolved")
        )
        self.assertFalse(exception.activity_ids)

    def test_no_tracking_raises_then_escalates_and_mails(self):
        shipment = self._shipment(state="in_transit", label_at=T0, last_event_at=T0)
        rules = self.rule_tracking | self.rule_tracking_urgent
        before = self.env["mail.mail"].search([], order="id desc", limit=1).id or 0
        with freeze_time(T0 + timedelta(hours=47, minutes=59)):
            rules._evaluate()
        self.assertFalse(self._open_exceptions(shipment))
        with freeze_time(T0 + timedelta(hours=48)):
            rules._evaluate()
        exception = self._open_exceptions(shipment)
        self.assertEqual(exception.category, "stale_tracking")
        self.assertEqual(exception.priority, "1")
        mails = self.env["mail.mail"].search(
            [("subject", "ilike", "4 days"), ("id", ">", before)]
        )
        self.assertFalse(mails)
        with freeze_time(T0 + timedelta(days=4)):
            result = rules._evaluate()
        self.assertEqual(result[self.rule_tracking_urgent.id], ([], exception.ids))
        self.assertEqual(len(self._open_exceptions(shipment)), 1, "escalated, not new")
        self.assertEqual(exception.priority, "3")
        self.assertEqual(exception.aging_rule_id, self.rule_tracking_urgent)
        self.assertIn("Escalated", exception.message_ids[:1].body)
        mail = self.env["mail.mail"].search(
            [("subject", "ilike", "4 days"), ("id", ">", before)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("1 escalated", mail.subject)
        self.assertIn("supervisor@example.com", mail.email_to)

    def test_not_delivered_by_end_of_day_in_company_time(self):
        shipment = self._shipment(
            state="out_for_delivery", label_at=T0 - timedelta(days=1), last_event_at=T0
        )
        # end of the Berlin day = 23:00 UTC, plus 2 hours of grace
        end = datetime(2026, 3, 10, 23, 0, 0) + timedelta(hours=2)
        self._run(self.rule_eod, end - timedelta(seconds=1))
        self.assertFalse(self._open_exceptions(shipment))
        self._run(self.rule_eod, end)
        self.assertEqual(self._open_exceptions(shipment).category, "late_delivery")

    def test_delivered_without_pod(self):
        signed = self._shipment(
            state="delivered", delivered_at=T0, pod_signatory="Lena"
        )
        unsigned = self._shipment(state="delivered", delivered_at=T0)
        self._run(self.rule_pod, T0 + timedelta(hours=1, minutes=59))
        self.assertFalse(self._open_exceptions(signed | unsigned))
        self._run(self.rule_pod, T0 + timedelta(hours=2))
        exception = self._open_exceptions(signed | unsigned)
        self.assertEqual(exception.shipment_id, unsigned)
        self.assertFalse(exception.activity_ids, "rule action: exception only")

    def test_inbox_backlog_per_account(self):
        messages = self.env["logistics.inbound.message"]
        for key in ("a", "b"):
            messages |= messages.create(
                {"account_id": self.account.id, "message_key": key, "received_at": T0}
            )
        at = T0 + timedelta(minutes=30)
        before = self.env["mail.mail"].search([], order="id desc", limit=1).id or 0
        self._run(self.rule_inbox, at - timedelta(seconds=1))
        domain = [
            ("account_id", "=", self.account.id),
            ("category", "=", "inbox_backlog"),
        ]
        self.assertFalse(self.env["logistics.exception"].search(domain))
        self._run(self.rule_inbox, at)
        exception = self.env["logistics.exception"].search(domain)
        self.assertEqual(
            len(exception), 1, "one exception per account, not per message"
        )
        self.assertFalse(exception.shipment_id)
        self.assertEqual(exception.inbound_count, 2)
        self.assertTrue(
            self.env["mail.mail"].search(
                [("subject", "ilike", "Inbound"), ("id", ">", before)]
            )
        )
        messages.write({"state": "done"})
        self.env["logistics.aging.rule"]._clear_recovered(at)
        self.assertEqual(exception.state, "resolved")

    def test_dead_letter_jobs(self):
        shipment = self._shipment(state="queued", queued_at=T0)
        job = shipment.with_delay(channel="root.logistics.outbound")._dispatch()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'failed', date_done = %s WHERE uuid = %s",
            (T0, job.uuid),
        )
        self.env.invalidate_all()
        self._run(self.rule_dead, T0 + timedelta(minutes=59))
        self.assertFalse(self._open_exceptions(shipment, "dead_letter"))
        self._run(self.rule_dead, T0 + timedelta(hours=1))
        exception = self._open_exceptions(shipment, "dead_letter")
        self.assertEqual(exception.job_uuid, job.uuid)
        # Replay from the board requeues the job, which clears the exception
        exception.with_user(self.supervisor).action_replay()
        self.env.cr.execute("SELECT state FROM queue_job WHERE uuid = %s", (job.uuid,))
        self.assertEqual(self.env.cr.fetchone()[0], "pending")
        self.assertEqual(exception.state, "resolved")

    def test_cron_refreshes_age_buckets(self):
        shipment = self._shipment(state="queued", queued_at=T0)
        exception = self.env["logistics.exception"]._open_for(
            shipment, "carrier_error", "Carrier said no."
        )
        self.env.cr.execute(
            "UPDATE logistics_exception SET create_date = %s WHERE id = %s",
            (T0, exception.id),
        )
        self.env["logistics.aging.rule"].search([]).write({"active": False})
        expected = [
            (timedelta(minutes=59), "lt_1h"),
            (timedelta(hours=3), "h1_4"),
            (timedelta(hours=5), "h4_24"),
            (timedelta(days=2), "d1_3"),
            (timedelta(days=4), "gt_3d"),
        ]
        for delta, bucket in expected:
            with freeze_time(T0 + delta):
                self.env["logistics.aging.rule"]._cron_evaluate()
            self.assertEqual(exception.age_bucket, bucket)
        groups = self.env["logistics.exception"].read_group(
            [("id", "=", exception.id)], ["age_bucket"], ["age_bucket"]
        )
        self.assertEqual(groups[0]["age_bucket"], "gt_3d")

    def test_cron_goes_on_when_one_rule_fails(self):
        """A rule that fails (here its e-mail template cannot be rendered) is
        rolled back alone, logged at WARNING and noted in its chatter; the
        rules after it still run."""
        queued = self._shipment(state="queued", queued_at=T0)
        moving = self._shipment(state="in_transit", label_at=T0, last_event_at=T0)
        broken = self.env["mail.template"].create(
            {
                "name": "Broken aging mail",
                "model_id": self.env["ir.model"]._get_id("logistics.aging.rule"),
                "subject": "{{ object.no_such_field.name }}",
                "body_html": "<p>late</p>",
            }
        )
        self.rule_acceptance.write({"action": "email", "mail_template_id": broken.id})
        logger = "odoo.addons.logistics_monitoring.models.logistics_aging_rule"
        with (
            freeze_time(T0 + timedelta(hours=48)),
            self.assertLogs(logger, "WARNING") as logs,
            mute_logger("odoo.addons.mail.models.mail_render_mixin"),
        ):
            self.env["logistics.aging.rule"]._cron_evaluate()
        self.assertFalse(
            self._open_exceptions(queued, "no_acceptance"),
            "the failed rule rolled back",
        )
        self.assertTrue(self._open_exceptions(moving, "stale_tracking"))
        self.assertIn(f"id {self.rule_acceptance.id}", logs.output[0])
        self.assertIn(
            "failed when it last ran", self.rule_acceptance.message_ids[:1].body
        )

    def test_rule_scope_by_carrier_and_warehouse(self):
        shipment = self._shipment(state="queued", queued_at=T0)
        other_warehouse = self.env["stock.warehouse"].create(
            {"name": "Other WH", "code": "OWH"}
        )
        self.rule_acceptance.warehouse_ids = other_warehouse
        self._run(self.rule_acceptance, T0 + timedelta(hours=1))
        self.assertFalse(self._open_exceptions(shipment))
        self.rule_acceptance.warehouse_ids = self.warehouse
        self.rule_acceptance.carrier_ids = self.carrier
        self._run(self.rule_acceptance, T0 + timedelta(hours=1))
        self.assertTrue(self._open_exceptions(shipment))

    def test_bad_rule_configuration_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "carrier account"):
            self.rule_inbox.carrier_ids = self.carrier
        with self.assertRaisesRegex(ValidationError, "positive"):
            self.rule_acceptance.threshold = 0
