# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class DeliveryCarrier(models.Model):
    """DHL as a shipping provider of Odoo's delivery flow.

    The technical value ``logistics_dhl`` does not collide with Odoo
    Enterprise's ``dhl`` provider, so both can be installed.
    Odoo calls ``<delivery_type>_<hook>``; every hook goes through the suite's
    generic path (idempotency ledger, queue, integration log).
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("logistics_dhl", "Logistics: DHL")],
        ondelete={"logistics_dhl": "set default"},
    )

    def logistics_dhl_rate_shipment(self, order):
        return self._logistics_rate_shipment(order)

    def logistics_dhl_send_shipping(self, pickings):
        return self._logistics_send_shipping(pickings)

    def logistics_dhl_cancel_shipment(self, pickings):
        return self._logistics_cancel_shipment(pickings)

    def logistics_dhl_get_tracking_link(self, picking):
        return self._logistics_get_tracking_link(picking)
