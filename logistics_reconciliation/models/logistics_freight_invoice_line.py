# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .logistics_freight_expense_account import CHARGE_TYPES
from .logistics_freight_import_profile import (
    _CONTROL,
    TEXT_LIMITS,
    echo,
    normalize_tracking_number,
)

CLASSIFICATIONS = [
    ("pending", "Not checked yet"),
    ("matched", "Matched"),
    ("overcharge", "Overcharge"),
    ("undercharge", "Undercharge"),
    ("weight", "Billed weight differs"),
    ("unknown", "Unknown shipment"),
    ("duplicate", "Billed twice"),
    ("cancelled", "Billed after cancellation"),
    ("surcharge_not_quoted", "Surcharge not quoted"),
    ("no_expected_cost", "No expected cost"),
]
DISCREPANCIES = [c for c, _label in CLASSIFICATIONS if c not in ("pending", "matched")]

REVIEW_STATES = [
    ("to_review", "To review"),
    ("approved", "Approved"),
    ("written_off", "Written off"),
    ("disputed", "Disputed"),
    ("refused", "Refused (credited)"),
]
# lines a vendor bill pays
PAYABLE_STATES = ("approved", "written_off")


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
    invoice_date = fields.Date(related="invoice_id.invoice_date")
    tracking_number = fields.Char(
        index=True,
        help="Stored normalised: upper case, without spaces. Empty for charges "
        "that bill no shipment (account fees...).",
    )
    lead_tracking_number = fields.Char(
        string="Lead Shipment Number",
        help="The shipment's number when the carrier bills per package (UPS).",
    )
    ship_date = fields.Date(
        string="Shipping Date", help="The carrier's transaction or pickup date."
    )
    service = fields.Char(help="The carrier's service as billed.")
    billed_weight = fields.Float(string="Billed Weight (kg)", digits="Stock Weight")
    dimensions = fields.Char()
    charge_type = fields.Selection(CHARGE_TYPES, required=True, default="base")
    charge_code = fields.Char(help="The carrier's charge code (e.g. FSC, RES).")
    charge_description = fields.Char()
    amount = fields.Monetary(currency_field="currency_id")
    import_row = fields.Integer(
        readonly=True, help="Row of the imported file this line comes from."
    )
    shipment_id = fields.Many2one(
        "logistics.shipment",
        index=True,
        ondelete="set null",
        check_company=True,
    )
    package_id = fields.Many2one(
        "logistics.shipment.package",
        ondelete="set null",
        readonly=True,
        index="btree_not_null",
    )
    match_state = fields.Selection(
        [("unmatched", "Unmatched"), ("matched", "Matched")],
        required=True,
        default="unmatched",
        index=True,
        copy=False,
    )
    classification = fields.Selection(
        CLASSIFICATIONS,
        required=True,
        default="pending",
        index=True,
        copy=False,
        readonly=True,
    )
    is_discrepancy = fields.Boolean(
        compute="_compute_is_discrepancy", search="_search_is_discrepancy"
    )
    expected_amount = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="The shipment's cost stored at dispatch (the rate the carrier "
        "quoted). Empty when none was stored.",
    )
    shipment_billed_amount = fields.Monetary(
        string="Billed for Shipment",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="What the carrier bills for the shipment, all its charges on all "
        "invoices together (charges billed twice or credited left out).",
    )
    difference = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="Billed for the shipment minus its expected cost.",
    )
    shipped_weight = fields.Float(
        string="Shipped Weight (kg)", digits="Stock Weight", readonly=True, copy=False
    )
    duplicate_of_id = fields.Many2one(
        "logistics.freight.invoice.line",
        string="First Billed On",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
    )
    review_state = fields.Selection(
        REVIEW_STATES,
        required=True,
        default="to_review",
        index=True,
        copy=False,
        readonly=True,
    )
    reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    reviewed_at = fields.Datetime(readonly=True, copy=False)
    dispute_id = fields.Many2one(
        "logistics.freight.dispute",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    exception_id = fields.Many2one(
        "logistics.exception",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Vendor Bill Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    move_id = fields.Many2one(
        related="move_line_id.move_id", string="Vendor Bill", readonly=True
    )

    def init(self):
        super().init()
        # Matching a small file looks its numbers up among the shipments'
        # normalised numbers (see MATCH_QUERY_SMALL): indexes on exactly those
        # expressions, on the connector's tables, so a 1-row file costs
        # milliseconds however many shipments the account has.
        self.env.cr.execute(
            r"""
            CREATE INDEX IF NOT EXISTS logistics_shipment_package_recon_number_idx
                ON logistics_shipment_package
                   (upper(regexp_replace(tracking_number, '\s', '', 'g')))
             WHERE tracking_number IS NOT NULL
            """
        )
        self.env.cr.execute(
            r"""
            CREATE INDEX IF NOT EXISTS logistics_shipment_recon_numbers_idx
                ON logistics_shipment USING gin
                   (string_to_array(
                        upper(regexp_replace(tracking_ref, '\s', '', 'g')), ','))
             WHERE tracking_ref IS NOT NULL
            """
        )

    @api.depends("classification")
    def _compute_is_discrepancy(self):
        for line in self:
            line.is_discrepancy = line.classification in DISCREPANCIES

    def _search_is_discrepancy(self, operator, value):
        positive = (operator == "=") == bool(value)
        return [("classification", "in" if positive else "not in", DISCREPANCIES)]

    @api.model
    def _normalize_tracking_number(self, number):
        return normalize_tracking_number(number)

    @api.model
    def _check_text_values(self, vals):
        """The bounds the import applies, for lines entered by hand too."""
        for key in (
            "tracking_number",
            "lead_tracking_number",
            "service",
            "dimensions",
            "charge_code",
            "charge_description",
        ):
            value = vals.get(key)
            if not value or not isinstance(value, str):
                continue
            label = self._fields[key].string
            if len(value) > TEXT_LIMITS[key]:
                raise UserError(
                    _(
                        "%(field)s '%(value)s' is too long: at most %(limit)s "
                        "characters.",
                        field=label,
                        value=echo(value),
                        limit=TEXT_LIMITS[key],
                    )
                )
            if _CONTROL.search(value):
                raise UserError(
                    _(
                        "%(field)s '%(value)s' contains a control character: "
                        "remove it.",
                        field=label,
                        value=echo(value),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_text_values(vals)
            for key in ("tracking_number", "lead_tracking_number"):
                if vals.get(key):
                    vals[key] = normalize_tracking_number(vals[key])
            if vals.get("shipment_id") and "match_state" not in vals:
                vals["match_state"] = "matched"
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        self._check_text_values(vals)
        for key in ("tracking_number", "lead_tracking_number"):
            if vals.get(key):
                vals[key] = normalize_tracking_number(vals[key])
        if "shipment_id" in vals and "match_state" not in vals:
            vals["match_state"] = "matched" if vals["shipment_id"] else "unmatched"
        if self.move_line_id and set(vals) & {
            "amount",
            "charge_type",
            "tracking_number",
            "shipment_id",
        }:
            raise UserError(
                _("Lines already on a vendor bill cannot change what they bill.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done_invoice(self):
        if any(line.invoice_id.state == "done" for line in self):
            raise UserError(
                _("Lines of a freight invoice that is done cannot be deleted.")
            )
        if any(line.move_line_id for line in self):
            raise UserError(_("Lines already on a vendor bill cannot be deleted."))

    # ------------------------------------------------------------------
    # Review decisions (finance only, attributed in the invoice's chatter)
    # ------------------------------------------------------------------
    def _check_reviewable(self, allowed=("to_review", "approved", "written_off")):
        self.env["logistics.freight.invoice"]._check_finance()
        if self.filtered("move_line_id"):
            raise UserError(
                _("%s line(s) are already on a vendor bill.", len(self.move_line_id))
            )
        wrong = self.filtered(lambda line: line.review_state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(count)s line(s) are %(state)s: they are decided through "
                    "their dispute.",
                    count=len(wrong),
                    state=dict(REVIEW_STATES)[wrong[0].review_state].lower(),
                )
            )
        if self.invoice_id.filtered(lambda inv: inv.state == "draft"):
            raise UserError(_("Match the invoice before reviewing its lines."))
        done = self.invoice_id.filtered(lambda inv: inv.state == "done")
        if done:
            raise UserError(
                _(
                    "Freight invoice %s is done: its lines are decided. Reset it "
                    "to draft to review them again.",
                    ", ".join(done.mapped("name")),
                )
            )

    def _log_decision(self, verb, note=None):
        labels = dict(CLASSIFICATIONS)
        for invoice in self.invoice_id:
            lines = self.filtered(lambda line, inv=invoice: line.invoice_id == inv)
            per_class = {}
            for line in lines:
                per_class[labels[line.classification]] = (
                    per_class.get(labels[line.classification], 0) + 1
                )
            body = _(
                "%(user)s %(verb)s %(count)s line(s) (%(classes)s), %(amount).2f "
                "%(currency)s.",
                user=self.env.user.name,
                verb=verb,
                count=len(lines),
                classes=", ".join(f"{k}: {v}" for k, v in sorted(per_class.items())),
                amount=sum(lines.mapped("amount")),
                currency=invoice.currency_id.name,
            )
            if note:
                body = f"{body} {_('Note:')} {note}"
            invoice.message_post(body=body)

    def _set_review_state(self, state):
        self.write(
            {
                "review_state": state,
                "reviewed_by_id": self.env.user.id,
                "reviewed_at": fields.Datetime.now(),
            }
        )

    def action_approve(self, note=None):
        self._check_reviewable()
        self._set_review_state("approved")
        self._log_decision(_("approved"), note)
        self.env["logistics.freight.invoice"]._resolve_exceptions(self)
        return True

    def action_write_off(self, note=None):
        self._check_reviewable()
        self._set_review_state("written_off")
        self._log_decision(_("wrote off (accepted as billed)"), note)
        self.env["logistics.freight.invoice"]._resolve_exceptions(self)
        return True

    def action_dispute(self, reason, note=None, user=None):
        """One dispute per invoice for these lines, with a follow-up activity."""
        self._check_reviewable()
        if not reason:
            raise UserError(_("A dispute needs a reason."))
        disputes = self.env["logistics.freight.dispute"]
        for invoice in self.invoice_id:
            lines = self.filtered(lambda line, inv=invoice: line.invoice_id == inv)
            disputes |= disputes._open_for(lines, reason, note, user=user)
        self._log_decision(_("disputed"), note)
        return disputes
