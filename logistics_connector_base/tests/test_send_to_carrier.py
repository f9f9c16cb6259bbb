# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestSendToCarrier(LogisticsCase):
    def test_happy_path_label_and_tracking_land_on_picking(self):
        picking = self._make_picking(qty=2)
        with trap_jobs() as trap:
            picking.with_user(self.user).action_send_to_carrier()
            shipment = picking.logistics_shipment_id
            # Queued, not sent: the click never waits on the carrier.
            self.assertEqual(shipment.state, "queued")
            self.assertEqual(self.sim.count("create_shipment"), 0)
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.logistics.outbound.sim")
            self.assertEqual(job.identity_key, shipment.idempotency_key)
            trap.perform_enqueued_jobs()
        shipment.invalidate_recordset()
        picking.invalidate_recordset()
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.health, "ok")
        self.assertTrue(shipment.carrier_shipment_id.startswith("SIM"))
        self.assertEqual(self.sim.count("create_shipment"), 1)
        sim_shipment = self.sim.shipments[shipment.carrier_shipment_id]
        self.assertEqual(
            picking.carrier_tracking_ref, ",".join(sim_shipment["tracking_numbers"])
        )
        self.assertEqual(shipment.tracking_ref, picking.carrier_tracking_ref)
        label = shipment.label_attachment_id
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        self.assertEqual(shipment.event_ids.mapped("code"), ["label_created"])
        ledger = self._ledger(shipment)
        self.assertEqual(ledger.state, "succeeded")
        self.assertEqual(ledger.result_ref, shipment.carrier_shipment_id)
        # what the carrier received is what the picking holds
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"][0]
        self.assertEqual(sent["json"]["recipient"]["phone"], "+493012345678")
        self.assertEqual(sent["json"]["recipient"]["zip"], "10117")
        self.assertAlmostEqual(sent["json"]["parcels"][0]["weight_kg"], 13.0)
        self.assertEqual(
            sent["headers"].get("Idempotency-Key"), shipment.idempotency_key
        )

    def test_double_click_creates_one_shipment_and_one_job(self):
        picking = self._make_picking()
        with trap_jobs() as trap:
            picking.action_send_to_carrier()
            picking.action_send_to_carrier()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        with trap_jobs() as trap:
            picking.action_send_to_carrier()  # a third click after the label
            trap.assert_jobs_count(0)
        self.assertEqual(len(picking.logistics_shipment_ids), 1)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_job_run_twice_sends_once(self):
        picking = self._make_picking()
        shipment = self._send(picking)
        first = shipment.carrier_shipment_id
        # the runner requeues a job (e.g. after a worker restart): no second call
        self._dispatch(shipment)
        self.assertEqual(shipment.carrier_shipment_id, first)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_validation_after_send_does_not_ship_twice(self):
        picking = self._make_picking()
        shipment = self._send(picking)
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            trap.assert_jobs_count(0)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.logistics_shipment_ids, shipment)
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_validation_without_click_queues_and_never_blocks(self):
        picking = self._make_picking()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        self.sim.add_fault("create_shipment", 503, times=None)  # carrier down
        with trap_jobs() as trap:
            picking.button_validate()
            self.assertEqual(picking.state, "done")
            self.assertEqual(self.sim.count("create_shipment"), 0)
            trap.assert_jobs_count(1)
        self.assertEqual(picking.logistics_shipment_id.state, "queued")

    def test_changed_after_sent_asks_to_void_and_resend(self):
        picking = self._make_picking(qty=1)
        self._send(picking)
        picking.move_ids.product_uom_qty = 3
        with self.assertRaisesRegex(Exception, "changed after it was sent"):
            picking.action_send_to_carrier()
        self.assertEqual(self.sim.count("create_shipment"), 1)

    def test_cancel_at_carrier_and_resend_creates_new_attempt(self):
        picking = self._make_picking()
        shipment = self._send(picking)
        picking.with_user(self.supervisor).cancel_shipment()
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(
            self.sim.shipments[shipment.carrier_shipment_id]["status"], "cancelled"
        )
        self.assertIn("cancelled", shipment.event_ids.mapped("code"))
        self.assertFalse(picking.carrier_tracking_ref)
        second = self._send(picking)
        self.assertNotEqual(second, shipment)
        self.assertEqual(second.attempt, 2)
        self.assertEqual(second.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 2)

    def test_cancelling_the_picking_cancels_its_shipment(self):
        picking = self._make_picking()
        shipment = self._send(picking)
        picking.action_cancel()
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(self.sim.count("cancel_shipment"), 1)
