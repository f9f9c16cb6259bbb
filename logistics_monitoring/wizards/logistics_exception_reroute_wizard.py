# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.logistics_connector_base.caller import check_caller

from logistics_carriers.tracking import TERMINAL_STATES


class LogisticsExceptionRerouteWizard(models.TransientModel):
    """Send the shipments of exceptions with another shipping method."""

    _name = "logistics.exception.reroute.wizard"
    _inherit = "logistics.exception.wizard.mixin"
    _description = "Reroute Shipments of Logistics Exceptions"

    carrier_id = fields.Many2one(
        "delivery.carrier",
        string="New Shipping Method",
        required=True,
        domain="[('logistics_account_id', '!=', False)]",
    )

    def _check(self):
        exceptions = self.exception_ids
        exceptions._check_supervisor()
        if not exceptions:
            raise UserError(_("Select the exceptions whose shipments to reroute."))
        if not (self.reason or "").strip():
            raise UserError(_("Say why the shipments are rerouted."))
        exceptions._check_open()
        problems = []
        for exception in exceptions:
            shipment = exception.shipment_id
            if not shipment:
                problems.append(_("%s has no shipment", exception.display_name))
            elif shipment.carrier_shipment_id:
                problems.append(
                    _(
                        "%s already exists at the carrier (cancel it there first)",
                        shipment.name,
                    )
                )
            elif shipment.state in TERMINAL_STATES:
                problems.append(_("%s is closed", shipment.name))
            elif shipment.carrier_id == self.carrier_id:
                problems.append(
                    _("%s already uses this shipping method", shipment.name)
                )
        if problems:
            raise UserError(
                _("Nothing was rerouted:\n%s", "\n".join(f"- {p}" for p in problems))
            )
        if not self.carrier_id.logistics_account_id:
            raise UserError(
                _("Shipping method %s has no carrier account.", self.carrier_id.name)
            )

    def action_confirm(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        self._check()
        reason = self.reason.strip()
        exceptions = self.exception_ids
        for shipment in exceptions.shipment_id:
            new = shipment.sudo()._reroute(
                self.carrier_id,
                _(
                    "Rerouted by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
            )
            mine = exceptions.filtered(lambda e, s=shipment: e.shipment_id == s)
            mine._log_action(
                _(
                    "Shipment rerouted by %(user)s to %(carrier)s (new shipment "
                    "%(new)s): %(reason)s",
                    user=self.env.user.name,
                    carrier=self.carrier_id.name,
                    new=new.name,
                    reason=reason,
                )
            )
        # _reroute cancelled the exceptions of the old shipments; they were
        # dealt with: record them resolved with the reason
        exceptions.sudo().write(
            {
                "state": "resolved",
                "resolution": _("Rerouted: %s", reason),
                "resolved_at": fields.Datetime.now(),
                "resolved_by_id": self.env.uid,
            }
        )
        return {"type": "ir.actions.act_window_close"}
