# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Delivery orders and their carrier shipments: fields, Odoo's delivery flow.

The logistics side of ``stock.picking`` in files by responsibility:

- ``stock_picking_preflight.py``: what the carrier will need, checked once;
- ``stock_picking_send.py``: Send to carrier, void and resend;
- ``stock_picking_routing.py``: routing rules and rate shopping;
- ``stock_picking_return.py``: return labels;
- ``stock_picking_consolidation.py``: several delivery orders, one shipment.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller


class StockPicking(models.Model):
    _inherit = "stock.picking"

    logistics_shipment_ids = fields.One2many(
        "logistics.shipment", "picking_id", string="Carrier Shipments", readonly=True
    )
    logistics_shipment_id = fields.Many2one(
        "logistics.shipment",
        string="Carrier Shipment",
        readonly=True,
        copy=False,
        help="The current (not cancelled) shipment of this delivery order.",
    )
    logistics_state = fields.Selection(
        related="logistics_shipment_id.state", string="Carrier Status"
    )
    logistics_health = fields.Selection(
        related="logistics_shipment_id.health", string="Carrier Health"
    )
    is_logistics = fields.Boolean(compute="_compute_is_logistics")
    logistics_delivered_at = fields.Datetime(
        string="Delivered At (carrier)", readonly=True, copy=False
    )
    logistics_pod_signatory = fields.Char(
        string="Signed By (carrier)", readonly=True, copy=False
    )
    logistics_outdated = fields.Boolean(
        string="Changed Since Sent",
        compute="_compute_logistics_outdated",
        help="The quantities, packages or address changed after the shipment was "
        "created at the carrier: void it and send again.",
    )
    logistics_return_shipment_id = fields.Many2one(
        "logistics.shipment",
        compute="_compute_logistics_return_shipment",
        string="Return Shipment",
    )

    logistics_can_route = fields.Boolean(
        compute="_compute_logistics_can_route",
        help="No shipping method yet, but a routing rule may choose one.",
    )

    @api.depends("carrier_id", "picking_type_code", "company_id")
    def _compute_logistics_can_route(self):
        companies = set(
            self.env["logistics.routing.rule"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
            .company_id.ids
        )
        for picking in self:
            picking.logistics_can_route = bool(
                not picking.carrier_id
                and picking.picking_type_code == "outgoing"
                and picking.company_id.id in companies
            )

    @api.depends(
        "logistics_shipment_id.package_fingerprint",
        "logistics_shipment_id.carrier_shipment_id",
        "move_ids.product_uom_qty",
        "move_line_ids.result_package_id",
        "partner_id",
        "shipping_weight",
    )
    def _compute_logistics_outdated(self):
        shipment_model = self.env["logistics.shipment"].sudo()
        for picking in self:
            shipment = picking.logistics_shipment_id.sudo()
            picking.logistics_outdated = bool(
                shipment
                and shipment.carrier_shipment_id
                and shipment.state == "label_created"
                and not shipment.is_return
                and shipment.package_fingerprint
                != shipment_model._package_fingerprint(shipment._all_pickings())
            )

    def _compute_logistics_return_shipment(self):
        shipments = (
            self.env["logistics.shipment"]
            .sudo()
            .search(
                [
                    ("is_return", "=", True),
                    ("state", "!=", "cancelled"),
                    "|",
                    ("picking_id", "in", self.ids),
                    ("picking_id.return_id", "in", self.ids),
                ],
                order="id desc",
            )
        )
        for picking in self:
            picking.logistics_return_shipment_id = shipments.filtered(
                lambda s, p=picking: s.picking_id == p or s.picking_id.return_id == p
            )[:1]

    @api.depends("carrier_id.logistics_account_id", "picking_type_code")
    def _compute_is_logistics(self):
        for picking in self:
            picking.is_logistics = bool(
                picking.carrier_id.logistics_account_id
                and picking.picking_type_code == "outgoing"
            )

    # ------------------------------------------------------------------
    # Odoo's delivery flow
    # ------------------------------------------------------------------
    def send_to_shipper(self):
        """On validation, logistics carriers queue the dispatch instead of waiting."""
        self.ensure_one()
        if self.carrier_id.logistics_account_id:
            check_caller(self, "stock.group_stock_user", "write")
            self._logistics_send(from_validation=True)
            return None
        return super().send_to_shipper()

    def cancel_shipment(self):
        logistics = self.filtered(lambda p: p.carrier_id.logistics_account_id)
        if logistics:
            check_caller(logistics, "user", "write")
        for picking in logistics:
            if not picking.logistics_shipment_id:
                raise UserError(
                    _("%s has no carrier shipment to cancel.", picking.name)
                )
            picking.logistics_shipment_id._cancel_at_carrier()
        return super(StockPicking, self - logistics).cancel_shipment()

    def action_open_logistics_shipment(self):
        self.ensure_one()
        check_caller(self, "user")
        return {
            "type": "ir.actions.act_window",
            "res_model": "logistics.shipment",
            "res_id": self.logistics_shipment_id.id,
            "view_mode": "form",
        }

    def action_cancel(self):
        """Cancelling a delivery order cancels its shipment at the carrier,
        after Odoo cancelled the delivery order (a refusal by Odoo then voids
        nothing; a refusal by the carrier rolls the cancellation back)."""
        if self.filtered("logistics_shipment_id"):
            check_caller(self, "stock.group_stock_user", "write")
        shipments = self.env["logistics.shipment"]
        for picking in self.filtered("logistics_shipment_id"):
            shipment = picking.logistics_shipment_id
            if shipment.state not in ("cancelled",) and (
                shipment.carrier_shipment_id
                or shipment.state in ("queued", "submitted")
            ):
                shipments |= shipment
        res = super().action_cancel()
        for shipment in shipments:
            shipment._cancel_at_carrier()
        return res
