# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    logistics_responsible_id = fields.Many2one(
        "res.users",
        help="Receives the activities of new logistics exceptions. When empty, the "
        "first supervisor of the company does.",
    )
    logistics_invoice_on_delivery = fields.Boolean(
        string="Invoice on Carrier Delivery",
        help="When the carrier confirms delivery, invoice the delivered quantities "
        "of sale orders whose products are invoiced on delivery.",
    )
    logistics_notify_delivered = fields.Boolean(
        string="Notify Customer on Delivery",
        help="E-mail the customer when the carrier confirms delivery.",
    )
