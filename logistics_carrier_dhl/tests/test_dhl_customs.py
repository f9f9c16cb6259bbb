# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parcels leaving the EU customs union carry DHL's customs block."""

import sys
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DhlCase

CONTRACTS = Path(__file__).resolve().parents[2] / "tests" / "contracts"


@tagged("post_install", "-at_install")
class TestDhlCustoms(DhlCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.intl_carrier = cls._make_dhl_carrier(
            "DHL Paket International (test)", cls.dhl_account, "V53WPAK"
        )
        cls.swiss = cls.env["res.partner"].create(
            {
                "name": "Urs Keller",
                "street": "Bahnhofstrasse 1",
                "city": "Zurich",
                "zip": "8001",
                "country_id": cls.env.ref("base.ch").id,
                "phone": "+41 44 555 01 01",
                "email": "urs.keller@example.com",
            }
        )
        cls.french = cls.env["res.partner"].create(
            {
                "name": "Camille Durand",
                "street": "12 Rue de la Republique",
                "city": "Lyon",
                "zip": "69002",
                "country_id": cls.env.ref("base.fr").id,
                "phone": "+33 4 72 00 00 00",
            }
        )
        cls.product.write({"list_price": 249.0, "hs_code": "851671", "weight": 6.5})

    def _order(self):
        (create,) = self._dhl_requests("create_shipment")
        return create["json"]

    def test_parcel_to_switzerland_declares_its_goods(self):
        picking = self._dhl_picking(partner=self.swiss, carrier=self.intl_carrier)
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created", shipment.last_error)
        (order,) = self._order()["shipments"]
        customs = order["customs"]
        self.assertEqual(customs["exportType"], "COMMERCIAL_GOODS")
        (item,) = customs["items"]
        self.assertEqual(item["packagedQuantity"], 1)
        self.assertEqual(item["itemValue"]["value"], 249.0)
        self.assertEqual(item["itemWeight"], {"uom": "g", "value": 6500})
        self.assertEqual(item["hsCode"], "851671")
        # valid against the schema written from DHL's specification
        sys.path.insert(0, str(CONTRACTS.parent))
        try:
            from contracts import contracts
        finally:
            sys.path.remove(str(CONTRACTS.parent))
        self.assertEqual(
            contracts.errors(
                "dhl", "parcel_de_shipping_v2", "ShipmentOrderRequest", self._order()
            ),
            [],
        )

    def test_parcel_within_the_eu_has_no_customs_block(self):
        picking = self._dhl_picking(partner=self.french, carrier=self.intl_carrier)
        shipment = self._send(picking)
        self.assertEqual(shipment.state, "label_created", shipment.last_error)
        (order,) = self._order()["shipments"]
        self.assertNotIn("customs", order)

    def test_goods_without_value_are_refused_before_dhl(self):
        free = self.env["product.product"].create(
            {"name": "Free sample", "type": "consu", "weight": 1.0, "list_price": 0}
        )
        picking = self._dhl_picking(
            partner=self.swiss, carrier=self.intl_carrier, product=free
        )
        with self.assertRaisesRegex(UserError, "customs declaration needs the value"):
            picking.action_send_to_carrier()
        self.assertFalse(self._dhl_requests("create_shipment"))

    def test_the_simulator_refuses_a_swiss_parcel_without_customs(self):
        adapter = self.dhl_account._get_adapter()
        body = {
            "profile": "STANDARD_GRUPPENPROFIL",
            "shipments": [
                {
                    "product": "V53WPAK",
                    "billingNumber": "33333333335301",
                    "refNo": "WH/OUT/TEST-1",
                    "shipper": {
                        "name1": "Warehouse",
                        "addressStreet": "Lagerstrasse 7",
                        "postalCode": "20095",
                        "city": "Hamburg",
                        "country": "DEU",
                    },
                    "consignee": {
                        "name1": "Urs Keller",
                        "addressStreet": "Bahnhofstrasse 1",
                        "postalCode": "8001",
                        "city": "Zurich",
                        "country": "CHE",
                    },
                    "details": {"weight": {"uom": "g", "value": 6500}},
                }
            ],
        }
        response = adapter._shipping(
            "POST", "/orders", operation="create_shipment", json=body
        )
        self.assertEqual(response.status_code, 400)
        messages = response.json()["items"][0]["validationMessages"]
        self.assertEqual(messages[0]["property"], "customs")
