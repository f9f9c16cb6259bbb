# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models
from odoo.exceptions import UserError

from odoo.addons.logistics_connector_base.caller import check_caller


class LogisticsExceptionResolveWizard(models.TransientModel):
    """Mark one or many exceptions resolved, with the reason (required)."""

    _name = "logistics.exception.resolve.wizard"
    _inherit = "logistics.exception.wizard.mixin"
    _description = "Resolve Logistics Exceptions"

    def action_confirm(self):
        self.ensure_one()
        check_caller(self, "supervisor")
        exceptions = self.exception_ids
        exceptions._check_supervisor()
        if not exceptions:
            raise UserError(_("Select the exceptions to resolve."))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Say why the exceptions are resolved."))
        exceptions._check_open()
        exceptions._log_action(
            _(
                "Resolved by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
        )
        exceptions.action_resolve(reason)
        return {"type": "ir.actions.act_window_close"}
