# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Return labels (UPS Print Return Label) and transit days with the simulator."""

import base64

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_simulators.ups.server import TRANSIT_DAYS

from .common import UpsCase


@tagged("post_install", "-at_install")
class TestUpsReturns(UpsCase):
    def _delivered(self):
        picking = self._ups_picking()
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            picking.button_validate()
            for _round in range(3):
                if not trap.enqueued_jobs:
                    break
                trap.perform_enqueued_jobs()
        self.assertEqual(picking.state, "done")
        return picking

    def _return_label(self, picking):
        with trap_jobs() as trap:
            picking.with_user(self.user).action_logistics_return_label()
            for _round in range(3):
                if not trap.enqueued_jobs:
                    break
                trap.perform_enqueued_jobs()
        self.env.invalidate_all()

    def test_return_label_on_a_delivered_ups_picking(self):
        delivery = self._delivered()
        outbound = delivery.logistics_shipment_id
        mails_before = self.env["mail.mail"].search([])
        self._return_label(delivery)
        returned = delivery.return_ids
        self.assertEqual(len(returned), 1)
        shipment = returned.logistics_shipment_id
        self.assertTrue(shipment.is_return)
        self.assertEqual(shipment.carrier_code, "ups")
        self.assertEqual(shipment.state, "label_created")
        self.assertRegex(shipment.tracking_ref, r"^1Z[0-9A-Z]{16}$")
        self.assertNotEqual(shipment.tracking_ref, outbound.tracking_ref)
        label = shipment.label_attachment_id
        self.assertTrue(base64.b64decode(label.datas).startswith(b"GIF8"))
        self.assertEqual(delivery.logistics_return_shipment_id, shipment)
        # what UPS received: a Print Return Label from the customer
        sent = self._ups_requests("create_shipment")
        self.assertEqual(len(sent), 2)
        body = sent[-1]["json"]["ShipmentRequest"]["Shipment"]
        self.assertEqual(body["ReturnService"]["Code"], "9")
        self.assertEqual(body["ShipFrom"]["Address"]["City"], "Atlanta")
        self.assertEqual(body["ShipTo"]["Address"]["City"], "Timonium")
        self.assertEqual(body["Shipper"]["Address"]["City"], "Timonium")
        self.assertEqual(body["Shipper"]["ShipperNumber"], "A1B2C3")
        self.assertTrue(body["Package"][0]["Description"])
        record = self.ups_sim.shipments[shipment.carrier_shipment_id]
        self.assertEqual(record["return_service"], "9")
        # the customer gets the label by e-mail
        mail = (self.env["mail.mail"].search([]) - mails_before).filtered(
            lambda m: "return label" in (m.subject or "").lower()
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("jordan.miller@example.com", mail.email_to)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertIn(shipment.tracking_ref, mail.attachment_ids.name)
        # the outbound shipment is untouched; a second click sends nothing
        self.assertFalse(outbound.is_return)
        self._return_label(returned)
        self.assertEqual(len(self._ups_requests("create_shipment")), 2)

    def test_return_tracking_moves_the_return_shipment(self):
        delivery = self._delivered()
        self._return_label(delivery)
        shipment = delivery.return_ids.logistics_shipment_id
        number = shipment.tracking_ref
        self.ups_sim.advance(number, "picked_up", push=False)
        self.ups_account._poll_tracking()
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "picked_up")
        self.assertEqual(delivery.logistics_shipment_id.state, "label_created")
        shipment.last_tracked_at = False
        self.ups_sim.advance(number, "delivered", push=False)
        self.ups_account._poll_tracking()
        self.env.invalidate_all()
        self.assertEqual(shipment.state, "delivered")
        self.assertIn("delivered", shipment.event_ids.mapped("code"))

    def test_rate_quotes_carry_ups_transit_days(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.us_partner.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": 1})
                ],
            }
        )
        (result,) = self.ups_carrier._logistics_compare_rates(
            lambda carrier: carrier._logistics_order_request(order)
        )
        self.assertEqual(result["status"], "ok", result["message"])
        self.assertEqual(result["service_code"], "03")
        self.assertEqual(result["transit_days"], TRANSIT_DAYS["03"])
        (rate,) = self._ups_requests("rates")
        self.assertEqual(rate["path"], "/rating/v2409/Ratetimeintransit")
        timing = rate["json"]["RateRequest"]["Shipment"]["DeliveryTimeInformation"]
        self.assertEqual(timing["PackageBillType"], "03")
