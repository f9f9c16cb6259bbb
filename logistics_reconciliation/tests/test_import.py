# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import tagged

from .common import ReconciliationCase

GENERIC_HEADER = (
    "invoice_number,invoice_date,account_number,currency,tracking_number,ship_date,"
    "service,billed_weight,weight_unit,charge_type,charge_code,amount\n"
)


def ups_row(**cells):
    """A headerless UPS Billing Data row: {position: value}, 1-based."""
    row = [""] * 60
    for position, value in cells.items():
        row[int(position.lstrip("c")) - 1] = value
    return ",".join(row)


@tagged("post_install", "-at_install")
class TestImport(ReconciliationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generic = cls.env.ref("logistics_reconciliation.import_profile_generic")
        cls.ups = cls.env.ref(
            "logistics_reconciliation.import_profile_ups_billing_data"
        )
        cls.dhl = cls.env.ref("logistics_reconciliation.import_profile_dhl")
        cls.account.account_number = "0000A1B2C3"
        cls.s1 = cls._make_shipment(cls.carrier, "1ZA1", [("1ZA1", 4.0)], charges=12.0)
        cls.s2 = cls._make_shipment(cls.carrier, "1ZB2", [("1ZB2", 1.0)], charges=8.0)
        today = "2026-11-20"
        cls.today = today
        cur = cls.currency.name
        cls.csv = GENERIC_HEADER + (
            f"F-100,{today},A1B2C3,{cur},1z a1,{today},Express,8.8,lb,base,,10.00\n"
            f"F-100,{today},A1B2C3,{cur},1ZA1,{today},Express,,,fuel,FSC,2.00\n"
            f"F-100,{today},A1B2C3,{cur},1ZB2,{today},Standard,1,,base,,8.00\n"
        )

    def _ledger(self, key_part):
        return (
            self.env["logistics.idempotency.record"]
            .sudo()
            .search(
                [
                    ("scope", "=", "freight_invoice_import"),
                    ("key", "like", key_part),
                ]
            )
        )

    def test_generic_csv(self):
        invoice = self._import(self.csv, self.generic)
        self.assertEqual(invoice.name, "F-100")
        self.assertEqual(str(invoice.invoice_date), self.today)
        self.assertEqual(invoice.currency_id, self.currency)
        self.assertEqual(invoice.import_filename, "invoice.csv")
        lines = invoice.line_ids.sorted("id")
        self.assertEqual(lines.mapped("tracking_number"), ["1ZA1", "1ZA1", "1ZB2"])
        self.assertEqual(lines.mapped("charge_type"), ["base", "fuel", "base"])
        self.assertEqual(lines.mapped("import_row"), [2, 3, 4])
        self.assertAlmostEqual(lines[0].billed_weight, 3.992, places=3)  # 8.8 lb
        self.assertEqual(invoice.amount_total, 20.0)
        # matched and classified at once
        self.assertEqual(invoice.state, "matched")
        self.assertEqual(lines.shipment_id, self.s1 | self.s2)
        self.assertEqual(set(lines.mapped("classification")), {"matched"})
        self.assertIn("Imported by", invoice.message_ids.mapped("body")[-1])

    def test_ups_billing_data_headerless(self):
        common = {"c3": "0000A1B2C3", "c5": self.today, "c10": self.currency.name}
        content = "\n".join(
            [
                ups_row(
                    **common,
                    c6="0000A1B2C3476",
                    c12=self.today,
                    c14="1ZA1",
                    c21="1ZA1",
                    c29="4.0",
                    c30="K",
                    c44="FRT",
                    c45="",
                    c46="Ground",
                    c53="10.20",
                ),
                ups_row(
                    **common,
                    c6="0000A1B2C3476",
                    c14="1ZA1",
                    c21="1ZA1",
                    c44="FSC",
                    c45="FSC",
                    c46="Fuel Surcharge",
                    c53="1.80",
                ),
                ups_row(
                    **common,
                    c6="0000A1B2C3477",
                    c14="1ZB2",
                    c21="1ZB2",
                    c44="FRT",
                    c53="8.00",
                ),
                ups_row(
                    **common,
                    c6="0000A1B2C3477",
                    c14="1ZB2",
                    c21="1ZB2",
                    c29="2",
                    c30="L",
                    c44="ACC",
                    c45="RES",
                    c46="Residential Surcharge",
                    c53="4.10",
                ),
            ]
        )
        invoices = self._import(content, self.ups)
        self.assertEqual(invoices.mapped("name"), ["0000A1B2C3476", "0000A1B2C3477"])
        first, second = invoices
        self.assertEqual(first.line_ids.mapped("charge_type"), ["base", "fuel"])
        self.assertEqual(first.line_ids.mapped("charge_code"), [False, "FSC"])
        self.assertEqual(first.line_ids[0].billed_weight, 4.0)
        self.assertEqual(first.line_ids.mapped("classification"), ["matched"] * 2)
        base, residential = second.line_ids
        self.assertEqual(residential.charge_type, "surcharge")
        self.assertEqual(residential.charge_code, "RES")
        self.assertAlmostEqual(residential.billed_weight, 0.907, places=3)
        self.assertEqual(base.classification, "matched")
        self.assertEqual(residential.classification, "surcharge_not_quoted")

    def test_dhl_layout(self):
        content = (
            "Invoice Number;Invoice Date;Billing Number;Currency;Shipment Number;"
            "Shipment Date;Product;Weight (kg);Charge Type;Charge Code;"
            "Charge Description;Net Amount\n"
            f"D-7;20.11.2026;;{self.currency.name};1ZB2;20.11.2026;V01PAK;1,0;FREIGHT;;Paket;8,00\n"
        )
        invoice = self._import(content, self.dhl)
        self.assertEqual(invoice.name, "D-7")
        self.assertEqual(str(invoice.invoice_date), "2026-11-20")
        self.assertEqual(invoice.line_ids.amount, 8.0)
        self.assertEqual(invoice.line_ids.service, "V01PAK")
        self.assertEqual(invoice.line_ids.classification, "matched")

    def test_same_file_refused(self):
        invoice = self._import(self.csv, self.generic)
        self.assertEqual(len(self._ledger("file:")), 1)
        self.assertEqual(self._ledger("invoice:").res_id, invoice.id)
        with self.assertRaisesRegex(UserError, "already imported .* F-100"):
            self._import(self.csv, self.generic)
        count = self.env["logistics.freight.invoice"].search_count([])
        # the same invoice number in another file
        other = self.csv.replace("10.00", "11.00")
        with self.assertRaisesRegex(UserError, "F-100 .* was already imported"):
            self._import(other, self.generic)
        self.assertEqual(self.env["logistics.freight.invoice"].search_count([]), count)

    def test_reimport_after_delete(self):
        invoice = self._import(self.csv, self.generic)
        invoice.with_user(self.admin).unlink()
        again = self._import(self.csv, self.generic)
        self.assertEqual(again.name, "F-100")
        self.assertEqual(self._ledger("invoice:").res_id, again.id)

    def test_malformed_rows_reported_nothing_imported(self):
        cur = self.currency.name
        content = GENERIC_HEADER + (
            f"F-200,{self.today},A1B2C3,{cur},1ZA1,{self.today},X,1,,base,,10.00\n"
            f"F-200,{self.today},A1B2C3,{cur},1ZA1,{self.today},X,1,,base,,ten\n"
            f"F-200,{self.today},A1B2C3,{cur},1ZB2,2026/11/20,X,1,,base,,3.00\n"
            f"F-200,{self.today},A1B2C3,{cur},1ZB2\n"
            f"F-200,{self.today},A1B2C3,{cur},1ZB2,{self.today},X,1,stone,base,,3.00\n"
            f"F-200,{self.today},ZZ999,{cur},1ZB2,{self.today},X,1,,base,,3.00\n"
            f"F-200,{self.today},A1B2C3,XXX,1ZB2,{self.today},X,1,,base,,3.00\n"
        )
        before = self.env["logistics.freight.invoice.line"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._import(content, self.generic)
        message = str(caught.exception)
        self.assertIn("Nothing was imported: 6 row(s)", message)
        for expected in (
            "Row 3: Amount (column amount): 'ten' is not a finite number",
            "Row 4: Shipping date (column ship_date): date '2026/11/20' does not "
            "have the format %Y-%m-%d",
            "Row 5: 5 columns, the profile needs at least 12",
            "Row 6: Weight unit (column weight_unit): unknown weight unit 'stone'",
            "Row 7: Account number (column account_number): bills carrier "
            "account ZZ999",
            "Row 8: Currency (column currency): unknown currency 'XXX'",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Row 2", message)
        self.assertFalse(
            self.env["logistics.freight.invoice"].search([("name", "=", "F-200")])
        )
        self.assertEqual(
            self.env["logistics.freight.invoice.line"].search_count([]), before
        )
        self.assertFalse(self._ledger("F-200"))

    def test_missing_column(self):
        content = "invoice_number,amount\nF-300,1.00\n"
        with self.assertRaisesRegex(UserError, "no column 'tracking_number'"):
            self._import(content, self.generic)

    def test_invoice_number_from_wizard(self):
        content = "tracking_number,amount\n1ZA1,12.00\n"
        with self.assertRaisesRegex(
            UserError, "Row 2: Invoice number .*: empty, and the wizard has no"
        ):
            self._import(content, self.generic)
        invoice = self._import(content, self.generic, invoice_number="MANUAL-1")
        self.assertEqual(invoice.name, "MANUAL-1")
        self.assertEqual(invoice.line_ids.classification, "matched")

    def test_only_finance_imports(self):
        for user in (self.user, self.supervisor):
            with self.assertRaises(AccessError):
                self._import(self.csv, self.generic, user=user)

    def _refused(self, content, **vals):
        """Import through the wizard's button; the refusal's text."""
        lines = self.env["logistics.freight.invoice.line"].search_count([])
        invoices = self.env["logistics.freight.invoice"].search_count([])
        wizard = (
            self.env["logistics.freight.import.wizard"]
            .with_user(self.finance)
            .create(
                dict(
                    {
                        "account_id": self.account.id,
                        "profile_id": self.generic.id,
                        "data_file": base64.b64encode(content.encode()),
                        "filename": "bad.csv",
                    },
                    **vals,
                )
            )
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        # the whole file refused: nothing stored
        self.assertEqual(
            self.env["logistics.freight.invoice.line"].search_count([]), lines
        )
        self.assertEqual(
            self.env["logistics.freight.invoice"].search_count([]), invoices
        )
        return str(caught.exception)

    def test_every_problem_of_every_row_reported(self):
        day, cur = self.today, self.currency.name
        big = "9" * 200_000
        head = f"F-400,{day},A1B2C3,{cur}"
        rows = [
            f"{head},1ZA1,{day},X,1,,base,,10.00",  # row 2: good
            f"{head},1ZA1,{day},X,1,,base,,nan",  # 3
            f"{head},1ZA1,{day},X,1,,base,,inf",  # 4
            f"{head},1ZA1,{day},X,1,,base,,-inf",  # 5
            f"{head},1ZA1,{day},X,1,,base,,1e400",  # 6
            f"{head},1Z\x00A1,{day},X,1,,base,,1.00",  # 7: NUL in the tracking number
            f"{head},{'1Z' * 1500},{day},X,1,,base,,1.00",  # 8: 3,000 chars
            f"{head},1ZA1,{day},X,1,,base,,1\x0000",  # 9: NUL in the amount
            f"{head},1ZA1,{day},X,1,,base,,{big}",  # 10: 200 KB amount
            f"{head},1ZA1,{day},X,nan,,base,,1.005",  # 11: two problems
            f"F-400,{day},A1B2C3,{cur},1ZA1,{day},X\x07,1,,base,,1.00",  # 12
        ]
        content = GENERIC_HEADER + "\n".join(rows) + "\n"
        # a 200 KB description column is refused too
        content += f"{head},1ZB2,{day},{'S' * 200_000},1,,base,,1.00\n"  # 13
        message = self._refused(content)
        self.assertLess(len(message), 6000, "each message is bounded")
        self.assertNotIn("Row 2:", message)
        self.assertIn("Nothing was imported: 11 row(s) of bad.csv", message)
        for row in (3, 4, 5, 6):
            self.assertRegex(
                message,
                rf"Row {row}: Amount \(column amount\): '[-a-z0-9]+' is not a "
                "finite number below 1,000,000,000,000: write it like 12.50.",
            )
        self.assertIn(
            "Row 7: Tracking number (column tracking_number): contains a "
            "control character (\\x00): remove it from the file.",
            message,
        )
        self.assertIn(
            "Row 8: Tracking number (column tracking_number): 3000 "
            "characters, at most 64 allowed",
            message,
        )
        self.assertIn("Row 9: Amount (column amount): contains a control", message)
        self.assertIn(
            "Row 10: Amount (column amount): 200000 characters, at most 32 "
            "allowed ('9999999999999999999999999999999999999999... "
            "(200,000 characters)')",
            message,
        )
        self.assertIn("Row 11: Billed weight (column billed_weight): 'nan'", message)
        self.assertIn(
            f"Row 11: Amount (column amount): 1.005 has more decimals than {cur} "
            "allows (2): round it.",
            message,
        )
        self.assertIn("Row 12: Service (column service): contains a control", message)
        self.assertIn(
            "Row 13: Service (column service): 200000 characters, at most 128",
            message,
        )
        self.assertNotIn("S" * 100, message)

    def test_lines_entered_by_hand_are_bounded_too(self):
        with self.assertRaisesRegex(UserError, "too long: at most 64"):
            self._make_invoice([("1Z" * 1500, 1.0, {})], name="HAND-LONG")
        with self.assertRaisesRegex(UserError, "contains a control character"):
            self._make_invoice(
                [("1ZA1", 1.0, {"charge_description": "Fuel\x00"})], name="HAND-NUL"
            )

    def test_inactive_currency_refused(self):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", "CHF")], limit=1)
        )
        currency.active = False
        content = GENERIC_HEADER + (
            f"F-500,{self.today},A1B2C3,CHF,1ZA1,{self.today},X,1,,base,,10.00\n"
        )
        message = self._refused(content)
        self.assertIn(
            "Row 2: Currency (column currency): currency CHF is not active: "
            "activate it (Accounting > Configuration > Currencies)",
            message,
        )
        # entered by hand: refused too
        with self.assertRaisesRegex(ValidationError, "CHF, a currency that is not"):
            self._make_invoice(name="HAND-CHF", currency_id=currency.id)

    def test_duplicate_file_names_every_invoice(self):
        cur = self.currency.name
        content = GENERIC_HEADER + (
            f"F-601,{self.today},A1B2C3,{cur},1ZA1,{self.today},X,1,,base,,12.00\n"
            f"F-602,{self.today},A1B2C3,{cur},1ZB2,{self.today},X,1,,base,,8.00\n"
        )
        invoices = self._import(content, self.generic)
        self.assertEqual(sorted(invoices.mapped("name")), ["F-601", "F-602"])
        message = self._refused(content)
        self.assertIn("as freight invoice(s) F-601, F-602.", message)
        # each invoice's match message counts its own lines
        for invoice in invoices:
            self.assertIn(
                "1 line(s) matched now in this run", invoice.message_ids[0].body
            )
            self.assertNotIn("- line(s)", invoice.message_ids[0].body)
