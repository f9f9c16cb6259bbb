# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two finance users bill the same carrier charge at the same moment.

Real, separate, committed transactions (after the ledger's concurrency
tests in logistics_connector_base): the charge is paid once.
"""
# Committing is the point of these tests: two real transactions must see
# each other's rows.
# pylint: disable=invalid-commit

import threading
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from .common import make_carrier, make_shipment


@tagged("post_install", "-at_install")
class TestBillingConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = odoo.tests.common.get_db_name()
        cls.registry = odoo.registry(cls.dbname)

    @staticmethod
    def _env(cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8].upper()
        self.number = f"RACE{tag}"
        with self.registry.cursor() as cr:
            env = self._env(cr)
            account = env["logistics.carrier.account"].create(
                {
                    "name": f"Billing race {tag}",
                    "carrier_code": "sim",
                    "vendor_partner_id": env.company.partner_id.id,
                }
            )
            carrier = make_carrier(env, account)
            customer = env["res.partner"].create({"name": f"Race customer {tag}"})
            shipment = make_shipment(
                env, carrier, customer, self.number, [(self.number, 1.0)], charges=10.0
            )
            invoices = env["logistics.freight.invoice"]
            for name in ("RACE-A", "RACE-B"):
                invoices |= invoices.create(
                    {
                        "name": f"{name}-{tag}",
                        "account_id": account.id,
                        "invoice_date": "2026-11-20",
                        "line_ids": [
                            (0, 0, {"tracking_number": self.number, "amount": 10.0})
                        ],
                    }
                )
                invoices[-1:].action_match()
            # both approved (the second is a duplicate, approved by mistake)
            invoices.line_ids.action_approve()
            cr.commit()
            self.ids = {
                "account": account.id,
                "carrier": carrier.id,
                "shipment": shipment.id,
                "picking": shipment.picking_id.id,
                "invoices": invoices.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        ids = self.ids
        with self.registry.cursor() as cr:
            env = self._env(cr)
            invoices = env["logistics.freight.invoice"].browse(ids["invoices"])
            invoices.line_ids.move_id.unlink()
            cr.execute(
                "DELETE FROM logistics_exception WHERE shipment_id = %s "
                "OR name LIKE %s",
                (ids["shipment"], "RACE-%"),
            )
            cr.execute(
                "DELETE FROM logistics_freight_invoice WHERE id IN %s",
                (tuple(ids["invoices"]),),
            )
            cr.execute(
                "DELETE FROM logistics_idempotency_record WHERE key LIKE %s",
                (f"freight-charge-{ids['account']}:%",),
            )
            cr.execute(
                "DELETE FROM logistics_shipment WHERE id = %s", (ids["shipment"],)
            )
            cr.execute("DELETE FROM stock_picking WHERE id = %s", (ids["picking"],))
            cr.execute("DELETE FROM delivery_carrier WHERE id = %s", (ids["carrier"],))
            cr.execute(
                "UPDATE logistics_carrier_account SET active = false WHERE id = %s",
                (ids["account"],),
            )
            cr.commit()

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_two_bills_at_once_pay_the_charge_once(self):
        first_id, second_id = self.ids["invoices"]
        cr1 = self.registry.cursor()
        cr2 = self.registry.cursor()
        outcome = {}
        try:
            env1 = self._env(cr1)
            first = env1["logistics.freight.invoice"].browse(first_id)
            action = first.action_create_vendor_bill()
            self.assertEqual(action["res_model"], "account.move")
            # transaction 1 holds its bill, uncommitted, while 2 bills

            def second_user():
                env2 = self._env(cr2)
                second = env2["logistics.freight.invoice"].browse(second_id)

                def bill():
                    outcome["attempts"] = outcome.get("attempts", 0) + 1
                    try:
                        second.action_create_vendor_bill()
                    except UserError as err:
                        outcome["refusal"] = str(err)

                # what Odoo's RPC layer does: retry on serialization failure
                retrying(bill, env2)

            thread = threading.Thread(target=second_user)
            thread.start()
            thread.join(2.0)
            self.assertTrue(thread.is_alive(), "the second bill did not wait")
            cr1.commit()
            thread.join(60)
            self.assertFalse(thread.is_alive())
            # the second waited on the charge's ledger entry, failed to
            # serialize once the first committed, and its retry saw the bill:
            # the first bill had already marked the line billed twice
            self.assertEqual(outcome["attempts"], 2)
            self.assertIn("Nothing to bill", outcome["refusal"])
        finally:
            cr1.close()
            cr2.close()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            invoices = env["logistics.freight.invoice"].browse(self.ids["invoices"])
            lines = invoices.line_ids
            billed = lines.filtered("move_line_id")
            self.assertEqual(len(billed), 1)
            self.assertEqual(billed.invoice_id.id, first_id)
            self.assertEqual(len(billed.move_id), 1)
            self.assertEqual(billed.move_id.amount_untaxed, 10.0)
            other = lines - billed
            self.assertEqual(other.classification, "duplicate")
            self.assertEqual(other.review_state, "to_review")
            self.assertEqual(other.duplicate_of_id, billed)
