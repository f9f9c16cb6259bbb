# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_WHITESPACE = re.compile(r"\s+")


class LogisticsFreightInvoiceLine(models.Model):
    """One charge of a freight invoice, for one tracking number."""

    _name = "logistics.freight.invoice.line"
    _description = "Carrier Freight Invoice Line"
    _order = "invoice_id, sequence, id"
    _check_company_auto = True

    invoice_id = fields.Many2one(
        "logistics.freight.invoice",
        string="Freight Invoice",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        related="invoice_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    account_id = fields.Many2one(
        related="invoice_id.account_id", string="Carrier Account"
    )
    tracking_number = fields.Char(
        index=True,
        help="Stored normalised: upper case, without spaces. Empty for charges "
        "that bill no shipment (account fees...).",
    )
    service = fields.Char(help="The carrier's service as billed.")
    billed_weight = fields.Float(string="Billed Weight (kg)", digits="Stock Weight")
    charge_type = fields.Selection(
        [
            ("base", "Base freight"),
            ("fuel", "Fuel surcharge"),
            ("surcharge", "Other surcharge"),
            ("other", "Other"),
        ],
        required=True,
        default="base",
    )
    amount = fields.Monetary(currency_field="currency_id")
    shipment_id = fields.Many2one(
        "logistics.shipment",
        index=True,
        ondelete="set null",
        check_company=True,
    )
    match_state = fields.Selection(
        [("unmatched", "Unmatched"), ("matched", "Matched")],
        required=True,
        default="unmatched",
        index=True,
        copy=False,
    )

    @api.model
    def _normalize_tracking_number(self, number):
        """The form tracking numbers are stored and compared in."""
        if not number:
            return number
        return _WHITESPACE.sub("", number).upper()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("tracking_number"):
                vals["tracking_number"] = self._normalize_tracking_number(
                    vals["tracking_number"]
                )
            if vals.get("shipment_id") and "match_state" not in vals:
                vals["match_state"] = "matched"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("tracking_number"):
            vals = dict(
                vals,
                tracking_number=self._normalize_tracking_number(
                    vals["tracking_number"]
                ),
            )
        if "shipment_id" in vals and "match_state" not in vals:
            vals = dict(
                vals, match_state="matched" if vals["shipment_id"] else "unmatched"
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done_invoice(self):
        if any(line.invoice_id.state == "done" for line in self):
            raise UserError(
                _("Lines of a freight invoice that is done cannot be deleted.")
            )
