# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests.common import TransactionCase, new_test_user, tagged

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
            groups="base.group_user,logistics_connector_base.group_logistics_user",
        )
        cls.account = cls.env["logistics.carrier.account"].create(
            {"name": "DHL test account", "carrier_code": CODE}
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "DHL Test Customer",
                "street": "1 Main Street",
                "city": "Brussels",
                "zip": "1000",
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.shipping_product = cls.env["product.product"].create(
            {"name": "DHL shipping", "type": "service"}
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

    def test_no_adapter_until_it_is_installed(self):
        with self.assertRaisesRegex(
            UserError, "No adapter is installed for carrier 'dhl'"
        ):
            self.account._get_adapter()

    def test_rate_through_odoo_delivery_flow(self):
        """Odoo's 'Get rate' reaches the generic path and reports the cause."""
        order = self.env["sale.order"].create({"partner_id": self.partner.id})
        result = self.carrier.rate_shipment(order)
        self.assertFalse(result["success"])
        self.assertEqual(result["price"], 0.0)
        self.assertIn(
            "No adapter is installed for carrier 'dhl'", result["error_message"]
        )

    def test_provider_hooks_delegate_to_generic_path(self):
        carrier_cls = type(self.env["delivery.carrier"])
        sent = [{"exact_price": 7.5, "tracking_number": "JJD000TEST"}]
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
                return_value="https://track.example/JJD000TEST",
            ) as link,
        ):
            self.assertEqual(self.carrier.send_shipping(self.picking), sent)
            self.carrier.cancel_shipment(self.picking)
            self.assertEqual(
                self.carrier.get_tracking_link(self.picking),
                "https://track.example/JJD000TEST",
            )
        send.assert_called_once_with(self.carrier, self.picking)
        cancel.assert_called_once_with(self.carrier, self.picking)
        link.assert_called_once_with(self.carrier, self.picking)
