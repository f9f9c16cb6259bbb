# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..caller import check_caller

STATUSES = [
    ("ok", "OK"),
    ("too_slow", "Too slow"),
    ("error", "Error"),
    ("unavailable", "Carrier degraded"),
    ("not_offered", "No rates"),
]


class LogisticsRateShoppingWizard(models.TransientModel):
    """Compare rates: every eligible shipping method quoted in parallel."""

    _name = "logistics.rate.shopping.wizard"
    _description = "Compare Carrier Rates"

    picking_id = fields.Many2one("stock.picking", string="Delivery Order")
    order_id = fields.Many2one("sale.order", string="Sale Order")
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "logistics.rate.shopping.line", "wizard_id", string="Quotes"
    )
    rule_id = fields.Many2one(
        "logistics.routing.rule",
        string="Matching Routing Rule",
        help="The first routing rule matching this delivery, if any.",
    )
    elapsed = fields.Float(string="Compared in (s)", digits=(16, 2))

    @api.model
    def _open_for(self, picking=None, order=None):
        target = picking or order
        if not target:
            raise UserError(_("Compare rates needs a delivery order or a sale order."))
        partner = picking.partner_id if picking else order.partner_shipping_id
        if not partner:
            raise UserError(_("Set the customer's delivery address first."))
        if picking and picking.picking_type_code != "outgoing":
            raise UserError(_("Rates are compared for delivery orders only."))
        carriers = self.env["delivery.carrier"]._logistics_eligible_carriers(
            partner, target.company_id
        )
        if not carriers:
            raise UserError(
                _(
                    "No logistics shipping method delivers to %s: configure a "
                    "shipping method with a carrier account for that destination.",
                    partner.display_name,
                )
            )
        wizard = self.create(
            {
                "picking_id": picking.id if picking else False,
                "order_id": order.id if order else False,
                "company_id": target.company_id.id,
            }
        )
        wizard._compare(carriers)
        return {
            "type": "ir.actions.act_window",
            "name": _("Compare rates"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _request_for(self, carrier):
        if self.picking_id:
            return self.picking_id._logistics_rate_request(carrier)
        return carrier._logistics_order_request(self.order_id)

    def _compare(self, carriers):
        self.ensure_one()
        clock = time.monotonic()
        results = carriers._logistics_compare_rates(self._request_for)
        ok = [r for r in results if r["status"] == "ok"]
        cheapest = min(ok, key=lambda r: r["price"]) if ok else None
        fastest = (
            min(ok, key=lambda r: (r["transit_days"] or 999, r["price"]))
            if ok
            else None
        )
        self.line_ids = [
            (
                0,
                0,
                {
                    "carrier_id": r["carrier"].id,
                    "status": r["status"],
                    "price": r["price"],
                    "amount": r["amount"],
                    "currency_name": r["currency"],
                    "service_code": r["service_code"],
                    "service_name": r["service_name"],
                    "transit_days": r["transit_days"],
                    "message": r["message"],
                    "elapsed": r["elapsed"],
                    "time_limit": r["time_limit"],
                    "is_cheapest": r is cheapest,
                    "is_fastest": r is fastest,
                },
            )
            for r in results
        ]
        self.elapsed = time.monotonic() - clock
        ctx = (self.picking_id or self.order_id)._logistics_routing_context()
        self.rule_id = self.env["logistics.routing.rule"]._find(ctx, self.company_id)

    def _results(self):
        """The quotes as the routing rules read them."""
        return [
            {
                "carrier": line.carrier_id,
                "status": line.status,
                "price": line.price,
                "transit_days": line.transit_days,
            }
            for line in self.line_ids
        ]

    def action_apply_rule(self):
        """Let the matching routing rule choose among the quotes shown."""
        self.ensure_one()
        check_caller(self, "user")
        if not self.rule_id:
            raise UserError(
                _("No routing rule matches this delivery: choose a quote yourself.")
            )
        partner = (
            self.picking_id.partner_id
            if self.picking_id
            else self.order_id.partner_shipping_id
        )
        carrier, why = self.rule_id._choose(
            partner, self._request_for, quotes=self._results()
        )
        line = self.line_ids.filtered(lambda rec: rec.carrier_id == carrier)[:1]
        if not line:
            raise UserError(
                _(
                    "Routing rule %(rule)s chose nothing: %(why)s.",
                    rule=self.rule_id.name,
                    why=why,
                )
            )
        return line._select(rule_note=why)


class LogisticsRateShoppingLine(models.TransientModel):
    _name = "logistics.rate.shopping.line"
    _description = "Carrier Rate Quote"
    _order = "sequence_status, price, id"

    wizard_id = fields.Many2one(
        "logistics.rate.shopping.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    carrier_id = fields.Many2one("delivery.carrier", string="Shipping Method")
    status = fields.Selection(STATUSES, required=True)
    sequence_status = fields.Integer(compute="_compute_sequence_status", store=True)
    price = fields.Monetary(help="In the company's currency.")
    amount = fields.Float(string="Carrier Amount", digits=(16, 2))
    currency_name = fields.Char(string="Carrier Currency")
    service_code = fields.Char()
    service_name = fields.Char(string="Service")
    transit_days = fields.Integer()
    message = fields.Char(string="Reason")
    elapsed = fields.Float(string="Answered in (s)", digits=(16, 2))
    time_limit = fields.Float(string="Time Limit (s)", digits=(16, 1))
    is_cheapest = fields.Boolean(string="Cheapest")
    is_fastest = fields.Boolean(string="Fastest")

    @api.depends("status")
    def _compute_sequence_status(self):
        for line in self:
            line.sequence_status = 0 if line.status == "ok" else 1

    def action_select(self):
        """Use this quote's shipping method on the delivery or the order."""
        self.ensure_one()
        check_caller(self, "user")
        return self._select()

    def _select(self, rule_note=None):
        """Use this quote (the caller checked on the wizard or the line);
        ``rule_note``: why the routing rule chose it (else the user did)."""
        self.ensure_one()
        check_caller(
            self.wizard_id.picking_id or self.wizard_id.order_id, "user", "write"
        )
        if self.status != "ok":
            raise UserError(
                _(
                    "%(carrier)s gave no usable quote (%(reason)s): choose another.",
                    carrier=self.carrier_id.name,
                    reason=self.message or dict(STATUSES)[self.status],
                )
            )
        wizard = self.wizard_id
        body = _(
            "Shipping method %(carrier)s chosen by %(who)s from Compare rates: "
            "%(price).2f %(currency)s, %(service)s, %(days)s transit days.",
            carrier=self.carrier_id.name,
            who=_(
                "routing rule %(rule)s (%(why)s)",
                rule=wizard.rule_id.name,
                why=rule_note,
            )
            if rule_note
            else self.env.user.name,
            price=self.price,
            currency=wizard.currency_id.name,
            service=self.service_name or self.service_code or "-",
            days=self.transit_days or "?",
        )
        if wizard.picking_id:
            picking = wizard.picking_id
            if picking.logistics_shipment_id.carrier_shipment_id:
                raise UserError(
                    _(
                        "%s is already at the carrier: cancel its shipment before "
                        "changing the shipping method.",
                        picking.name,
                    )
                )
            picking.write({"carrier_id": self.carrier_id.id})
            picking.message_post(body=body)
        else:
            order = wizard.order_id
            price = wizard.currency_id._convert(
                self.price, order.currency_id, order.company_id, fields.Date.today()
            )
            order.set_delivery_line(self.carrier_id, price)
            order.message_post(body=body)
        return {"type": "ir.actions.act_window_close"}
