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
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .logistics_freight_expense_account import CHARGE_TYPES

_WHITESPACE = re.compile(r"\s+")
# NUL and the other control characters (tabs and line breaks only in free text)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# a plain decimal number, no nan/inf; an exponent is accepted (checked after)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?")
# amounts and weights are below this (a freight charge is never a trillion)
MAX_NUMBER = Decimal(10) ** 12
# the longest text a cell may hold, per column (others: DEFAULT_TEXT_LIMIT)
TEXT_LIMITS = {
    "invoice_number": 64,
    "account_number": 64,
    "currency": 3,
    "tracking_number": 64,
    "lead_tracking_number": 64,
    "service": 128,
    "billed_weight": 32,
    "weight_unit": 16,
    "dimensions": 64,
    "charge_class": 64,
    "charge_code": 32,
    "charge_description": 256,
    "amount": 32,
    "invoice_date": 32,
    "ship_date": 32,
    "row_type": 64,
}
DEFAULT_TEXT_LIMIT = 256
# how much of a bad cell a message repeats
ECHO_LIMIT = 40

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


def echo(value, limit=ECHO_LIMIT):
    """A cell's text as a message repeats it: bounded, control chars shown."""
    value = "".join(
        repr(char)[1:-1] if _CONTROL.match(char) else char for char in str(value)
    )
    if len(value) <= limit:
        return value
    return f"{value[:limit]}... ({len(value):,} characters)"


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

    def _parse_number(self, text, comma=None):
        """The cell's text as a finite :class:`~decimal.Decimal`.

        Raises ValueError for anything else (nan, inf, 1e400, letters...).
        """
        text = (text or "").strip().replace(" ", "")
        if not text:
            return Decimal(0)
        if comma is None:
            comma = self.decimal_separator == ","
        if comma:
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
        negative = text.endswith("-")  # 12.50- (trailing sign)
        if negative:
            text = text[:-1]
        if not _NUMBER.fullmatch(text):
            raise ValueError(text)
        value = Decimal(text)
        if not value.is_finite() or abs(value) >= MAX_NUMBER:
            raise ValueError(text)
        return -value if negative else value

    def _parse_date(self, text, date_format=None, memo=None):
        """The cell's date; ``memo`` (a dict) remembers the texts seen."""
        text = (text or "").strip()
        if not text:
            return False
        if memo is not None and text in memo:
            return memo[text]
        value = datetime.strptime(text, date_format or self.date_format).date()
        if memo is not None:
            memo[text] = value
        return value

    def _column_label(self, key):
        """'Amount (column 12)': how a message names a column to the user."""
        for fname, ckey, label in COLUMNS:
            if ckey == key:
                return _(
                    "%(label)s (column %(spec)s)",
                    label=label,
                    spec=(self[fname] or "").strip() or "-",
                )
        return key

    def _parse(self, data):
        """Parse the file's bytes.

        Returns ``(rows, errors)``: ``rows`` a list of dicts (one per charge row,
        with its 1-based ``row`` number), ``errors`` a list of
        ``(row number, reason)``, every problem of every row, each naming its
        column. Nothing is written.
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
                    error=echo(str(err), 120),
                )
            ) from err
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        header = None
        if self.has_header:
            try:
                header = next(reader, None)
            except csv.Error as err:
                raise ValidationError(
                    _("The header row cannot be read as CSV: %s", echo(str(err), 120))
                ) from err
            if header is None:
                raise ValidationError(_("The file is empty."))
        indexes = self._column_indexes(header)
        charge_map = self._charge_map()
        # the profile's settings read once, dates parsed once per text
        options = {
            "comma": self.decimal_separator == ",",
            "date_format": self.date_format,
            "dates": {},
            "charge_type": self.default_charge_type,
        }
        width = max(indexes.values()) + 1
        rows, errors = [], []
        first = 2 if self.has_header else 1
        row_no = first - 1
        while True:
            row_no += 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                errors.append(
                    (
                        row_no,
                        _(
                            "cannot be read as CSV (%s): check its quotes and "
                            "separators.",
                            echo(str(err), 120),
                        ),
                    )
                )
                break  # the reader cannot resume after a broken row
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) < width:
                errors.append(
                    (
                        row_no,
                        _(
                            "%(found)s columns, the profile needs at least "
                            "%(needed)s: complete the row or choose the right "
                            "layout.",
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
            row, problems = self._convert_row(raw, charge_map, options)
            row["row"] = row_no
            if problems:
                # still checked against the invoice (account, currency...)
                errors.extend((row_no, problem) for problem in problems)
                row["invalid"] = True
            rows.append(row)
        return rows, errors

    def _check_text(self, raw, problems):
        """Length and characters of the text cells; problems appended."""
        for key, value in raw.items():
            limit = TEXT_LIMITS.get(key, DEFAULT_TEXT_LIMIT)
            if len(value) > limit:
                problems.append(
                    _(
                        "%(column)s: %(length)s characters, at most %(limit)s "
                        "allowed ('%(value)s'): is it the right column?",
                        column=self._column_label(key),
                        length=len(value),
                        limit=limit,
                        value=echo(value),
                    )
                )
                continue
            control = _CONTROL.search(value)
            if control:
                problems.append(
                    _(
                        "%(column)s: contains a control character (%(char)s): "
                        "remove it from the file.",
                        column=self._column_label(key),
                        char=repr(control.group())[1:-1],
                    )
                )

    def _convert_row(self, raw, charge_map, options=None):
        """One raw row -> (values, [every problem of the row])."""
        if options is None:
            options = {
                "comma": self.decimal_separator == ",",
                "date_format": self.date_format,
                "dates": {},
                "charge_type": self.default_charge_type,
            }
        problems = []
        self._check_text(raw, problems)
        if problems:
            # numbers and dates of a broken cell would only repeat the problem
            bad = {
                key
                for key, value in raw.items()
                if len(value) > TEXT_LIMITS.get(key, DEFAULT_TEXT_LIMIT)
                or _CONTROL.search(value)
            }
            raw = {key: ("" if key in bad else value) for key, value in raw.items()}
        else:
            bad = set()
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
        values["charge_type"] = charge_map.get(klass, options["charge_type"])
        values["amount"] = None
        if "amount" not in bad:
            if not raw.get("amount"):
                problems.append(
                    _(
                        "%s: empty: every charge row needs its amount.",
                        self._column_label("amount"),
                    )
                )
            else:
                try:
                    values["amount"] = self._parse_number(
                        raw["amount"], options["comma"]
                    )
                except ValueError:
                    problems.append(
                        _(
                            "%(column)s: '%(value)s' is not a finite number below "
                            "%(max)s: write it like 12.50.",
                            column=self._column_label("amount"),
                            value=echo(raw["amount"]),
                            max=f"{MAX_NUMBER:,}",
                        )
                    )
        weight = Decimal(0)
        if "billed_weight" not in bad:
            try:
                weight = self._parse_number(raw.get("billed_weight"), options["comma"])
            except ValueError:
                problems.append(
                    _(
                        "%(column)s: '%(value)s' is not a finite number below "
                        "%(max)s: write it like 2.5.",
                        column=self._column_label("billed_weight"),
                        value=echo(raw["billed_weight"]),
                        max=f"{MAX_NUMBER:,}",
                    )
                )
            if weight < 0:
                problems.append(
                    _(
                        "%(column)s: negative weight %(value)s: a billed weight "
                        "is zero or more.",
                        column=self._column_label("billed_weight"),
                        value=echo(raw["billed_weight"]),
                    )
                )
        unit = (raw.get("weight_unit") or "").upper()
        if unit not in WEIGHT_UNITS:
            problems.append(
                _(
                    "%(column)s: unknown weight unit '%(value)s': use one of "
                    "%(units)s.",
                    column=self._column_label("weight_unit"),
                    value=echo(raw["weight_unit"]),
                    units=", ".join(u for u in WEIGHT_UNITS if u),
                )
            )
        else:
            values["billed_weight"] = round(float(weight) * WEIGHT_UNITS[unit], 3)
        for key in ("invoice_date", "ship_date"):
            try:
                values[key] = self._parse_date(
                    raw.get(key), options["date_format"], options["dates"]
                )
            except ValueError:
                problems.append(
                    _(
                        "%(column)s: date '%(value)s' does not have the format "
                        "%(format)s: correct it or the layout's date format.",
                        column=self._column_label(key),
                        value=echo(raw[key]),
                        format=options["date_format"],
                    )
                )
        return values, problems
