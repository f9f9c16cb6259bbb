# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2.extras import execute_values

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


# classes whose dispute claims the whole charge back
WHOLE_CHARGE_CLASSES = ("duplicate", "cancelled", "unknown", "surcharge_not_quoted")


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
            if line.classification in WHOLE_CHARGE_CLASSES:
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
        if self.invoice_id.filtered(lambda inv: inv.state == "done"):
            raise UserError(
                _(
                    "Freight invoice %s is done: reset it to draft before closing "
                    "its disputes.",
                    ", ".join(self.invoice_id.mapped("name")),
                )
            )
        for dispute in self:
            values = {
                "state": state,
                "closed_by_id": self.env.user.id,
                "closed_at": fields.Datetime.now(),
            }
            lines = dispute.line_ids
            refused = lines
            if state == "won":
                lines, refused = dispute._split_credited()
                values["recovered_amount"] = sum(refused.mapped("amount"))
            dispute.write(values)
            decided = {
                "reviewed_by_id": self.env.user.id,
                "reviewed_at": fields.Datetime.now(),
            }
            if state == "won":
                # the lines credited in part: their expected part is payable
                (lines - refused).write(dict(decided, review_state="approved"))
                refused.write(dict(decided, review_state="refused"))
            else:
                lines.write(dict(decided, review_state=line_state))
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

    def _split_credited(self):
        """What the carrier credits when it grants the dispute.

        Whole charges for lines billed twice, after cancellation, for unknown
        shipments or unquoted surcharges; otherwise the excess over the
        expected cost, once per shipment: a line billed 18.00 for an expected
        15.38 is split into 15.38 (payable) and 2.62 (credited), so the
        expected amount is billed and the total stays the invoice's.

        Returns ``(all the dispute's lines, the credited ones)``.
        """
        self.ensure_one()
        lines = self.line_ids
        credited = lines.browse()
        currency = self.currency_id
        groups = {}
        for line in lines:
            if (
                line.classification in WHOLE_CHARGE_CLASSES
                or not line.shipment_id
                or currency.compare_amounts(line.difference, 0) <= 0
            ):
                credited |= line
            else:
                groups.setdefault(line.shipment_id, lines.browse())
                groups[line.shipment_id] |= line
        new_parts = []
        for group in groups.values():
            billed = sum(group.mapped("amount"))
            excess = currency.round(min(group[0].difference, billed))
            for line in group.sorted(lambda ln: (-ln.amount, ln.id)):
                if currency.compare_amounts(excess, 0) <= 0:
                    break
                if currency.compare_amounts(line.amount, excess) <= 0:
                    credited |= line
                    excess = currency.round(excess - line.amount)
                    continue
                new_parts.append((line, excess))
                excess = 0.0
        pairs = []
        for line, part in new_parts:
            line.write({"amount": currency.round(line.amount - part)})
            copy = line.copy(
                {
                    "invoice_id": line.invoice_id.id,
                    "sequence": line.sequence,
                    "import_row": line.import_row,
                    "amount": part,
                    "shipment_id": line.shipment_id.id,
                    "charge_description": _(
                        "%s (credited part)",
                        (line.charge_description or line.charge_code or "")[:200],
                    ).strip(),
                    "dispute_id": self.id,
                    "review_state": "disputed",
                }
            )
            credited |= copy
            pairs.append((copy.id, line.id))
        if pairs:
            # the credited parts keep the classification of their line
            self.env.flush_all()
            execute_values(
                self.env.cr._obj,
                """
                UPDATE logistics_freight_invoice_line AS part
                   SET classification = line.classification,
                       package_id = line.package_id,
                       expected_amount = line.expected_amount,
                       shipment_billed_amount = line.shipment_billed_amount,
                       difference = line.difference,
                       shipped_weight = line.shipped_weight
                  FROM (VALUES %s) AS v(part_id, line_id)
                  JOIN logistics_freight_invoice_line line ON line.id = v.line_id
                 WHERE part.id = v.part_id
                """,
                pairs,
            )
            self.invoice_id._refresh_lines_cache()
        return self.line_ids, credited

    def action_won(self):
        """The carrier credited the lines: they are never billed."""
        return self._close("won", "refused", _("credited by the carrier"))

    def action_lost(self):
        """The carrier maintains its charges: the lines become payable."""
        return self._close("lost", "approved", _("rejected by the carrier"))
