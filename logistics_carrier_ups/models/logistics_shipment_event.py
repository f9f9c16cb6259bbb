# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses

from odoo import api, models


class LogisticsShipmentEvent(models.Model):
    _inherit = "logistics.shipment.event"

    @api.model
    def _apply_tracking_events(self, account, events, source="webhook"):
        """A voided package's "voided" status must not cancel the shipment
        whose other packages still travel: it is kept as information."""
        if account.carrier_code == "ups" and any(e.code == "cancelled" for e in events):
            numbers = [e.tracking_number for e in events if e.code == "cancelled"]
            self.env["logistics.shipment.package"].flush_model(
                ["ups_voided", "tracking_number", "shipment_id"]
            )
            self.env.cr.execute(
                """
                SELECT p.tracking_number
                  FROM logistics_shipment_package p
                 WHERE p.tracking_number = ANY(%s) AND p.ups_voided
                   AND EXISTS (SELECT 1 FROM logistics_shipment_package o
                                WHERE o.shipment_id = p.shipment_id
                                  AND NOT COALESCE(o.ups_voided, FALSE))
                """,
                (numbers,),
            )
            voided = {row[0] for row in self.env.cr.fetchall()}
            if voided:
                events = [
                    dataclasses.replace(e, code="info")
                    if e.code == "cancelled" and e.tracking_number in voided
                    else e
                    for e in events
                ]
        return super()._apply_tracking_events(account, events, source=source)
