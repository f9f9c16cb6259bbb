# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Routing rules and rate shopping choose the shipping method."""

from odoo import _, models

from ..caller import check_caller


class StockPickingRouting(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Routing rules and rate shopping
    # ------------------------------------------------------------------
    def _logistics_routing_context(self):
        self.ensure_one()
        shipment_model = self.env["logistics.shipment"]
        return {
            "warehouse": self.picking_type_id.warehouse_id,
            "partner": self.partner_id,
            "weight_kg": shipment_model._weight_to_kg(
                self.shipping_weight or self.weight
            ),
            "products": self.move_ids.product_id,
            "team": self.sale_id.team_id,
        }

    def _logistics_rate_request(self, carrier):
        """A quote request for this delivery with ``carrier``."""
        self.ensure_one()
        return self.env["logistics.shipment"]._request_for_pickings(
            self, carrier, idempotency_key=f"rate-picking-{self.id}"
        )

    def _logistics_route(self, exclude_accounts=None, quotes=None):
        """(carrier, rule, why) the routing rules choose for this delivery."""
        self.ensure_one()
        rule = self.env["logistics.routing.rule"]._find(
            self._logistics_routing_context(), self.company_id
        )
        if not rule:
            return self.env["delivery.carrier"], rule, _("no routing rule matches")
        carrier, why = rule._choose(
            self.partner_id,
            self._logistics_rate_request,
            exclude_accounts=exclude_accounts,
            quotes=quotes,
        )
        return carrier, rule, why

    def _logistics_apply_routing(self, quotes=None):
        """Set the shipping method chosen by the routing rules; True if set."""
        self.ensure_one()
        carrier, rule, why = self._logistics_route(quotes=quotes)
        if not carrier:
            return False
        self.write({"carrier_id": carrier.id})
        self.message_post(
            body=_(
                "Shipping method %(carrier)s chosen by routing rule %(rule)s "
                "(%(why)s).",
                carrier=carrier.name,
                rule=rule.name,
                why=why,
            )
        )
        return True

    def action_logistics_compare_rates(self):
        """Button **Compare rates**: every eligible method quoted at once."""
        self.ensure_one()
        check_caller(self, "user")
        return self.env["logistics.rate.shopping.wizard"]._open_for(picking=self)
