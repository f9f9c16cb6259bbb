# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestDeliveryCarrier(LogisticsCase):
    def _order(self):
        product = self.env["product.product"].create(
            {"name": "Grinder", "type": "consu", "weight": 2.0, "sale_ok": True}
        )
        return self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 3})
                ],
            }
        )

    def test_get_rate_goes_through_the_adapter(self):
        order = self._order()
        res = self.carrier.rate_shipment(order)
        self.assertTrue(res["success"], res)
        # simulator tariff for SIM_EXP: 12.50 + 1.50 per kg, 6 kg
        self.assertAlmostEqual(res["carrier_price"], 12.50 + 1.50 * 6.0, places=2)
        rate_call = [r for r in self.sim.requests if r["operation"] == "rates"][0]
        self.assertEqual(rate_call["json"]["recipient"]["country_code"], "DE")

    def test_rate_error_is_a_message_not_a_crash(self):
        self.sim.add_fault("rates", 503, times=None)
        res = self.carrier.rate_shipment(self._order())
        self.assertFalse(res["success"])
        self.assertTrue(res["error_message"])

    def test_tracking_link_and_odoo_cancel(self):
        picking = self._make_picking()
        shipment = self._send(picking)
        link = self.carrier.get_tracking_link(picking)
        self.assertIn(shipment.tracking_ref.split(",")[0], link)
        self.carrier.cancel_shipment(picking)
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(self.sim.count("cancel_shipment"), 1)

    def test_send_shipping_hook_queues_without_calling_the_carrier(self):
        picking = self._make_picking()
        from odoo.addons.queue_job.tests.common import trap_jobs

        with trap_jobs() as trap:
            res = self.carrier.send_shipping(picking)
            trap.assert_jobs_count(1)
        self.assertEqual(res, [{"exact_price": 0.0, "tracking_number": False}])
        self.assertEqual(self.sim.count("create_shipment"), 0)
        self.assertEqual(picking.logistics_shipment_id.state, "queued")
