# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Return labels: the customer sends the parcel back."""

from odoo import _, models
from odoo.exceptions import UserError

from logistics_carriers import get_adapter_class

from ..caller import check_caller


class StockPickingReturn(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------
    def _logistics_return_carrier(self):
        self.ensure_one()
        return self.carrier_id or self.return_id.carrier_id

    def action_logistics_return_label(self):
        """Button **Return label**: from a return, or from the delivery (its
        return is created first). The label is e-mailed to the customer."""
        self.ensure_one()
        check_caller(self, "user", "write")
        picking = self
        if picking.picking_type_code == "outgoing":
            if picking.state != "done":
                raise UserError(
                    _(
                        "%s is not delivered yet: a return label can be created once "
                        "it is done.",
                        picking.name,
                    )
                )
            picking = picking._logistics_create_return()
        elif not picking.return_id:
            raise UserError(
                _(
                    "%s is not a return of a delivery: return labels are created "
                    "from a delivery order or its return.",
                    picking.name,
                )
            )
        action = picking._logistics_return_label_from_outbound()
        if action:
            return action
        shipment = picking._logistics_send_return()
        return self._logistics_notify(
            _("Return label"),
            _(
                "%(shipment)s queued for %(picking)s: the label will be e-mailed "
                "to the customer.",
                shipment=shipment.name,
                picking=picking.name,
            ),
        )

    def _logistics_return_label_from_outbound(self):
        """Hook for carrier addons: the return label the carrier printed with
        the outbound shipment (e.g. DHL Retoure), handed to the customer
        instead of a new return shipment. ``self`` is the return picking.

        Returns the action to show, or False: a return shipment is created.
        """
        return False

    def _logistics_create_return(self):
        """The return of this delivery (all of it), through Odoo's wizard."""
        self.ensure_one()
        existing = self.return_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if existing:
            return existing[:1]
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=self.id, active_model="stock.picking")
            .create({"picking_id": self.id})
        )
        wizard._compute_moves_locations()
        new_id, _type = wizard._create_returns()
        return self.browse(new_id)

    def _logistics_send_return(self):
        """Create (or reuse) the return shipment of this return picking."""
        self.ensure_one()
        carrier = self._logistics_return_carrier()
        checked = self._logistics_preflight(carrier)
        account = carrier.logistics_account_id
        try:
            adapter_cls = get_adapter_class(account.carrier_code)
        except KeyError:
            adapter_cls = None
        if not adapter_cls.supports_returns:
            raise UserError(
                _(
                    "%(carrier)s offers no return labels through the logistics "
                    "suite: choose a shipping method whose carrier does on the "
                    "return (%(picking)s).",
                    carrier=carrier.name,
                    picking=self.name,
                )
            )
        self._logistics_lock()
        shipment_model = self.env["logistics.shipment"].sudo()
        current = self.logistics_shipment_ids.filtered(
            lambda s: s.state != "cancelled"
        )[:1]
        if current:
            return current
        return shipment_model._create_for(
            self,
            carrier,
            lambda shipment: _(
                "Return label requested from %(carrier)s by %(user)s: shipment "
                "%(shipment)s queued.",
                carrier=carrier.name,
                user=self.env.user.name,
                shipment=shipment.name,
            ),
            is_return=True,
            link_vals={"carrier_id": carrier.id},
            notify=[self, *self.return_id],
            phones=checked,
        )
