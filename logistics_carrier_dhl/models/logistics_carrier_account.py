# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import re
import time
from datetime import datetime, timezone

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from logistics_carriers.dhl import (
    DEFAULT_PROFILE,
    DEFAULT_PUSH_HEADER,
    DOMESTIC_PRODUCTS,
    PRINT_FORMATS,
    PRODUCTS,
    needs_customs,
)

ADMIN_GROUP = "logistics_connector_base.group_logistics_admin"
DHL_LABEL_FORMATS = ("PDF", "ZPL")

_logger = logging.getLogger(__name__)
BUSY = object()


class AccountTrackPacer:
    """DHL tracking pace and daily quota kept on the account row.

    Every worker process books its next Unified call on the row (``SELECT
    ... FOR NO KEY UPDATE`` on a short cursor of its own, committed at once), so
    that all of them together keep DHL's published app limits (1 call a
    second, a daily quota). A booking that collides with another worker's
    (serialization failure) is simply made again.
    """

    attempts = 50

    def __init__(self, account):
        self._registry = account.env.registry
        self._account_id = account.id

    def _book(self, compute):
        for attempt in range(self.attempts):
            try:
                with self._registry.cursor() as cr:
                    cr.execute(
                        "SELECT dhl_track_next_at, dhl_track_day, dhl_track_count "
                        "FROM logistics_carrier_account WHERE id = %s "
                        # not FOR UPDATE: that lock makes the later foreign-key
                        # checks of rows referencing the account (integration
                        # log) fail on older snapshots
                        "FOR NO KEY UPDATE",
                        (self._account_id,),
                        log_exceptions=False,  # a collision is expected: retried
                    )
                    row = cr.fetchone() or (0.0, None, 0)
                    result, values = compute(*row)
                    cr.execute(
                        "UPDATE logistics_carrier_account SET dhl_track_next_at = %s, "
                        "dhl_track_day = %s, dhl_track_count = %s WHERE id = %s",
                        (*values, self._account_id),
                    )
                    return result
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                time.sleep(0.005 * (attempt + 1))
        _logger.warning(
            "DHL tracking pace of account %s not booked (busy): one interval waited",
            self._account_id,
        )
        return BUSY

    def reserve(self, key, interval, daily_limit):
        today = datetime.now(timezone.utc).date()

        def compute(next_at, day, count):
            now = time.time()
            count = count if day == today else 0
            if daily_limit and count >= daily_limit:
                return None, (next_at, today, count)
            start = max(now, float(next_at or 0.0))
            return start - now, (start + interval, today, count + 1)

        booked = self._book(compute)
        return float(interval) if booked is BUSY else booked  # None: quota used up

    def hold(self, key, seconds):
        def compute(next_at, day, count):
            until = max(float(next_at or 0.0), time.time() + seconds)
            return True, (until, day, count)

        self._book(compute)


