# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DISPUTE_REASONS = [
    ("overcharge", "Billed more than quoted"),
    ("weight", "Billed weight differs from shipped weight"),
    ("duplicate", "Charge billed twice"),
    ("cancelled", "Shipment was cancelled (void)"),
    ("unknown", "Shipment unknown to us"),
    ("surcharge", "Surcharge not quoted"),
    ("other", "Other"),
]
# classification -> default dispute reason
REASON_FOR_CLASS = {
    "overcharge": "overcharge",
    "weight": "weight",
    "duplicate": "duplicate",
    "cancelled": "cancelled",
    "unknown": "unknown",
    "surcharge_not_quoted": "surcharge",
}


class LogisticsFreightDispute(models.Model):
    """A claim against the carrier for freight invoice lines."""

    _name = "logistics.freight.dispute"
    _description = "Freight Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default="/")
    invoice_id = fields.Many2one(
        "logistics.freight.invoice",
        string="Freight Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
        check_company=True,
    )
    account_id = fields.Many2one(related="invoice_id.account_id", store=True)
    partner_id = fields.Many2one(related="invoice_id.partner_id", store=True)
    company_id = fields.Many2one(related="invoice_id.company_id", store=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    reason = fields.Selection(DISPUTE_REASONS, required=True, tracking=True)
    note = fields.Text(tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user
    )
    line_ids = fields.One2many(
        "logistics.freight.invoice.line", "dispute_id", readonly=True
    )
    claimed_amount = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="What is claimed back: the whole charge of lines billed twice, after "
        "cancellation or for unknown shipments, the difference to the expected "
        "cost otherwise.",
    )
    recovered_amount = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        tracking=True,
        help="The amount the carrier credited (the disputed lines it withdrew).",
    )
    state = fields.Selection(
        [("open", "Open"), ("won", "Credited by carrier"), ("lost", "Rejected")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    closed_by_id = fields.Many2one("res.users", readonly=True)
    closed_at = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("logistics.freight.dispute")
                    or "/"
                )
        return super().create(vals_list)

    @api.model
    def _claim_for(self, lines):
        total = 0.0
        counted = set()
        for line in lines:
            if line.classification in (
                "duplicate",
                "cancelled",
                "unknown",
                "surcharge_not_quoted",
            ):
                total += line.amount
            elif line.difference and (line.invoice_id, line.shipment_id) not in counted:
                # the difference is per shipment: count it once
                counted.add((line.invoice_id, line.shipment_id))
                total += line.difference
        return total

    @api.model
    def _open_for(self, lines, reason, note=None, user=None):
        invoice = lines.invoice_id
        invoice.ensure_one()
        user = user or self.env.user
        dispute = self.create(
            {
                "invoice_id": invoice.id,
                "reason": reason,
                "note": note,
                "user_id": user.id,
                "claimed_amount": self._claim_for(lines),
            }
        )
        lines.write(
            {
                "review_state": "disputed",
                "dispute_id": dispute.id,
                "reviewed_by_id": self.env.user.id,
                "reviewed_at": fields.Datetime.now(),
            }
        )
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("logistics_reconciliation.dispute_follow_up_days", 14)
        )
        dispute.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self) + timedelta(days=days),
            user_id=user.id,
            summary=_("Follow up the dispute with the carrier"),
            note=note or dict(DISPUTE_REASONS)[reason],
        )
        dispute.message_post(
            body=_(
                "Dispute opened by %(user)s for %(count)s line(s) of %(invoice)s, "
                "%(claim).2f %(currency)s claimed.",
                user=self.env.user.name,
                count=len(lines),
                invoice=invoice.name,
                claim=dispute.claimed_amount,
                currency=invoice.currency_id.name,
            )
        )
        return dispute

    def _close(self, state, line_state, verb):
        self.env["logistics.freight.invoice"]._check_finance()
        if self.filtered(lambda d: d.state != "open"):
            raise UserError(_("Only open disputes can be closed."))
        for dispute in self:
            values = {
                "state": state,
                "closed_by_id": self.env.user.id,
                "closed_at": fields.Datetime.now(),
            }
            if state == "won":
                values["recovered_amount"] = sum(dispute.line_ids.mapped("amount"))
            dispute.write(values)
            dispute.line_ids.write(
                {
                    "review_state": line_state,
                    "reviewed_by_id": self.env.user.id,
                    "reviewed_at": fields.Datetime.now(),
                }
            )
            dispute.activity_ids.action_feedback(feedback=_("Dispute %s.", verb))
            message = _(
                "Dispute %(name)s %(verb)s by %(user)s.",
                name=dispute.name,
                verb=verb,
                user=self.env.user.name,
            )
            dispute.message_post(body=message)
            dispute.invoice_id.message_post(body=message)
            self.env["logistics.freight.invoice"]._resolve_exceptions(dispute.line_ids)
        return True

    def action_won(self):
        """The carrier credited the lines: they are never billed."""
        return self._close("won", "refused", _("credited by the carrier"))

    def action_lost(self):
        """The carrier maintains its charges: the lines become payable."""
        return self._close("lost", "approved", _("rejected by the carrier"))
