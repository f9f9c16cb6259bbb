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
    logistics_invoice_on_delivery = fields.Boolean(
        related="company_id.logistics_invoice_on_delivery", readonly=False
    )
    logistics_notify_delivered = fields.Boolean(
        related="company_id.logistics_notify_delivered", readonly=False
    )
    logistics_webhook_max_bytes = fields.Integer(
        string="Webhook Size Limit (bytes)",
        config_parameter="logistics.webhook_max_bytes",
        default=1048576,
    )
    logistics_inbound_retention_days = fields.Integer(
        string="Inbound Message Retention (days)",
        config_parameter="logistics.inbound_retention_days",
        default=30,
    )
