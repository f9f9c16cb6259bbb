# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# One statement for the whole set of invoices: every unmatched line whose
# normalised tracking number is a tracking number of exactly one shipment of
# the invoice's carrier account (its tracking reference, which may list several
# numbers separated by commas, or one of its packages) gets that shipment.
# Numbers that designate several shipments are left unmatched (ambiguous).
MATCH_QUERY = """
WITH invoice AS (
    SELECT id, account_id, company_id
      FROM logistics_freight_invoice
     WHERE id IN %(invoice_ids)s
), number AS (
    SELECT s.id AS shipment_id, s.account_id, s.company_id,
           upper(regexp_replace(t.number, '\\s', '', 'g')) AS tracking_number
      FROM logistics_shipment s
      CROSS JOIN LATERAL unnest(string_to_array(s.tracking_ref, ',')) AS t(number)
     WHERE s.tracking_ref IS NOT NULL
       AND s.account_id IN (SELECT account_id FROM invoice)
    UNION
    SELECT s.id, s.account_id, s.company_id,
           upper(regexp_replace(p.tracking_number, '\\s', '', 'g'))
      FROM logistics_shipment_package p
      JOIN logistics_shipment s ON s.id = p.shipment_id
     WHERE p.tracking_number IS NOT NULL
       AND s.account_id IN (SELECT account_id FROM invoice)
), candidate AS (
    SELECT tracking_number, account_id, company_id,
           min(shipment_id) AS shipment_id
      FROM number
     WHERE tracking_number <> ''
     GROUP BY tracking_number, account_id, company_id
    HAVING count(DISTINCT shipment_id) = 1
)
UPDATE logistics_freight_invoice_line AS line
   SET shipment_id = candidate.shipment_id,
       match_state = 'matched',
       write_uid = %(uid)s,
       write_date = now() AT TIME ZONE 'UTC'
  FROM invoice, candidate
 WHERE line.invoice_id = invoice.id
   AND line.match_state = 'unmatched'
   AND candidate.tracking_number = line.tracking_number
   AND candidate.account_id = invoice.account_id
   AND candidate.company_id = invoice.company_id
RETURNING line.id
"""


class LogisticsFreightInvoice(models.Model):
    """A carrier's freight invoice: what the carrier bills, line by line."""

    _name = "logistics.freight.invoice"
    _description = "Carrier Freight Invoice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "invoice_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Invoice Number", required=True, index=True, tracking=True, copy=False
    )
    account_id = fields.Many2one(
        "logistics.carrier.account",
        string="Carrier Account",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    carrier_code = fields.Selection(related="account_id.carrier_code", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Carrier (Vendor)",
        tracking=True,
        help="The carrier as a vendor: the partner of the vendor bill.",
    )
    invoice_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("matched", "Matched"), ("done", "Done")],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "logistics.freight.invoice.line", "invoice_id", string="Lines", copy=True
    )
    amount_total = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    line_count = fields.Integer(compute="_compute_amounts", store=True)
    matched_count = fields.Integer(compute="_compute_amounts", store=True)
    unmatched_count = fields.Integer(compute="_compute_amounts", store=True)

    _sql_constraints = [
        (
            "name_account_uniq",
            "unique(account_id, name)",
            "This carrier account already has a freight invoice with this number: "
            "an invoice can only be entered once.",
        )
    ]

    @api.depends("line_ids.amount", "line_ids.match_state")
    def _compute_amounts(self):
        for invoice in self:
            lines = invoice.line_ids
            matched = lines.filtered(lambda line: line.match_state == "matched")
            invoice.amount_total = sum(lines.mapped("amount"))
            invoice.line_count = len(lines)
            invoice.matched_count = len(matched)
            invoice.unmatched_count = len(lines) - len(matched)

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.account_id and self.account_id.company_id:
            self.company_id = self.account_id.company_id

    def action_match(self):
        """Match the lines to shipments by tracking number, set-based."""
        if not self:
            return True
        if any(invoice.state == "done" for invoice in self):
            raise UserError(_("Invoices that are done cannot be matched again."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        self.env.flush_all()
        self.env.cr.execute(
            MATCH_QUERY, {"invoice_ids": tuple(self.ids), "uid": self.env.uid}
        )
        matched_ids = [row[0] for row in self.env.cr.fetchall()]
        lines = self.env["logistics.freight.invoice.line"].browse(matched_ids)
        lines.invalidate_recordset(
            ["shipment_id", "match_state", "write_uid", "write_date"]
        )
        lines.modified(["shipment_id", "match_state"])
        self.write({"state": "matched"})
        newly_matched = dict.fromkeys(self, 0)
        for line in lines:
            newly_matched[line.invoice_id] += 1
        for invoice in self:
            invoice.message_post(
                body=_(
                    "Matching by %(user)s: %(new)s line(s) matched now; %(matched)s of "
                    "%(total)s matched, %(unmatched)s without a known shipment.",
                    user=self.env.user.name,
                    new=newly_matched[invoice],
                    matched=invoice.matched_count,
                    total=invoice.line_count,
                    unmatched=invoice.unmatched_count,
                )
            )
        return True

    def action_done(self):
        if any(invoice.state != "matched" for invoice in self):
            raise UserError(_("Only matched invoices can be marked as done."))
        self.write({"state": "done"})
        return True

    def action_reset_to_draft(self):
        self.write({"state": "draft"})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(invoice.state == "done" for invoice in self):
            raise UserError(_("A freight invoice that is done cannot be deleted."))
