# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.service.model import _as_validation_error
from odoo.tests.common import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

GROUPS = "stock.group_stock_user,logistics_connector_base.group_logistics_"


@tagged("post_install", "-at_install")
class TestFreightInvoice(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.finance = new_test_user(cls.env, "rec_finance", groups=GROUPS + "finance")
        cls.user = new_test_user(cls.env, "rec_user", groups=GROUPS + "user")
        cls.supervisor = new_test_user(
            cls.env, "rec_supervisor", groups=GROUPS + "supervisor"
        )
        cls.admin = new_test_user(cls.env, "rec_admin", groups=GROUPS + "admin")
        cls.account = cls._make_account("Reconciliation account A")
        cls.other_account = cls._make_account("Reconciliation account B")
        cls.carrier = cls._make_carrier(cls.account)
        cls.other_carrier = cls._make_carrier(cls.other_account)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Reconciliation customer"}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Carrier as vendor"})
        # tracking reference listing two numbers, as the base stores it
        cls.ship_multi = cls._make_shipment(cls.carrier, tracking_ref="SIMA1, sima2")
        # a number known only on a package
        cls.ship_package = cls._make_shipment(cls.carrier, packages=["SIMPKG9"])
        # the same number on another account
        cls.ship_other = cls._make_shipment(cls.other_carrier, tracking_ref="OTHER1")
        # one number on two shipments of the account: ambiguous
        cls.ship_dup_a = cls._make_shipment(cls.carrier, packages=["DUP1"])
        cls.ship_dup_b = cls._make_shipment(cls.carrier, tracking_ref="DUP1")

    @classmethod
    def _make_account(cls, name):
        return cls.env["logistics.carrier.account"].create(
            {"name": name, "carrier_code": "sim"}
        )

    @classmethod
    def _make_carrier(cls, account):
        product = cls.env["product.product"].create(
            {"name": f"{account.name} shipping", "type": "service"}
        )
        return cls.env["delivery.carrier"].create(
            {
                "name": f"{account.name} method",
                "delivery_type": "logistics_sim",
                "product_id": product.id,
                "logistics_account_id": account.id,
            }
        )

    @classmethod
    def _make_shipment(cls, carrier, tracking_ref=False, packages=()):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.env.ref("stock.picking_type_out").id,
                "location_id": cls.env.ref("stock.stock_location_stock").id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "partner_id": cls.customer.id,
                "carrier_id": carrier.id,
            }
        )
        shipment = (
            cls.env["logistics.shipment"]
            .sudo()
            .create(
                {
                    "picking_id": picking.id,
                    "carrier_id": carrier.id,
                    "account_id": carrier.logistics_account_id.id,
                    "company_id": cls.env.company.id,
                    "idempotency_key": f"reconciliation-test-{picking.id}",
                    "state": "label_created",
                    "tracking_ref": tracking_ref,
                    "package_ids": [(0, 0, {"tracking_number": n}) for n in packages],
                }
            )
        )
        return shipment

    def _make_invoice(self, lines=(), user=None, **vals):
        model = self.env["logistics.freight.invoice"]
        if user:
            model = model.with_user(user)
        return model.create(
            dict(
                {
                    "name": "INV-2026-001",
                    "account_id": self.account.id,
                    "partner_id": self.vendor.id,
                    "line_ids": [
                        (0, 0, {"tracking_number": number, "amount": amount, **extra})
                        for number, amount, extra in lines
                    ],
                },
                **vals,
            )
        )

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
        lines = {line.tracking_number: line for line in invoice.line_ids}
        invoice.with_user(self.finance).action_match()
        self.assertEqual(invoice.state, "matched")
        self.assertEqual(lines["SIMA2"].shipment_id, self.ship_multi)
        self.assertEqual(lines["SIMA1"].shipment_id, self.ship_multi)
        self.assertEqual(lines["SIMPKG9"].shipment_id, self.ship_package)
        for number in ("SIMA2", "SIMA1", "SIMPKG9"):
            self.assertEqual(lines[number].match_state, "matched", number)
        # unknown, another account's, ambiguous, no number: left for finance
        for number in ("UNKNOWN1", "OTHER1", "DUP1", False):
            self.assertFalse(lines[number].shipment_id, number)
            self.assertEqual(lines[number].match_state, "unmatched", number)
        self.assertEqual((invoice.matched_count, invoice.unmatched_count), (3, 4))
        self.assertIn("3 line(s) matched now", invoice.message_ids[0].body)
        # a rerun never re-matches what is matched, and still finds new shipments
        lines["SIMA1"].shipment_id = self.ship_dup_a
        self._make_shipment(self.carrier, tracking_ref="UNKNOWN1")
        invoice.with_user(self.finance).action_match()
        self.assertEqual(lines["SIMA1"].shipment_id, self.ship_dup_a)
        self.assertEqual(lines["UNKNOWN1"].match_state, "matched")
        self.assertEqual(invoice.unmatched_count, 3)
        self.assertIn("1 line(s) matched now", invoice.message_ids[0].body)

    def test_matching_is_one_statement(self):
        numbers = ["SIMA1", "SIMA2", "SIMPKG9", "UNKNOWN1"]
        numbers += [f"NEW{i}" for i in range(6)]
        for i in range(6):
            self._make_shipment(self.carrier, tracking_ref=f"NEW{i}")
        invoice = self._make_invoice([(number, 1.0, {}) for number in numbers])
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            invoice.action_match()
            self.env.flush_all()
        line_updates = [
            record
            for record in logs.output
            if re.search(r'UPDATE\s+"?logistics_freight_invoice_line"?\s', record)
        ]
        self.assertEqual(len(line_updates), 1, line_updates)
        self.assertEqual(invoice.matched_count, 9)

    def test_done_invoice_is_closed(self):
        invoice = self._make_invoice([("SIMA1", 1.0, {})])
        with self.assertRaises(UserError):
            invoice.action_done()
        invoice.action_match()
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
        self.assertEqual(as_finance.search([]), invoice_a)
        with self.assertRaises(AccessError):
            invoice_b.with_user(self.finance).read(["name"])
