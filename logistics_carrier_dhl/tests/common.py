# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A DHL account and shipping method wired to the DHL contract simulator."""

import json
from pathlib import Path

from odoo.addons.logistics_connector_base.tests.common import LogisticsCase

from logistics_carriers.dhl import DhlParcelDeAdapter
from logistics_simulators.dhl.server import DhlSimulator

EXAMPLES = Path(__file__).resolve().parent / "carrier_examples"
API_KEY = "odoo-test-dhl-key"
API_SECRET = "odoo-test-dhl-secret"
BILLING = "33333333330101"


def example(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


class DhlCase(LogisticsCase):
    """The base fixtures (users, customer, product) plus DHL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dhl_sim = DhlSimulator(
            api_keys={API_KEY}, client_secrets={API_KEY: API_SECRET}
        ).start()
        cls.addClassCleanup(cls.dhl_sim.stop)
        cls.dhl_account = cls._make_dhl_account("DHL test account")
        cls.dhl_carrier = cls._make_dhl_carrier("DHL Paket (test)", cls.dhl_account)

    @classmethod
    def _make_dhl_account(cls, name, **vals):
        return cls.env["logistics.carrier.account"].create(
            dict(
                {
                    "name": name,
                    "carrier_code": "dhl",
                    "environment": "sandbox",
                    "api_base_url": cls.dhl_sim.url,
                    "client_id": API_KEY,
                    "client_secret": API_SECRET,
                    "username": "user-valid",
                    "password": "SandboxPasswort2023!",
                    "dhl_billing_number": BILLING,
                    "connect_timeout": 2.0,
                    "read_timeout": 2.0,
                    "max_dispatch_attempts": 4,
                    "breaker_threshold": 50,
                    "webhook_secret": "dhl-push-token-test",
                },
                **vals,
            )
        )

    @classmethod
    def _make_dhl_carrier(cls, name, account, product="V01PAK"):
        shipping = cls.env["product.product"].create(
            {"name": f"{name} shipping", "type": "service", "list_price": 5.49}
        )
        return cls.env["delivery.carrier"].create(
            {
                "name": name,
                "delivery_type": "logistics_dhl",
                "product_id": shipping.id,
                "logistics_account_id": account.id,
                "logistics_service_code": product,
            }
        )

    def setUp(self):
        super().setUp()
        self.dhl_sim.reset()
        DhlParcelDeAdapter._track_state.clear()

    def _dhl_picking(self, **kwargs):
        kwargs.setdefault("carrier", self.dhl_carrier)
        return self._make_picking(**kwargs)

    def _pack(self, picking, weights):
        """Put the picking's goods in one package per weight (kg)."""
        move = picking.move_ids[:1]
        packages = self.env["stock.quant.package"].create(
            [
                {"name": f"DHL-PACK-{index}", "shipping_weight": weight}
                for index, weight in enumerate(weights, 1)
            ]
        )
        picking.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "quantity": 1,
                    "result_package_id": package.id,
                }
                for package in packages
            ]
        )
        return packages

    def _dhl_requests(self, operation):
        return [r for r in self.dhl_sim.requests if r["operation"] == operation]
