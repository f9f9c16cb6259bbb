# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .logistics_freight_expense_account import CHARGE_TYPES
from .logistics_freight_invoice_line import CLASSIFICATIONS, PAYABLE_STATES

FINANCE_GROUP = "logistics_connector_base.group_logistics_finance"
BILL_SCOPE = "invoice_line"
# from this many lines to review, the matching statement runs with hash joins
LARGE_MATCH_LINES = 5000

# One statement for all the invoices' lines still to review: link and classify.
#
# Link: a line matches the shipment of the invoice's carrier account and
# company whose tracking reference (it may list several numbers,
# comma-separated) or one of whose packages carries the line's tracking
# number -- or, failing that, its lead shipment number -- created within the
# account's matching window around the line's shipping date (or the invoice
# date). A number designating several shipments in the window is left
# unmatched (ambiguous); a line matched before keeps its shipment.
#
# Classify: the amounts of a shipment are compared all charges together (on
# all the account's invoices, charges billed twice and credited charges left
# out) with the cost stored at dispatch; the weight per package (or per
# shipment when the line names the shipment).
MATCH_QUERY = r"""
WITH invoice AS (
    SELECT i.id, i.account_id, i.company_id, i.invoice_date, i.currency_id,
           comp.currency_id AS company_currency_id,
           COALESCE(a.recon_match_window_days, 0) AS window_days,
           a.recon_tolerance_amount AS tol_amount,
           a.recon_tolerance_percent AS tol_pct,
           a.recon_weight_tolerance AS wtol,
           a.recon_weight_tolerance_percent AS wtol_pct
      FROM logistics_freight_invoice i
      JOIN logistics_carrier_account a ON a.id = i.account_id
      JOIN res_company comp ON comp.id = i.company_id
     WHERE i.id IN %(invoice_ids)s
), line_key AS (
    SELECT l.id AS line_id, 1 AS prio, l.tracking_number AS number,
           inv.account_id, inv.company_id, inv.window_days,
           COALESCE(l.ship_date, inv.invoice_date) AS ref_date
      FROM logistics_freight_invoice_line l
      JOIN invoice inv ON inv.id = l.invoice_id
     WHERE l.invoice_id IN %(invoice_ids)s
       AND l.match_state = 'unmatched' AND l.review_state = 'to_review'
       AND l.tracking_number IS NOT NULL
    UNION ALL
    SELECT l.id, 2, l.lead_tracking_number,
           inv.account_id, inv.company_id, inv.window_days,
           COALESCE(l.ship_date, inv.invoice_date)
      FROM logistics_freight_invoice_line l
      JOIN invoice inv ON inv.id = l.invoice_id
     WHERE l.invoice_id IN %(invoice_ids)s
       AND l.match_state = 'unmatched' AND l.review_state = 'to_review'
       AND l.lead_tracking_number IS NOT NULL
       AND l.lead_tracking_number IS DISTINCT FROM l.tracking_number
), number AS (
    -- the numbers the account's shipments and packages carry, normalised
    -- (the expressions of the indexes logistics.freight.invoice.line creates)
    SELECT s.id AS shipment_id, NULL::integer AS package_id, s.account_id,
           s.company_id,
           (COALESCE(s.label_at, s.submitted_at, s.create_date))::date AS shipped_on,
           t.number
      FROM logistics_shipment s
      CROSS JOIN LATERAL unnest(string_to_array(
            upper(regexp_replace(s.tracking_ref, '\s', '', 'g')), ',')) AS t(number)
     WHERE s.tracking_ref IS NOT NULL
       AND s.account_id IN (SELECT account_id FROM invoice)
       /*ref_filter*/
    UNION ALL
    SELECT s.id, p.id, s.account_id, s.company_id,
           (COALESCE(s.label_at, s.submitted_at, s.create_date))::date,
           upper(regexp_replace(p.tracking_number, '\s', '', 'g'))
      FROM /*package_keys*/ logistics_shipment_package p /*package_on*/
      JOIN logistics_shipment s ON s.id = p.shipment_id
     WHERE p.tracking_number IS NOT NULL
       AND s.account_id IN (SELECT account_id FROM invoice)
), hit AS (
    SELECT k.line_id, k.prio, n.shipment_id, n.package_id,
           min(k.prio) OVER (PARTITION BY k.line_id) AS best_prio
      FROM line_key k
      JOIN number n
        ON n.number = k.number
       AND n.account_id = k.account_id
       AND n.company_id = k.company_id
       AND n.shipped_on BETWEEN k.ref_date - k.window_days
                            AND k.ref_date + k.window_days
), best AS (
    SELECT line_id, min(shipment_id) AS shipment_id,
           max(package_id) FILTER (WHERE prio = 1) AS package_id
      FROM hit
     WHERE prio = best_prio
     GROUP BY line_id
    HAVING count(DISTINCT shipment_id) = 1
), l_all AS (
    -- the invoices' lines with the links found now
    SELECT l.id, l.invoice_id, l.tracking_number, l.charge_type, l.amount,
           l.billed_weight, l.review_state,
           COALESCE(best.shipment_id, l.shipment_id) AS shipment_id,
           CASE WHEN best.line_id IS NOT NULL THEN best.package_id
                ELSE l.package_id END AS package_id,
           best.line_id IS NOT NULL AS newly_matched
      FROM logistics_freight_invoice_line l
      LEFT JOIN best ON best.line_id = l.id
     WHERE l.invoice_id IN %(invoice_ids)s
), cand AS (
    -- every charge of the accounts that may bill what these lines bill: same
    -- tracking number, charge type and code, amount (credits left out)
    SELECT o.id, oi.account_id, o.tracking_number, o.charge_type,
           COALESCE(o.charge_code, '') AS code, o.amount,
           COALESCE(o.ship_date, oi.invoice_date) AS ref_date,
           COALESCE(a.recon_match_window_days, 0) AS window_days,
           o.move_line_id IS NOT NULL AS billed
      FROM (SELECT DISTINCT tracking_number FROM l_all
             WHERE tracking_number IS NOT NULL) k
      JOIN logistics_freight_invoice_line o ON o.tracking_number = k.tracking_number
      JOIN logistics_freight_invoice oi ON oi.id = o.invoice_id
      JOIN logistics_carrier_account a ON a.id = oi.account_id
     WHERE oi.account_id IN (SELECT account_id FROM invoice)
       AND o.amount > 0
       AND o.review_state <> 'refused'
), dup AS (
    -- A carrier charge is payable once: a line is billed twice when the same
    -- charge, within the account's window, is on a vendor bill already, or
    -- (neither billed) was imported before it. Never by invoice date: an
    -- invoice imported late but dated earlier must not become the original.
    SELECT DISTINCT ON (c.id) c.id, o.id AS first_id
      FROM cand c
      JOIN cand o
        ON o.account_id = c.account_id
       AND o.tracking_number = c.tracking_number
       AND o.charge_type = c.charge_type
       AND o.code = c.code
       AND o.amount = c.amount
       AND o.id <> c.id
       AND abs(o.ref_date - c.ref_date) <= c.window_days
       AND (o.billed AND NOT c.billed OR o.billed = c.billed AND o.id < c.id)
     ORDER BY c.id, o.billed DESC, o.id
), billed_line AS (
    -- every line billing these shipments: these invoices (with the new
    -- links) and the account's other invoices
    SELECT l.id, l.shipment_id, l.amount, l.charge_type
      FROM l_all l
     WHERE l.shipment_id IS NOT NULL AND l.review_state <> 'refused'
    UNION ALL
    SELECT o.id, o.shipment_id, o.amount, o.charge_type
      FROM logistics_freight_invoice_line o
     WHERE o.shipment_id IN (
            SELECT shipment_id FROM l_all WHERE shipment_id IS NOT NULL)
       AND o.invoice_id NOT IN %(invoice_ids)s
       AND o.review_state <> 'refused'
), total AS (
    SELECT b.shipment_id,
           sum(b.amount) AS billed,
           sum(b.amount) FILTER (WHERE b.charge_type <> 'surcharge') AS billed_quoted
      FROM billed_line b
     WHERE NOT EXISTS (SELECT 1 FROM dup WHERE dup.id = b.id)
     GROUP BY b.shipment_id
), ship_weight AS (
    SELECT p.shipment_id, sum(p.weight) AS weight
      FROM logistics_shipment_package p
     WHERE p.shipment_id IN (SELECT shipment_id FROM total)
     GROUP BY p.shipment_id
), facts AS (
    SELECT l.id, l.shipment_id, l.package_id, l.newly_matched, l.charge_type,
           l.billed_weight, s.state AS shipment_state,
           dup.first_id AS duplicate_of_id,
           total.billed, total.billed_quoted,
           CASE WHEN s.charges_amount > 0
                 AND COALESCE(s.charges_currency_id, inv.company_currency_id)
                     = inv.currency_id
                THEN s.charges_amount END AS expected,
           COALESCE(pkg.weight, sw.weight) AS shipped_weight,
           inv.tol_amount, inv.tol_pct, inv.wtol, inv.wtol_pct
      FROM l_all l
      JOIN invoice inv ON inv.id = l.invoice_id
      LEFT JOIN logistics_shipment s ON s.id = l.shipment_id
      LEFT JOIN logistics_shipment_package pkg ON pkg.id = l.package_id
      LEFT JOIN ship_weight sw ON sw.shipment_id = l.shipment_id
      LEFT JOIN dup ON dup.id = l.id
      LEFT JOIN total ON total.shipment_id = l.shipment_id
     WHERE l.review_state = 'to_review'
), tol AS (
    SELECT f.*,
           round(GREATEST(f.tol_amount, f.expected * f.tol_pct / 100.0)::numeric, 6)
               AS amount_tol
      FROM facts f
), classified AS (
    SELECT t.id, t.shipment_id, t.package_id, t.newly_matched, t.expected,
           t.billed, t.shipped_weight, t.duplicate_of_id,
           CASE
             WHEN t.shipment_id IS NULL THEN 'unknown'
             WHEN t.shipment_state = 'cancelled' THEN 'cancelled'
             WHEN t.duplicate_of_id IS NOT NULL THEN 'duplicate'
             WHEN t.billed_weight > 0 AND t.shipped_weight > 0
              AND abs(t.billed_weight - t.shipped_weight)
                  > GREATEST(t.wtol, t.shipped_weight * t.wtol_pct / 100.0) + 1e-6
             THEN 'weight'
             WHEN t.expected IS NULL THEN 'no_expected_cost'
             WHEN abs(t.billed - t.expected) <= t.amount_tol THEN 'matched'
             WHEN t.billed > t.expected
              AND abs(COALESCE(t.billed_quoted, 0) - t.expected) <= t.amount_tol
             THEN CASE WHEN t.charge_type = 'surcharge'
                       THEN 'surcharge_not_quoted' ELSE 'matched' END
             WHEN t.billed > t.expected THEN 'overcharge'
             ELSE 'undercharge'
           END AS classification
      FROM tol t
), written AS (
    UPDATE logistics_freight_invoice_line AS line
       SET shipment_id = c.shipment_id,
           package_id = c.package_id,
           match_state = CASE WHEN c.shipment_id IS NULL
                              THEN 'unmatched' ELSE 'matched' END,
           classification = c.classification,
           expected_amount = c.expected,
           shipment_billed_amount = c.billed,
           difference = c.billed - c.expected,
           shipped_weight = c.shipped_weight,
           duplicate_of_id = c.duplicate_of_id,
           write_uid = %(uid)s,
           write_date = now() AT TIME ZONE 'UTC'
      FROM classified c
     WHERE line.id = c.id
 RETURNING line.invoice_id, c.newly_matched
)
SELECT invoice_id, count(*) FILTER (WHERE newly_matched) FROM written
 GROUP BY invoice_id
"""

