# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import hashlib
from collections import OrderedDict

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.logistics_connector_base.models.logistics_idempotency_record import (
    ACQUIRED,
)

from ..models.logistics_freight_import_profile import echo

LEDGER_SCOPE = "freight_invoice_import"
# the problems a refusal lists (each bounded in length, so is the message)
MAX_REPORTED_PROBLEMS = 100

LINE_COLUMNS = (
    "invoice_id",
    "company_id",
    "sequence",
    "import_row",
    "tracking_number",
    "lead_tracking_number",
    "ship_date",
    "service",
    "billed_weight",
    "dimensions",
    "charge_type",
    "charge_code",
    "charge_description",
    "amount",
)


class LogisticsFreightImportWizard(models.TransientModel):
    _name = "logistics.freight.import.wizard"
    _description = "Import a Carrier Freight Invoice File"

    account_id = fields.Many2one(
        "logistics.carrier.account", string="Carrier Account", required=True
    )
    carrier_code = fields.Selection(related="account_id.carrier_code")
    profile_id = fields.Many2one(
        "logistics.freight.import.profile",
        string="File Layout",
        required=True,
        compute="_compute_profile_id",
        store=True,
        readonly=False,
        domain="['|', ('carrier_code', '=', False), "
        "('carrier_code', '=', carrier_code)]",
    )
    data_file = fields.Binary(string="File", required=True, attachment=False)
    filename = fields.Char()
    invoice_number = fields.Char(
        help="Used when the file has no invoice number column."
    )
    invoice_date = fields.Date(
        default=fields.Date.context_today,
        help="Used when the file has no invoice date column.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        default=lambda self: self.env.company.currency_id,
        help="Used when the file has no currency column.",
    )
    match_after_import = fields.Boolean(
        string="Match at once",
        default=True,
        help="Match and classify the lines right after the import.",
    )

    @api.depends("account_id")
    def _compute_profile_id(self):
        profiles = self.env["logistics.freight.import.profile"]
        for wizard in self:
            code = wizard.account_id.carrier_code
            if not code or (
                wizard.profile_id and wizard.profile_id.carrier_code in (False, code)
            ):
                continue
            wizard.profile_id = profiles.search(
                [("carrier_code", "=", code)], limit=1
            ) or profiles.search([("carrier_code", "=", False)], limit=1)

    # ------------------------------------------------------------------
    def action_import(self):
        self.ensure_one()
        invoices = self._import_file()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "logistics_reconciliation.action_logistics_freight_invoice"
        )
        if len(invoices) == 1:
            action.update({"res_id": invoices.id, "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", invoices.ids)]
        return action

    def _import_file(self):
        """Parse, check every row, then create everything or nothing."""
        self.ensure_one()
        self.env["logistics.freight.invoice"]._check_finance()
        self.env["logistics.freight.invoice"].check_access_rights("create")
        data = base64.b64decode(self.data_file or b"")
        if not data.strip():
            raise UserError(_("The file is empty."))
        digest = hashlib.sha256(data).hexdigest()
        try:
            rows, errors = self.profile_id._parse(data)
        except ValidationError as err:
            raise UserError(err.args[0]) from err
        grouped = self._group_rows(rows, errors)
        if errors:
            self._raise_row_errors(errors)
        if not grouped:
            raise UserError(
                _(
                    "The file holds no charge rows for the layout %s: is it the "
                    "right file and layout?",
                    self.profile_id.name,
                )
            )
        ledger_entries = self._check_not_imported(digest, grouped)
        return self._create_invoices(digest, grouped, ledger_entries)

    def _group_rows(self, rows, errors):
        """{invoice number: {date, currency, rows}}; problems go to ``errors``.

        Every row is checked, also those the parser found problems in (they
        are not grouped): every problem of the file is reported at once.
        """
        account = self.account_id
        profile = self.profile_id
        currencies = {}
        grouped = OrderedDict()
        expected_account = (account.account_number or "").strip().upper()
        # the wizard's values read once (a file may have 100,000 rows)
        default_number = self.invoice_number or ""
        default_code = self.currency_id.name
        default_date = self.invoice_date
        for row in rows:
            row_no = row["row"]
            problems = []
            number = (row["invoice_number"] or default_number).strip()
            if not number:
                problems.append(
                    _(
                        "%s: empty, and the wizard has no invoice number: enter "
                        "one in the wizard.",
                        profile._column_label("invoice_number"),
                    )
                )
            billed_account = (row["account_number"] or "").strip().upper()
            if (
                expected_account
                and billed_account
                and billed_account.lstrip("0") != expected_account.lstrip("0")
            ):
                problems.append(
                    _(
                        "%(column)s: bills carrier account %(billed)s, not "
                        "%(account)s (%(name)s): import it for the right account.",
                        column=profile._column_label("account_number"),
                        billed=echo(row["account_number"]),
                        account=account.account_number,
                        name=account.name,
                    )
                )
            code = row["currency"] or default_code
            if code not in currencies:
                currencies[code] = (
                    self.env["res.currency"]
                    .with_context(active_test=False)
                    .search([("name", "=", code)], limit=1)
                )
            currency = currencies[code]
            column = profile._column_label("currency")
            if not currency:
                problems.append(
                    _(
                        "%(column)s: unknown currency '%(code)s': use an ISO code "
                        "such as EUR or USD.",
                        column=column,
                        code=echo(code),
                    )
                )
            elif not currency.active:
                problems.append(
                    _(
                        "%(column)s: currency %(code)s is not active: activate it "
                        "(Accounting > Configuration > Currencies) and import the "
                        "file again.",
                        column=column,
                        code=code,
                    )
                )
            elif row["amount"] is not None:
                places = max(currency.decimal_places, 0)
                if row["amount"] != round(row["amount"], places):
                    problems.append(
                        _(
                            "%(column)s: %(amount)s has more decimals than "
                            "%(code)s allows (%(places)s): round it.",
                            column=profile._column_label("amount"),
                            amount=echo(row["amount"]),
                            code=code,
                            places=places,
                        )
                    )
            entry = None
            if number and currency:
                entry = grouped.setdefault(
                    number,
                    {
                        "date": row["invoice_date"] or default_date,
                        "currency": currency,
                        "rows": [],
                    },
                )
                if entry["currency"] != currency:
                    problems.append(
                        _(
                            "%(column)s: currency %(code)s differs from the "
                            "invoice's %(invoice_code)s: one invoice, one currency.",
                            column=column,
                            code=code,
                            invoice_code=entry["currency"].name,
                        )
                    )
                if not entry["date"]:
                    problems.append(
                        _(
                            "%s: empty, and the wizard has no invoice date: enter "
                            "one in the wizard.",
                            profile._column_label("invoice_date"),
                        )
                    )
            errors.extend((row_no, problem) for problem in problems)
            if entry is not None and not problems and not row.get("invalid"):
                entry["rows"].append(row)
        return OrderedDict((k, v) for k, v in grouped.items() if v["rows"])

    def _raise_row_errors(self, errors):
        errors = sorted(errors, key=lambda error: error[0])
        rows = len({row for row, _reason in errors})
        shown = [
            _("Row %(row)s: %(reason)s", row=row, reason=reason)
            for row, reason in errors[:MAX_REPORTED_PROBLEMS]
        ]
        if len(errors) > MAX_REPORTED_PROBLEMS:
            shown.append(
                _(
                    "... and %s more problems.",
                    len(errors) - MAX_REPORTED_PROBLEMS,
                )
            )
        raise UserError(
            _(
                "Nothing was imported: %(count)s row(s) of %(file)s cannot be read "
                "(%(problems)s problem(s)). Correct them (or choose the right "
                "layout) and import the file again.\n%(rows)s",
                count=rows,
                problems=len(errors),
                file=echo(self.filename or _("the file"), 80),
                rows="\n".join(shown),
            )
        )

    def _check_not_imported(self, digest, grouped):
        """Refuse the same file, or an invoice number already entered."""
        account = self.account_id
        invoice_model = self.env["logistics.freight.invoice"].with_context(
            active_test=False
        )
        same_file = invoice_model.sudo().search(
            [("account_id", "=", account.id), ("import_hash", "=", digest)]
        )
        if same_file:
            self._refuse_file(same_file)
        existing = invoice_model.sudo().search(
            [("account_id", "=", account.id), ("name", "in", list(grouped))]
        )
        if existing:
            self._refuse_invoices(existing)
        ledger = self.env["logistics.idempotency.record"].sudo()
        keys = [(f"file:{account.id}:{digest}", digest)] + [
            (f"invoice:{account.id}:{number}", None) for number in grouped
        ]
        ledger_entries = []
        for key, fingerprint in keys:
            acquisition = ledger._acquire(
                LEDGER_SCOPE,
                key,
                fingerprint,
                res_model="logistics.freight.invoice",
            )
            if acquisition.status != ACQUIRED:
                record = ledger.browse(acquisition.record_id)
                previous = invoice_model.sudo().browse(record.res_id).exists()
                if previous:
                    if key.startswith("file:"):
                        self._refuse_file(
                            invoice_model.sudo().search(
                                [
                                    ("account_id", "=", account.id),
                                    ("import_hash", "=", digest),
                                ]
                            )
                            or previous
                        )
                    self._refuse_invoices(previous)
                # what it created was deleted since: the import may run again
            ledger_entries.append((acquisition.record_id, key))
        return ledger_entries

    def _refuse_file(self, invoices):
        raise UserError(
            _(
                "This file was already imported for %(account)s on %(date)s as "
                "freight invoice(s) %(invoices)s. A file is imported only once: to "
                "import it again, delete those invoices first.",
                account=self.account_id.name,
                date=fields.Date.to_string(min(invoices.mapped("create_date")).date()),
                invoices=", ".join(invoices.sorted("id").mapped("name")),
            )
        )

    def _refuse_invoices(self, invoices):
        raise UserError(
            _(
                "Freight invoice %(numbers)s of %(account)s was already imported "
                "(or entered). An invoice is imported only once: to import it "
                "again, delete the existing one first.",
                numbers=", ".join(invoices.mapped("name")),
                account=self.account_id.name,
            )
        )

    def _create_invoices(self, digest, grouped, ledger_entries):
        account = self.account_id
        invoices = self.env["logistics.freight.invoice"].create(
            [
                {
                    "name": number,
                    "account_id": account.id,
                    "company_id": account.company_id.id,
                    "invoice_date": entry["date"],
                    "currency_id": entry["currency"].id,
                    "import_filename": self.filename,
                    "import_hash": digest,
                }
                for number, entry in grouped.items()
            ]
        )
        self.env.flush_all()
        uid = self.env.uid
        values = []
        for invoice, entry in zip(invoices, grouped.values(), strict=True):
            for seq, row in enumerate(entry["rows"], start=1):
                values.append(
                    tuple(
                        None if value is False else value
                        for value in (
                            invoice.id,
                            invoice.company_id.id,
                            seq,
                            row["row"],
                            row["tracking_number"],
                            row["lead_tracking_number"],
                            row["ship_date"] or None,
                            row["service"],
                            row["billed_weight"],
                            row["dimensions"],
                            row["charge_type"],
                            row["charge_code"],
                            row["charge_description"],
                            row["amount"],
                        )
                    )
                )
        columns = ", ".join(LINE_COLUMNS)
        execute_values(
            self.env.cr._obj,
            f"""
            INSERT INTO logistics_freight_invoice_line
                ({columns}, match_state, classification, review_state,
                 create_uid, write_uid, create_date, write_date)
            VALUES %s
            """,
            values,
            template="("
            + ", ".join(["%s"] * len(LINE_COLUMNS))
            + f", 'unmatched', 'pending', 'to_review', {int(uid)}, {int(uid)}, "
            "now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')",
            page_size=5000,
        )
        invoices._refresh_lines_cache()
        ledger = self.env["logistics.idempotency.record"].sudo()
        by_number = {invoice.name: invoice for invoice in invoices}
        for record_id, key in ledger_entries:
            number = key.split(":", 2)[2] if key.startswith("invoice:") else None
            invoice = by_number.get(number, invoices[:1])
            ledger._finish(record_id, "succeeded", result_ref=invoice.name)
            self.env.cr.execute(
                "UPDATE logistics_idempotency_record SET res_id = %s WHERE id = %s",
                (invoice.id, record_id),
            )
        ledger.invalidate_model()
        for invoice, entry in zip(invoices, grouped.values(), strict=True):
            invoice.message_post(
                body=_(
                    "Imported by %(user)s from %(file)s (layout %(profile)s, "
                    "SHA-256 %(digest)s): %(count)s line(s).",
                    user=self.env.user.name,
                    file=self.filename or _("a file"),
                    profile=self.profile_id.name,
                    digest=digest[:16],
                    count=len(entry["rows"]),
                )
            )
        if self.match_after_import:
            invoices.action_match()
        return invoices
