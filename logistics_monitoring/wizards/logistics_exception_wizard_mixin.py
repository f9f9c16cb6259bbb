# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class LogisticsExceptionWizardMixin(models.AbstractModel):
    """What the board's bulk wizards share: the selected exceptions and the
    reason (required) that their chatter notes will carry."""

    _name = "logistics.exception.wizard.mixin"
    _description = "Bulk Action on Logistics Exceptions"

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