class LogisticsCarrierAccount(models.Model):
    _inherit = "logistics.carrier.account"

    carrier_code = fields.Selection(
        selection_add=[("dhl", "DHL")],
        ondelete={"dhl": "cascade"},
    )
    dhl_billing_number = fields.Char(
        string="DHL Billing Number",
        size=14,
        tracking=True,
        help="DHL's 14-character billing number (Abrechnungsnummer): customer "
        "number (EKP, 10 digits) + product procedure (2 digits) + participation "
        "(2). Digits 11-12 are adapted to each product (01 DHL Paket, 53 Paket "
        "International, ...). DHL's sandbox uses 33333333330101.",
    )
    dhl_profile = fields.Char(
        string="DHL User Group Profile",
        default=DEFAULT_PROFILE,
        help="The business customer portal's user group profile entitled to the "
        "billing number; STANDARD_GRUPPENPROFIL when none was set up.",
    )
    dhl_product = fields.Selection(
        selection=list(PRODUCTS.items()),
        string="Default DHL Product",
        default="V01PAK",
        help="Used by shipping methods that set no carrier service code.",
    )
    dhl_auth_mode = fields.Selection(
        [
            ("basic", "API key + portal user (Basic)"),
            ("oauth", "OAuth (password grant)"),
        ],
        string="DHL Authentication",
        default="basic",
        groups=ADMIN_GROUP,
        help="Basic: the API key (Client ID) in the dhl-api-key header with the "
        "business customer portal user and password. OAuth: a token obtained "
        "with API key, client secret, portal user and password, cached on the "
        "account and refreshed when it expires.",
    )
    dhl_tracking_api_key = fields.Char(
        string="DHL Tracking API Key",
        groups=ADMIN_GROUP,
        copy=False,
        help="API key of the app subscribed to Shipment Tracking - Unified; "
        "leave empty when it is the same app as the Client ID.",
    )
    dhl_print_format = fields.Selection(
        selection=[(f, f) for f in PRINT_FORMATS],
        string="DHL Print Format",
        help="Label paper format; empty: the portal account's setting.",
    )
    dhl_language = fields.Selection(
        [("en-US", "English"), ("de-DE", "German")],
        string="DHL Message Language",
        default="en-US",
        help="Language of DHL's validation messages.",
    )
    dhl_must_encode = fields.Boolean(
        string="Only Print Codeable Addresses",
        help="DHL refuses German addresses it cannot route (postal code and city "
        "that do not match) instead of printing the label with a warning.",
    )
    dhl_shipper_ref = fields.Char(
        string="DHL Shipper Reference",
        help="A shipper address stored in the business customer portal (it can "
        "print your logo); when set, it replaces the warehouse address.",
    )
    dhl_retoure = fields.Boolean(
        string="Print a return label with every shipment (DHL Retoure)",
        tracking=True,
        help="Every DHL Paket (V01PAK) order also asks DHL for a prepaid DHL "
        "Retoure label back to the warehouse; it is stored on the shipment and "
        "the Return label button e-mails it to the customer.",
    )
    dhl_retoure_billing_number = fields.Char(
        string="DHL Retoure Billing Number",
        size=14,
        tracking=True,
        help="DHL's billing number for DHL Retoure (product procedure 07 in "
        "digits 11-12). Empty: the billing number above with procedure 07 "
        "(e.g. 33333333330701).",
    )
    dhl_tracking_url = fields.Char(
        string="Tracking Page URL",
        help="Customer-facing tracking link; {number} is replaced by the "
        "tracking number. Empty: DHL's public tracking page.",
    )
    dhl_push_header = fields.Char(
        string="DHL Push Header",
        default=DEFAULT_PUSH_HEADER,
        groups=ADMIN_GROUP,
        help="Header DHL's push subscription sends with the webhook secret as "
        "token (hook.authentication of the subscription).",
    )

    dhl_track_next_at = fields.Float(
        string="Next DHL Tracking Call (epoch)",
        readonly=True,
        copy=False,
        help="Shared pace of the Unified tracking calls of every worker.",
    )
    dhl_track_day = fields.Date(
        string="DHL Tracking Quota Day", readonly=True, copy=False
    )
    dhl_track_count = fields.Integer(
        string="DHL Tracking Calls Today", readonly=True, copy=False
    )

    def _get_adapter(self, shipment=None):
        adapter = super()._get_adapter(shipment=shipment)
        if self.carrier_code == "dhl":
            adapter.pacer = AccountTrackPacer(self)
            adapter.postal_code_lookup = self._dhl_recipient_postal_codes
        return adapter

    def _dhl_recipient_postal_codes(self, numbers):
        """{tracking number: recipient postal code} of this account's
        packages: Unified answers parcel-de's full data (signatory) only
        with ``recipientPostalCode``. The postal code is the one sent to
        DHL (the shipment's request), else the delivery address's."""
        self.ensure_one()
        packages = (
            self.env["logistics.shipment.package"]
            .sudo()
            .search(
                [
                    ("shipment_id.account_id", "=", self.id),
                    ("tracking_number", "in", list(numbers)),
                ]
            )
        )
        codes = {}
        for package in packages:
            shipment = package.shipment_id
            postal = ""
            if shipment.request_payload:
                try:
                    payload = json.loads(shipment.request_payload)
                    postal = (payload.get("recipient") or {}).get("zip") or ""
                except ValueError:
                    postal = ""
            codes[package.tracking_number] = postal or shipment.partner_id.zip or ""
        return codes

    @api.constrains("carrier_code", "label_format")
    def _check_dhl_label_format(self):
        for account in self:
            if (
                account.carrier_code == "dhl"
                and account.label_format not in DHL_LABEL_FORMATS
            ):
                raise ValidationError(
                    _(
                        "DHL prints labels as PDF or ZPL only: choose one of them "
                        "as label format of %s.",
                        account.display_name,
                    )
                )

    @api.constrains("dhl_billing_number")
    def _check_dhl_billing_number(self):
        for account in self:
            number = account.dhl_billing_number
            if number and not re.fullmatch(r"\w{10}\d{2}\w{2}", number):
                raise ValidationError(
                    _(
                        "%s is not a DHL billing number: 14 characters, 10 for the "
                        "customer number, 2 digits for the product, 2 for the "
                        "participation (e.g. 33333333330101).",
                        number,
                    )
                )

    @api.constrains("dhl_retoure_billing_number")
    def _check_dhl_retoure_billing_number(self):
        for account in self:
            number = account.dhl_retoure_billing_number
            if number and not re.fullmatch(r"\w{10}07\w{2}", number):
                raise ValidationError(
                    _(
                        "%s is not a DHL Retoure billing number: 14 characters "
                        "with the product procedure 07 in digits 11-12 (e.g. "
                        "33333333330701).",
                        number,
                    )
                )

    def _get_adapter_extra(self):
        extra = super()._get_adapter_extra()
        if self.carrier_code != "dhl":
            return extra
        account = self.sudo()
        extra.update(
            {
                "auth_mode": account.dhl_auth_mode or "basic",
                "billing_number": account.dhl_billing_number or "",
                "profile": account.dhl_profile or DEFAULT_PROFILE,
                "product": account.dhl_product or "V01PAK",
                "tracking_api_key": account.dhl_tracking_api_key or "",
                "print_format": account.dhl_print_format or "",
                "language": account.dhl_language or "en-US",
                "must_encode": bool(account.dhl_must_encode),
                "shipper_ref": account.dhl_shipper_ref or "",
                "tracking_url": account.dhl_tracking_url or "",
                "push_header": account.dhl_push_header or DEFAULT_PUSH_HEADER,
                "retoure": bool(account.dhl_retoure),
                "retoure_billing_number": account.dhl_retoure_billing_number or "",
            }
        )
        return extra

    def _dhl_preflight_problems(
        self, product, country_code, weights_kg, shipper_country_code=None
    ):
        """What DHL would refuse, in words the warehouse can act on."""
        self.ensure_one()
        problems = []
        if shipper_country_code and shipper_country_code != "DE":
            problems.append(
                _(
                    "DHL Parcel DE ships from Germany: the warehouse address is in "
                    "%s. Ship from a German warehouse or use another carrier.",
                    shipper_country_code,
                )
            )
        if not (self.dhl_billing_number or self.account_number):
            problems.append(
                _(
                    "Carrier account %s has no DHL billing number: an "
                    "administrator must set it.",
                    self.display_name,
                )
            )
        if product not in PRODUCTS:
            problems.append(
                _(
                    "%(product)s is not a DHL Parcel DE product (%(known)s): fix "
                    "the shipping method's carrier service code.",
                    product=product or _("(none)"),
                    known=", ".join(PRODUCTS),
                )
            )
            return problems
        domestic = product in DOMESTIC_PRODUCTS
        if country_code and domestic and country_code != "DE":
            problems.append(
                _(
                    "%(name)s ships within Germany only: use an international "
                    "DHL product (e.g. V53WPAK) for this destination.",
                    name=PRODUCTS[product],
                )
            )
        elif country_code == "DE" and not domestic:
            problems.append(
                _(
                    "%(name)s is for destinations abroad: use DHL Paket (V01PAK) "
                    "within Germany.",
                    name=PRODUCTS[product],
                )
            )
        if (
            country_code
            and needs_customs(shipper_country_code or "DE", country_code)
            and len(weights_kg) > 1
        ):
            problems.append(
                _(
                    "DHL declares the goods of a parcel to %s (outside the EU "
                    "customs union) per parcel: ship it as one package.",
                    country_code,
                )
            )
        heavy = [w for w in weights_kg if w > 31.5]
        if heavy:
            problems.append(
                _(
                    "DHL takes parcels up to 31.5 kg; %(n)s parcel(s) weigh more "
                    "(%(w)s kg): split them into more packages.",
                    n=len(heavy),
                    w=", ".join(f"{w:g}" for w in heavy),
                )
            )
        return problems
