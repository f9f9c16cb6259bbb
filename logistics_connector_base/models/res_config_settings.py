# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    logistics_responsible_id = fields.Many2one(
        related="company_id.logistics_responsible_id", readonly=False
    )
    logistics_integration_log_retention_days = fields.Integer(
        string="Integration Log Retention (days)",
        config_parameter="logistics.integration_log_retention_days",
        default=30,
    )
    logistics_idempotency_retention_days = fields.Integer(
        string="Idempotency Ledger Retention (days)",
        config_parameter="logistics.idempotency_retention_days",
        default=90,
    )
