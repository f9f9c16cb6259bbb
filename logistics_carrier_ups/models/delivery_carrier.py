# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from logistics_carriers.ups import SERVICES

UPS_SERVICE_SELECTION = [(code, f"{code} - {name}") for code, name in SERVICES.items()]


class DeliveryCarrier(models.Model):
    """UPS as a shipping provider of Odoo's delivery flow.

    The technical value ``logistics_ups`` does not collide with Odoo
    Enterprise's ``ups`` / ``ups_rest`` providers, so both can be installed.
    Odoo calls ``<delivery_type>_<hook>``; every hook goes through the suite's
    generic path (idempotency ledger, queue, integration log).
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("logistics_ups", "Logistics: UPS")],
        ondelete={"logistics_ups": "set default"},
    )
    ups_service = fields.Selection(
        UPS_SERVICE_SELECTION,
        string="UPS Service",
        compute="_compute_ups_service",
        inverse="_inverse_ups_service",
        help="Sets the carrier service code of this shipping method.",
    )

    @api.depends("logistics_service_code")
    def _compute_ups_service(self):
        for carrier in self:
            code = (carrier.logistics_service_code or "").strip()
            carrier.ups_service = code if code in SERVICES else False

    def _inverse_ups_service(self):
        for carrier in self.filtered("ups_service"):
            carrier.logistics_service_code = carrier.ups_service

    def logistics_ups_rate_shipment(self, order):
        order = self._logistics_caller_records("sale.order", order, "base.group_user")
        return self._logistics_rate_shipment(order)

    def logistics_ups_send_shipping(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "stock.group_stock_user", "write"
        )
        return self._logistics_send_shipping(pickings)

    def logistics_ups_cancel_shipment(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "user", "write"
        )
        return self._logistics_cancel_shipment(pickings)

    def logistics_ups_get_tracking_link(self, picking):
        picking = self._logistics_caller_records(
            "stock.picking", picking, "base.group_user"
        )
        return self._logistics_get_tracking_link(picking)
