# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 15: public methods check their caller; least privilege; outbound URLs.

The same refusals are proven over JSON-RPC on a running server in
tests/server/test_rpc_access.py; these tests pin each fix's behaviour.
"""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LogisticsCase


@tagged("post_install", "-at_install")
class TestCallerChecks(LogisticsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Other logistics Co"})
        cls.other_account = cls._make_account(
            "Other company's account", company_id=cls.other.id
        )

    # ------------------------------------------------------------ ledger
    def test_ledger_has_no_public_method_that_commits(self):
        ledger = self.env["logistics.idempotency.record"]
        for name in ("acquire", "mark_succeeded", "mark_failed"):
            self.assertFalse(hasattr(ledger, name), name)
        acq = ledger._acquire_committed("other", "sec-k1", "fp")
        ledger._mark_succeeded(acq.record_id, result={"id": "X"}, result_ref="X")
        self.assertEqual(ledger.browse(acq.record_id).state, "succeeded")

    # ------------------------------------------------- cancel at carrier
    def test_cancel_at_carrier_needs_a_supervisor_who_reads_the_shipment(self):
        shipment = self._send(self._make_picking())
        self.assertEqual(shipment.state, "label_created")
        for user in (self.user, self.outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                shipment.with_user(user).action_cancel_at_carrier()
        # a supervisor of another company only
        foreign = new_test_user(
            self.env,
            "ls_foreign_supervisor",
            groups="stock.group_stock_user,"
            "logistics_connector_base.group_logistics_supervisor",
            company_id=self.other.id,
            company_ids=[(6, 0, self.other.ids)],
        )
        with self.assertRaises(AccessError):
            shipment.with_user(foreign).action_cancel_at_carrier()
        self.assertEqual(shipment.state, "label_created")
        self.assertFalse(
            [r for r in self.sim.requests if r["operation"] == "cancel_shipment"]
        )
        shipment.with_user(self.supervisor).action_cancel_at_carrier()
        self.assertEqual(shipment.state, "cancelled")

    # ------------------------------------------------------ secrets
    def test_webhook_secret_rotation_is_for_administrators(self):
        for user in (self.user, self.supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.account.with_user(user).action_rotate_webhook_secret()
        self.assertEqual(self.account.sudo().webhook_secret, "whsec-test")

    def test_second_rotation_keeps_the_carriers_secret(self):
        account = self.account.with_user(self.admin)
        account.action_rotate_webhook_secret()
        self.assertEqual(account.sudo().webhook_secret_previous, "whsec-test")
        with self.assertRaisesRegex(UserError, "clear the previous one"):
            account.action_rotate_webhook_secret()
        self.assertEqual(account.sudo().webhook_secret_previous, "whsec-test")
        account.action_clear_previous_webhook_secret()
        account.action_rotate_webhook_secret()
        self.assertTrue(account.sudo().webhook_secret_previous)

    def test_subscription_rotation_is_for_administrators_and_refused_twice(self):
        sub = self.env["logistics.event.subscription"].create(
            {
                "name": "Receiver",
                "url": "https://receiver.example.com/hooks",
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        original = sub.secret
        for user in (self.user, self.supervisor):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    sub.with_user(user).action_rotate_secret()
                with self.assertRaises(AccessError):
                    sub.with_user(user).action_clear_previous_secret()
        mine = sub.with_user(self.admin)
        mine.action_rotate_secret()
        with self.assertRaisesRegex(UserError, "previous secret"):
            mine.action_rotate_secret()
        self.assertEqual(sub.secret_previous, original)
        mine.action_clear_previous_secret()
        self.assertFalse(sub.secret_previous)

    # --------------------------------------------------- multi-company
    def test_send_to_carrier_refuses_another_companys_carrier_account(self):
        carrier = self._make_carrier("Foreign method", self.other_account)
        picking = self._make_picking(carrier=carrier)
        with self.assertRaisesRegex(UserError, "belongs to Other logistics Co"):
            picking.with_user(self.user).action_send_to_carrier()
        self.assertFalse(picking.logistics_shipment_ids)
        self.assertEqual(self.sim.requests, [])

    def test_subscription_serves_only_the_callers_companies(self):
        admin_a = new_test_user(
            self.env,
            "ls_admin_a_only",
            groups="logistics_connector_base.group_logistics_admin",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        subs = self.env["logistics.event.subscription"].with_user(admin_a)
        for companies in ([], self.other.ids):
            with self.subTest(companies=companies), self.assertRaises(ValidationError):
                subs.create(
                    {
                        "name": "Spy",
                        "url": "https://spy.example.com/",
                        "company_ids": [(6, 0, companies)],
                    }
                )
        shared = self.env["logistics.event.subscription"].create(
            {
                "name": "Shared",
                "url": "https://shared.example.com/",
                "company_ids": [(6, 0, (self.company | self.other).ids)],
            }
        )
        with self.assertRaises(AccessError):
            shared.with_user(admin_a).write({"url": "https://spy.example.com/"})
        self.assertEqual(shared.url, "https://shared.example.com/")
        foreign = self.env["logistics.event.subscription"].create(
            {
                "name": "Other's",
                "url": "https://other.example.com/",
                "company_ids": [(6, 0, self.other.ids)],
            }
        )
        self.assertFalse(subs.search([("id", "=", foreign.id)]))

    # ------------------------------------------------- inbound message
    def test_nobody_edits_an_inbound_message(self):
        message = self.env["logistics.inbound.message"].create(
            {
                "account_id": self.account.id,
                "message_key": "sec-1",
                "body": '{"status": "in_transit"}',
                "state": "failed",
            }
        )
        for user in (self.supervisor, self.admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                message.with_user(user).write({"body": '{"status": "delivered"}'})
        self.assertEqual(message.body, '{"status": "in_transit"}')

    def test_logistics_users_write_no_shipment_directly(self):
        shipment = self._send(self._make_picking(), user=self.user)
        for user in (self.user, self.supervisor):
            for record, vals in (
                (shipment, {"tracking_ref": "FORGED"}),
                (shipment.package_ids[:1], {"tracking_number": "FORGED"}),
                (shipment.event_ids[:1], {"code": "delivered"}),
            ):
                with self.subTest(user=user.login, model=record._name):
                    self.assertTrue(record)
                    with self.assertRaises(AccessError):
                        record.with_user(user).write(vals)
            with self.assertRaises(AccessError):
                self.env["logistics.shipment"].with_user(user).create(
                    self.env["logistics.shipment"]._prepare_vals(
                        self._make_picking(), self.carrier, 1
                    )
                )
        self.assertNotEqual(shipment.tracking_ref, "FORGED")

    # ------------------------------------------------------ outbound URLs
    def test_production_url_must_be_https_on_a_public_address(self):
        account = self._make_account("Prod", api_base_url=False)
        account.environment = "production"
        for url in (
            "http://api.example.com",
            "https://127.0.0.1:8071",
            "https://10.1.2.3/api",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://localhost/",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                account.write({"api_base_url": url})
        account.api_base_url = "https://93.184.215.14/api"
        # sandbox accounts reach the local simulators
        sandbox = self._make_account("Sandbox", api_base_url="http://127.0.0.1:8071")
        self.assertEqual(sandbox.environment, "sandbox")
        with self.assertRaises(ValidationError):
            sandbox.environment = "production"
        # a system administrator allows a host explicitly
        self.env["ir.config_parameter"].set_param(
            "logistics.allowed_private_hosts", "10.1.2.3, proxy.internal"
        )
        account.api_base_url = "https://10.1.2.3/api"
        self.assertEqual(account.api_base_url, "https://10.1.2.3/api")

    def test_subscription_url_rules(self):
        subs = self.env["logistics.event.subscription"]
        for url in ("http://receiver.example.com/", "https://127.0.0.1:8099/"):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                subs.create({"name": "x", "url": url})
        sandbox = subs.create(
            {
                "name": "Test receiver",
                "url": "http://127.0.0.1:8099/",
                "environment": "sandbox",
            }
        )
        self.assertTrue(sandbox)
