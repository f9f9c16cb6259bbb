# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class LogisticsExceptionResolveWizard(models.TransientModel):
    """Mark one or many exceptions resolved, with the reason (required)."""

    _name = "logistics.exception.resolve.wizard"
    _description = "Resolve Logistics Exceptions"

    exception_ids = fields.Many2many(
        "logistics.exception",
        string="Exceptions",
        default=lambda self: self._default_exceptions(),
    )
    exception_count = fields.Integer(compute="_compute_exception_count")
    reason = fields.Text(required=True)

    @api.model
    def _default_exceptions(self):
        if self.env.context.get("active_model") == "logistics.exception":
            return [(6, 0, self.env.context.get("active_ids") or [])]
        return []

    @api.depends("exception_ids")
    def _compute_exception_count(self):
        for wizard in self:
            wizard.exception_count = len(wizard.exception_ids)

    def action_confirm(self):
        self.ensure_one()
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