# The key of a carrier charge: carrier account, tracking number, charge type
# and code, amount (the date window is checked beside it). ``{l}`` is a freight
# invoice line, ``{i}`` its invoice.
CHARGE_KEY = (
    "'freight-charge-' || {i}.account_id || ':' || {l}.tracking_number || ':' "
    "|| {l}.charge_type || ':' || COALESCE({l}.charge_code, '') || ':' "
    "|| round({l}.amount, 6)::text"
)

# A small file looks its numbers up (expression indexes); a large one reads
# the account's shipments once, with hash joins.
MATCH_QUERY_SMALL = (
    MATCH_QUERY.replace(
        "/*ref_filter*/",
        "AND string_to_array(upper(regexp_replace(s.tracking_ref, '\\s', '', 'g')), "
        "',') && ARRAY(SELECT number::text FROM line_key)",
    )
    .replace(
        "/*package_keys*/",
        "(SELECT DISTINCT number::text AS number FROM line_key) wanted JOIN",
    )
    .replace(
        "/*package_on*/",
        "ON upper(regexp_replace(p.tracking_number, '\\s', '', 'g')) = wanted.number",
    )
)

# Vendor bills: take the ledger entry of every charge to bill in one
# statement. A carrier charge is payable once: its entry points at the bill
# that pays it, and a charge whose bill still exists (and pays it within the
# account's window) is never billed again, whichever line of whichever invoice
# bills it. A concurrent run waits on the entry; under Odoo's repeatable read
# it then fails to serialize and is retried, and the retry sees the charge
# billed. A line without a tracking number (an account fee) is its own charge.
# A charge whose bill was deleted may be billed again.
BILL_ACQUIRE_QUERY = f"""
WITH cand AS (
    SELECT DISTINCT ON (c.key) c.id, c.key, c.ref_date, c.window_days
      FROM (
        SELECT line.id,
               CASE WHEN line.tracking_number IS NOT NULL AND line.amount > 0
                    THEN {CHARGE_KEY.format(l="line", i="inv")}
                    ELSE 'freight-line-' || line.id END AS key,
               COALESCE(line.ship_date, inv.invoice_date) AS ref_date,
               COALESCE(a.recon_match_window_days, 0) AS window_days
          FROM logistics_freight_invoice_line line
          JOIN logistics_freight_invoice inv ON inv.id = line.invoice_id
          JOIN logistics_carrier_account a ON a.id = inv.account_id
         WHERE line.id IN %(line_ids)s
      ) c
     ORDER BY c.key, c.id
), acquired AS (
    INSERT INTO logistics_idempotency_record AS r
        (scope, key, fingerprint, state, attempts, expires_at, res_model,
         create_uid, write_uid, create_date, write_date)
    SELECT %(scope)s, cand.key, cand.ref_date::text || '/' || cand.window_days,
           'in_flight', 1, NULL, 'account.move', %(uid)s, %(uid)s,
           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM cand
    ON CONFLICT (scope, key) DO UPDATE
       SET state = 'in_flight', res_id = NULL, attempts = r.attempts + 1,
           fingerprint = EXCLUDED.fingerprint,
           write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
     WHERE r.res_id IS NULL
        OR NOT EXISTS (
            SELECT 1
              FROM account_move_line ml
              JOIN logistics_freight_invoice_line b ON b.move_line_id = ml.id
              JOIN logistics_freight_invoice bi ON bi.id = b.invoice_id
             WHERE ml.move_id = r.res_id
               AND {CHARGE_KEY.format(l="b", i="bi")} = r.key
               AND abs(COALESCE(b.ship_date, bi.invoice_date)
                       - split_part(EXCLUDED.fingerprint, '/', 1)::date)
                   <= split_part(EXCLUDED.fingerprint, '/', 2)::integer)
    RETURNING r.key
)
SELECT cand.id FROM cand JOIN acquired USING (key)
"""

