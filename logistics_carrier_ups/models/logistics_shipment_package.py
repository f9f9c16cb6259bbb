# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.logistics_connector_base.caller import check_caller


class LogisticsShipmentPackage(models.Model):
    _inherit = "logistics.shipment.package"

    ups_alert_state = fields.Selection(
        [
            ("pending", "To subscribe"),
            ("subscribed", "Subscribed"),
            ("failed", "Failed (retried)"),
            ("invalid", "Refused by UPS"),
        ],
        string="Track Alert",
        readonly=True,
        copy=False,
        index=True,
    )
    ups_alert_expires_at = fields.Datetime(
        string="Track Alert Expires", readonly=True, copy=False
    )
    ups_alert_attempts = fields.Integer(readonly=True, copy=False, default=0)
    ups_alert_error = fields.Char(string="Track Alert Error", readonly=True, copy=False)
    ups_voided = fields.Boolean(string="Voided", readonly=True, copy=False)
    ups_voided_at = fields.Datetime(string="Voided At", readonly=True, copy=False)
    ups_can_void = fields.Boolean(compute="_compute_ups_can_void")

    @api.depends("ups_voided", "tracking_number", "shipment_id.state")
    def _compute_ups_can_void(self):
        for package in self:
            shipment = package.shipment_id
            package.ups_can_void = bool(
                shipment.carrier_code == "ups"
                and shipment.state == "label_created"
                and not package.ups_voided
                and package.tracking_number
            )

    def _ups_alert_failed(self, error):
        """Keep the packages due; one more attempt counted (set-based)."""
        if not self:
            return
        self.env.cr.execute(
            """
            UPDATE logistics_shipment_package
               SET ups_alert_state = 'failed', ups_alert_error = %s,
                   ups_alert_attempts = COALESCE(ups_alert_attempts, 0) + 1
             WHERE id IN %s
            """,
            (str(error)[:500], tuple(self.ids)),
        )
        self.invalidate_recordset(
            ["ups_alert_state", "ups_alert_error", "ups_alert_attempts"]
        )

    def action_ups_void_package(self):
        """Void these packages only (the rest of the shipment travels on)."""
        check_caller(self, "supervisor")
        shipments = self.shipment_id
        for shipment in shipments:
            shipment._ups_void_packages(
                self.filtered(lambda p, s=shipment: p.shipment_id == s)
            )
        return True
