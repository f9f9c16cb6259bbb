# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

CHARGE_TYPES = [
    ("base", "Base freight"),
    ("fuel", "Fuel surcharge"),
    ("surcharge", "Other surcharge"),
    ("other", "Other"),
]


class LogisticsFreightExpenseAccount(models.Model):
    """Which expense account a charge type is booked to on vendor bills."""

    _name = "logistics.freight.expense.account"
    _description = "Freight Charge Expense Account"
    _order = "carrier_account_id, charge_type"
    _check_company_auto = True

    carrier_account_id = fields.Many2one(
        "logistics.carrier.account",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="carrier_account_id.company_id", store=True, index=True
    )
    charge_type = fields.Selection(CHARGE_TYPES, required=True)
    expense_account_id = fields.Many2one(
        "account.account",
        required=True,
        check_company=True,
        domain="[('deprecated', '=', False), "
        "('account_type', 'in', ('expense', 'expense_direct_cost'))]",
    )

    _sql_constraints = [
        (
            "charge_type_uniq",
            "unique(carrier_account_id, charge_type)",
            "Each charge type has one expense account per carrier account.",
        )
    ]

    @api.model
    def _accounts_for(self, carrier_account):
        """{charge_type: account.account} with the purchase journal as fallback."""
        company = carrier_account.company_id or self.env.company
        journal = self.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1
        )
        fallback = journal.default_account_id
        mapping = {
            rec.charge_type: rec.expense_account_id
            for rec in carrier_account.recon_expense_account_ids
        }
        result = {}
        for charge_type, label in CHARGE_TYPES:
            account = mapping.get(charge_type) or fallback
            if not account:
                raise UserError(
                    _(
                        "No expense account for '%(charge)s' charges of %(account)s: "
                        "set one on the carrier account (Reconciliation tab) or a "
                        "default account on a purchase journal.",
                        charge=label,
                        account=carrier_account.display_name,
                    )
                )
            result[charge_type] = account
        return result
