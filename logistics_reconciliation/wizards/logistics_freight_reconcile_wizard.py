# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.logistics_freight_dispute import DISPUTE_REASONS, REASON_FOR_CLASS
from ..models.logistics_freight_invoice_line import CLASSIFICATIONS, REVIEW_STATES

# the order finance works the classes in: problems first
CLASS_ORDER = [
    "unknown",
    "cancelled",
    "duplicate",
    "overcharge",
    "surcharge_not_quoted",
    "weight",
    "undercharge",
    "no_expected_cost",
    "matched",
    "pending",
]


class LogisticsFreightReconcileWizard(models.TransientModel):
    _name = "logistics.freight.reconcile.wizard"
    _description = "Reconcile a Freight Invoice"

    invoice_id = fields.Many2one(
        "logistics.freight.invoice", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    classification = fields.Selection(
        CLASSIFICATIONS,
        string="Class",
        compute="_compute_classification",
        store=True,
        readonly=False,
    )
    summary_html = fields.Html(compute="_compute_summary_html", sanitize=False)
    line_ids = fields.Many2many(
        "logistics.freight.invoice.line",
        "logistics_freight_reconcile_wizard_line_rel",
        "wizard_id",
        "line_id",
        string="Lines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    line_count = fields.Integer(compute="_compute_line_count")
    decision = fields.Selection(
        [
            ("approve", "Approve"),
            ("dispute", "Dispute"),
            ("write_off", "Write off (accept as billed)"),
        ],
        required=True,
        default="approve",
    )
    dispute_reason = fields.Selection(
        DISPUTE_REASONS, compute="_compute_dispute_reason", store=True, readonly=False
    )
    note = fields.Text()
    to_review_count = fields.Integer(related="invoice_id.to_review_count")

    def _lines_to_review(self, classification=None):
        domain = [
            ("invoice_id", "=", self.invoice_id.id),
            ("review_state", "=", "to_review"),
        ]
        if classification:
            domain.append(("classification", "=", classification))
        return self.env["logistics.freight.invoice.line"].search(domain)

    @api.depends("invoice_id")
    def _compute_classification(self):
        for wizard in self:
            present = set(wizard._lines_to_review().mapped("classification"))
            wizard.classification = next(
                (c for c in CLASS_ORDER if c in present), "matched"
            )

    @api.depends("invoice_id", "classification")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = wizard._lines_to_review(wizard.classification)

    @api.depends("line_ids")
    def _compute_line_count(self):
        for wizard in self:
            wizard.line_count = len(wizard.line_ids)

    @api.depends("classification")
    def _compute_dispute_reason(self):
        for wizard in self:
            wizard.dispute_reason = REASON_FOR_CLASS.get(wizard.classification, "other")

    @api.depends("invoice_id", "classification")
    def _compute_summary_html(self):
        labels = dict(CLASSIFICATIONS)
        states = [s for s, _label in REVIEW_STATES]
        for wizard in self:
            groups = self.env["logistics.freight.invoice.line"]._read_group(
                [("invoice_id", "=", wizard.invoice_id.id)],
                ["classification", "review_state"],
                ["__count", "amount:sum"],
            )
            table = {}
            for klass, state, count, amount in groups:
                row = table.setdefault(klass, dict.fromkeys(states, 0))
                row[state] += count
                row["amount"] = row.get("amount", 0.0) + amount
            head = "".join(
                f"<th class='text-end'>{escape(label)}</th>"
                for _state, label in REVIEW_STATES
            )
            body = []
            for klass in CLASS_ORDER:
                if klass not in table:
                    continue
                row = table[klass]
                style = (
                    " class='table-active'" if klass == wizard.classification else ""
                )
                cells = "".join(
                    f"<td class='text-end'>{row[state]}</td>" for state in states
                )
                body.append(
                    f"<tr{style}><td>{escape(labels[klass])}</td>{cells}"
                    f"<td class='text-end'>{row['amount']:.2f}</td></tr>"
                )
            wizard.summary_html = Markup(
                "<table class='table table-sm o_freight_reconcile_summary'>"
                f"<thead><tr><th>{escape(_('Class'))}</th>{head}"
                f"<th class='text-end'>{escape(_('Amount'))}</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>"
            )

    def action_apply(self):
        """Apply the decision to the selected lines, then show the next class."""
        self.ensure_one()
        self.env["logistics.freight.invoice"]._check_finance()
        lines = self.line_ids.filtered(lambda line: line.review_state == "to_review")
        if not lines:
            raise UserError(_("Select the lines to decide on."))
        if self.decision == "approve":
            lines.action_approve(note=self.note)
        elif self.decision == "write_off":
            lines.action_write_off(note=self.note)
        else:
            lines.action_dispute(self.dispute_reason, note=self.note)
        return self._reopen()

    def _reopen(self):
        wizard = self.create({"invoice_id": self.invoice_id.id, "decision": "approve"})
        return {
            "type": "ir.actions.act_window",
            "name": _("Reconcile %s", self.invoice_id.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_create_vendor_bill(self):
        self.ensure_one()
        return self.invoice_id.action_create_vendor_bill()
