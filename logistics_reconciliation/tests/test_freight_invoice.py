# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.service.model import _as_validation_error
from odoo.tests.common import tagged
from odoo.tools import mute_logger

from .common import ReconciliationCase


@tagged("post_install", "-at_install")
class TestFreightInvoice(ReconciliationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # tracking reference listing two numbers, as the base stores it
        cls.ship_multi = cls._make_shipment(cls.carrier, tracking_ref="SIMA1, sima2")
        # a number known only on a package
        cls.ship_package = cls._make_shipment(cls.carrier, packages=["SIMPKG9"])
        # the same number on another account
        cls.ship_other = cls._make_shipment(cls.other_carrier, tracking_ref="OTHER1")
        # one number on two shipments of the account: ambiguous
        cls.ship_dup_a = cls._make_shipment(cls.carrier, packages=["DUP1"])
        cls.ship_dup_b = cls._make_shipment(cls.carrier, tracking_ref="DUP1")

    def test_tracking_numbers_are_normalised(self):
        invoice = self._make_invoice([(" 1z 999\taa1 01 ", 10.0, {})])
        line = invoice.line_ids
        self.assertEqual(line.tracking_number, "1Z999AA101")
        line.write({"tracking_number": "jjd 0001 2345"})
        self.assertEqual(line.tracking_number, "JJD00012345")
        self.assertEqual(
            self.env["logistics.freight.invoice.line"].search(
                [("tracking_number", "=", "JJD00012345")]
            ),
            line,
        )

    def test_vendor_from_carrier_account(self):
        invoice = self._make_invoice()
        self.assertEqual(invoice.partner_id, self.vendor)

    def test_duplicate_invoice_refused(self):
        self._make_invoice()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError) as caught,
            self.env.cr.savepoint(),
        ):
            self._make_invoice()
        # what the user is told (RPC turns the constraint into this message)
        self.assertIn(
            "already has a freight invoice with this number",
            str(_as_validation_error(self.env, caught.exception)),
        )
        # the same number from another carrier account is another invoice
        other = self._make_invoice(account_id=self.other_account.id)
        self.assertEqual(other.name, "INV-2026-001")

    def test_matching(self):
        invoice = self._make_invoice(
            [
                ("sima2", 12.5, {"charge_type": "base"}),
                ("SIMA1", 1.5, {"charge_type": "fuel"}),
                ("sim pkg9", 9.0, {}),
                ("UNKNOWN1", 4.0, {}),
                ("OTHER1", 3.0, {}),
                ("DUP1", 2.0, {}),
                (False, 5.0, {"charge_type": "other", "service": "Account fee"}),
            ]
        )
        self.assertEqual(invoice.amount_total, 37.0)
        lines = self._by_number(invoice)
        invoice.with_user(self.finance).action_match()
        self.assertEqual(invoice.state, "matched")
        self.assertEqual(lines["SIMA2"].shipment_id, self.ship_multi)
        self.assertEqual(lines["SIMA1"].shipment_id, self.ship_multi)
        self.assertEqual(lines["SIMPKG9"].shipment_id, self.ship_package)
        self.assertEqual(
            lines["SIMPKG9"].package_id, self.ship_package.package_ids, "by package"
        )
        for number in ("SIMA2", "SIMA1", "SIMPKG9"):
            self.assertEqual(lines[number].match_state, "matched", number)
            # these shipments have no stored rate: flagged, not guessed
            self.assertEqual(lines[number].classification, "no_expected_cost")
            self.assertFalse(lines[number].expected_amount)
        # unknown, another account's, ambiguous, no number: left for finance
        for number in ("UNKNOWN1", "OTHER1", "DUP1", False):
            self.assertFalse(lines[number].shipment_id, number)
            self.assertEqual(lines[number].match_state, "unmatched", number)
            self.assertEqual(lines[number].classification, "unknown", number)
        self.assertEqual((invoice.matched_count, invoice.unmatched_count), (3, 4))
        self.assertEqual(invoice.discrepancy_count, 7)
        self.assertIn("3 line(s) matched now", invoice.message_ids[0].body)
        # a rerun never re-matches what is matched, and still finds new shipments
        lines["SIMA1"].shipment_id = self.ship_dup_a
        self._make_shipment(self.carrier, tracking_ref="UNKNOWN1")
        invoice.with_user(self.finance).action_match()
        self.assertEqual(lines["SIMA1"].shipment_id, self.ship_dup_a)
        self.assertEqual(lines["UNKNOWN1"].match_state, "matched")
        self.assertEqual(lines["UNKNOWN1"].classification, "no_expected_cost")
        self.assertEqual(invoice.unmatched_count, 3)
        self.assertIn("1 line(s) matched now", invoice.message_ids[0].body)

    def test_lead_shipment_number(self):
        """UPS bills packages; a package number unknown here falls back on the lead."""
        shipment = self._make_shipment(self.carrier, tracking_ref="1ZLEAD0001")
        invoice = self._make_invoice(
            [("1ZPKG0002", 7.0, {"lead_tracking_number": "1zlead 0001"})]
        )
        invoice.action_match()
        self.assertEqual(invoice.line_ids.shipment_id, shipment)
        self.assertFalse(invoice.line_ids.package_id)

    def test_matching_window(self):
        old = self._make_shipment(
            self.carrier, tracking_ref="OLD1", label_at="2025-01-10 10:00:00"
        )
        invoice = self._make_invoice(
            [
                ("OLD1", 5.0, {"ship_date": "2025-01-11"}),
                ("OLD1", 5.0, {"ship_date": "2025-09-01", "charge_type": "fuel"}),
            ]
        )
        invoice.action_match()
        inside, outside = invoice.line_ids.sorted("id")
        self.assertEqual(inside.shipment_id, old)
        self.assertFalse(outside.shipment_id, "outside the 90-day window")

    def _line_updates(self, invoice):
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            invoice.action_match()
            self.env.flush_all()
        return [
            record
            for record in logs.output
            if re.search(r'UPDATE\s+"?logistics_freight_invoice_line"?\s', record)
        ]

    def test_matching_is_set_based(self):
        """The statements on the lines do not grow with the number of lines."""
        small = self._make_invoice([("SIMA1", 1.0, {}), ("NEW0", 1.0, {})])
        numbers = ["SIMA1", "SIMA2", "SIMPKG9", "UNKNOWN1"]
        numbers += [f"NEW{i}" for i in range(30)]
        for i in range(30):
            self._make_shipment(self.carrier, tracking_ref=f"NEW{i}", charges=1.0)
        large = self._make_invoice(
            [(number, 1.0, {}) for number in numbers], name="INV-LARGE"
        )
        small_updates = self._line_updates(small)
        large_updates = self._line_updates(large)
        # link and classify (and link the exceptions when monitoring is installed)
        self.assertLessEqual(len(small_updates), 2, small_updates)
        self.assertEqual(len(large_updates), len(small_updates), large_updates)
        self.assertEqual(large.matched_count, 33)

    def test_done_invoice_is_closed(self):
        invoice = self._make_invoice([("SIMA1", 1.0, {})])
        with self.assertRaises(UserError):
            invoice.action_done()
        invoice.action_match()
        with self.assertRaisesRegex(UserError, "Review every line"):
            invoice.action_done()
        invoice.line_ids.with_user(self.finance).action_approve()
        invoice.action_done()
        self.assertEqual(invoice.state, "done")
        with self.assertRaises(UserError):
            invoice.action_match()
        with self.assertRaises(UserError):
            invoice.unlink()

    def test_access(self):
        invoice = self._make_invoice([("SIMA1", 1.0, {})])
        for user in (self.user, self.supervisor):
            with self.assertRaises(AccessError):
                invoice.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                self._make_invoice(name="INV-USER", user=user)
            with self.assertRaises(AccessError):
                invoice.with_user(user).action_match()
        mine = self._make_invoice(
            [("SIMA2", 2.0, {})], name="INV-FIN", user=self.finance
        )
        mine.action_match()
        self.assertEqual(mine.line_ids.shipment_id, self.ship_multi)
        with self.assertRaises(AccessError):
            mine.unlink()
        mine.with_user(self.admin).unlink()
        self.assertFalse(mine.exists())

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Logistics Company B"})
        account_b = (
            self.env["logistics.carrier.account"]
            .with_company(company_b)
            .create({"name": "Account of B", "carrier_code": "sim"})
        )
        invoice_b = self._make_invoice(
            account_id=account_b.id, company_id=company_b.id, name="INV-B"
        )
        invoice_a = self._make_invoice()
        as_finance = self.env["logistics.freight.invoice"].with_user(self.finance)
        self.assertEqual(
            as_finance.search([("id", "in", (invoice_a | invoice_b).ids)]), invoice_a
        )
        with self.assertRaises(AccessError):
            invoice_b.with_user(self.finance).read(["name"])
