# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A carrier charge is paid once, whatever the order of imports and bills.

Everything goes through the wizards as finance uses them from the screen:
import a file, reconcile (decide per class), Create Vendor Bill.
"""

import base64

from odoo.exceptions import UserError
from odoo.tests.common import tagged

from .common import ReconciliationCase

HEADER = (
    "invoice_number,invoice_date,tracking_number,ship_date,charge_type,"
    "charge_code,amount\n"
)


@tagged("post_install", "-at_install")
class TestChargeOnce(ReconciliationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generic = cls.env.ref("logistics_reconciliation.import_profile_generic")
        cls.s1 = cls._make_shipment(cls.carrier, "CH1", [("CH1", 1.0)], charges=10.0)
        cls.s2 = cls._make_shipment(cls.carrier, "CH2", [("CH2", 1.0)], charges=10.0)
        expense = cls.env["account.account"].create(
            {"code": "623900", "name": "Freight once", "account_type": "expense"}
        )
        cls.account.recon_expense_account_ids = [
            (0, 0, {"charge_type": ctype, "expense_account_id": expense.id})
            for ctype in ("base", "fuel", "surcharge", "other")
        ]

    def _import_file(self, number, date, rows):
        """The import wizard's button; the invoice it opens."""
        content = HEADER + "".join(
            f"{number},{date},{tracking},{ship},{ctype},{code},{amount}\n"
            for tracking, ship, ctype, code, amount in rows
        )
        wizard = (
            self.env["logistics.freight.import.wizard"]
            .with_user(self.finance)
            .create(
                {
                    "account_id": self.account.id,
                    "profile_id": self.generic.id,
                    "data_file": base64.b64encode(content.encode()),
                    "filename": f"{number}.csv",
                }
            )
        )
        action = wizard.action_import()
        return (
            self.env["logistics.freight.invoice"]
            .with_user(self.finance)
            .browse(action["res_id"])
        )

    def _decide_all(self, invoice, decision="approve"):
        """Reconcile wizard: take every class in turn, apply ``decision``."""
        action = invoice.action_open_reconcile_wizard()
        wizard = self.env[action["res_model"]].with_user(self.finance)
        wizard = wizard.browse(action["res_id"])
        seen = []
        while wizard.line_ids:
            seen.append(wizard.classification)
            wizard.decision = decision
            wizard = wizard.browse(wizard.action_apply()["res_id"])
        return wizard, seen

    def _billed_lines(self, numbers):
        """Every freight line on a vendor bill for these tracking numbers."""
        return self.env["logistics.freight.invoice.line"].search(
            [
                ("tracking_number", "in", numbers),
                ("account_id", "=", self.account.id),
                ("move_line_id", "!=", False),
            ]
        )

    def _bill(self, wizard):
        action = wizard.action_create_vendor_bill()
        if action.get("res_model") == "account.move":
            return self.env["account.move"].browse(action["res_id"])
        return action

    BASE_ROWS = [
        ("CH1", "2026-11-18", "base", "FRT", "10.00"),
        ("CH2", "2026-11-18", "base", "FRT", "10.00"),
    ]

    def test_invoice_imported_late_but_dated_earlier_is_billed_twice(self):
        first = self._import_file("INV-A", "2026-11-20", self.BASE_ROWS)
        self.assertEqual(set(first.line_ids.mapped("classification")), {"matched"})
        wizard, seen = self._decide_all(first)
        self.assertEqual(seen, ["matched"])
        bill = self._bill(wizard)
        self.assertEqual(bill.amount_untaxed, 20.0)
        # the same two charges on an invoice dated earlier, imported after the
        # bill, plus a fuel charge not billed before
        late = self._import_file(
            "INV-B",
            "2026-11-05",
            self.BASE_ROWS + [("CH1", "2026-11-18", "fuel", "FSC", "1.50")],
        )
        fuel = late.line_ids.filtered(lambda line: line.charge_type == "fuel")
        self.assertNotEqual(fuel.classification, "duplicate")
        twice = late.line_ids.filtered(lambda line: line.charge_type == "base")
        self.assertEqual(twice.mapped("classification"), ["duplicate"] * 2)
        self.assertEqual(twice.duplicate_of_id, first.line_ids)
        # finance approves everything anyway: the charges are still paid once
        wizard, seen = self._decide_all(late)
        self.assertEqual(seen[0], "duplicate")
        second = self._bill(wizard)
        self.assertEqual(second.amount_untaxed, 1.5, "only the fuel charge")
        self.assertEqual(set(twice.mapped("review_state")), {"to_review"})
        self.assertFalse(twice.move_line_id)
        billed = self._billed_lines(["CH1", "CH2"])
        self.assertEqual(len(billed.filtered(lambda ln: ln.charge_type == "base")), 2)
        self.assertEqual(billed.move_id, bill | second)
        # the invoice is not done while its charges billed twice are undecided
        with self.assertRaisesRegex(UserError, "Review every line"):
            late.action_done()

    def test_bill_order_decides_not_invoice_date(self):
        first = self._import_file("INV-C", "2026-11-20", self.BASE_ROWS)
        late = self._import_file("INV-D", "2026-11-05", self.BASE_ROWS)
        # neither billed: the invoice imported first holds the charges
        self.assertEqual(set(first.line_ids.mapped("classification")), {"matched"})
        self.assertEqual(set(late.line_ids.mapped("classification")), {"duplicate"})
        first_wizard, _seen = self._decide_all(first)
        # finance approves the later invoice's duplicates and bills it first
        late_wizard, _seen = self._decide_all(late)
        bill = self._bill(late_wizard)
        self.assertEqual(bill.amount_untaxed, 20.0)
        # the first invoice is re-examined at once: its approved lines bill
        # charges on a bill now, so they are billed twice and back to review
        self.assertEqual(set(first.line_ids.mapped("classification")), {"duplicate"})
        self.assertEqual(set(first.line_ids.mapped("review_state")), {"to_review"})
        self.assertEqual(first.line_ids.duplicate_of_id, late.line_ids)
        self.assertIn("never billed", first.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "Nothing to bill"):
            first_wizard.action_create_vendor_bill()
        # approved again by mistake: Create Vendor Bill still bills nothing
        first.line_ids.action_approve()
        action = first_wizard.action_create_vendor_bill()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("2 line(s) bill a carrier charge", action["params"]["message"])
        self.assertEqual(set(first.line_ids.mapped("review_state")), {"to_review"})
        self.assertEqual(len(self._billed_lines(["CH1", "CH2"])), 2)

    def test_other_amount_or_outside_window_is_another_charge(self):
        first = self._import_file("INV-E", "2026-11-20", self.BASE_ROWS)
        self.account.recon_match_window_days = 10
        other = self._import_file(
            "INV-F",
            "2026-11-20",
            [
                ("CH1", "2026-11-18", "base", "FRT", "10.50"),  # another amount
                ("CH2", "2026-12-20", "base", "FRT", "10.00"),  # 32 days later
            ],
        )
        self.assertNotIn("duplicate", other.line_ids.mapped("classification"))
        wizard, _seen = self._decide_all(first)
        self._bill(wizard)
        wizard, _seen = self._decide_all(other)
        bill = self._bill(wizard)
        self.assertEqual(bill.amount_untaxed, 20.5)
