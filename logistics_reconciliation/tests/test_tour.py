# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import make_carrier, make_shipment


@tagged("post_install", "-at_install")
class TestReconciliationTour(HttpCase):
    def test_reconciliation_wizard_to_vendor_bill(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        vendor = env["res.partner"].create({"name": "Tour carrier"})
        account = env["logistics.carrier.account"].create(
            {
                "name": "Tour account",
                "carrier_code": "sim",
                "vendor_partner_id": vendor.id,
            }
        )
        carrier = make_carrier(env, account)
        make_shipment(env, carrier, vendor, "TOUROK1", [("TOUROK1", 2.0)], charges=10.0)
        make_shipment(
            env, carrier, vendor, "TOUROVER1", [("TOUROVER1", 2.0)], charges=20.0
        )
        invoice = env["logistics.freight.invoice"].create(
            {
                "name": "TOUR-INV-1",
                "account_id": account.id,
                "line_ids": [
                    (0, 0, {"tracking_number": "TOUROK1", "amount": 10.0}),
                    (0, 0, {"tracking_number": "TOUROVER1", "amount": 25.0}),
                ],
            }
        )
        invoice.action_match()
        self.start_tour(
            "/web#action=logistics_reconciliation.action_logistics_freight_invoice"
            f"&id={invoice.id}&model=logistics.freight.invoice&view_type=form",
            "logistics_reconciliation_tour",
            login="admin",
        )
        self.assertEqual(len(invoice.move_ids), 1)
        self.assertEqual(invoice.move_ids.amount_untaxed, 10.0)
        self.assertEqual(invoice.move_ids.partner_id, vendor)
        self.assertEqual(invoice.dispute_ids.note, "Quoted 20.00 at dispatch")
        self.assertEqual(invoice.dispute_ids.reason, "overcharge")
        self.assertEqual(invoice.to_review_count, 0)
