# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class LogisticsShipmentEvent(models.Model):
    _inherit = "logistics.shipment.event"

    @api.model
    def _apply_tracking_events(self, account, events, source="webhook"):
        created = super()._apply_tracking_events(account, events, source=source)
        if events:
            self.env["logistics.duplicate.stat"]._bump(
                "event", account.id, count=len(events) - (created or 0)
            )
        return created
