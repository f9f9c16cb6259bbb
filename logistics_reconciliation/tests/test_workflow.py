# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import tagged

from .common import ReconciliationCase


@tagged("post_install", "-at_install")
class TestWorkflow(ReconciliationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ship = cls._make_shipment
        cls.s_ok = ship(cls.carrier, "OK1", [("OK1", 2.0)], charges=10.0)
        cls.s_ok2 = ship(cls.carrier, "OK2", [("OK2", 2.0)], charges=20.0)
        cls.s_over = ship(cls.carrier, "OVER1", [("OVER1", 2.0)], charges=20.0)
        cls.s_void = ship(cls.carrier, "VOID1", [], charges=10.0, state="cancelled")
        account_model = cls.env["account.account"]
        cls.freight_expense = account_model.create(
            {"code": "623100", "name": "Freight", "account_type": "expense"}
        )
        cls.fuel_expense = account_model.create(
            {"code": "623200", "name": "Freight fuel", "account_type": "expense"}
        )
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Freight VAT 10 %",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "purchase",
            }
        )
        cls.account.write(
            {
                "recon_tax_ids": [(6, 0, cls.tax.ids)],
                "recon_expense_account_ids": [
                    (0, 0, {"charge_type": "base", "expense_account_id": a.id})
                    for a in cls.freight_expense
                ]
                + [
                    (0, 0, {"charge_type": "fuel", "expense_account_id": a.id})
                    for a in cls.fuel_expense
                ],
            }
        )

    def _matched_invoice(self):
        invoice = self._make_invoice(
            [
                ("OK1", 9.0, {}),
                ("OK1", 1.0, {"charge_type": "fuel", "charge_code": "FSC"}),
                ("OK2", 20.0, {}),
                ("OVER1", 25.0, {}),
                ("VOID1", 10.0, {}),
                ("NOPE1", 7.0, {}),
            ]
        )
        invoice.with_user(self.finance).action_match()
        return invoice.with_user(self.finance)

    def _lines(self, invoice, klass):
        return invoice.line_ids.filtered(lambda line: line.classification == klass)

    def test_wizard_review_and_vendor_bill(self):
        invoice = self._matched_invoice()
        action = invoice.action_open_reconcile_wizard()
        wizard = self.env[action["res_model"]].with_user(self.finance)
        wizard = wizard.browse(action["res_id"])
        # problems first: unknown, then cancelled, then overcharge, then matched
        self.assertEqual(wizard.classification, "unknown")
        self.assertIn("Unknown shipment", wizard.summary_html)
        self.assertEqual(wizard.line_ids, self._lines(invoice, "unknown"))
        wizard.write({"decision": "dispute", "note": "Not ours"})
        self.assertEqual(wizard.dispute_reason, "unknown")
        wizard = wizard.browse(wizard.action_apply()["res_id"])
        self.assertEqual(wizard.classification, "cancelled")
        wizard.write({"decision": "dispute"})
        wizard = wizard.browse(wizard.action_apply()["res_id"])
        self.assertEqual(wizard.classification, "overcharge")
        wizard.write({"decision": "write_off", "note": "Within budget"})
        wizard = wizard.browse(wizard.action_apply()["res_id"])
        self.assertEqual(wizard.classification, "matched")
        self.assertEqual(len(wizard.line_ids), 3)
        wizard = wizard.browse(wizard.action_apply()["res_id"])
        self.assertEqual(wizard.to_review_count, 0)
        # decisions attributed in the chatter
        bodies = " ".join(invoice.message_ids.mapped("body"))
        self.assertIn(
            f"{self.finance.name} disputed 1 line(s) (Unknown shipment: 1)", bodies
        )
        self.assertIn("wrote off (accepted as billed) 1 line(s)", bodies)
        self.assertIn("Within budget", bodies)
        self.assertIn("approved 3 line(s) (Matched: 3)", bodies)
        for line in invoice.line_ids:
            self.assertEqual(line.reviewed_by_id, self.finance)
        # two disputes with their follow-up activity
        self.assertEqual(len(invoice.dispute_ids), 2)
        for dispute in invoice.dispute_ids:
            self.assertEqual(len(dispute.activity_ids), 1)
            self.assertEqual(dispute.activity_ids.user_id, self.finance)
        unknown = invoice.dispute_ids.filtered(lambda d: d.reason == "unknown")
        self.assertEqual(unknown.claimed_amount, 7.0)
        self.assertEqual(unknown.note, "Not ours")
        # the vendor bill: approved and written-off lines, taxes of the account
        action = wizard.action_create_vendor_bill()
        bill = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.partner_id, self.vendor)
        self.assertEqual(bill.ref, invoice.name)
        self.assertEqual(bill.amount_untaxed, 55.0)  # 9 + 1 + 20 + 25
        self.assertEqual(bill.amount_tax, 5.5)
        self.assertEqual(bill.amount_total, 60.5)
        by_account = {
            line.account_id: line.price_subtotal for line in bill.invoice_line_ids
        }
        self.assertEqual(
            by_account, {self.freight_expense: 54.0, self.fuel_expense: 1.0}
        )
        billed = invoice.line_ids.filtered("move_line_id")
        self.assertEqual(len(billed), 4)
        self.assertEqual(billed.move_id, bill)
        self.assertEqual(invoice.move_ids, bill)
        # a rerun never bills a line twice
        with self.assertRaisesRegex(UserError, "Nothing to bill"):
            invoice.action_create_vendor_bill()
        # a dispute lost at the carrier: its lines become payable, billed once
        cancelled = invoice.dispute_ids.filtered(lambda d: d.reason == "cancelled")
        cancelled.with_user(self.finance).action_lost()
        self.assertFalse(cancelled.activity_ids)
        second = invoice.action_create_vendor_bill()
        second_bill = self.env["account.move"].browse(second["res_id"])
        self.assertNotEqual(second_bill, bill)
        self.assertEqual(second_bill.amount_untaxed, 10.0)
        # a dispute won: credited, never billed, counted as recovered
        unknown.with_user(self.finance).action_won()
        self.assertEqual(unknown.recovered_amount, 7.0)
        self.assertEqual(self._lines(invoice, "unknown").review_state, "refused")
        with self.assertRaisesRegex(UserError, "Nothing to bill"):
            invoice.action_create_vendor_bill()
        report = self.env["logistics.freight.cost.report"].search(
            [("invoice_id", "=", invoice.id)]
        )
        self.assertEqual(sum(report.mapped("recovered_amount")), 7.0)
        self.assertEqual(sum(report.mapped("discrepancy_count")), 3)
        self.assertEqual(sum(report.mapped("written_off_amount")), 25.0)
        invoice.action_done()
        self.assertEqual(invoice.state, "done")

    def test_deleted_bill_lines_can_be_billed_again(self):
        invoice = self._matched_invoice()
        self._lines(invoice, "matched").action_approve()
        bill = self.env["account.move"].browse(
            invoice.action_create_vendor_bill()["res_id"]
        )
        self.assertEqual(bill.amount_untaxed, 30.0)
        bill.unlink()
        self.assertFalse(invoice.line_ids.filtered("move_line_id"))
        again = self.env["account.move"].browse(
            invoice.action_create_vendor_bill()["res_id"]
        )
        self.assertEqual(again.amount_untaxed, 30.0)
        ledger = (
            self.env["logistics.idempotency.record"]
            .sudo()
            .search([("scope", "=", "invoice_line"), ("res_id", "=", again.id)])
        )
        self.assertEqual(len(ledger), 3)
        self.assertEqual(set(ledger.mapped("state")), {"succeeded"})

    def test_billed_lines_are_frozen(self):
        invoice = self._matched_invoice()
        matched = self._lines(invoice, "matched")
        matched.action_approve()
        invoice.action_create_vendor_bill()
        with self.assertRaisesRegex(UserError, "already on a vendor bill"):
            matched[0].sudo().write({"amount": 1.0})
        with self.assertRaisesRegex(UserError, "already on a vendor bill"):
            matched.action_write_off()

    def test_analytic_by_warehouse(self):
        plan = self.env["account.analytic.plan"].create({"name": "Warehouses"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Main warehouse", "plan_id": plan.id}
        )
        warehouse = self.s_ok.picking_id.picking_type_id.warehouse_id
        warehouse.logistics_analytic_account_id = analytic
        self.account.recon_analytic_by_warehouse = True
        invoice = self._matched_invoice()
        self._lines(invoice, "matched").action_approve()
        self._lines(invoice, "unknown").action_approve()
        bill = self.env["account.move"].browse(
            invoice.action_create_vendor_bill()["res_id"]
        )
        with_analytic = bill.invoice_line_ids.filtered("analytic_distribution")
        self.assertEqual(
            sum(with_analytic.mapped("price_subtotal")), 30.0, "shipped lines"
        )
        for line in with_analytic:
            self.assertEqual(line.analytic_distribution, {str(analytic.id): 100.0})
        self.assertEqual(
            sum((bill.invoice_line_ids - with_analytic).mapped("price_subtotal")),
            7.0,
            "the unknown shipment has no warehouse",
        )

    def test_only_finance_decides_and_bills(self):
        invoice = self._matched_invoice()
        lines = invoice.line_ids
        for user in (self.user, self.supervisor):
            with self.assertRaises(AccessError):
                lines.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                lines.with_user(user).action_dispute("other")
            with self.assertRaises(AccessError):
                invoice.with_user(user).action_create_vendor_bill()
            with self.assertRaises(AccessError):
                invoice.with_user(user).action_open_reconcile_wizard()
        # a logistics finance user is a billing user: the bill is created
        lines.action_approve()
        bill = self.env["account.move"].browse(
            invoice.action_create_vendor_bill()["res_id"]
        )
        self.assertEqual(bill.create_uid, self.finance)
        # disputes are closed by finance only
        other = self._make_invoice([("OK2", 1.0, {})], name="INV-DSP")
        other.action_match()
        dispute = other.line_ids.with_user(self.finance).action_dispute("other")
        with self.assertRaises(AccessError):
            dispute.with_user(self.supervisor).action_won()

    def test_undecided_lines_refused(self):
        draft = self._make_invoice([("OK1", 10.0, {})], name="INV-DRAFT")
        with self.assertRaisesRegex(UserError, "Match the invoice"):
            draft.line_ids.with_user(self.finance).action_approve()
        invoice = self._matched_invoice()
        with self.assertRaisesRegex(UserError, "needs a reason"):
            invoice.line_ids.action_dispute(False)
        lines = self._lines(invoice, "overcharge")
        lines.action_dispute("overcharge")
        with self.assertRaisesRegex(UserError, "through their dispute"):
            lines.action_approve()

    def test_exceptions_when_monitoring_installed(self):
        invoice = self._matched_invoice()
        shipments = self.s_ok | self.s_ok2 | self.s_over | self.s_void
        domain = [
            ("category", "=", "reconciliation"),
            "|",
            ("shipment_id", "in", shipments.ids),
            ("name", "like", invoice.name),
        ]
        exceptions = self.env["logistics.exception"].search(domain)
        monitoring = self.env["ir.module.module"]._get("logistics_monitoring")
        if monitoring.state != "installed":
            self.assertFalse(exceptions)
            self.assertFalse(invoice.line_ids.exception_id)
            return
        # one per shipment in discrepancy, one for the unknown shipments
        self.assertEqual(exceptions.shipment_id, self.s_over | self.s_void)
        self.assertEqual(len(exceptions), 3)
        unknown = exceptions.filtered(lambda e: not e.shipment_id)
        self.assertIn("NOPE1", unknown.message)
        self.assertEqual(self._lines(invoice, "unknown").exception_id, unknown)
        self.assertFalse(self._lines(invoice, "matched").exception_id)
        # a rerun updates them instead of opening new ones
        invoice.action_match()
        again = self.env["logistics.exception"].search(domain)
        self.assertEqual(again, exceptions)
        self.assertEqual(set(again.mapped("occurrences")), {2})
        # deciding the lines resolves them
        over = self._lines(invoice, "overcharge")
        over.action_write_off()
        self.assertEqual(over.exception_id.state, "resolved")
        self.assertEqual(unknown.state, "open")


@tagged("post_install", "-at_install")
class TestDisputeOutcomes(ReconciliationCase):
    """Done means decided; a won overcharge bills what was quoted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s_over = cls._make_shipment(
            cls.carrier, "OVR18", [("OVR18", 1.0)], charges=15.38
        )
        cls.s_ok = cls._make_shipment(cls.carrier, "OK18", [("OK18", 1.0)], charges=5)
        expense = cls.env["account.account"].create(
            {"code": "623950", "name": "Freight disputes", "account_type": "expense"}
        )
        cls.account.recon_expense_account_ids = [
            (0, 0, {"charge_type": "base", "expense_account_id": expense.id})
        ]

    def _wizard(self, invoice):
        action = invoice.with_user(self.finance).action_open_reconcile_wizard()
        return (
            self.env[action["res_model"]]
            .with_user(self.finance)
            .browse(action["res_id"])
        )

    def test_won_overcharge_bills_expected_refuses_excess(self):
        invoice = self._make_invoice(
            [("OVR18", 18.0, {}), ("OK18", 5.0, {})], name="INV-OVR"
        )
        invoice = invoice.with_user(self.finance)
        wizard = self._wizard(invoice)
        self.assertEqual(wizard.classification, "overcharge")
        wizard.write({"decision": "dispute", "note": "quoted 15.38"})
        wizard = wizard.browse(wizard.action_apply()["res_id"])
        wizard = wizard.browse(wizard.action_apply()["res_id"])  # approve OK18
        dispute = invoice.dispute_ids
        self.assertAlmostEqual(dispute.claimed_amount, 2.62)
        # every line decided, but a dispute is open: not done
        self.assertFalse(invoice.to_review_count)
        with self.assertRaisesRegex(UserError, "open disputes .*close them"):
            invoice.action_done()
        dispute.with_user(self.finance).action_won()
        self.assertAlmostEqual(dispute.recovered_amount, 2.62)
        over = invoice.line_ids.filtered(lambda ln: ln.tracking_number == "OVR18")
        payable = over.filtered(lambda ln: ln.review_state == "approved")
        refused = over.filtered(lambda ln: ln.review_state == "refused")
        self.assertAlmostEqual(payable.amount, 15.38)
        self.assertAlmostEqual(refused.amount, 2.62)
        self.assertEqual(refused.classification, "overcharge")
        self.assertEqual(refused.dispute_id, dispute)
        bill = self.env["account.move"].browse(
            wizard.action_create_vendor_bill()["res_id"]
        )
        self.assertAlmostEqual(bill.amount_untaxed, 20.38)  # 15.38 + 5
        # billed + refused = the invoice total
        self.assertAlmostEqual(invoice.amount_total, 23.0)
        invoice.action_done()
        self.assertEqual(invoice.state, "done")

    def test_lost_dispute_then_done(self):
        invoice = self._make_invoice([("OVR18", 18.0, {})], name="INV-LOST")
        invoice = invoice.with_user(self.finance)
        wizard = self._wizard(invoice)
        wizard.write({"decision": "dispute"})
        wizard.action_apply()
        with self.assertRaisesRegex(UserError, "open disputes"):
            invoice.action_done()
        invoice.dispute_ids.action_lost()
        self.assertEqual(invoice.line_ids.review_state, "approved")
        invoice.action_done()
        # a done invoice's disputes are closed: nothing can reopen a line
        self.assertEqual(invoice.dispute_ids.state, "lost")

    def test_inactive_currency_refused_on_vendor_bill(self):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", "CHF")], limit=1)
        )
        currency.active = True
        invoice = self._make_invoice(
            [("NOSHIP", 4.0, {})], name="INV-CHF", currency_id=currency.id
        ).with_user(self.finance)
        invoice.action_match()
        invoice.line_ids.action_approve()
        currency.active = False
        with self.assertRaisesRegex(UserError, "CHF, a currency that is not active"):
            invoice.action_create_vendor_bill()
        self.assertFalse(invoice.line_ids.move_line_id)
