# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta, timezone

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers import TrackingEvent

from .common import LogisticsCase

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@tagged("post_install", "-at_install")
class TestConsolidation(LogisticsCase):
    def _consolidate(self, pickings, user=None):
        with trap_jobs() as trap:
            (
                pickings.with_user(user) if user else pickings
            )._logistics_send_consolidated()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        return pickings[0].logistics_shipment_id

    def test_two_deliveries_one_shipment(self):
        first = self._make_picking(qty=1)
        second = self._make_picking(qty=2)
        pickings = first | second
        with trap_jobs() as trap:
            action = pickings.with_user(self.user).action_logistics_send_consolidated()
            trap.assert_jobs_count(1)
        self.assertEqual(action["tag"], "display_notification")
        shipment = first.logistics_shipment_id
        self.assertEqual(second.logistics_shipment_id, shipment)
        self.assertEqual(shipment.consolidated_picking_ids, second)

    def test_consolidated_label_and_tracking_on_each_picking(self):
        first = self._make_picking(qty=1)
        second = self._make_picking(qty=2)
        shipment = self._consolidate(first | second, user=self.user)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 1)
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"][0]
        weights = sorted(p["weight_kg"] for p in sent["json"]["parcels"])
        self.assertEqual(weights, [6.5, 13.0])
        for picking in first | second:
            self.assertEqual(picking.logistics_shipment_id, shipment)
            self.assertEqual(picking.carrier_tracking_ref, shipment.tracking_ref)
            labels = self.env["ir.attachment"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
            )
            self.assertEqual(len(labels), 2, picking.name)  # one per parcel
        # tracking reaches both delivery orders
        events = [
            TrackingEvent(
                tracking_number=number,
                code="delivered",
                raw_code="delivered",
                description="Delivered",
                occurred_at=T0 + timedelta(hours=1),
                carrier_event_id=f"d-{number}",
            )
            for number in shipment.tracking_ref.split(",")
        ]
        self.env["logistics.shipment.event"]._apply_tracking_events(
            self.account, events, "webhook"
        )
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "delivered")
        self.assertTrue(first.logistics_delivered_at)
        self.assertTrue(second.logistics_delivered_at)
        self.assertEqual(second.logistics_state, "delivered")

    def test_cancel_clears_every_picking(self):
        first = self._make_picking()
        second = self._make_picking()
        shipment = self._consolidate(first | second)
        shipment.with_user(self.supervisor).action_cancel_at_carrier()
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "cancelled")
        for picking in first | second:
            self.assertFalse(picking.logistics_shipment_id)
            self.assertFalse(picking.carrier_tracking_ref)
        # each can now be sent on its own
        self.assertTrue(self._send(second))

    def test_a_consolidated_picking_is_not_sent_twice(self):
        first = self._make_picking()
        second = self._make_picking()
        shipment = self._consolidate(first | second)
        self.assertEqual(self._send(second), shipment)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_mismatches_are_refused_and_nothing_is_sent(self):
        first = self._make_picking()
        other = self.partner.copy({"name": "Someone else"})
        with self.assertRaisesRegex(UserError, "different customers"):
            (first | self._make_picking(partner=other))._logistics_send_consolidated()
        later = self._make_picking()
        later.scheduled_date = first.scheduled_date + timedelta(days=2)
        with self.assertRaisesRegex(UserError, "same day"):
            (first | later)._logistics_send_consolidated()
        with self.assertRaisesRegex(UserError, "at least two"):
            first._logistics_send_consolidated()
        sent = self._make_picking()
        self._send(sent)
        with self.assertRaisesRegex(UserError, "Already sent"):
            (first | sent)._logistics_send_consolidated()
        self.assertFalse(first.logistics_shipment_ids)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_batch_transfer_consolidates_by_customer_and_day(self):
        other = self.partner.copy({"name": "Marta Schulz"})
        first = self._make_picking(qty=1)
        second = self._make_picking(qty=1)
        alone = self._make_picking(partner=other)
        batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [(6, 0, (first | second | alone).ids)]}
        )
        batch.action_confirm()
        with trap_jobs() as trap:
            batch.with_user(self.user).action_logistics_send_consolidated()
            # two shipments of one account: one batch job sends both
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].method_name, "_dispatch_batch")
            self.assertEqual(len(trap.enqueued_jobs[0].recordset), 2)
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        shared = first.logistics_shipment_id
        self.assertEqual(second.logistics_shipment_id, shared)
        self.assertEqual(shared.consolidated_picking_ids, second)
        self.assertEqual(shared.state, "label_created")
        self.assertTrue(alone.logistics_shipment_id)
        self.assertNotEqual(alone.logistics_shipment_id, shared)
        self.assertEqual(self.sim.count("create_shipment"), 2)
        # nothing left: a clear message, nothing sent again
        with self.assertRaisesRegex(UserError, "no delivery order left"):
            batch.action_logistics_send_consolidated()
        self.assertEqual(self.sim.count("create_shipment"), 2)
