# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class LogisticsException(models.Model):
    """Freight-invoice discrepancies open exceptions of their own category."""

    _inherit = "logistics.exception"

    category = fields.Selection(
        selection_add=[("reconciliation", "Reconciliation")],
        ondelete={"reconciliation": "cascade"},
    )
