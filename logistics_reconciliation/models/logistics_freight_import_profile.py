# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Column mapping of a carrier's billing file (CSV), and its parser.

A column is named by its 1-based position ("21") or, in files with a header
row, by its header ("Tracking Number", compared case-insensitively).
"""

import csv
import io
import re
from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .logistics_freight_expense_account import CHARGE_TYPES

_WHITESPACE = re.compile(r"\s+")

# to kilograms
WEIGHT_UNITS = {
    "": 1.0,
    "K": 1.0,
    "KG": 1.0,
    "KGS": 1.0,
    "L": 0.45359237,
    "LB": 0.45359237,
    "LBS": 0.45359237,
    "O": 0.028349523125,
    "OZ": 0.028349523125,
    "G": 0.001,
}

# profile field -> (line/invoice key, label)
COLUMNS = [
    ("col_invoice_number", "invoice_number", "Invoice number"),
    ("col_invoice_date", "invoice_date", "Invoice date"),
    ("col_account_number", "account_number", "Account number"),
    ("col_currency", "currency", "Currency"),
    ("col_tracking_number", "tracking_number", "Tracking number"),
    ("col_lead_tracking_number", "lead_tracking_number", "Lead shipment number"),
    ("col_ship_date", "ship_date", "Shipping date"),
    ("col_service", "service", "Service"),
    ("col_billed_weight", "billed_weight", "Billed weight"),
    ("col_weight_unit", "weight_unit", "Weight unit"),
    ("col_dimensions", "dimensions", "Dimensions"),
    ("col_charge_class", "charge_class", "Charge class"),
    ("col_charge_code", "charge_code", "Charge code"),
    ("col_charge_description", "charge_description", "Charge description"),
    ("col_amount", "amount", "Amount"),
    ("col_row_type", "row_type", "Row type"),
]


REQUIRED_KEYS = ("tracking_number", "amount")


def normalize_tracking_number(number):
    """The form tracking numbers are stored and compared in."""
    if not number:
        return number
    return _WHITESPACE.sub("", number).upper()


class LogisticsFreightImportProfile(models.Model):
    _name = "logistics.freight.import.profile"
    _description = "Freight Invoice Import Profile"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    carrier_code = fields.Char(
        help="The carrier code of the accounts this profile is proposed for "
        "(ups, dhl...). Empty: any carrier."
    )
    note = fields.Text(translate=True)
    has_header = fields.Boolean(
        string="Header Row",
        default=True,
        help="The first row names the columns. Headerless files (UPS Billing "
        "Data) name their columns by position.",
    )
    delimiter = fields.Char(default=",", required=True, size=1)
    encoding = fields.Char(default="utf-8-sig", required=True)
    decimal_separator = fields.Selection(
        [(".", "Point (1234.56)"), (",", "Comma (1234,56)")],
        default=".",
        required=True,
    )
    date_format = fields.Char(
        default="%Y-%m-%d",
        required=True,
        help="Python strptime format of the dates, e.g. %Y-%m-%d or %d.%m.%Y.",
    )
    row_type_value = fields.Char(
        help="When a row type column is mapped, only rows with this value are "
        "charge rows (other rows, e.g. an invoice header row, are skipped)."
    )
    charge_class_map = fields.Text(
        default="base:base\nfuel:fuel\nsurcharge:surcharge\nother:other",
        help="One 'CODE:type' per line: the value of the charge class column and "
        "the charge type it means (base, fuel, surcharge, other).",
    )
    default_charge_type = fields.Selection(
        CHARGE_TYPES,
        default="surcharge",
        required=True,
        help="Charge type of rows whose charge class is not in the map.",
    )
    col_invoice_number = fields.Char("Invoice Number Column")
    col_invoice_date = fields.Char("Invoice Date Column")
    col_account_number = fields.Char("Account Number Column")
    col_currency = fields.Char("Currency Column")
    col_tracking_number = fields.Char("Tracking Number Column", required=True)
    col_lead_tracking_number = fields.Char("Lead Shipment Number Column")
    col_ship_date = fields.Char("Shipping Date Column")
    col_service = fields.Char("Service Column")
    col_billed_weight = fields.Char("Billed Weight Column")
    col_weight_unit = fields.Char("Weight Unit Column")
    col_dimensions = fields.Char("Dimensions Column")
    col_charge_class = fields.Char("Charge Class Column")
    col_charge_code = fields.Char("Charge Code Column")
    col_charge_description = fields.Char("Charge Description Column")
    col_amount = fields.Char("Amount Column", required=True)
    col_row_type = fields.Char("Row Type Column")

    @api.constrains("has_header", *[c[0] for c in COLUMNS])
    def _check_columns(self):
        for profile in self:
            for fname, _key, label in COLUMNS:
                spec = (profile[fname] or "").strip()
                if not spec or spec.isdigit() and int(spec) > 0:
                    continue
                if not profile.has_header:
                    raise ValidationError(
                        _(
                            "Profile %(profile)s: the file has no header row, so the "
                            "%(column)s column must be a position (1, 2, ...), not "
                            "'%(spec)s'.",
                            profile=profile.name,
                            column=label,
                            spec=spec,
                        )
                    )

    @api.constrains("charge_class_map")
    def _check_charge_class_map(self):
        for profile in self:
            profile._charge_map()

    def _charge_map(self):
        self.ensure_one()
        valid = dict(CHARGE_TYPES)
        mapping = {}
        for raw in (self.charge_class_map or "").splitlines():
            if not raw.strip():
                continue
            code, sep, ctype = raw.partition(":")
            ctype = ctype.strip().lower()
            if not sep or ctype not in valid:
                raise ValidationError(
                    _(
                        "Profile %(profile)s: '%(line)s' is not 'CODE:type' with a "
                        "type among %(types)s.",
                        profile=self.name,
                        line=raw.strip(),
                        types=", ".join(valid),
                    )
                )
            mapping[code.strip().upper()] = ctype
        return mapping

    # ------------------------------------------------------------------
    # Parsing
    # ------------------------------------------------------------------
    def _column_indexes(self, header):
        """{key: 0-based index} of the mapped columns; raises when one is missing."""
        self.ensure_one()
        names = {}
        if header is not None:
            names = {(h or "").strip().lower(): i for i, h in enumerate(header)}
        indexes = {}
        for fname, key, label in COLUMNS:
            spec = (self[fname] or "").strip()
            if not spec:
                continue
            if spec.isdigit():
                indexes[key] = int(spec) - 1
            elif spec.lower() in names:
                indexes[key] = names[spec.lower()]
            elif key not in REQUIRED_KEYS:
                continue  # an optional column this file does not have
            else:
                raise ValidationError(
                    _(
                        "The file has no column '%(spec)s' (%(column)s) that the "
                        "profile %(profile)s expects. Columns found: %(found)s.",
                        spec=spec,
                        column=label,
                        profile=self.name,
                        found=", ".join(h for h in (header or []) if h) or "-",
                    )
                )
        return indexes

    def _parse_number(self, text):
        text = (text or "").strip().replace(" ", "")
        if not text:
            return 0.0
        if self.decimal_separator == ",":
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
        negative = text.endswith("-")  # 12.50- (trailing sign)
        value = float(text.rstrip("-"))
        return -value if negative else value

    def _parse_date(self, text):
        text = (text or "").strip()
        if not text:
            return False
        return datetime.strptime(text, self.date_format).date()

    def _parse(self, data):
        """Parse the file's bytes.

        Returns ``(rows, errors)``: ``rows`` a list of dicts (one per charge row,
        with its 1-based ``row`` number), ``errors`` a list of
        ``(row number, reason)``. Nothing is written.
        """
        self.ensure_one()
        try:
            text = data.decode(self.encoding or "utf-8-sig")
        except (UnicodeDecodeError, LookupError) as err:
            raise ValidationError(
                _(
                    "The file cannot be read as %(encoding)s text (%(error)s). Is it "
                    "the CSV file of the carrier, and the right import profile?",
                    encoding=self.encoding,
                    error=err,
                )
            ) from err
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        header = None
        if self.has_header:
            header = next(reader, None)
            if header is None:
                raise ValidationError(_("The file is empty."))
        indexes = self._column_indexes(header)
        charge_map = self._charge_map()
        width = max(indexes.values()) + 1
        rows, errors = [], []
        first = 2 if self.has_header else 1
        for row_no, cells in enumerate(reader, start=first):
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) < width:
                errors.append(
                    (
                        row_no,
                        _(
                            "%(found)s columns, the profile needs at least %(needed)s.",
                            found=len(cells),
                            needed=width,
                        ),
                    )
                )
                continue
            raw = {key: cells[index].strip() for key, index in indexes.items()}
            if (
                "row_type" in raw
                and self.row_type_value
                and raw["row_type"] != self.row_type_value
            ):
                continue
            row, problem = self._convert_row(raw, charge_map)
            if problem:
                errors.append((row_no, problem))
                continue
            row["row"] = row_no
            rows.append(row)
        return rows, errors

    def _convert_row(self, raw, charge_map):
        """One raw row -> (values, None) or (None, reason)."""
        values = {
            "invoice_number": raw.get("invoice_number") or False,
            "account_number": raw.get("account_number") or False,
            "currency": (raw.get("currency") or "").upper() or False,
            "tracking_number": normalize_tracking_number(
                raw.get("tracking_number") or raw.get("lead_tracking_number") or ""
            )
            or False,
            "lead_tracking_number": normalize_tracking_number(
                raw.get("lead_tracking_number") or ""
            )
            or False,
            "service": raw.get("service") or False,
            "dimensions": raw.get("dimensions") or False,
            "charge_code": raw.get("charge_code") or False,
            "charge_description": raw.get("charge_description") or False,
        }
        klass = (raw.get("charge_class") or "").upper()
        values["charge_type"] = charge_map.get(klass, self.default_charge_type)
        if not raw.get("amount"):
            return None, _("no amount.")
        try:
            values["amount"] = self._parse_number(raw["amount"])
        except ValueError:
            return None, _("amount '%s' is not a number.", raw["amount"])
        try:
            weight = self._parse_number(raw.get("billed_weight"))
        except ValueError:
            return None, _("billed weight '%s' is not a number.", raw["billed_weight"])
        unit = (raw.get("weight_unit") or "").upper()
        if unit not in WEIGHT_UNITS:
            return None, _("unknown weight unit '%s'.", raw["weight_unit"])
        if weight < 0:
            return None, _("negative billed weight %s.", raw["billed_weight"])
        values["billed_weight"] = round(weight * WEIGHT_UNITS[unit], 3)
        for key in ("invoice_date", "ship_date"):
            try:
                values[key] = self._parse_date(raw.get(key))
            except ValueError:
                return None, _(
                    "date '%(value)s' does not have the format %(format)s.",
                    value=raw[key],
                    format=self.date_format,
                )
        return values, None
