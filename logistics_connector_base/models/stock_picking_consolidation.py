# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Consolidation: several delivery orders to one address as one shipment."""

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller


class StockPickingConsolidation(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Consolidation
    # ------------------------------------------------------------------
    def action_logistics_send_consolidated(self):
        """Send the selected delivery orders (same customer, address and day)
        as one shipment."""
        check_caller(self, "user", "write")
        shipment = self._logistics_send_consolidated()
        return self._logistics_notify(
            _("Sent to carrier"),
            _(
                "%(shipment)s queued for %(pickings)s.",
                shipment=shipment.name,
                pickings=", ".join(self.mapped("name")),
            ),
        )

    def _logistics_check_consolidation(self):
        """Raise a UserError unless ``self`` may travel as one shipment."""
        if len(self) < 2:
            raise UserError(_("Select at least two delivery orders to consolidate."))
        problems = []
        if set(self.mapped("picking_type_code")) != {"outgoing"}:
            problems.append(_("Only delivery orders can be consolidated."))
        if len(self.partner_id) != 1:
            problems.append(_("They go to different customers or addresses."))
        if len(self.carrier_id) != 1:
            problems.append(_("They have different shipping methods."))
        if len(self.company_id) != 1:
            problems.append(_("They belong to different companies."))
        if len(self.picking_type_id.warehouse_id) != 1:
            problems.append(_("They ship from different warehouses."))
        dates = {fields.Date.to_date(p.scheduled_date) for p in self}
        if len(dates) != 1:
            problems.append(_("They are not scheduled on the same day."))
        sent = self.filtered(
            lambda p: (
                p.logistics_shipment_id and p.logistics_shipment_id.state != "cancelled"
            )
        )
        if sent:
            problems.append(
                _(
                    "Already sent to the carrier: %s (cancel their shipment first).",
                    ", ".join(sent.mapped("name")),
                )
            )
        if problems:
            raise UserError(
                _("These delivery orders cannot be sent as one shipment:")
                + "\n- "
                + "\n- ".join(problems)
            )

    def _logistics_send_consolidated(self, checked=None):
        """One shipment for all of ``self``; label and tracking on each.

        ``checked``: {picking id: its pre-flight} when the click ran it.
        """
        pickings = self.sorted("id")
        pickings._logistics_check_consolidation()
        main = pickings[0]
        carrier = main.carrier_id
        checked = {
            picking.id: picking._logistics_checked(
                carrier, (checked or {}).get(picking.id)
            )
            for picking in pickings
        }
        for picking in pickings:
            picking._logistics_lock()
        return (
            self.env["logistics.shipment"]
            .sudo()
            ._create_for(
                main,
                carrier,
                lambda shipment: _(
                    "Sent to %(carrier)s by %(user)s as one shipment %(shipment)s "
                    "with %(pickings)s.",
                    carrier=carrier.name,
                    user=self.env.user.name,
                    shipment=shipment.name,
                    pickings=", ".join(pickings.mapped("name")),
                ),
                others=pickings - main,
                phones=checked[main.id],
            )
        )
