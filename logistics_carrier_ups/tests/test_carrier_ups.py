# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests.common import Form, TransactionCase, new_test_user, tagged

from logistics_carriers.ups import UpsAdapter

CODE = "ups"
PROVIDER = "logistics_ups"


@tagged("post_install", "-at_install")
class TestCarrierUps(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.admin = new_test_user(
            cls.env,
            login="ups_logistics_admin",
            groups="base.group_user,logistics_connector_base.group_logistics_admin",
        )
        cls.user = new_test_user(
            cls.env,
            login="ups_logistics_user",
            groups="base.group_user,logistics_connector_base.group_logistics_user",
        )
        cls.account = cls.env["logistics.carrier.account"].create(
            {
                "name": "UPS test account",
                "carrier_code": CODE,
                "account_number": "A1B2C3",
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "UPS Test Customer",
                "street": "1 Main Street",
                "city": "Brussels",
                "zip": "1000",
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.shipping_product = cls.env["product.product"].create(
            {"name": "UPS shipping", "type": "service"}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "UPS Standard (test)",
                "delivery_type": PROVIDER,
                "product_id": cls.shipping_product.id,
                "logistics_account_id": cls.account.id,
                "logistics_service_code": "11",
            }
        )
        cls.picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.env.ref("stock.picking_type_out").id,
                "location_id": cls.env.ref("stock.stock_location_stock").id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "partner_id": cls.partner.id,
                "carrier_id": cls.carrier.id,
            }
        )

    def test_provider_type_and_carrier_code_offered(self):
        delivery_types = dict(
            self.env["delivery.carrier"].fields_get(["delivery_type"])["delivery_type"][
                "selection"
            ]
        )
        self.assertEqual(delivery_types.get(PROVIDER), "Logistics: UPS")
        carrier_codes = dict(
            self.env["logistics.carrier.account"].fields_get(["carrier_code"])[
                "carrier_code"
            ]["selection"]
        )
        self.assertEqual(carrier_codes.get(CODE), "UPS")

    def test_admin_creates_account_user_refused(self):
        account = (
            self.env["logistics.carrier.account"]
            .with_user(self.admin)
            .create({"name": "UPS by admin", "carrier_code": CODE})
        )
        self.assertEqual(account.carrier_code, CODE)
        # a plain logistics user sees the account but may not create or change one
        self.assertEqual(account.with_user(self.user).name, "UPS by admin")
        with self.assertRaises(AccessError):
            self.env["logistics.carrier.account"].with_user(self.user).create(
                {"name": "UPS by user", "carrier_code": CODE}
            )
        with self.assertRaises(AccessError):
            account.with_user(self.user).write({"name": "renamed"})

    def test_ups_adapter_with_ups_base_urls(self):
        adapter = self.account._get_adapter()
        self.assertIsInstance(adapter, UpsAdapter)
        self.assertEqual(adapter.base_url, "https://wwwcie.ups.com/api")
        self.assertEqual(
            adapter.token_url(), "https://wwwcie.ups.com/security/v1/oauth/token"
        )
        self.assertFalse(adapter.supports_lookup)
        self.assertFalse(adapter.idempotent_create)
        self.account.environment = "production"
        adapter = self.account._get_adapter()
        self.assertEqual(adapter.base_url, "https://onlinetools.ups.com/api")
        # a local proxy in production: allowed by a system administrator only
        self.env["ir.config_parameter"].set_param(
            "logistics.allowed_private_hosts", "127.0.0.1"
        )
        self.account.api_base_url = "http://127.0.0.1:8074"
        adapter = self.account._get_adapter()
        self.assertEqual(
            adapter.token_url(), "http://127.0.0.1:8074/security/v1/oauth/token"
        )

    def test_rate_without_credentials_reports_the_cause(self):
        """Odoo's 'Get rate' reaches the UPS adapter, which asks for credentials
        before any call (the account has none)."""
        order = self.env["sale.order"].create({"partner_id": self.partner.id})
        result = self.carrier.rate_shipment(order)
        self.assertFalse(result["success"])
        self.assertEqual(result["price"], 0.0)
        self.assertIn("no client ID or client secret", result["error_message"])

    def test_shipper_number_must_be_six_characters(self):
        """Shipping.yaml: ShipperNumber is exactly 6 characters; an account
        with another number cannot be saved, and an older one is refused in
        words before any call."""
        from odoo.exceptions import ValidationError

        with self.assertRaisesRegex(ValidationError, "6-character UPS shipper"):
            self.account.account_number = "1234567890"
        self.account.account_number = "a1b2c3"  # case is UPS's business
        self.assertEqual(self.account._get_adapter().shipper_number(), "A1B2C3")

    def test_new_ups_account_defaults_to_gif_labels(self):
        form = Form(self.env["logistics.carrier.account"])
        form.name = "UPS from the form"
        form.carrier_code = "ups"
        self.assertEqual(form.label_format, "GIF")
        account = form.save()
        extra = account._get_adapter_config().extra
        self.assertEqual(extra["weight_unit"], "auto")
        self.assertEqual(extra["label_stock_size"], "6")
        self.assertFalse(extra["negotiated_rates"])

    def test_provider_hooks_delegate_to_generic_path(self):
        carrier_cls = type(self.env["delivery.carrier"])
        sent = [{"exact_price": 7.5, "tracking_number": "1ZTEST"}]
        with (
            patch.object(
                carrier_cls,
                "_logistics_send_shipping",
                autospec=True,
                return_value=sent,
            ) as send,
            patch.object(
                carrier_cls, "_logistics_cancel_shipment", autospec=True
            ) as cancel,
            patch.object(
                carrier_cls,
                "_logistics_get_tracking_link",
                autospec=True,
                return_value="https://track.example/1ZTEST",
            ) as link,
        ):
            self.assertEqual(self.carrier.send_shipping(self.picking), sent)
            self.carrier.cancel_shipment(self.picking)
            self.assertEqual(
                self.carrier.get_tracking_link(self.picking),
                "https://track.example/1ZTEST",
            )
        send.assert_called_once_with(self.carrier, self.picking)
        cancel.assert_called_once_with(self.carrier, self.picking)
        link.assert_called_once_with(self.carrier, self.picking)
