# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..adapters import CarrierError, Parcel, ShipmentRequest

_logger = logging.getLogger(__name__)


class DeliveryCarrier(models.Model):
    """Odoo's delivery flow (rate, send, cancel, tracking link) through the suite.

    Each carrier addon adds its provider type ``logistics_<code>`` and binds
    the four ``<type>_*`` hooks to the generic ``_logistics_*`` methods below,
    so there is one path to the carrier whatever button the user presses.
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("logistics_sim", "Logistics: Simulator")],
        ondelete={"logistics_sim": "set default"},
    )
    logistics_account_id = fields.Many2one(
        "logistics.carrier.account",
        string="Carrier Account",
        domain="[('company_id', 'in', (company_id, False))]",
        help="Send to carrier uses this account. Leave empty for shipping methods "
        "that are not sent through the logistics suite.",
    )
    logistics_service_code = fields.Char(
        string="Carrier Service Code",
        help="The carrier's product / service code for this shipping method.",
    )
    logistics_fallback_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Fallback Shipping Method",
        domain="[('logistics_account_id', '!=', False), ('id', '!=', id)]",
        help="Takes over when this method's carrier account is degraded "
        "(circuit breaker open).",
    )
    is_logistics = fields.Boolean(compute="_compute_is_logistics")

    def _compute_is_logistics(self):
        for carrier in self:
            carrier.is_logistics = bool(carrier.logistics_account_id)

    # ------------------------------------------------------------------
    # Generic provider hooks
    # ------------------------------------------------------------------
    def _logistics_check_account(self):
        self.ensure_one()
        if not self.logistics_account_id:
            raise UserError(
                _(
                    "Shipping method %s has no carrier account: set one on it first.",
                    self.name,
                )
            )
        return self.logistics_account_id

    def _logistics_order_request(self, order):
        """A ShipmentRequest for a quote on a sale order."""
        shipment_model = self.env["logistics.shipment"]
        partner = order.partner_shipping_id
        warehouse = order.warehouse_id
        shipper = warehouse.partner_id or order.company_id.partner_id
        weight = (
            order._get_estimated_weight()
            if hasattr(order, "_get_estimated_weight")
            else 0
        )
        return ShipmentRequest(
            reference=order.name,
            idempotency_key=f"rate-{order.id}",
            service_code=self.logistics_service_code or "",
            shipper=shipment_model._partner_to_address(shipper),
            recipient=shipment_model._partner_to_address(partner),
            parcels=[Parcel(weight_kg=max(weight or 0.0, 0.1))],
            currency=order.currency_id.name,
        )

    def _logistics_rate_shipment(self, order):
        self.ensure_one()
        try:
            account = self._logistics_check_account()
            adapter = account._get_adapter()
            quotes = adapter.get_rates(self._logistics_order_request(order))
            adapter.log_sink.flush()
        except (UserError, CarrierError) as err:
            return {
                "success": False,
                "price": 0.0,
                "error_message": getattr(err, "carrier_message", None) or str(err),
                "warning_message": False,
            }
        quote = next(
            (q for q in quotes if q.service_code == self.logistics_service_code),
            quotes[0] if quotes else None,
        )
        if not quote:
            return {
                "success": False,
                "price": 0.0,
                "error_message": _("The carrier returned no rate for this order."),
                "warning_message": False,
            }
        price = quote.amount
        currency = self.env["res.currency"].search(
            [("name", "=", quote.currency)], limit=1
        )
        company = order.company_id
        if currency and currency != company.currency_id:
            price = currency._convert(
                price, company.currency_id, company, fields.Date.today()
            )
        return {
            "success": True,
            "price": price,
            "error_message": False,
            "warning_message": False,
        }

    def _logistics_send_shipping(self, pickings):
        """Never waits on the carrier: queues the dispatch and returns."""
        self.ensure_one()
        res = []
        for picking in pickings:
            shipment = picking._logistics_send(from_validation=True)
            res.append(
                {
                    "exact_price": shipment.charges_amount if shipment else 0.0,
                    "tracking_number": (shipment.tracking_ref if shipment else False)
                    or False,
                }
            )
        return res

    def _logistics_cancel_shipment(self, pickings):
        for picking in pickings:
            picking.logistics_shipment_id._cancel_at_carrier()

    def _logistics_get_tracking_link(self, picking):
        return picking.logistics_shipment_id.tracking_url or False

    # The simulator provider type uses the generic hooks as they are.
    logistics_sim_rate_shipment = _logistics_rate_shipment
    logistics_sim_send_shipping = _logistics_send_shipping
    logistics_sim_cancel_shipment = _logistics_cancel_shipment
    logistics_sim_get_tracking_link = _logistics_get_tracking_link
