# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class LogisticsBenchRow(models.Model):
    _name = "logistics.bench.row"
    _description = "Benchmark row"

    body = fields.Text()
