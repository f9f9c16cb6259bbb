# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from logistics_carriers import TrackingEvent

from .common import LogisticsCase

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def event(number, code, minutes, **kw):
    return TrackingEvent(
        tracking_number=number,
        code=code,
        raw_code=kw.pop("raw_code", code),
        description=code,
        occurred_at=T0 + timedelta(minutes=minutes),
        carrier_event_id=kw.pop("event_id", f"{number}-{code}-{minutes}"),
        **kw,
    )


@tagged("post_install", "-at_install")
class TestTrackingEvents(LogisticsCase):
    def setUp(self):
        super().setUp()
        self.shipment = self._send(self._make_picking())
        self.number = self.shipment.tracking_ref.split(",")[0]
        self.events = self.env["logistics.shipment.event"]

    def _apply(self, events, source="webhook"):
        count = self.events._apply_tracking_events(self.account, events, source)
        self.env.invalidate_all()
        return count

    def test_progress_is_monotonic(self):
        n = self.number
        self._apply([event(n, "delivered", 300, signatory="L. HOFFMANN")])
        self.assertEqual(self.shipment.state, "delivered")
        self._apply([event(n, "in_transit", 100)])  # late, recorded, no step back
        self.assertEqual(self.shipment.state, "delivered")
        self.assertIn("in_transit", self.shipment.event_ids.mapped("code"))

    def test_delivered_before_picked_up_moves_forward(self):
        self._apply([event(self.number, "delivered", 50)])
        self.assertEqual(self.shipment.state, "delivered")
        self._apply([event(self.number, "picked_up", 10)])
        self.assertEqual(self.shipment.state, "delivered")

    def test_duplicates_are_recorded_once(self):
        e = event(self.number, "in_transit", 10)
        self.assertEqual(self._apply([e, e]), 1)
        self.assertEqual(self._apply([e]), 0)
        self.assertEqual(self.shipment.event_ids.mapped("code").count("in_transit"), 1)

    def test_exception_event_raises_health_and_opens_exception(self):
        self._apply([event(self.number, "address_issue", 10)])
        self.assertEqual(
            (self.shipment.health, self.shipment.exception_category),
            ("exception", "address"),
        )
        exception = self.shipment.exception_ids.filtered(
            lambda e: e.category == "address"
        )
        self.assertEqual(exception.state, "open")
        # a second report updates the same exception
        self._apply([event(self.number, "address_issue", 20)])
        self.assertEqual(
            len(
                self.shipment.exception_ids.filtered(lambda e: e.category == "address")
            ),
            1,
        )
        # later progress clears it
        self._apply([event(self.number, "out_for_delivery", 60)])
        self.assertEqual(self.shipment.health, "ok")
        self.assertEqual(exception.state, "resolved")

    def test_damage_is_not_cleared_by_progress(self):
        self._apply([event(self.number, "damaged", 10)])
        self._apply([event(self.number, "in_transit", 60)])
        self.assertEqual(
            (self.shipment.health, self.shipment.exception_category),
            ("exception", "damage"),
        )

    def test_unmapped_code_is_kept_as_info(self):
        self._apply([event(self.number, "info", 10, raw_code="ZZ-NEW")])
        info = self.shipment.event_ids.filtered(lambda e: e.raw_code == "ZZ-NEW")
        self.assertEqual(info.code, "info")
        groups = self.events._read_group(
            [("code", "=", "info")], ["account_id", "raw_code"], ["__count"]
        )
        self.assertIn((self.account, "ZZ-NEW", 1), groups)

    def test_orphans_are_kept_and_relinked(self):
        picking = self._make_picking()
        with trap_jobs():
            picking.action_send_to_carrier()
        shipment = picking.logistics_shipment_id
        # an event for a number no shipment has yet
        orphan_number = "SIMORPHAN1"
        self._apply([event(orphan_number, "picked_up", 5)])
        orphan = self.events.search([("tracking_number", "=", orphan_number)])
        self.assertFalse(orphan.shipment_id)
        self.assertEqual(orphan.account_id, self.account)
        shipment.package_ids = [(0, 0, {"tracking_number": orphan_number})]
        self.events._relink_orphans(shipment)
        self.env.invalidate_all()
        self.assertEqual(orphan.shipment_id, shipment)
        self.assertEqual(shipment.state, "picked_up")

    def test_delivered_records_proof_and_posts(self):
        self._apply([event(self.number, "delivered", 90, signatory="L. HOFFMANN")])
        picking = self.shipment.picking_id
        self.assertEqual(self.shipment.pod_signatory, "L. HOFFMANN")
        self.assertEqual(picking.logistics_pod_signatory, "L. HOFFMANN")
        self.assertEqual(picking.logistics_delivered_at, datetime(2026, 11, 20, 9, 30))
        self.assertTrue(
            any("signed by L. HOFFMANN" in (m.body or "") for m in picking.message_ids)
        )

    def test_delivered_notifies_customer_when_enabled(self):
        self.company.logistics_notify_delivered = True
        before = self.env["mail.mail"].search_count([])
        self._apply([event(self.number, "delivered", 90)])
        mails = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertEqual(self.env["mail.mail"].search_count([]), before + 1)
        self.assertIn(self.partner.email, mails.email_to)

    def test_any_order_and_duplication_gives_the_same_result(self):
        """Random permutations with duplicates: same final state, same events."""
        n = self.number
        stream = [
            event(n, "picked_up", 10),
            event(n, "in_transit", 20),
            event(n, "arrived_at_facility", 30),
            event(n, "out_for_delivery", 40),
            event(n, "delivery_attempted", 45),
            event(n, "delivered", 50),
        ]
        rng = random.Random(4242)
        outcomes = set()
        for _trial in range(6):
            batch = stream + rng.sample(stream, 3)
            rng.shuffle(batch)
            with self.env.cr.savepoint(flush=False) as savepoint:
                for start in range(0, len(batch), 2):  # several deliveries
                    self._apply(batch[start : start + 2])
                outcomes.add(
                    (
                        self.shipment.state,
                        tuple(sorted(self.shipment.event_ids.mapped("dedupe_key"))),
                    )
                )
                savepoint.rollback()
                self.env.invalidate_all(flush=False)
        self.assertEqual(len(outcomes), 1)
        self.assertEqual(next(iter(outcomes))[0], "delivered")

    def test_delivered_invoices_orders_invoiced_on_delivery(self):
        self.company.logistics_invoice_on_delivery = True
        product = self.env["product.product"].create(
            {"name": "Grinder", "type": "consu", "weight": 1.0,
             "invoice_policy": "delivery", "list_price": 80.0}
        )  # fmt: skip
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 2})
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.carrier_id = self.carrier
        shipment = self._send(picking)
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        with trap_jobs():
            picking.button_validate()
        self.assertFalse(order.invoice_ids)
        number = shipment.tracking_ref.split(",")[0]
        self._apply([event(number, "delivered", 30)])
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_ids.invoice_line_ids.quantity, 2)
        self.assertTrue(
            any("Invoiced on delivery" in (m.body or "") for m in order.message_ids)
        )
