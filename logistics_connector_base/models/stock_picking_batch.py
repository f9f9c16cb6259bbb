# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller


class StockPickingBatch(models.Model):
    _inherit = "stock.picking.batch"

    def _logistics_groups(self):
        """Delivery orders of the batch grouped by what one shipment needs:
        customer and address, shipping method, warehouse and day."""
        self.ensure_one()
        groups = {}
        for picking in self.picking_ids.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.state not in ("draft", "cancel")
                and p.carrier_id.logistics_account_id
                and not (
                    p.logistics_shipment_id
                    and p.logistics_shipment_id.state != "cancelled"
                )
            )
        ):
            key = (
                picking.partner_id.id,
                picking.carrier_id.id,
                picking.picking_type_id.warehouse_id.id,
                fields.Date.to_date(picking.scheduled_date),
            )
            groups.setdefault(key, self.env["stock.picking"])
            groups[key] |= picking
        return list(groups.values())

    def action_logistics_send_consolidated(self):
        """Send the batch to the carrier: deliveries to the same customer,
        address and day travel as one shipment, the others on their own."""
        self.ensure_one()
        check_caller(self, "user", "write")
        groups = self._logistics_groups()
        if not groups:
            raise UserError(
                _(
                    "Batch %s has no delivery order left to send to a carrier.",
                    self.name,
                )
            )
        shipments = self.env["logistics.shipment"]
        with shipments._collect_dispatches():  # queued in batches per account
            for pickings in groups:
                if len(pickings) > 1:
                    shipments |= pickings._logistics_send_consolidated()
                else:
                    shipments |= pickings._logistics_send()
        return self.env["stock.picking"]._logistics_notify(
            _("Sent to carrier"),
            _(
                "%(count)s shipment(s) queued for batch %(batch)s: %(names)s.",
                count=len(shipments),
                batch=self.name,
                names=", ".join(shipments.mapped("name")),
            ),
        )
