# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LogisticsCase

MODELS = [
    "logistics.carrier.account",
    "logistics.shipment",
    "logistics.shipment.package",
    "logistics.shipment.event",
    "logistics.idempotency.record",
    "logistics.integration.log",
    "logistics.exception",
    "logistics.inbound.message",
]


@tagged("post_install", "-at_install")
class TestSecurity(LogisticsCase):
    def test_user_without_group_is_refused_everywhere(self):
        for model in MODELS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.outsider).check_access_rights("read")

    def test_user_without_group_cannot_send_to_carrier(self):
        picking = self._make_picking()
        with self.assertRaises(AccessError):
            picking.with_user(self.outsider).action_send_to_carrier()
        self.assertFalse(picking.logistics_shipment_ids)
        self.assertEqual(self.sim.requests, [])

    def test_logistics_user_sends(self):
        shipment = self._send(self._make_picking(), user=self.user)
        self.assertEqual(shipment.state, "label_created")
        self.assertEqual(shipment.create_uid, self.user)

    def test_credentials_are_for_administrators_only(self):
        account = self.account.with_user(self.supervisor)
        self.assertEqual(account.name, "Test simulator")
        for field in ("client_secret", "client_id", "webhook_secret", "access_token"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                account.read([field])
        self.assertEqual(
            self.account.with_user(self.admin).read(["client_secret"])[0][
                "client_secret"
            ],
            "test-secret-123",
        )

    def test_inbox_is_for_supervisors(self):
        inbox = self.env["logistics.inbound.message"]
        inbox.with_user(self.supervisor).check_access_rights("read")
        for user in (self.user, self.outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                inbox.with_user(user).check_access_rights("read")

    def test_ledger_and_log_are_read_only_below_admin(self):
        for model in ("logistics.idempotency.record", "logistics.integration.log"):
            with self.subTest(model=model):
                self.env[model].with_user(self.supervisor).check_access_rights("read")
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.supervisor).check_access_rights(
                        "write"
                    )

    def test_only_admin_configures_accounts(self):
        with self.assertRaises(AccessError):
            self.env["logistics.carrier.account"].with_user(self.supervisor).create(
                {"name": "x", "carrier_code": "sim"}
            )
        account = (
            self.env["logistics.carrier.account"]
            .with_user(self.admin)
            .create({"name": "x", "carrier_code": "sim"})
        )
        self.assertTrue(account.sudo().webhook_token)

    def test_multi_company_rule_hides_other_company_shipments(self):
        shipment = self._send(self._make_picking())
        other = self.env["res.company"].create({"name": "Other Co"})
        self.user.write({"company_ids": [(4, other.id)], "company_id": other.id})
        visible = (
            self.env["logistics.shipment"]
            .with_user(self.user)
            .with_context(allowed_company_ids=[other.id])
            .search([("id", "=", shipment.id)])
        )
        self.assertFalse(visible)
