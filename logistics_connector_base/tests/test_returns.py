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
class TestReturns(LogisticsCase):
    def _delivered_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.set_delivery_line(self.carrier, 10.0)
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            trap.perform_enqueued_jobs()
        self.assertEqual(picking.state, "done")
        return order, picking

    def _return_label(self, picking):
        with trap_jobs() as trap:
            picking.with_user(self.user).action_logistics_return_label()
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()

    def test_return_label_from_the_delivery(self):
        _order, delivery = self._delivered_order()
        mails_before = self.env["mail.mail"].search([])
        self._return_label(delivery)
        returned = delivery.return_ids
        self.assertEqual(len(returned), 1)
        shipment = returned.logistics_shipment_id
        self.assertTrue(shipment.is_return)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(delivery.logistics_return_shipment_id, shipment)
        # the outbound shipment is untouched
        self.assertEqual(delivery.logistics_shipment_id.state, "label_created")
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"]
        self.assertEqual(len(sent), 2)
        body = sent[-1]["json"]
        self.assertIs(body["return"], True)
        self.assertEqual(body["shipper"]["city"], "Berlin")  # the customer
        self.assertEqual(body["recipient"]["city"], "Hamburg")  # the warehouse
        sim_shipment = self.sim.shipments[shipment.carrier_shipment_id]
        self.assertTrue(sim_shipment["return"])
        # the customer gets the label by e-mail
        mail = self.env["mail.mail"].search([]) - mails_before
        mail = mail.filtered(lambda m: "return label" in (m.subject or "").lower())
        self.assertEqual(len(mail), 1)
        self.assertIn("lena.hoffmann@example.com", mail.email_to)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertIn(shipment.tracking_ref, mail.attachment_ids.name)
        self.assertIn(shipment.tracking_ref, mail.body_html)
        # a second click does not create a second return label
        self._return_label(returned)
        self.assertEqual(self.sim.count("create_shipment"), 2)

    def test_return_tracking_and_arrival(self):
        order, delivery = self._delivered_order()
        self._return_label(delivery)
        shipment = delivery.return_ids.logistics_shipment_id
        number = shipment.tracking_ref
        events = self.env["logistics.shipment.event"]
        moves_before = self.env["account.move"].search_count([])

        def ev(code, minutes):
            return TrackingEvent(
                tracking_number=number,
                code=code,
                raw_code=code,
                description=code,
                occurred_at=T0 + timedelta(minutes=minutes),
                carrier_event_id=f"r-{code}",
            )

        events._apply_tracking_events(self.account, [ev("picked_up", 1)], "webhook")
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "picked_up")
        events._apply_tracking_events(self.account, [ev("delivered", 90)], "webhook")
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "delivered")
        # arrival opens the credit-note work on the order; nobody is invoiced
        activity = order.activity_ids.filtered(
            lambda a: "credit note" in (a.summary or "")
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_return_label_from_a_return_picking(self):
        _order, delivery = self._delivered_order()
        returned = delivery._logistics_create_return()
        self.assertFalse(returned.carrier_id)  # Odoo does not copy it
        self._return_label(returned)
        self.assertEqual(returned.carrier_id, self.carrier)
        self.assertTrue(returned.logistics_shipment_id.is_return)

    def test_undelivered_or_unrelated_pickings_are_refused(self):
        picking = self._make_picking()
        with self.assertRaisesRegex(UserError, "not delivered yet"):
            picking.action_logistics_return_label()
        receipt_type = self.warehouse.in_type_id
        receipt = self.env["stock.picking"].create(
            {
                "partner_id": self.partner.id,
                "picking_type_id": receipt_type.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": receipt_type.default_location_dest_id.id,
            }
        )
        with self.assertRaisesRegex(UserError, "not a return"):
            receipt.action_logistics_return_label()
        self.assertEqual(self.sim.count("create_shipment"), 0)
