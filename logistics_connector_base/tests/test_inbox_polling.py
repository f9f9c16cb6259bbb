# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.generic.server import webhook_body

from ..models import logistics_inbound_message as inbox_module
from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestInbox(LogisticsCase):
    def setUp(self):
        super().setUp()
        self.inbox = self.env["logistics.inbound.message"]
        self.shipment = self._send(self._make_picking())
        self.number = self.shipment.tracking_ref.split(",")[0]

    def _store(self, status, message_id, **event):
        body = webhook_body(
            [dict({"tracking_number": self.number, "status": status}, **event)],
            message_id=message_id,
        )
        return self.inbox._store(self.account.id, message_id, body.decode(), "{}")

    def test_stored_message_has_its_account_company_and_carrier(self):
        """The intake's INSERT fills the stored related fields: the
        multi-company rule hides a message from other companies."""
        with trap_jobs():
            message = self.inbox.browse(self._store("in_transit", "mc1"))
        self.assertEqual(message.company_id, self.account.company_id)
        self.assertEqual(message.carrier_code, self.account.carrier_code)
        other = self.env["res.company"].create({"name": "Other logistics company"})
        outsider = self.env["res.users"].create(
            {
                "name": "Other company supervisor",
                "login": "other-company-supervisor",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        self.env.ref(
                            "logistics_connector_base.group_logistics_supervisor"
                        ).ids,
                    )
                ],
            }
        )
        self.assertFalse(
            self.inbox.with_user(outsider).search([("id", "=", message.id)])
        )
        self.assertTrue(
            self.inbox.with_user(self.supervisor).search([("id", "=", message.id)])
        )

    def test_drain_processes_in_batches_and_chains(self):
        with trap_jobs() as trap:
            for index in range(5):
                self._store("in_transit", f"m{index}", event_id=f"e{index}")
            trap.assert_jobs_count(1)
            result = self.inbox._drain(self.account.id, limit=2)
            self.assertIn("2 messages", result)
            trap.assert_jobs_count(2)  # a follow-up job for the rest
        states = self.inbox.search([("account_id", "=", self.account.id)]).mapped(
            "state"
        )
        self.assertEqual(sorted(states), ["done"] * 2 + ["pending"] * 3)

    @mute_logger(
        "odoo.addons.logistics_connector_base.models.logistics_inbound_message"
    )
    def test_drain_works_in_chunks_with_pauses_between_them(self):
        """One drain job, chunks of DRAIN_CHUNK messages, a pause between
        chunks (bounded) so that the HTTP workers keep their CPU; a bad
        message fails alone in its chunk."""
        module = inbox_module
        with trap_jobs():
            ids = [
                self._store("in_transit", f"c{index}", event_id=f"c{index}")
                for index in range(5)
            ]
        bad = self.inbox.browse(ids[2])
        bad.body = '{"message_id": "c2", "events": [{"tracking_number": 1}]}'
        pauses = []
        with (
            patch.object(module, "DRAIN_CHUNK", 2),
            patch.object(type(self.inbox), "_drain_pause", lambda self: 10.0),
            patch.object(module.time, "sleep", pauses.append),
        ):
            result = self.inbox._drain(self.account.id)
        self.assertIn("5 messages", result)
        self.assertEqual(len(pauses), 2)  # between chunks 1-2 and 2-3
        self.assertTrue(all(0 <= p <= module.MAX_PAUSE for p in pauses))
        messages = self.inbox.browse(ids)
        messages.invalidate_recordset()
        self.assertEqual(
            messages.mapped("state"), ["done", "done", "failed", "done", "done"]
        )

    def test_no_pause_in_test_mode(self):
        self.assertEqual(self.inbox._drain_pause(), 0.0)

    @mute_logger(
        "odoo.addons.logistics_connector_base.models.logistics_inbound_message"
    )
    def test_failed_processing_keeps_the_message_and_reprocess_succeeds(self):
        with trap_jobs():
            message_id = self._store("in_transit", "p1")
        message = self.inbox.browse(message_id)
        # the adapter cannot read it (here: the payload is corrupted in transit)
        message.body = '{"message_id": "p1", "events": [{"tracking_number": 1}]}'
        self.inbox._drain(self.account.id)
        message.invalidate_recordset()
        self.assertEqual(message.state, "failed")
        self.assertTrue(message.error)
        self.assertEqual(self.shipment.state, "label_created")
        message.body = webhook_body(
            [{"tracking_number": self.number, "status": "in_transit"}], message_id="p1"
        ).decode()
        message.with_user(self.supervisor).action_reprocess()
        self.assertEqual(message.state, "done")
        self.shipment.invalidate_recordset()
        self.assertEqual(self.shipment.state, "in_transit")
        with self.assertRaises(UserError):
            message.with_user(self.user).action_reprocess()

    def test_retention_prunes_processed_messages_only(self):
        with trap_jobs():
            old_done = self.inbox.browse(self._store("in_transit", "old1"))
            old_failed = self.inbox.browse(self._store("in_transit", "old2"))
        self.inbox._drain(self.account.id)
        old_failed.state = "failed"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE logistics_inbound_message SET received_at = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=40), (old_done.id, old_failed.id)),
        )
        self.inbox._gc_old_messages()
        self.assertFalse(old_done.exists())
        self.assertTrue(old_failed.exists())


@tagged("post_install", "-at_install")
class TestPolling(LogisticsCase):
    def test_cron_queues_one_job_per_account_and_poll_applies_events(self):
        shipment = self._send(self._make_picking())
        self.sim.advance(shipment.carrier_shipment_id, "picked_up", push=False)
        self.sim.advance(shipment.carrier_shipment_id, "in_transit", push=False)
        with trap_jobs() as trap:
            self.env["logistics.carrier.account"]._cron_poll_tracking()
            jobs = [j for j in trap.enqueued_jobs if j.method_name == "_poll_tracking"]
            self.assertIn(self.account.id, [j.recordset.id for j in jobs])
            self.assertEqual(jobs[0].channel, "root.logistics.inbound")
        result = self.account._poll_tracking()
        self.env.invalidate_all()
        self.assertIn("new events", result)
        self.assertEqual(shipment.state, "in_transit")
        polled = shipment.event_ids.filtered(lambda e: e.source == "poll")
        self.assertLessEqual({"picked_up", "in_transit"}, set(polled.mapped("code")))
        self.assertTrue(shipment.last_tracked_at)
        # polled again right away: nothing is due
        self.assertIn("Nothing to poll", self.account._poll_tracking())

    def test_429_backs_the_account_off_without_stalling_others(self):
        shipment = self._send(self._make_picking())
        other_account = self._make_account("Other simulator")
        other_carrier = self._make_carrier("Other", other_account)
        other = self._send(self._make_picking(carrier=other_carrier))
        self.sim.advance(other.carrier_shipment_id, "in_transit", push=False)
        self.sim.add_fault("tracking", 429, headers={"Retry-After": "900"})
        self.account._poll_tracking()
        self.account.invalidate_recordset()
        self.assertGreater(
            self.account.poll_backoff_until,
            fields.Datetime.now() + timedelta(seconds=800),
        )
        self.assertFalse(shipment.last_tracked_at)
        other_account._poll_tracking()
        self.env.invalidate_all()
        self.assertEqual(other.state, "in_transit")
        with trap_jobs() as trap:
            self.env["logistics.carrier.account"]._cron_poll_tracking()
            polled = {j.recordset.id for j in trap.enqueued_jobs}
        self.assertNotIn(self.account.id, polled)  # backed off
        self.assertIn(other_account.id, polled)
