# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class LogisticsCarrierAccount(models.Model):
    """Reconciliation settings of a carrier account."""

    _inherit = "logistics.carrier.account"

    vendor_partner_id = fields.Many2one(
        "res.partner",
        string="Carrier (Vendor)",
        tracking=True,
        help="The carrier as a vendor: the partner of its freight invoices and of "
        "the vendor bills created from them.",
    )
    recon_tolerance_amount = fields.Float(
        string="Amount Tolerance",
        default=0.5,
        digits="Account",
        tracking=True,
        help="A shipment billed within this amount of its expected cost (in the "
        "invoice currency) counts as matched.",
    )
    recon_tolerance_percent = fields.Float(
        string="Amount Tolerance (%)",
        default=2.0,
        tracking=True,
        help="A shipment billed within this percentage of its expected cost counts "
        "as matched. The larger of the two tolerances applies.",
    )
    recon_weight_tolerance = fields.Float(
        string="Weight Tolerance (kg)",
        default=0.5,
        digits="Stock Weight",
        tracking=True,
    )
    recon_weight_tolerance_percent = fields.Float(
        string="Weight Tolerance (%)",
        default=5.0,
        tracking=True,
        help="A billed weight within this percentage of the shipped weight counts "
        "as the same. The larger of the two weight tolerances applies.",
    )
    recon_match_window_days = fields.Integer(
        string="Matching Window (days)",
        default=90,
        help="An invoice line only matches a shipment created within this many "
        "days of the line's shipping date (or of the invoice date).",
    )
    recon_tax_ids = fields.Many2many(
        "account.tax",
        "logistics_carrier_account_recon_tax_rel",
        "account_id",
        "tax_id",
        string="Vendor Bill Taxes",
        domain=[("type_tax_use", "=", "purchase")],
        help="Purchase taxes applied to the vendor bill lines of this carrier "
        "(freight invoice amounts are net).",
    )
    recon_expense_account_ids = fields.One2many(
        "logistics.freight.expense.account",
        "carrier_account_id",
        string="Expense Accounts",
    )
    recon_analytic_by_warehouse = fields.Boolean(
        string="Analytic by Warehouse",
        help="Vendor bill lines carry the analytic account of the warehouse that "
        "shipped (set on the warehouse).",
    )

    _sql_constraints = [
        (
            "recon_tolerances_positive",
            "CHECK(recon_tolerance_amount >= 0 AND recon_tolerance_percent >= 0 "
            "AND recon_weight_tolerance >= 0 AND recon_weight_tolerance_percent >= 0 "
            "AND recon_match_window_days >= 0)",
            "Reconciliation tolerances and the matching window cannot be negative.",
        )
    ]
