# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DhlCase

SECRET_FIELDS = (
    "client_id",
    "client_secret",
    "username",
    "password",
    "access_token",
    "dhl_tracking_api_key",
    "dhl_auth_mode",
    "dhl_push_header",
    "webhook_secret",
)


@tagged("post_install", "-at_install")
class TestDhlSecurity(DhlCase):
    def test_logistics_user_cannot_read_dhl_credentials(self):
        account = self.dhl_account.with_user(self.user)
        # the contract data is no secret: the warehouse may read it
        self.assertEqual(account.dhl_billing_number, "33333333330101")
        self.assertEqual(account.dhl_product, "V01PAK")
        for name in SECRET_FIELDS:
            with self.subTest(field=name), self.assertRaises(AccessError):
                account.read([name])
        visible = account.fields_get()
        for name in SECRET_FIELDS:
            self.assertNotIn(name, visible)
        supervisor = self.dhl_account.with_user(self.supervisor)
        with self.assertRaises(AccessError):
            supervisor.read(["dhl_tracking_api_key"])
        # the form shows the DHL page without the credentials
        arch = account.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="dhl_billing_number"', arch)
        for name in ("dhl_tracking_api_key", "dhl_auth_mode", "password"):
            self.assertNotIn(f'name="{name}"', arch)
        admin_arch = self.dhl_account.with_user(self.admin).get_views(
            [(False, "form")]
        )["views"]["form"]["arch"]
        self.assertIn('name="dhl_tracking_api_key"', admin_arch)

    def test_administrator_reads_and_sets_them(self):
        account = self.dhl_account.with_user(self.admin)
        account.write({"dhl_tracking_api_key": "new-key", "dhl_auth_mode": "oauth"})
        values = account.read(["client_secret", "password", "dhl_tracking_api_key"])[0]
        self.assertEqual(values["password"], "SandboxPasswort2023!")
        self.assertEqual(values["dhl_tracking_api_key"], "new-key")

    def test_user_sends_with_dhl_without_seeing_credentials(self):
        """Sending uses the credentials on the user's behalf (sudo in the job)."""
        picking = self._dhl_picking()
        shipment = self._send(picking, user=self.user)
        self.assertEqual(shipment.state, "label_created")
        with self.assertRaises(AccessError):
            self.dhl_account.with_user(self.user).read(["password"])
        # and the integration log never shows them
        logs = self.env["logistics.integration.log"].search(
            [("account_id", "=", self.dhl_account.id)]
        )
        self.assertTrue(logs)
        for log in logs:
            text = f"{log.request_headers} {log.request_body}"
            self.assertNotIn("SandboxPasswort2023!", text)
            self.assertNotIn("odoo-test-dhl-key", text)
