# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from datetime import datetime, timedelta, timezone

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers import TrackingEvent

from .common import LogisticsCase

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def event(number, code, minutes):
    return TrackingEvent(
        tracking_number=number,
        code=code,
        raw_code=code,
        description=code,
        occurred_at=T0 + timedelta(minutes=minutes),
        carrier_event_id=f"{number}-{code}-{minutes}",
    )


class PackingMixin:
    def _pack(self, picking, parts):
        """Pack ``picking`` into packages: parts = [(qty, shipping weight), ...]."""
        picking.action_assign()
        box = self.env["stock.package.type"].create(
            {
                "name": "Box M",
                "packaging_length": 400,
                "width": 300,
                "height": 200,
                "shipper_package_code": "BOX_M",
            }
        )
        move = picking.move_ids
        move.move_line_ids.unlink()
        packages = self.env["stock.quant.package"]
        for index, (qty, weight) in enumerate(parts):
            package = self.env["stock.quant.package"].create(
                {
                    "name": f"{picking.name}-PACK{index + 1}",
                    "package_type_id": box.id,
                    "shipping_weight": weight,
                }
            )
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "quantity": qty,
                    "result_package_id": package.id,
                }
            )
            packages |= package
        return packages


@tagged("post_install", "-at_install")
class TestMultiPackage(PackingMixin, LogisticsCase):
    def setUp(self):
        super().setUp()
        self.picking = self._make_picking(qty=3)
        self.packages = self._pack(self.picking, [(2, 13.0), (1, 7.5)])
        self.shipment = self._send(self.picking)
        self.events = self.env["logistics.shipment.event"]

    def _apply(self, events):
        self.events._apply_tracking_events(self.account, events, "webhook")
        self.env.invalidate_all()

    def test_one_shipment_one_label_per_package(self):
        shipment = self.shipment
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(self.sim.count("create_shipment"), 1)
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"][0]
        parcels = sorted(sent["json"]["parcels"], key=lambda p: p["reference"])
        self.assertEqual([p["weight_kg"] for p in parcels], [13.0, 7.5])
        self.assertEqual([p["length_cm"] for p in parcels], [40.0, 40.0])
        self.assertEqual(
            [p["reference"] for p in parcels], self.packages.mapped("name")
        )
        lines = shipment.package_ids
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines.package_id, self.packages)
        for line in lines:
            self.assertEqual(line.weight, line.package_id.shipping_weight)
        numbers = lines.mapped("tracking_number")
        self.assertEqual(len(set(numbers)), 2)
        self.assertEqual(self.picking.carrier_tracking_ref, ",".join(numbers))
        for line in lines:
            label = line.label_attachment_id
            self.assertIn(line.tracking_number, label.name)
            self.assertEqual(label.res_id, self.picking.id)
            self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))

    def test_delivered_when_all_packages_are(self):
        first, second = self.shipment.package_ids.mapped("tracking_number")
        self._apply([event(first, "in_transit", 10), event(first, "delivered", 60)])
        self.assertEqual(self.shipment.package_ids[0].state, "delivered")
        self.assertEqual(self.shipment.package_ids[1].state, "label_created")
        self.assertEqual(self.shipment.state, "label_created")
        self.assertFalse(self.picking.logistics_delivered_at)
        self._apply([event(second, "out_for_delivery", 70)])
        self.assertEqual(self.shipment.state, "out_for_delivery")
        self._apply([event(second, "delivered", 90)])
        self.assertEqual(self.shipment.state, "delivered")
        self.assertEqual(self.shipment.package_ids.mapped("state"), ["delivered"] * 2)
        self.assertTrue(self.picking.logistics_delivered_at)

    def test_one_lost_package_is_an_exception(self):
        first, second = self.shipment.package_ids.mapped("tracking_number")
        self._apply([event(first, "in_transit", 10), event(second, "in_transit", 10)])
        self._apply([event(second, "lost", 100)])
        self.assertEqual(self.shipment.state, "in_transit")
        self.assertEqual(self.shipment.health, "exception")
        self.assertEqual(self.shipment.exception_category, "lost")
        self.assertEqual(self.shipment.package_ids[1].state, "lost")
        self.assertTrue(
            self.shipment.exception_ids.filtered(
                lambda e: e.state == "open" and e.category == "lost"
            )
        )
        self._apply([event(first, "delivered", 200)])
        self.assertNotEqual(self.shipment.state, "delivered")
        self.assertEqual(self.shipment.health, "exception")
        self.assertFalse(self.picking.logistics_delivered_at)


