# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models

from logistics_carriers.dhl import needs_customs


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _preflight_order(self, carrier):
        """DHL's own limits, checked before anything is queued."""
        problems = super()._preflight_order(carrier)
        account = carrier.logistics_account_id if carrier else None
        if not account or account.carrier_code != "dhl":
            return problems
        product = carrier.logistics_service_code or account.dhl_product
        to_kg = self.env["logistics.shipment"]._weight_to_kg
        packages = self.move_line_ids.result_package_id
        weights = [to_kg(p.shipping_weight or p.weight or 0.0) for p in packages]
        if not packages:
            weights = [to_kg(self.shipping_weight or self.weight or 0.0)]
        problems += account._dhl_preflight_problems(
            product,
            self.partner_id.country_id.code,
            weights,
            self._logistics_shipper_partner().country_id.code,
        )
        if self._dhl_needs_customs():
            customs = self._dhl_customs_data()
            if not customs["lines"]:
                problems.append(
                    _(
                        "DHL needs the goods of a parcel to %s (outside the EU "
                        "customs union): add products.",
                        self.partner_id.country_id.name,
                    )
                )
            for line in customs["lines"]:
                if line["unit_value"] <= 0:
                    problems.append(
                        _(
                            "%s has no value: DHL's customs declaration needs the "
                            "value of every item (set a sales price).",
                            line["description"],
                        )
                    )
                if abs(line["quantity"] - round(line["quantity"])) > 1e-6:
                    problems.append(
                        _(
                            "%(product)s: DHL declares whole quantities, not %(qty)s.",
                            product=line["description"],
                            qty=line["quantity"],
                        )
                    )
        return problems

    def _dhl_needs_customs(self):
        self.ensure_one()
        origin = self._logistics_shipper_partner().country_id.code or "DE"
        return needs_customs(origin, self.partner_id.country_id.code or "")

    def _dhl_customs_data(self):
        """The request's customs block (CustomsDetails of DHL's order): one
        line per product moved, with its unit value and unit weight."""
        self.ensure_one()
        order = self.sale_id
        lines = []
        for move in self.move_ids.filtered(lambda m: m.state != "cancel"):
            product = move.product_id
            sale_line = move.sale_line_id
            value = (
                (sale_line.price_reduce_taxexcl or sale_line.price_unit)
                if sale_line
                else product.lst_price
            )
            lines.append(
                {
                    "description": product.name or product.display_name,
                    "quantity": move.product_uom_qty,
                    "unit_value": round(value or 0.0, 2),
                    "weight_kg": product.weight or 0.0,
                    "hs_code": product.hs_code or "",
                    "origin_country": product.country_of_origin.code or "",
                    "part_number": product.default_code or str(product.id),
                }
            )
        return {
            "description": ", ".join(dict.fromkeys(x["description"] for x in lines))[
                :80
            ],
            "reason": "SALE",
            "invoice_number": order.name or self.name,
            "invoice_date": fields.Date.to_string(fields.Date.context_today(self)),
            "currency": (order.currency_id or self.company_id.currency_id).name,
            "lines": lines,
        }

    def _logistics_return_label_from_outbound(self):
        """DHL: the Retoure label printed with the delivery is the return
        label; it is e-mailed again instead of refusing (DHL offers no
        standalone return shipment in the suite)."""
        action = super()._logistics_return_label_from_outbound()
        if action:
            return action
        carrier = self._logistics_return_carrier()
        outbound = self.return_id.logistics_shipment_id
        if (
            carrier.logistics_account_id.carrier_code != "dhl"
            or not outbound
            or outbound.carrier_code != "dhl"
            or not outbound.dhl_retoure_label_ids
        ):
            return False
        outbound = outbound.sudo()
        if not self.carrier_id:
            self.carrier_id = carrier
        self.carrier_tracking_ref = outbound.dhl_retoure_number
        sent = outbound._dhl_send_retoure_label()
        body = _(
            "DHL Retoure label %(number)s (printed with %(shipment)s) handed to "
            "the customer by %(user)s%(how)s.",
            number=outbound.dhl_retoure_number,
            shipment=outbound.name,
            user=self.env.user.name,
            how=_(" by e-mail")
            if sent
            else _(": the customer has no e-mail, print it"),
        )
        self.message_post(body=body, attachment_ids=outbound.dhl_retoure_label_ids.ids)
        if self.return_id:
            self.return_id.message_post(body=body)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if sent else "warning",
                "title": _("DHL Retoure label"),
                "message": (
                    _(
                        "The DHL Retoure label %(number)s of %(picking)s was "
                        "e-mailed to the customer.",
                        number=outbound.dhl_retoure_number,
                        picking=self.return_id.name,
                    )
                    if sent
                    else _(
                        "%(picking)s's customer has no e-mail address: print the "
                        "DHL Retoure label %(number)s from %(return)s.",
                        picking=self.return_id.name,
                        number=outbound.dhl_retoure_number,
                        **{"return": self.name},
                    )
                ),
                "sticky": not sent,
            },
        }
