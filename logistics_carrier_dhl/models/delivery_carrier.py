# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from logistics_carriers.dhl import DEFAULT_PRODUCT, PRODUCTS


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

    @api.onchange("delivery_type")
    def _onchange_delivery_type_dhl(self):
        if self.delivery_type == "logistics_dhl" and not self.logistics_service_code:
            self.logistics_service_code = DEFAULT_PRODUCT

    @api.constrains("delivery_type", "logistics_service_code")
    def _check_dhl_product(self):
        for carrier in self:
            code = carrier.logistics_service_code
            if (
                carrier.delivery_type == "logistics_dhl"
                and code
                and code not in PRODUCTS
            ):
                raise ValidationError(
                    _(
                        "%(code)s is not a DHL Parcel DE product. Use one of: "
                        "%(known)s.",
                        code=code,
                        known=", ".join(f"{k} ({v})" for k, v in PRODUCTS.items()),
                    )
                )

    def logistics_dhl_rate_shipment(self, order):
        """DHL Parcel DE publishes no rates: the method's fixed price applies."""
        self.ensure_one()
        order = self._logistics_caller_records("sale.order", order, "base.group_user")
        res = self.fixed_rate_shipment(order)
        if res.get("success"):
            res["warning_message"] = _(
                "DHL Parcel DE offers no rating API: the shipping method's fixed "
                "price is used."
            )
        return res

    def logistics_dhl_send_shipping(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "stock.group_stock_user", "write"
        )
        return self._logistics_send_shipping(pickings)

    def logistics_dhl_cancel_shipment(self, pickings):
        pickings = self._logistics_caller_records(
            "stock.picking", pickings, "user", "write"
        )
        return self._logistics_cancel_shipment(pickings)

    def logistics_dhl_get_tracking_link(self, picking):
        picking = self._logistics_caller_records(
            "stock.picking", picking, "base.group_user"
        )
        return self._logistics_get_tracking_link(picking)
