# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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

    def logistics_ups_rate_shipment(self, order):
        return self._logistics_rate_shipment(order)

    def logistics_ups_send_shipping(self, pickings):
        return self._logistics_send_shipping(pickings)

    def logistics_ups_cancel_shipment(self, pickings):
        return self._logistics_cancel_shipment(pickings)

    def logistics_ups_get_tracking_link(self, picking):
        return self._logistics_get_tracking_link(picking)
