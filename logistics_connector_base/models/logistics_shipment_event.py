# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..adapters import CANONICAL_CODES

EVENT_CODES = [(code, code.replace("_", " ").capitalize()) for code in CANONICAL_CODES]


class LogisticsShipmentEvent(models.Model):
    _name = "logistics.shipment.event"
    _description = "Shipment Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "code"

    shipment_id = fields.Many2one(
        "logistics.shipment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="shipment_id.company_id", store=True, index=True
    )
    picking_id = fields.Many2one(related="shipment_id.picking_id")
    code = fields.Selection(EVENT_CODES, required=True, index=True)
    raw_code = fields.Char(help="The carrier's own status code.")
    raw_description = fields.Char(help="The carrier's own description.")
    tracking_number = fields.Char(index=True)
    occurred_at = fields.Datetime(required=True, help="When it happened (UTC).")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When Odoo learned it."
    )
    source = fields.Selection(
        [
            ("webhook", "Webhook"),
            ("poll", "Poll"),
            ("api", "API"),
            ("manual", "Manual"),
        ],
        required=True,
        default="api",
    )
    location = fields.Char()
    signatory = fields.Char()
    dedupe_key = fields.Char(required=True)

    _sql_constraints = [
        (
            "shipment_dedupe_uniq",
            "unique(shipment_id, dedupe_key)",
            "This event was already recorded for the shipment.",
        )
    ]

    @api.model
    def _create_from_dispatch(self, shipment, when, check_existing=True):
        """The ``label_created`` event of a successful dispatch (idempotent)."""
        key = f"label-{shipment.carrier_shipment_id}"
        if check_existing and self.search_count(
            [("shipment_id", "=", shipment.id), ("dedupe_key", "=", key)]
        ):
            return self.browse()
        return self.sudo().create(
            {
                "shipment_id": shipment.id,
                "code": "label_created",
                "raw_code": "label_created",
                "raw_description": "Label created",
                "tracking_number": (shipment.tracking_ref or "").split(",")[0],
                "occurred_at": when,
                "received_at": when,
                "source": "api",
                "dedupe_key": key,
            }
        )
