# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .logistics_shipment import PROGRESS_STATES

# a package exists once the carrier created it: its states start at the label
PACKAGE_STATES = [
    (value, label)
    for value, label in PROGRESS_STATES
    if value not in ("draft", "queued", "submitted")
]


class LogisticsShipmentPackage(models.Model):
    _name = "logistics.shipment.package"
    _description = "Shipment Package"
    _order = "shipment_id, sequence, id"

    shipment_id = fields.Many2one(
        "logistics.shipment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shipment_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    tracking_number = fields.Char(index=True)
    weight = fields.Float(string="Weight (kg)")
    package_id = fields.Many2one("stock.quant.package", string="Odoo Package")
    label_attachment_id = fields.Many2one(
        "ir.attachment", string="Label", ondelete="set null"
    )
    state = fields.Selection(
        PACKAGE_STATES,
        string="Package Status",
        readonly=True,
        help="This parcel's own progress, from the carrier's events for its "
        "tracking number.",
    )
