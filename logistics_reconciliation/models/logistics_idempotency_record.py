# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class LogisticsIdempotencyRecord(models.Model):
    _inherit = "logistics.idempotency.record"

    scope = fields.Selection(
        selection_add=[("freight_invoice_import", "Freight invoice import")],
        ondelete={"freight_invoice_import": "cascade"},
    )
