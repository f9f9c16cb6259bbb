# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    logistics_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Freight Analytic Account",
        help="Carrier costs of shipments from this warehouse are booked to this "
        "analytic account on vendor bills (when the carrier account asks for it).",
    )
