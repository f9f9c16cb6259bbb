# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    logistics_freight_line_ids = fields.One2many(
        "logistics.freight.invoice.line",
        "move_line_id",
        string="Freight Invoice Lines",
        readonly=True,
    )