# The unbilled lines of the accounts whose charge (within the window) is on a
# vendor bill already: billed twice, back to review, never billed.
BILLED_TWICE_QUERY = """
WITH number AS (
    SELECT DISTINCT tracking_number
      FROM logistics_freight_invoice_line
     WHERE invoice_id IN %(invoice_ids)s AND tracking_number IS NOT NULL
), billed AS (
    SELECT b.id, bi.account_id, b.tracking_number, b.charge_type,
           COALESCE(b.charge_code, '') AS code, b.amount,
           COALESCE(b.ship_date, bi.invoice_date) AS ref_date
      FROM logistics_freight_invoice_line b
      JOIN logistics_freight_invoice bi ON bi.id = b.invoice_id
     WHERE b.move_line_id IS NOT NULL
       AND bi.account_id IN %(account_ids)s
       AND b.tracking_number IN (SELECT tracking_number FROM number)
), twice AS (
    SELECT DISTINCT ON (l.id) l.id, b.id AS first_id
      FROM logistics_freight_invoice_line l
      JOIN logistics_freight_invoice li ON li.id = l.invoice_id
      JOIN logistics_carrier_account a ON a.id = li.account_id
      JOIN billed b
        ON b.account_id = li.account_id
       AND b.tracking_number = l.tracking_number
       AND b.charge_type = l.charge_type
       AND b.code = COALESCE(l.charge_code, '')
       AND b.amount = l.amount
       AND b.id <> l.id
       AND abs(b.ref_date - COALESCE(l.ship_date, li.invoice_date))
           <= COALESCE(a.recon_match_window_days, 0)
     WHERE l.move_line_id IS NULL
       AND l.amount > 0
       AND l.review_state IN ('to_review', 'approved', 'written_off')
       AND l.tracking_number IN (SELECT tracking_number FROM number)
     ORDER BY l.id, b.id
)
UPDATE logistics_freight_invoice_line AS line
   SET classification = 'duplicate', duplicate_of_id = twice.first_id,
       review_state = 'to_review', write_uid = %(uid)s,
       write_date = now() AT TIME ZONE 'UTC'
  FROM twice
 WHERE line.id = twice.id
   AND (line.classification <> 'duplicate' OR line.review_state <> 'to_review'
        OR line.duplicate_of_id IS DISTINCT FROM twice.first_id)
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
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
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
    import_filename = fields.Char(readonly=True, copy=False)
    import_hash = fields.Char(string="File SHA-256", readonly=True, copy=False)
    line_ids = fields.One2many(
        "logistics.freight.invoice.line", "invoice_id", string="Lines", copy=True
    )
    dispute_ids = fields.One2many("logistics.freight.dispute", "invoice_id")
    dispute_count = fields.Integer(compute="_compute_links")
    move_ids = fields.Many2many(
        "account.move", string="Vendor Bills", compute="_compute_links"
    )
    move_count = fields.Integer(compute="_compute_links")
    amount_total = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    line_count = fields.Integer(compute="_compute_amounts", store=True)
    matched_count = fields.Integer(compute="_compute_amounts", store=True)
    unmatched_count = fields.Integer(compute="_compute_amounts", store=True)
    discrepancy_count = fields.Integer(compute="_compute_amounts", store=True)
    to_review_count = fields.Integer(compute="_compute_amounts", store=True)

    _sql_constraints = [
        (
            "name_account_uniq",
            "unique(account_id, name)",
            "This carrier account already has a freight invoice with this number: "
            "an invoice can only be entered once.",
        )
    ]

    @api.depends("account_id")
    def _compute_partner_id(self):
        for invoice in self:
            if invoice.account_id.vendor_partner_id:
                invoice.partner_id = invoice.account_id.vendor_partner_id
            elif not invoice.partner_id:
                invoice.partner_id = False

    @api.depends(
        "line_ids.amount",
        "line_ids.match_state",
        "line_ids.classification",
        "line_ids.review_state",
    )
    def _compute_amounts(self):
        """Aggregated in SQL: an invoice may have 100,000 lines."""
        stats = defaultdict(lambda: defaultdict(float))
        real = self.filtered("id")
        if real.ids:
            groups = self.env["logistics.freight.invoice.line"]._read_group(
                [("invoice_id", "in", real.ids)],
                ["invoice_id", "match_state", "classification", "review_state"],
                ["amount:sum", "__count"],
            )
            for invoice, match, klass, review, amount, count in groups:
                data = stats[invoice.id]
                data["amount"] += amount
                data["count"] += count
                data[match] += count
                if klass not in ("pending", "matched"):
                    data["discrepancy"] += count
                if review == "to_review":
                    data["to_review"] += count
        for invoice in self:
            if invoice.id:
                data = stats[invoice.id]
                invoice.amount_total = data["amount"]
                invoice.line_count = int(data["count"])
                invoice.matched_count = int(data["matched"])
                invoice.unmatched_count = int(data["unmatched"])
                invoice.discrepancy_count = int(data["discrepancy"])
                invoice.to_review_count = int(data["to_review"])
            else:  # a new record in a form
                lines = invoice.line_ids
                invoice.amount_total = sum(lines.mapped("amount"))
                invoice.line_count = len(lines)
                invoice.matched_count = len(lines.filtered("shipment_id"))
                invoice.unmatched_count = len(lines) - invoice.matched_count
                invoice.discrepancy_count = 0
                invoice.to_review_count = len(lines)

    def _compute_links(self):
        for invoice in self:
            moves = self.env["account.move"].search(
                [("line_ids.logistics_freight_line_ids.invoice_id", "=", invoice.id)]
            )
            invoice.move_ids = moves
            invoice.move_count = len(moves)
            invoice.dispute_count = len(invoice.dispute_ids)

    @api.constrains("currency_id")
    def _check_currency_active(self):
        for invoice in self:
            invoice._check_active_currency(ValidationError)

    def _check_active_currency(self, error=UserError):
        currency = self.currency_id.sudo()
        if currency and not currency.active:
            raise error(
                _(
                    "Freight invoice %(invoice)s is in %(currency)s, a currency that "
                    "is not active: activate it (Accounting > Configuration > "
                    "Currencies) or correct the invoice's currency first.",
                    invoice=self.name,
                    currency=currency.name,
                )
            )

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.account_id and self.account_id.company_id:
            self.company_id = self.account_id.company_id

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    @api.model
    def _check_finance(self):
        if not self.env.user.has_group(FINANCE_GROUP):
            raise AccessError(
                _(
                    "Only Logistics Finance users approve, dispute, write off and "
                    "bill freight invoice lines."
                )
            )

    # ------------------------------------------------------------------
    # Matching and classification
    # ------------------------------------------------------------------
    def _refresh_lines_cache(self):
        self.env["logistics.freight.invoice.line"].invalidate_model()
        self.invalidate_recordset()
        self.modified(["line_ids"])
        self.env.flush_all()

    def _match_and_classify(self):
        """One set-based statement for all the invoices' lines.

        Returns {invoice id: number of lines matched now}.
        """
        self.env.flush_all()
        params = {"invoice_ids": tuple(self.ids), "uid": self.env.uid}
        cr = self.env.cr
        cr.execute(
            "SELECT count(*) FROM logistics_freight_invoice_line "
            "WHERE invoice_id IN %s AND review_state = 'to_review'",
            (params["invoice_ids"],),
        )
        large = cr.fetchone()[0] >= LARGE_MATCH_LINES
        settings = {}
        if large:
            # The CTEs carry no statistics: PostgreSQL estimates a handful of
            # rows and nests loops over them, quadratic on a large invoice,
            # where hash joins are right. So a large invoice is matched
            # without nested loops. That switch adds a 1e10 penalty to every
            # plan it cannot avoid, which pushes the estimated cost past
            # jit_above_cost: JIT would then spend seconds compiling a
            # statement that runs in well under that. JIT stays off for this
            # statement only, for that reason. Small invoices (the usual file)
            # keep the planner's defaults and run in milliseconds.
            cr.execute(
                "SELECT current_setting('enable_nestloop'), current_setting('jit')"
            )
            settings = dict(zip(("enable_nestloop", "jit"), cr.fetchone(), strict=True))
            cr.execute("SET LOCAL enable_nestloop = off")
            cr.execute("SET LOCAL jit = off")
        try:
            cr.execute(MATCH_QUERY if large else MATCH_QUERY_SMALL, params)
            newly_matched = dict(cr.fetchall())
        finally:
            for name, value in settings.items():
                cr.execute("SELECT set_config(%s, %s, true)", (name, value))
        self._refresh_lines_cache()
        return newly_matched

    def action_match(self):
        """Match the lines to shipments and classify them, set-based."""
        if not self:
            return True
        if any(invoice.state == "done" for invoice in self):
            raise UserError(_("Invoices that are done cannot be matched again."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        newly_matched = self._match_and_classify()
        self.write({"state": "matched"})
        # charges on a vendor bill already, on these invoices or earlier ones
        self._mark_billed_twice()
        self._sync_exceptions()
        labels = dict(CLASSIFICATIONS)
        counts = defaultdict(dict)
        for invoice, klass, count in self.env[
            "logistics.freight.invoice.line"
        ]._read_group(
            [("invoice_id", "in", self.ids), ("review_state", "=", "to_review")],
            ["invoice_id", "classification"],
            ["__count"],
        ):
            counts[invoice.id][labels[klass]] = count
        for invoice in self:
            summary = ", ".join(
                f"{label}: {count}"
                for label, count in sorted(counts[invoice.id].items())
            )
            invoice.message_post(
                body=_(
                    "Matching by %(user)s: %(new)s line(s) matched now in this run; "
                    "%(matched)s of %(total)s matched, %(unmatched)s without a known "
                    "shipment. To review: %(summary)s.",
                    user=self.env.user.name,
                    new=newly_matched.get(invoice.id, 0),
                    matched=invoice.matched_count,
                    total=invoice.line_count,
                    unmatched=invoice.unmatched_count,
                    summary=summary or "-",
                )
            )
        return True

    def _sync_exceptions(self):
        """Discrepancies as logistics exceptions, when monitoring is installed.

        One open exception (category ``reconciliation``) per shipment, and one
        per invoice for the lines of unknown shipments; a rerun updates them.
        """
        module = self.env["ir.module.module"].sudo()._get("logistics_monitoring")
        if module.state != "installed":
            return self.env["logistics.exception"]
        exception_model = (
            self.env["logistics.exception"]
            .sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True)
        )
        lines = self.env["logistics.freight.invoice.line"].search(
            [
                ("invoice_id", "in", self.ids),
                ("review_state", "=", "to_review"),
                ("is_discrepancy", "=", True),
            ]
        )
        if not lines:
            return exception_model
        labels = dict(CLASSIFICATIONS)
        responsible = exception_model._default_responsible(
            FINANCE_GROUP, self.env.company
        )
        # the stage of a new exception, looked up once (not once per record)
        stage = self.env["logistics.exception.stage"].sudo()._stage_for_state("open")
        new_state = {"state": "open"}
        if stage:
            new_state["stage_id"] = stage.id
        by_shipment = defaultdict(lambda: self.env["logistics.freight.invoice.line"])
        unknown = defaultdict(lambda: self.env["logistics.freight.invoice.line"])
        for line in lines:
            if line.shipment_id:
                by_shipment[line.shipment_id] |= line
            else:
                unknown[line.invoice_id] |= line
        existing = {
            exc.shipment_id: exc
            for exc in exception_model.search(
                [
                    ("shipment_id", "in", [s.id for s in by_shipment]),
                    ("category", "=", "reconciliation"),
                    ("state", "=", "open"),
                ]
            )
        }

        def describe(group):
            parts = defaultdict(float)
            for line in group:
                parts[labels[line.classification]] += line.amount
            return ", ".join(f"{k} ({v:.2f})" for k, v in sorted(parts.items()))

        to_create, created_for, links = [], [], []
        for shipment, group in by_shipment.items():
            message = _(
                "Freight invoice %(invoice)s: %(what)s.",
                invoice=", ".join(sorted(set(group.invoice_id.mapped("name")))),
                what=describe(group),
            )
            if shipment in existing:
                exc = existing[shipment]
                exc.write({"message": message, "occurrences": exc.occurrences + 1})
                links += [(line_id, exc.id) for line_id in group.ids]
                continue
            to_create.append(
                {
                    "name": _("%s: reconciliation", shipment.name),
                    "shipment_id": shipment.id,
                    "company_id": shipment.company_id.id,
                    "category": "reconciliation",
                    "message": message,
                    "user_id": responsible.id,
                    **new_state,
                }
            )
            created_for.append(group)
        for invoice, group in unknown.items():
            message = _(
                "Freight invoice %(invoice)s bills %(count)s line(s) "
                "(%(amount).2f) for tracking numbers no shipment of "
                "%(account)s carries: %(numbers)s",
                invoice=invoice.name,
                count=len(group),
                amount=sum(group.mapped("amount")),
                account=invoice.account_id.name,
                numbers=", ".join(
                    sorted({n for n in group.mapped("tracking_number") if n})[:20]
                ),
            )
            opened = group.exception_id.sudo().filtered(lambda e: e.state == "open")
            previous = opened[:1]
            if previous:
                previous.write(
                    {"message": message, "occurrences": previous.occurrences + 1}
                )
                links += [(line_id, previous.id) for line_id in group.ids]
                continue
            to_create.append(
                {
                    "name": _("%s: unknown shipments billed", invoice.name),
                    "company_id": invoice.company_id.id,
                    "category": "reconciliation",
                    "message": message,
                    "user_id": responsible.id,
                    **new_state,
                }
            )
            created_for.append(group)
        created = exception_model.create(to_create)
        for exc, group in zip(created, created_for, strict=True):
            links += [(line_id, exc.id) for line_id in group.ids]
        # one statement links every line to its exception
        self.env.flush_all()
        if links:
            execute_values(
                self.env.cr._obj,
                "UPDATE logistics_freight_invoice_line AS line "
                "SET exception_id = v.exc "
                "FROM (VALUES %s) AS v(id, exc) WHERE line.id = v.id",
                links,
                page_size=len(links),
            )
        lines.invalidate_recordset(["exception_id"])
        return created

    def _resolve_exceptions(self, lines):
        """Close the exceptions whose lines are all decided."""
        exceptions = lines.exception_id.filtered(lambda e: e.state == "open")
        if not exceptions:
            return
        pending = self.env["logistics.freight.invoice.line"].search(
            [
                ("exception_id", "in", exceptions.ids),
                ("review_state", "in", ("to_review", "disputed")),
            ]
        )
        done = exceptions - pending.exception_id
        if done:
            done.sudo().action_resolve(
                _("Freight invoice lines reviewed by %s.", self.env.user.name)
            )

    # ------------------------------------------------------------------
    # Vendor bills
    # ------------------------------------------------------------------
    def action_create_vendor_bill(self):
        self._check_finance()
        moves = self.env["account.move"]
        twice = self.env["logistics.freight.invoice.line"]
        for invoice in self:
            move, invoice_twice = invoice._create_vendor_bill()
            moves |= move
            twice |= invoice_twice
        if not moves and twice:
            # not an error: the lines found billed twice stay marked so
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "title": _("Nothing billed"),
                    "message": _(
                        "%s line(s) bill a carrier charge that is on a vendor bill "
                        "already: they are marked 'Billed twice' and back to "
                        "review (dispute them with the carrier). Nothing else "
                        "was left to bill.",
                        len(twice),
                    ),
                },
            }
        if not moves:
            raise UserError(
                _(
                    "Nothing to bill: approve or write off lines first. Lines "
                    "already on a vendor bill are never billed again."
                )
            )
        return self._action_open_moves(moves)

    def _mark_billed_twice(self):
        """Unbilled lines billing a carrier charge already on a vendor bill.

        Every unbilled line of the accounts (of these invoices or of others,
        approved or not) billing a charge of these invoices' tracking numbers
        that a vendor bill pays already becomes 'billed twice', to review: it
        is never billed. Returns those lines.
        """
        line_model = self.env["logistics.freight.invoice.line"]
        if not self:
            return line_model
        self.env.flush_all()
        self.env.cr.execute(
            BILLED_TWICE_QUERY,
            {
                "account_ids": tuple(self.account_id.ids),
                "invoice_ids": tuple(self.ids),
                "uid": self.env.uid,
            },
        )
        twice = line_model.browse([row[0] for row in self.env.cr.fetchall()])
        if not twice:
            return twice
        self._refresh_lines_cache()
        twice.invoice_id._refresh_lines_cache()
        twice.invoice_id.filtered(lambda inv: inv.state == "done").write(
            {"state": "matched"}
        )
        for invoice in twice.invoice_id:
            group = twice.filtered(lambda line, inv=invoice: line.invoice_id == inv)
            invoice.message_post(
                body=_(
                    "%(count)s line(s) (%(amount).2f %(currency)s) bill carrier "
                    "charges already on a vendor bill: marked 'Billed twice' and "
                    "back to review, they are never billed. Tracking numbers: "
                    "%(numbers)s.",
                    count=len(group),
                    amount=sum(group.mapped("amount")),
                    currency=invoice.currency_id.name,
                    numbers=", ".join(sorted(set(group.mapped("tracking_number"))))[
                        :500
                    ],
                )
            )
        return twice

    def _create_vendor_bill(self):
        """One vendor bill for the payable lines not billed yet (or no bill).

        Returns ``(bill, lines found billed twice)``.
        """
        self.ensure_one()
        self._check_finance()
        if not self.partner_id:
            raise UserError(
                _(
                    "Freight invoice %s has no carrier vendor: set the vendor on the "
                    "invoice or on its carrier account.",
                    self.name,
                )
            )
        self._check_active_currency()
        line_model = self.env["logistics.freight.invoice.line"]
        no_bill = self.env["account.move"]
        candidates = line_model.search(
            [
                ("invoice_id", "=", self.id),
                ("review_state", "in", PAYABLE_STATES),
                ("move_line_id", "=", False),
            ]
        )
        if not candidates:
            return no_bill, line_model
        # charges billed already (by any invoice): never billed again
        twice = self._mark_billed_twice()
        candidates = (candidates - twice).filtered(
            lambda line: line.review_state in PAYABLE_STATES
        )
        if not candidates:
            return no_bill, twice
        self.env.flush_all()
        self.env.cr.execute(
            BILL_ACQUIRE_QUERY,
            {
                "scope": BILL_SCOPE,
                "uid": self.env.uid,
                "line_ids": tuple(candidates.ids),
            },
        )
        acquired = line_model.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        if not acquired:
            return no_bill, twice | self._mark_billed_twice()
        account = self.account_id
        expense = self.env["logistics.freight.expense.account"]._accounts_for(account)
        labels = dict(CHARGE_TYPES)
        groups = defaultdict(lambda: line_model)
        for line in acquired:
            analytic = False
            if account.recon_analytic_by_warehouse:
                warehouse = line.shipment_id.picking_id.picking_type_id.warehouse_id
                analytic = warehouse.logistics_analytic_account_id
            groups[(line.charge_type, analytic)] |= line
        keys = sorted(groups, key=lambda k: (k[0], k[1].id if k[1] else 0))
        invoice_lines = []
        for sequence, key in enumerate(keys, start=1):
            charge_type, analytic = key
            group = groups[key]
            name = _(
                "%(invoice)s: %(charge)s (%(count)s line(s))",
                invoice=self.name,
                charge=labels[charge_type],
                count=len(group),
            )
            if analytic:
                name = f"{name} - {analytic.name}"
            vals = {
                "sequence": sequence * 10,
                "name": name,
                "quantity": 1.0,
                "price_unit": sum(group.mapped("amount")),
                "account_id": expense[charge_type].id,
                "tax_ids": [(6, 0, account.recon_tax_ids.ids)],
            }
            if analytic:
                vals["analytic_distribution"] = {str(analytic.id): 100.0}
            invoice_lines.append((0, 0, vals))
        move = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.partner_id.id,
                    "invoice_date": self.invoice_date,
                    "ref": self.name,
                    "invoice_origin": self.name,
                    "currency_id": self.currency_id.id,
                    "company_id": self.company_id.id,
                    "invoice_line_ids": invoice_lines,
                }
            )
        )
        move_lines = move.invoice_line_ids.sorted("sequence")
        for key, move_line in zip(keys, move_lines, strict=True):
            groups[key].write({"move_line_id": move_line.id})
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            UPDATE logistics_idempotency_record
               SET state = 'succeeded', res_id = %s, result_ref = %s,
                   write_date = now() AT TIME ZONE 'UTC'
             WHERE scope = %s AND key IN (
                SELECT CASE WHEN line.tracking_number IS NOT NULL
                             AND line.amount > 0
                            THEN {CHARGE_KEY.format(l="line", i="inv")}
                            ELSE 'freight-line-' || line.id END
                  FROM logistics_freight_invoice_line line
                  JOIN logistics_freight_invoice inv ON inv.id = line.invoice_id
                 WHERE line.id IN %s)
            """,
            (
                move.id,
                move.name or str(move.id),
                BILL_SCOPE,
                tuple(acquired.ids),
            ),
        )
        # the same charges on other lines (this invoice's or others'): billed
        # twice from now on
        twice |= self._mark_billed_twice()
        total = sum(acquired.mapped("amount"))
        self.message_post(
            body=_(
                "Vendor bill %(bill)s created by %(user)s for %(count)s line(s), "
                "%(amount).2f %(currency)s before taxes.",
                bill=move._get_html_link(),
                user=self.env.user.name,
                count=len(acquired),
                amount=total,
                currency=self.currency_id.name,
            )
        )
        move.message_post(
            body=_("Created from freight invoice %s.", self._get_html_link())
        )
        return move, twice

    def _action_open_moves(self, moves):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account.action_move_in_invoice_type"
        )
        if len(moves) == 1:
            action.update(
                {
                    "res_id": moves.id,
                    "views": [(self.env.ref("account.view_move_form").id, "form")],
                    "view_mode": "form",
                }
            )
        else:
            action["domain"] = [("id", "in", moves.ids)]
        return action

    def action_view_bills(self):
        self.ensure_one()
        return self._action_open_moves(self.move_ids)

    def action_view_disputes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Disputes"),
            "res_model": "logistics.freight.dispute",
            "view_mode": "tree,form",
            "domain": [("invoice_id", "=", self.id)],
            "context": {"default_invoice_id": self.id},
        }

    def action_open_reconcile_wizard(self):
        self.ensure_one()
        self._check_finance()
        if self.state == "draft":
            self.action_match()
        wizard = self.env["logistics.freight.reconcile.wizard"].create(
            {"invoice_id": self.id}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Reconcile %s", self.name),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_reconciliation.action_logistics_freight_invoice_line"
        )
        action["domain"] = [("invoice_id", "=", self.id)]
        action["context"] = {"search_default_group_classification": 1}
        return action

    # ------------------------------------------------------------------
    # States
    # ------------------------------------------------------------------
    def action_done(self):
        self.check_access_rights("write")
        self.check_access_rule("write")
        if any(invoice.state != "matched" for invoice in self):
            raise UserError(_("Only matched invoices can be marked as done."))
        if any(invoice.to_review_count for invoice in self):
            raise UserError(
                _("Review every line (approve, dispute or write off) first.")
            )
        disputed = self.env["logistics.freight.invoice.line"].search(
            [("invoice_id", "in", self.ids), ("review_state", "=", "disputed")]
        )
        if disputed:
            raise UserError(
                _(
                    "Freight invoice %(invoices)s has open disputes (%(disputes)s): "
                    "close them (credited or rejected by the carrier) before "
                    "marking the invoice as done.",
                    invoices=", ".join(disputed.invoice_id.mapped("name")),
                    disputes=", ".join(disputed.dispute_id.mapped("name")),
                )
            )
        self.write({"state": "done"})
        return True

    def action_reset_to_draft(self):
        self.check_access_rights("write")
        self.check_access_rule("write")
        self.write({"state": "draft"})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(invoice.state == "done" for invoice in self):
            raise UserError(_("A freight invoice that is done cannot be deleted."))
        if self.line_ids.filtered("move_line_id"):
            raise UserError(
                _("A freight invoice with lines on a vendor bill cannot be deleted.")
            )
