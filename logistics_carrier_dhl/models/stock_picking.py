# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _preflight_order(self, carrier):
        """DHL's own limits, checked before anything is queued."""
        problems = super()._preflight_order(carrier)
        account = carrier.logistics_account_id if carrier else None
        if not account or account.carrier_code != "dhl":
            return problems
        product = carrier.logistics_service_code or account.dhl_product
        to_kg = self.env["logistics.shipment"]._weight_to_kg
        packages = self.move_line_ids.result_package_id
        weights = [to_kg(p.shipping_weight or p.weight or 0.0) for p in packages]
        if not packages:
            weights = [to_kg(self.shipping_weight or self.weight or 0.0)]
        return problems + account._dhl_preflight_problems(
            product,
            self.partner_id.country_id.code,
            weights,
            self._logistics_shipper_partner().country_id.code,
        )
