# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class LogisticsCarrierAccount(models.Model):
    _inherit = "logistics.carrier.account"

    carrier_code = fields.Selection(
        selection_add=[("ups", "UPS")],
        ondelete={"ups": "cascade"},
    )