@tagged("post_install", "-at_install")
class TestPartialShipments(PackingMixin, LogisticsCase):
    def _order(self, qty=2):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.set_delivery_line(self.carrier, 10.0)
        order.action_confirm()
        return order

    def test_each_delivery_of_a_split_sale_has_its_own_shipment(self):
        order = self._order(qty=2)
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with trap_jobs() as trap:
            res = picking.button_validate()
            self.env[res["res_model"]].with_context(**res["context"]).create(
                {}
            ).process()
            trap.perform_enqueued_jobs()
        backorder = order.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        first = picking.logistics_shipment_id
        self.assertEqual(first.state, "label_created")
        second = self._send(backorder)
        self.assertNotEqual(first, second)
        self.assertEqual(second.picking_id, backorder)
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"]
        self.assertEqual(len(sent), 2)
        self.assertEqual(
            [s["json"]["parcels"][0]["weight_kg"] for s in sent], [6.5, 6.5]
        )
        # cancelling the backorder cancels its shipment only
        backorder.action_cancel()
        self.assertEqual(second.state, "cancelled")
        self.assertEqual(first.state, "label_created")
        self.assertEqual(
            self.sim.shipments[second.carrier_shipment_id]["status"], "cancelled"
        )
        self.assertEqual(
            self.sim.shipments[first.carrier_shipment_id]["status"], "label_created"
        )

    def test_picking_changed_after_sending_asks_to_void_and_resend(self):
        picking = self._make_picking(qty=2)
        shipment = self._send(picking)
        self.assertFalse(picking.logistics_outdated)
        picking.move_ids.product_uom_qty = 3
        picking.invalidate_recordset(["logistics_outdated"])
        self.assertTrue(picking.logistics_outdated)
        with self.assertRaisesRegex(UserError, "changed after it was sent"):
            picking.action_send_to_carrier()
        with trap_jobs() as trap:
            picking.action_logistics_void_and_resend()
            trap.perform_enqueued_jobs()
        picking.invalidate_recordset()
        self.assertEqual(shipment.state, "cancelled")
        self.assertEqual(
            self.sim.shipments[shipment.carrier_shipment_id]["status"], "cancelled"
        )
        new = picking.logistics_shipment_id
        self.assertNotEqual(new, shipment)
        self.assertEqual(new.state, "label_created")
        self.assertFalse(picking.logistics_outdated)
        sent = [r for r in self.sim.requests if r["operation"] == "create_shipment"]
        self.assertAlmostEqual(sent[-1]["json"]["parcels"][0]["weight_kg"], 19.5)

    def test_address_or_packages_changed_after_sending(self):
        picking = self._make_picking(qty=2)
        self._send(picking)
        picking.partner_id.street = "Unter den Linden 5"
        picking.invalidate_recordset(["logistics_outdated"])
        self.assertTrue(picking.logistics_outdated)
        picking.partner_id.street = "Friedrichstraße 123"
        picking.invalidate_recordset(["logistics_outdated"])
        self.assertFalse(picking.logistics_outdated)
        self._pack(picking, [(1, 6.5), (1, 6.5)])
        picking.invalidate_recordset(["logistics_outdated"])
        self.assertTrue(picking.logistics_outdated)
