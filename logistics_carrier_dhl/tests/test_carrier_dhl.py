# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import TransactionCase, new_test_user, tagged

from logistics_carriers.dhl import PUBLIC_TRACKING_URL, DhlParcelDeAdapter

CODE = "dhl"
PROVIDER = "logistics_dhl"


@tagged("post_install", "-at_install")
class TestCarrierDhl(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.admin = new_test_user(
            cls.env,
            login="dhl_logistics_admin",
            groups="base.group_user,logistics_connector_base.group_logistics_admin",
        )
        cls.user = new_test_user(
            cls.env,
            login="dhl_logistics_user",
            groups="base.group_user,stock.group_stock_user,"
            "logistics_connector_base.group_logistics_user",
        )
        cls.account = cls.env["logistics.carrier.account"].create(
            {
                "name": "DHL test account",
                "carrier_code": CODE,
                "client_id": "dhl-key",
                "client_secret": "dhl-secret",
                "username": "user-valid",
                "password": "SandboxPasswort2023!",
                "dhl_billing_number": "33333333330101",
                "dhl_tracking_api_key": "dhl-tracking-key",
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "DHL Test Customer",
                "street": "1 Main Street",
                "city": "Brussels",
                "zip": "1000",
                "country_id": cls.env.ref("base.be").id,
                "phone": "+32 2 555 12 12",
            }
        )
        cls.shipping_product = cls.env["product.product"].create(
            {"name": "DHL shipping", "type": "service", "list_price": 6.9}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "DHL Paket (test)",
                "delivery_type": PROVIDER,
                "product_id": cls.shipping_product.id,
                "logistics_account_id": cls.account.id,
                "logistics_service_code": "V01PAK",
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
        self.assertEqual(delivery_types.get(PROVIDER), "Logistics: DHL")
        self.assertNotEqual(PROVIDER, "dhl")  # Odoo Enterprise's provider
        carrier_codes = dict(
            self.env["logistics.carrier.account"].fields_get(["carrier_code"])[
                "carrier_code"
            ]["selection"]
        )
        self.assertEqual(carrier_codes.get(CODE), "DHL")

    def test_admin_creates_account_user_refused(self):
        account = (
            self.env["logistics.carrier.account"]
            .with_user(self.admin)
            .create({"name": "DHL by admin", "carrier_code": CODE})
        )
        self.assertEqual(account.carrier_code, CODE)
        # a plain logistics user sees the account but may not create or change one
        self.assertEqual(account.with_user(self.user).name, "DHL by admin")
        with self.assertRaises(AccessError):
            self.env["logistics.carrier.account"].with_user(self.user).create(
                {"name": "DHL by user", "carrier_code": CODE}
            )
        with self.assertRaises(AccessError):
            account.with_user(self.user).write({"name": "renamed"})

    def test_account_gives_the_dhl_adapter_its_settings(self):
        self.account.write(
            {
                "dhl_profile": "MY_PROFILE",
                "dhl_auth_mode": "oauth",
                "dhl_print_format": "910-300-700",
                "dhl_language": "de-DE",
                "dhl_must_encode": True,
                "dhl_tracking_url": "https://track.example/{number}",
            }
        )
        adapter = self.account._get_adapter()
        self.assertIsInstance(adapter, DhlParcelDeAdapter)
        extra = adapter.config.extra
        self.assertEqual(extra["billing_number"], "33333333330101")
        self.assertEqual(extra["profile"], "MY_PROFILE")
        self.assertEqual(extra["auth_mode"], "oauth")
        self.assertEqual(extra["tracking_api_key"], "dhl-tracking-key")
        self.assertEqual(extra["username"], "user-valid")
        self.assertEqual(extra["print_format"], "910-300-700")
        self.assertTrue(extra["must_encode"])
        self.assertEqual(adapter.language, "de-DE")
        self.assertEqual(adapter.profile, "MY_PROFILE")
        self.assertEqual(adapter.config.client_secret, "dhl-secret")
        self.assertEqual(
            adapter.tracking_url("0034 1"), "https://track.example/0034%201"
        )
        # sandbox without override: DHL's sandbox host
        self.assertEqual(adapter.base_url, "https://api-sandbox.dhl.com")
        self.account.dhl_tracking_url = False
        self.assertEqual(
            self.account._get_adapter().tracking_url("123"),
            PUBLIC_TRACKING_URL.replace("{number}", "123"),
        )

    def test_label_format_and_billing_number_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "PDF or ZPL"):
            self.account.label_format = "PNG"
        self.account.label_format = "ZPL"
        with self.assertRaisesRegex(ValidationError, "not a DHL billing number"):
            self.account.dhl_billing_number = "12345"
        with self.assertRaisesRegex(ValidationError, "not a DHL Parcel DE product"):
            self.carrier.logistics_service_code = "EXPRESS_WORLDWIDE"

    def test_rate_is_the_fixed_price_dhl_publishes_none(self):
        """Odoo's 'Get rate': DHL Parcel DE has no rating API."""
        order = self.env["sale.order"].create({"partner_id": self.partner.id})
        result = self.carrier.rate_shipment(order)
        self.assertTrue(result["success"])
        self.assertAlmostEqual(result["price"], 6.9)
        self.assertIn("no rating API", result["warning_message"])

    def test_preflight_refuses_what_dhl_would(self):
        """V01PAK is domestic: Belgium is refused before anything is queued."""
        with self.assertRaisesRegex(UserError, "ships within Germany only"):
            self.picking._logistics_preflight()
        self.account.dhl_billing_number = False
        with self.assertRaisesRegex(UserError, "has no DHL billing number"):
            self.picking._logistics_preflight()

    def test_provider_hooks_delegate_to_generic_path(self):
        carrier_cls = type(self.env["delivery.carrier"])
        sent = [{"exact_price": 0.0, "tracking_number": "00340434161094015902"}]
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
                return_value="https://track.example/00340434161094015902",
            ) as link,
        ):
            self.assertEqual(self.carrier.send_shipping(self.picking), sent)
            self.carrier.cancel_shipment(self.picking)
            self.assertEqual(
                self.carrier.get_tracking_link(self.picking),
                "https://track.example/00340434161094015902",
            )
        send.assert_called_once_with(self.carrier, self.picking)
        cancel.assert_called_once_with(self.carrier, self.picking)
        link.assert_called_once_with(self.carrier, self.picking)
