# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..caller import check_caller


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _logistics_routing_context(self):
        self.ensure_one()
        return {
            "warehouse": self.warehouse_id,
            "partner": self.partner_shipping_id,
            "weight_kg": self.env["logistics.shipment"]._weight_to_kg(
                self._get_estimated_weight()
            ),
            "products": self.order_line.product_id,
            "team": self.team_id,
        }

    def action_logistics_compare_rates(self):
        """Button **Compare rates**: every eligible method quoted at once."""
        self.ensure_one()
        check_caller(self, "user")
        return self.env["logistics.rate.shopping.wizard"]._open_for(order=self)
