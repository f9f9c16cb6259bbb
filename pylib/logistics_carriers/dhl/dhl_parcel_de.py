# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL adapter: Parcel DE Shipping API v2 and Shipment Tracking - Unified.

Written against ``docs/carrier-contracts.md`` §2 (sources DHL-SHIP 2.1.13,
DHL-ROPC 2.0.5, DHL-NR, DHL-UT, DHL-RL, DHL-PUSH). Imports nothing of Odoo.

- Shipping: ``POST /orders`` (one DHL shipment per parcel, up to 30 in one
  order), ``DELETE /orders`` (cancel, per-item status), ``GET /orders``
  (reprint = label recovery). DHL returns no prices, offers no rating and
  no look-up by reference, and does not de-duplicate a repeated create.
- Authentication per account: API key header ``dhl-api-key`` + HTTP Basic
  with the business customer portal (GKP) user, or OAuth2 password grant
  (ROPC) with the token cached in the account's token store.
- Tracking: Unified ``GET /track/shipments`` (header ``DHL-API-Key``), one
  tracking number per call, paced to the published app limits and backing
  off on 429.
- DHL Retoure: with the account's option, every order asks for a return
  label (``services.dhlRetoure``, billed on procedure 07, back to the
  warehouse); its ``returnShipmentNo``/``returnLabel`` come back in
  :attr:`DhlShipmentResult.return_packages`. A standalone return shipment
  is not in the contracts: ``supports_returns`` stays False.
- Push: DHL's Unified Push payload is not confirmed (§2.3). The receiver
  side is implemented for the assembled example (Unified shipment objects),
  authenticated by the static header/token set at subscription.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import ClassVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from requests.auth import HTTPBasicAuth

from logistics_carriers import (
    CarrierAdapter,
    CarrierAuthError,
    CarrierError,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    PackageResult,
    ShipmentResult,
    TrackingEvent,
    WebhookAuthError,
    mask_payload,
    register_adapter,
)

from . import dhl_status
from .countries import to_alpha3

_logger = logging.getLogger(__name__)

SANDBOX_ROOT = "https://api-sandbox.dhl.com"
PRODUCTION_ROOT = "https://api-eu.dhl.com"
SHIPPING_PATH = "/parcel/de/shipping/v2"
TOKEN_PATH = "/parcel/de/account/auth/ropc/v1/token"
TRACKING_PATH = "/track/shipments"
PUSH_PATH = "/tracking/push/v1/subscription"
# DHL offers no Unified test environment to external customers: the sandbox
# account tracks against production too (support-developer.dhl.com).
UNIFIED_TRACKING_URL = PRODUCTION_ROOT + TRACKING_PATH
PUSH_SUBSCRIPTION_URL = PRODUCTION_ROOT + PUSH_PATH
PUBLIC_TRACKING_URL = (
    "https://www.dhl.de/de/privatkunden/dhl-sendungsverfolgung.html?piececode={number}"
)

DEFAULT_PROFILE = "STANDARD_GRUPPENPROFIL"
DEFAULT_PRODUCT = "V01PAK"
PRODUCTS = {
    "V01PAK": "DHL Paket",
    "V53WPAK": "DHL Paket International",
    "V54EPAK": "DHL Europaket",
    "V62WP": "Warenpost (until 2024)",
    "V62KP": "DHL Kleinpaket",
    "V66WPI": "Warenpost International",
}
# digits 11-12 of a billing number: the product's procedure ("Verfahren")
PRODUCT_PROCEDURE = {
    "V01PAK": "01",
    "V53WPAK": "53",
    "V54EPAK": "54",
    "V62WP": "62",
    "V62KP": "62",
    "V66WPI": "66",
}
# DHL Retoure label with an outbound order: billing procedure 07; offered
# here with DHL Paket (†: the contracts name no other product for it).
RETOURE_PROCEDURE = "07"
RETOURE_PRODUCTS = frozenset({"V01PAK"})
DOMESTIC_PRODUCTS = frozenset({"V01PAK", "V62WP", "V62KP"})
PRINT_FORMATS = (
    "A4",
    "910-300-600",
    "910-300-610",
    "910-300-700",
    "910-300-700-oz",
    "910-300-710",
    "910-300-300",
    "910-300-300-oz",
    "910-300-400",
    "910-300-410",
    "100x70mm",
)
DOC_FORMATS = {"PDF": "PDF", "ZPL": "ZPL2", "ZPL2": "ZPL2"}
MAX_SHIPMENTS = 30  # per order, cancel and reprint call
MAX_WEIGHT_G = 31500
BILLING_RE = re.compile(r"\w{10}\d{2}\w{2}")
POSTAL_RE = re.compile(r"[0-9A-Za-z]+([ -]?[0-9A-Za-z]+)*")
# (field, max length) of a DHL contact address (ContactAddress / Shipper)
ADDRESS_LIMITS = (
    ("name1", 50),
    ("name2", 50),
    ("addressStreet", 50),
    ("additionalAddressInformation1", 60),
    ("city", 40),
)
PUSH_EVENTS = ("Transit", "Delivered", "Pre-Transit", "Failure", "Unknown")
# ShipmentEvent.statusCode of Shipment Tracking - Unified
UNIFIED_STATUS_CODES = ("pre-transit", "transit", "delivered", "failure", "unknown")
DEFAULT_PUSH_HEADER = "X-DHL-Push-Token"
_MESSAGES = {
    "address": "DHL rejected the address",
    "service": "DHL rejected the product or billing number",
    "data": "DHL rejected the shipment data",
}
_GERMANY = "Europe/Berlin"
# The European Union's customs union: a parcel to any other country (CH,
# GB, NO, US...) needs the ``customs`` block (products V53WPAK, V66WPI).
EU_CUSTOMS_UNION = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)
# CustomsDetails.exportType of the suite's customs reasons
EXPORT_TYPES = {
    "SALE": "COMMERCIAL_GOODS",
    "GIFT": "PRESENT",
    "SAMPLE": "COMMERCIAL_SAMPLE",
    "RETURN": "RETURN_OF_GOODS",
    "DOCUMENT": "DOCUMENT",
}


def needs_customs(origin, destination):
    """True when a parcel leaves the EU customs union."""
    origin = (origin or "DE").upper()
    destination = (destination or "").upper()
    if not destination or origin == destination:
        return False
    return not (origin in EU_CUSTOMS_UNION and destination in EU_CUSTOMS_UNION)


def dhl_timestamp(value):
    """UTC datetime of a Unified timestamp. DHL sends parcel-de times
    without an offset in German local time (Europe/Berlin), others with an
    offset or ``Z``; a date alone is midnight in Germany."""
    text = str(value or "").strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(_GERMANY))
        except ZoneInfoNotFoundError:  # no tz database: CET, at most 1 h off
            moment = moment.replace(tzinfo=timezone(timedelta(hours=1)))
    return moment.astimezone(timezone.utc)


def field_category(prop):
    """Validation category (address, service, data) of a DHL property path."""
    name = re.sub(r"^shipments\[\d+\]\.", "", str(prop or "")).lower()
    if name.startswith(("shipper", "consignee")):
        return "address"
    if name.startswith(("product", "billingnumber", "services", "profile")):
        return "service"
    return "data"


def _category(field_errors):
    found = {field_category(fe.field) for fe in field_errors}
    return next((c for c in ("address", "service") if c in found), "data")


def _status_code(status):
    """HTTP-like code of a DHL ``RequestStatus`` (``status`` or ``statusCode``)."""
    status = status or {}
    for key in ("status", "statusCode"):
        try:
            return int(status.get(key))
        except (TypeError, ValueError):
            continue
    return 0


def _header(headers, name):
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is not None:
            return value
    for key, value in dict(headers or {}).items():
        if str(key).lower() == name.lower():
            return value
    return None


def _decode_b64(value):
    """Bytes of a base64 document; None when it is not valid base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _today_in_germany():
    try:
        return datetime.now(ZoneInfo(_GERMANY)).date()
    except ZoneInfoNotFoundError:  # no tz database: UTC is at most a day off
        return datetime.now(timezone.utc).date()


def _seconds_to_utc_midnight(now=None):
    now = now or datetime.now(timezone.utc)
    midnight = datetime.combine(
        now.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc
    )
    return max(1.0, (midnight - now).total_seconds())


class TrackPacer:
    """Pacing shared by several processes (protocol; Odoo keeps it on the
    carrier account row).

    ``reserve(key, interval, daily_limit)`` books the next tracking call and
    returns the seconds to wait before making it, or None when the daily
    quota is used up; ``hold(key, seconds)`` pushes the next call back after
    a 429.
    """

    def reserve(self, key, interval, daily_limit):  # pragma: no cover
        raise NotImplementedError

    def hold(self, key, seconds):  # pragma: no cover
        raise NotImplementedError


@dataclass
class DhlShipmentResult(ShipmentResult):
    """A ShipmentResult with the DHL Retoure labels printed with the order
    (one :class:`PackageResult` per ``returnShipmentNo``)."""

    return_packages: list[PackageResult] = field(default_factory=list)


@register_adapter
class DhlParcelDeAdapter(CarrierAdapter):
    """DHL Parcel DE Shipping v2 + Shipment Tracking - Unified."""

    carrier_code = "dhl"
    label = "DHL"
    default_base_urls = {"sandbox": SANDBOX_ROOT, "production": PRODUCTION_ROOT}
    supports_lookup = False  # DHL has no search by reference
    idempotent_create = False  # refNo is no de-duplication key
    supports_webhooks = True  # Tracking - Unified pushes (access on request)
    webhook_malformed_message = "The DHL push message cannot be read: {problem}."

    # Tracking - Unified limits (DHL-RL): e.g. 250 calls a day and 1 call a
    # second per app (the same article also says 2/s: the stricter is used).
    track_batch_size = 10  # tracking numbers per track() call of the poller
    track_min_interval = 1.0  # seconds between two calls with one API key
    track_daily_limit = 250  # calls per UTC day and API key (this process)
    track_max_retries = 3  # 429s absorbed in one call before giving up
    track_backoff = 2.0  # first wait after a 429 without Retry-After
    track_backoff_max = 30.0
    track_service = "parcel-de"

    # pacing state shared by every adapter of this process, per API key
    _track_state: ClassVar[dict] = {}
    _track_lock: ClassVar[threading.Lock] = threading.Lock()
    _sleep = staticmethod(time.sleep)

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        extra = dict(config.extra or {})
        self.extra = extra
        self.auth_mode = (extra.get("auth_mode") or "basic").lower()
        self.profile = extra.get("profile") or DEFAULT_PROFILE
        self.language = extra.get("language") or "en-US"
        self.tracking_endpoint = (
            self.base_url + TRACKING_PATH if config.base_url else UNIFIED_TRACKING_URL
        )
        self.push_endpoint = (
            self.base_url + PUSH_PATH if config.base_url else PUSH_SUBSCRIPTION_URL
        )
        self.last_track_not_found = []
        # Shared pacing (see TrackPacer); None: paced within this process.
        self.pacer = None
        # numbers -> {number: recipient postal code}, for recipientPostalCode
        self.postal_code_lookup = None
        self.spec_mismatches = []  # answers that break DHL's specification

    def _spec_mismatch(self, operation, what, data=None):
        """An answer that does not match DHL's specification: kept (masked)
        in the integration log, where the account counts it; never dropped
        silently."""
        masked = json.dumps(mask_payload(data), default=str)[:4000] if data else None
        self.spec_mismatches.append((operation, what))
        _logger.warning(
            "DHL %s answer does not match its specification: %s", operation, what
        )
        self.http._emit(
            {
                "operation": f"{operation}:spec_mismatch",
                "method": "",
                "url": "",
                "status_code": 200,
                "error": f"The DHL answer does not match DHL's specification: {what}",
                "response_body": masked,
                "spec_mismatch": True,
            }
        )

    def resolve_base_url(self):
        """The host root: an override may also be given as the shipping URL."""
        url = super().resolve_base_url()
        for suffix in (SHIPPING_PATH, TOKEN_PATH, TRACKING_PATH):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
        return url.rstrip("/")

    # ------------------------------------------------------------------
    # Authentication
    # ------------------------------------------------------------------
    def _missing_credentials(self, names):
        values = {
            "API key (Client ID)": self.config.client_id,
            "client secret": self.config.client_secret,
            "portal user name": self.extra.get("username"),
            "portal password": self.extra.get("password"),
        }
        missing = [name for name in names if not values[name]]
        if missing:
            raise CarrierAuthError(
                "The DHL account has no "
                + ", ".join(missing)
                + ". An administrator must complete its credentials.",
                code="missing_credentials",
                category="authentication",
            )

    def _fetch_token(self):
        self._missing_credentials(
            [
                "API key (Client ID)",
                "client secret",
                "portal user name",
                "portal password",
            ]
        )
        response = self.http.request(
            "POST",
            TOKEN_PATH,
            operation="token",
            data={
                "grant_type": "password",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "username": self.extra.get("username") or "",
                "password": self.extra.get("password") or "",
            },
        )
        data = self._json(response)
        if response.status_code in (400, 401, 403):
            raise CarrierAuthError(
                "DHL refused the account's OAuth credentials (API key, secret, "
                "portal user or password). An administrator must check them.",
                status=response.status_code,
                code=str(data.get("error") or data.get("title") or "invalid_grant"),
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code != 200 or not data.get("access_token"):
            raise self._unexpected(response)
        return data["access_token"], float(data.get("expires_in") or 1799)

    def _shipping(self, method, path, *, operation, headers=None, **kwargs):
        """A Parcel DE Shipping call with the account's authentication."""
        headers = {"Accept-Language": self.language, **(headers or {})}
        kwargs.setdefault("correlation_id", uuid.uuid4().hex)
        try:
            if self.auth_mode == "oauth":
                response = self.authorized_request(
                    method,
                    SHIPPING_PATH + path,
                    operation=operation,
                    headers=headers,
                    **kwargs,
                )
            else:
                self._missing_credentials(
                    ["API key (Client ID)", "portal user name", "portal password"]
                )
                response = self.http.request(
                    method,
                    SHIPPING_PATH + path,
                    operation=operation,
                    headers={**headers, "dhl-api-key": self.config.client_id},
                    auth=HTTPBasicAuth(
                        self.extra.get("username") or "",
                        self.extra.get("password") or "",
                    ),
                    **kwargs,
                )
        except CarrierTransientError as err:
            if err.status == 429:
                err.maybe_sent = False  # rate limited: DHL did not process it
            raise
        if response.status_code in (401, 403):
            self.token_store.clear()
            raise CarrierAuthError(
                f"DHL refused access (HTTP {response.status_code}). An administrator "
                "must check the account's API key and business customer portal "
                "user and password (and the authentication mode).",
                status=response.status_code,
                code="unauthorized",
                carrier_message=self._carrier_text(response),
                category="authentication",
                correlation_id=kwargs["correlation_id"],
            )
        return response

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @classmethod
    def _carrier_text(cls, response):
        """DHL's own words: title/detail of a problem, OAuth error, raw body."""
        data = cls._json(response)
        status = data.get("status") if isinstance(data.get("status"), dict) else data
        parts = [
            str(status.get(key))
            for key in ("title", "detail", "error", "error_description")
            if status.get(key) and not isinstance(status.get(key), dict)
        ]
        return ": ".join(dict.fromkeys(parts)) or (response.text or "")[:2000]

    def _unexpected(self, response):
        return CarrierError(
            f"DHL gave an unexpected answer (HTTP {response.status_code}).",
            status=response.status_code,
            carrier_message=self._carrier_text(response),
            correlation_id=response.request.headers.get("X-Correlation-ID"),
        )

    def _doc_format(self, label_format=None):
        wanted = (label_format or self.config.label_format or "PDF").upper()
        if wanted not in DOC_FORMATS:
            raise CarrierValidationError(
                f"DHL prints labels as PDF or ZPL only, not {wanted}: set the "
                "carrier account's label format to PDF or ZPL.",
                code="label_format",
                field_errors=[FieldError("docFormat", f"{wanted} is not offered")],
                category="data",
            )
        return DOC_FORMATS[wanted]

    def _doc_params(self, doc_format, retoure=None):
        """Query of an order or reprint. With a DHL Retoure label expected,
        ``combine=false`` (DHL's default true merges both labels into one
        document and ignores ``retourePrintFormat``)."""
        retoure = bool(self.extra.get("retoure")) if retoure is None else retoure
        params = [("docFormat", doc_format), ("includeDocs", "include")]
        if self.extra.get("print_format"):
            params.append(("printFormat", self.extra["print_format"]))
        if retoure:
            params.append(("combine", "false"))
            if self.extra.get("retoure_print_format"):
                params.append(
                    ("retourePrintFormat", self.extra["retoure_print_format"])
                )
        return params

    def retoure_billing_number(self):
        """The DHL Retoure billing number: the account's own, else its
        billing number (or customer number) with procedure 07."""
        own = re.sub(r"\s", "", self.extra.get("retoure_billing_number") or "")
        if own:
            return own
        number = self.billing_number("V01PAK")  # 14 characters when valid
        return number[:10] + RETOURE_PROCEDURE + number[12:14]

    def _retoure(self, request, product, problems):
        """``services.dhlRetoure`` of an outbound order, or None."""
        if not self.extra.get("retoure") or request.is_return:
            return None
        if product not in RETOURE_PRODUCTS:
            # not asked for: the shipment says so (no return label came back)
            return None
        billing = self.retoure_billing_number()
        if not BILLING_RE.fullmatch(billing) or billing[10:12] != RETOURE_PROCEDURE:
            problems.append(
                FieldError(
                    "services.dhlRetoure.billingNumber",
                    "DHL Retoure needs a 14-character billing number with "
                    f"procedure {RETOURE_PROCEDURE} (digits 11-12); the account "
                    f"has {billing!r}.",
                    "billing_number",
                )
            )
        retoure = {"billingNumber": billing}
        ref_no = self._ref_no(request.reference, 0, 1)
        if ref_no:
            retoure["refNo"] = ref_no
        # the parcel comes back to the warehouse (the outbound shipper)
        retoure["returnAddress"] = self._contact(
            request.shipper, "services.dhlRetoure.returnAddress", problems
        )
        return retoure

    def billing_number(self, product):
        """The account's billing number for ``product``.

        Digits 11-12 of a DHL billing number are the product's procedure: the
        account's number (or its 10-digit customer number, EKP) is adapted to
        the product, e.g. 33333333330101 -> 33333333335301 for V53WPAK.
        """
        number = re.sub(
            r"\s", "", self.extra.get("billing_number") or self.config.account_number
        )
        procedure = PRODUCT_PROCEDURE.get(product)
        if procedure and len(number) == 10 and number.isdigit():
            number += procedure + "01"
        elif procedure and len(number) == 14:
            number = number[:10] + procedure + number[12:]
        return number

    # ------------------------------------------------------------------
    # Create
    # ------------------------------------------------------------------
    def _contact(self, address, role, problems):
        """A DHL ContactAddress for ``address``; problems appended, not raised."""
        country = to_alpha3(address.country_code)
        if not country:
            problems.append(
                FieldError(
                    f"{role}.country",
                    f"Unknown country code {address.country_code!r}.",
                    "country",
                )
            )
        company = (address.company_name or "").strip()
        person = (address.name or "").strip()
        if company and company != person:
            name1, name2 = company, person
        else:
            name1, name2 = person or company, ""
        data = {
            "name1": name1,
            "name2": name2,
            "addressStreet": (address.street or "").strip(),
            "additionalAddressInformation1": (address.street2 or "").strip(),
            "postalCode": (address.zip or "").strip(),
            "city": (address.city or "").strip(),
            "country": country,
        }
        state = (address.state_code or "").strip()
        if state and country not in ("DEU", ""):
            if country == "USA" and "-" not in state:
                state = f"US-{state}"
            data["state"] = state[:20]
        email = (address.email or "").strip()
        if 3 <= len(email) <= 80:
            data["email"] = email
        phone = (address.phone or "").strip()
        if phone and len(phone) <= 20:
            data["phone"] = phone
        for key in ("name1", "addressStreet", "city"):
            if not data[key]:
                problems.append(
                    FieldError(f"{role}.{key}", "Required by DHL.", "required")
                )
        for key, limit in ADDRESS_LIMITS:
            if len(data[key]) > limit:
                problems.append(
                    FieldError(
                        f"{role}.{key}",
                        f"{data[key]!r} is longer than the {limit} characters DHL "
                        "accepts: shorten it.",
                        "too_long",
                    )
                )
        postal = data["postalCode"]
        if postal and not (3 <= len(postal) <= 10 and POSTAL_RE.fullmatch(postal)):
            problems.append(
                FieldError(
                    f"{role}.postalCode",
                    f"{postal!r} is not a postal code DHL accepts.",
                    "postal_code",
                )
            )
        return {key: value for key, value in data.items() if value}

    def _details(self, parcel, index, problems):
        grams = int(round(float(parcel.weight_kg or 0.0) * 1000))
        name = f"shipments[{index}].details.weight"
        if grams <= 0:
            problems.append(FieldError(name, "The parcel has no weight.", "weight"))
        elif grams > MAX_WEIGHT_G:
            problems.append(
                FieldError(
                    name,
                    f"Parcel {parcel.reference or index + 1} weighs "
                    f"{parcel.weight_kg:g} kg; DHL takes at most 31.5 kg per parcel.",
                    "weight",
                )
            )
        details = {"weight": {"uom": "g", "value": max(grams, 1)}}
        sizes = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
        if all(float(s or 0) > 0 for s in sizes):
            length, width, height = (max(1, int(round(float(s)))) for s in sizes)
            details["dim"] = {
                "uom": "cm",
                "height": height,
                "length": length,
                "width": width,
            }
        return details

    def _customs(self, request, index, problems):
        """``customs`` (CustomsDetails) of a parcel leaving the EU customs
        union: export type, postal charges and one item per goods line."""
        customs = request.customs or {}
        path = f"shipments[{index}].customs"
        currency = str(customs.get("currency") or request.currency or "EUR")[:3]
        items = []
        for number, line in enumerate(customs.get("lines") or [], start=1):
            where = f"{path}.items[{number - 1}]"
            try:
                quantity = float(line.get("quantity") or 0)
                value = float(line.get("unit_value") or 0)
                weight_g = int(round(float(line.get("weight_kg") or 0) * 1000))
            except (TypeError, ValueError):
                quantity = value = weight_g = 0
            if quantity <= 0 or quantity != int(quantity):
                problems.append(
                    FieldError(where, "DHL declares whole quantities.", "customs")
                )
            if value <= 0:
                problems.append(
                    FieldError(where, "Every customs item needs a value.", "customs")
                )
            item = {
                "itemDescription": str(line.get("description") or "")[:256]
                or f"Item {number}",
                "packagedQuantity": int(quantity) if quantity > 0 else 1,
                "itemValue": {"currency": currency, "value": round(value, 2)},
                "itemWeight": {"uom": "g", "value": max(weight_g, 1)},
            }
            hs_code = re.sub(r"\D", "", str(line.get("hs_code") or ""))
            if 6 <= len(hs_code) <= 11:
                item["hsCode"] = hs_code
            origin = to_alpha3(str(line.get("origin_country") or ""))
            if origin:
                item["countryOfOrigin"] = origin
            items.append(item)
        if not items:
            problems.append(
                FieldError(
                    path,
                    "DHL needs the goods (customs declaration) of a parcel to "
                    f"{request.recipient.country_code}, outside the EU customs "
                    "union: the delivery has no products with a value.",
                    "customs",
                )
            )
        reason = str(customs.get("reason") or "SALE").upper()
        details = {
            "exportType": EXPORT_TYPES.get(reason, "OTHER"),
            "postalCharges": {
                "currency": currency,
                "value": round(float(customs.get("postal_charges") or 0.0), 2),
            },
            "items": items[:99],
        }
        if details["exportType"] == "OTHER":
            details["exportDescription"] = (
                str(customs.get("description") or reason)[:80] or "Other"
            )
        if customs.get("invoice_number"):
            details["invoiceNo"] = str(customs["invoice_number"])[:35]
        if customs.get("terms") in ("DAP", "DDP"):
            details["shippingConditions"] = customs["terms"]
        return details

    @staticmethod
    def _ref_no(reference, index, count):
        """refNo (8-35 characters, printed on the label); None if too short."""
        text = (reference or "").strip()
        if count > 1:
            text = f"{text} {index + 1}/{count}"
        text = text[:35]
        return text if len(text) >= 8 else None

    @staticmethod
    def _ship_date(wanted):
        """The requested date, never in the past (a retry may run days later)."""
        today = _today_in_germany()
        wanted = wanted if isinstance(wanted, date) else None
        return max(wanted or today, today).isoformat()

    def build_order(self, request):
        """``(body, query params)`` of ``POST /orders`` for ``request``.

        Raises :class:`CarrierValidationError` (nothing sent) when the
        request cannot be expressed in DHL's schema.
        """
        doc_format = self._doc_format(request.label_format)
        product = (
            request.service_code or self.extra.get("product") or DEFAULT_PRODUCT
        ).strip()
        billing = self.billing_number(product)
        problems = []
        if product not in PRODUCTS:
            problems.append(
                FieldError(
                    "product",
                    f"{product!r} is not a DHL Parcel DE product "
                    f"({', '.join(PRODUCTS)}).",
                    "product",
                )
            )
        if not BILLING_RE.fullmatch(billing):
            problems.append(
                FieldError(
                    "billingNumber",
                    "The carrier account needs DHL's 14-character billing number "
                    f"(Abrechnungsnummer); it has {billing!r}.",
                    "billing_number",
                )
            )
        if self.extra.get("shipper_ref"):
            shipper = {"shipperRef": self.extra["shipper_ref"]}
        else:
            shipper = self._contact(request.shipper, "shipper", problems)
        consignee = self._contact(request.recipient, "consignee", problems)
        parcels = list(request.parcels)
        if not parcels or len(parcels) > MAX_SHIPMENTS:
            problems.append(
                FieldError(
                    "shipments",
                    f"DHL takes 1 to {MAX_SHIPMENTS} parcels in one order, not "
                    f"{len(parcels)}.",
                    "parcels",
                )
            )
        ship_date = self._ship_date(request.ship_date)
        retoure = self._retoure(request, product, problems)
        customs_needed = needs_customs(
            request.shipper.country_code, request.recipient.country_code
        )
        if customs_needed and len(parcels) > 1:
            problems.append(
                FieldError(
                    "customs",
                    "DHL declares the goods per parcel: a parcel to "
                    f"{request.recipient.country_code} (outside the EU customs "
                    "union) is sent as one parcel per delivery order.",
                    "customs",
                )
            )
        shipments = []
        for index, parcel in enumerate(parcels):
            shipment = {"product": product, "billingNumber": billing}
            ref_no = self._ref_no(request.reference, index, len(parcels))
            if ref_no:
                shipment["refNo"] = ref_no
            shipment.update(
                {
                    "shipDate": ship_date,
                    "shipper": shipper,
                    "consignee": consignee,
                    "details": self._details(parcel, index, problems),
                }
            )
            if retoure:
                shipment["services"] = {"dhlRetoure": retoure}
            if customs_needed:
                shipment["customs"] = self._customs(request, index, problems)
            shipments.append(shipment)
        if problems:
            category = _category(problems)
            details = "; ".join(f"{fe.field}: {fe.message}" for fe in problems)
            raise CarrierValidationError(
                f"Not sent to DHL: {details}",
                code=problems[0].code,
                field_errors=problems,
                category=category,
            )
        params = self._doc_params(doc_format, retoure=bool(retoure))
        if self.extra.get("must_encode"):
            params.append(("mustEncode", "true"))
        return {"profile": self.profile, "shipments": shipments}, params

    def create_shipment(self, request):
        body, params = self.build_order(request)
        response = self._shipping(
            "POST", "/orders", operation="create_shipment", json=body, params=params
        )
        return self.parse_order_response(
            response.status_code, self._json(response), len(body["shipments"])
        )

    @staticmethod
    def _item_ok(item):
        return _status_code(item.get("sstatus")) in (200, 201) and bool(
            item.get("shipmentNo")
        )

    def parse_order_response(self, http_status, data, expected=None, compensate=True):
        """ShipmentResult of a LabelDataResponse (create or reprint).

        Raises the matching error for a 400, a partial 207 (after cancelling
        the labels DHL did create, so that a resend duplicates nothing) or an
        answer that does not hold the parcels asked for.
        """
        items = [i for i in data.get("items") or [] if isinstance(i, dict)]
        if http_status in (200, 201, 207):
            created = [i for i in items if self._item_ok(i)]
            if expected is None:
                expected = len(items)
            if created and len(created) == len(items) == expected:
                return self._result(created, data)
            if not items or len(items) != expected:
                raise CarrierError(
                    f"DHL answered for {len(items)} of {expected} parcels.",
                    status=http_status,
                    carrier_message=json.dumps(data.get("status") or {})[:2000],
                )
            if not compensate:
                raise self._validation_error(http_status, data, items)
            return self._partial_failure(http_status, data, items, created)
        if http_status in (400, 422):
            raise self._validation_error(http_status, data, items)
        raise CarrierError(
            f"DHL gave an unexpected answer (HTTP {http_status}).",
            status=http_status,
            carrier_message=json.dumps(data)[:2000],
        )

    def _document(self, document):
        """(bytes or None, canonical format) of a DHL Document."""
        if not isinstance(document, dict):
            return None, ""
        fmt = str(document.get("fileFormat") or "").upper()
        if document.get("zpl2"):
            return str(document["zpl2"]).encode("utf-8"), "ZPL"
        if document.get("b64"):
            return _decode_b64(document["b64"]), "ZPL" if fmt == "ZPL2" else "PDF"
        if document.get("url"):  # includeDocs=URL: no authentication needed
            response = self.http.request(
                "GET", document["url"], operation="label_download"
            )
            if response.status_code == 200 and response.content:
                return response.content, "ZPL" if fmt == "ZPL2" else "PDF"
        return None, "ZPL" if fmt == "ZPL2" else ("PDF" if fmt else "")

    def _result(self, items, data):
        packages = []
        returns = []
        shipments = []
        for item in items:
            if item.get("returnShipmentNo"):
                return_label, return_fmt = self._document(item.get("returnLabel"))
                returns.append(
                    PackageResult(
                        tracking_number=str(item["returnShipmentNo"]),
                        label=return_label,
                        label_format=return_fmt or "PDF",
                    )
                )
            label, fmt = self._document(item.get("label"))
            packages.append(
                PackageResult(
                    tracking_number=str(item["shipmentNo"]),
                    label=label,
                    label_format=fmt or "PDF",
                )
            )
            info = {
                key: item[key]
                for key in ("shipmentNo", "returnShipmentNo", "routingCode")
                if item.get(key)
            }
            if item.get("shipmentRefNo"):
                info["refNo"] = item["shipmentRefNo"]
            warnings = [
                f"{m.get('property') or ''}: {m.get('validationMessage') or ''}"
                for m in item.get("validationMessages") or []
                if isinstance(m, dict)
            ]
            if warnings:
                info["warnings"] = warnings
            if item.get("label") and label is None:
                info["label_error"] = "label not decodable: reprint it"
            shipments.append(info)
        status = data.get("status") if isinstance(data.get("status"), dict) else {}
        return DhlShipmentResult(
            carrier_shipment_id=",".join(p.tracking_number for p in packages),
            packages=packages,
            label_format=packages[0].label_format if packages else "PDF",
            raw={"status": status.get("detail") or "", "shipments": shipments},
            return_packages=returns,
        )

    @staticmethod
    def _field_errors(items, multi):
        errors = []
        for index, item in enumerate(items):
            if item.get("propertyPath"):  # JSON-schema failure at the API layer
                errors.append(
                    FieldError(
                        str(item["propertyPath"]),
                        str(item.get("message") or ""),
                        "schema",
                    )
                )
                continue
            if DhlParcelDeAdapter._item_ok(item):
                continue
            prefix = f"shipments[{index}]." if multi else ""
            messages = [
                m for m in item.get("validationMessages") or [] if isinstance(m, dict)
            ]
            for message in messages:
                prop = str(message.get("property") or "")
                errors.append(
                    FieldError(
                        prop if prop.startswith("shipments[") else prefix + prop,
                        str(message.get("validationMessage") or ""),
                        str(message.get("validationState") or ""),
                    )
                )
            sstatus = item.get("sstatus") or {}
            if not messages and (sstatus.get("detail") or sstatus.get("title")):
                errors.append(
                    FieldError(
                        prefix.rstrip(".") or "shipment",
                        str(sstatus.get("detail") or sstatus.get("title")),
                        str(sstatus.get("title") or ""),
                    )
                )
        # DHL's errors first, then the warnings that explain them
        return sorted(errors, key=lambda fe: fe.code.lower() != "error")

    def _validation_error(self, http_status, data, items, note=""):
        field_errors = self._field_errors(items, multi=len(items) > 1)
        status = data.get("status") if isinstance(data.get("status"), dict) else data
        detail = str(status.get("detail") or status.get("title") or "")
        category = _category(field_errors)
        first = field_errors[0].message if field_errors else detail
        text = "; ".join(f"{fe.field}: {fe.message}" for fe in field_errors)
        return CarrierValidationError(
            f"{_MESSAGES[category]}: {first}{note}",
            status=http_status,
            code=field_errors[0].code if field_errors else "bad_request",
            carrier_message=(f"{detail} {text}".strip() if text else detail)[:2000],
            field_errors=field_errors,
            category=category,
        )

    def _partial_failure(self, http_status, data, items, created):
        """Some parcels got a label, others not: undo, then report."""
        numbers = [str(i["shipmentNo"]) for i in created]
        undone, leftover = True, []
        if numbers:
            try:
                self.cancel_shipment(",".join(numbers), numbers)
            except CarrierError:
                undone, leftover = False, numbers
        failed = [i for i in items if not self._item_ok(i)]
        business = any(
            400 <= _status_code(i.get("sstatus")) < 500 or i.get("validationMessages")
            for i in failed
        )
        if leftover:
            note = (
                f" DHL created {len(leftover)} label(s) for the other parcels that "
                "could not be cancelled again: delete "
                + ", ".join(leftover)
                + " in the DHL business customer portal before sending again."
            )
        elif numbers:
            note = (
                f" The {len(numbers)} label(s) DHL created for the other parcels "
                "were cancelled again."
            )
        else:
            note = ""
        if business:
            raise self._validation_error(http_status, data, items, note)
        message = self._validation_error(http_status, data, items).carrier_message
        if undone:
            raise CarrierTransientError(
                f"DHL could not create every parcel of the order ({message}).{note}",
                status=http_status,
                code="partial_failure",
                carrier_message=message,
                maybe_sent=False,
            )
        raise CarrierError(
            f"DHL could not create every parcel of the order ({message}).{note}",
            status=http_status,
            code="partial_failure",
            carrier_message=message,
        )

    # ------------------------------------------------------------------
    # Cancel, reprint
    # ------------------------------------------------------------------
    @staticmethod
    def _numbers(carrier_shipment_id, tracking_numbers=None):
        numbers = [n.strip() for n in tracking_numbers or [] if n and n.strip()]
        if not numbers:
            numbers = [
                n.strip() for n in (carrier_shipment_id or "").split(",") if n.strip()
            ]
        return list(dict.fromkeys(numbers))

    def cancel_shipment(self, carrier_shipment_id, tracking_numbers=None):
        """Delete the shipment(s) at DHL; True when every one is cancelled.

        Possible until DHL's daily closeout (Tagesabschluss) only. A number
        DHL does not know (already cancelled, closed out, never created)
        raises a :class:`CarrierValidationError` naming it.
        """
        numbers = self._numbers(carrier_shipment_id, tracking_numbers)
        if not numbers:
            raise CarrierValidationError(
                "There is no DHL shipment number to cancel.", code="no_number"
            )
        results = []
        for start in range(0, len(numbers), MAX_SHIPMENTS):
            chunk = numbers[start : start + MAX_SHIPMENTS]
            response = self._shipping(
                "DELETE",
                "/orders",
                operation="cancel_shipment",
                params=[("profile", self.profile)] + [("shipment", n) for n in chunk],
            )
            data = self._json(response)
            items = [i for i in data.get("items") or [] if isinstance(i, dict)]
            if response.status_code not in (200, 207, 400) or not items:
                raise self._unexpected(response)
            if response.status_code == 400 and not all(
                self._already_cancelled(i)
                for i in items
                if _status_code(i.get("sstatus")) != 200
            ):
                raise self._validation_error(400, data, items)
            results.extend(items)
        return self._cancel_outcome(numbers, results)

    @staticmethod
    def _already_cancelled(item):
        """An item DHL answers for a shipment deleted before (a cancel
        retried after a lost reply): ``UnknownShipmentNumber``, status 204.
        Counted as cancelled, as UPS's "Voided or Already Voided"."""
        sstatus = (item or {}).get("sstatus") or {}
        return str(sstatus.get("title") or "") == "UnknownShipmentNumber"

    @classmethod
    def _cancel_outcome(cls, numbers, items):
        by_number = {str(i.get("shipmentNo") or ""): i for i in items}
        failed = []
        for index, number in enumerate(numbers):
            item = by_number.get(number) or (
                items[index] if len(items) == len(numbers) else {}
            )
            sstatus = item.get("sstatus") or {}
            if _status_code(sstatus) != 200 and not cls._already_cancelled(item):
                failed.append((number, sstatus))
        if not failed:
            return True
        field_errors = []
        for number, sstatus in failed:
            title = str(sstatus.get("title") or "")
            text = str(sstatus.get("detail") or title or "not cancelled")
            field_errors.append(FieldError(number, text, title or "not_cancelled"))
        cancelled = [n for n in numbers if n not in {f[0] for f in failed}]
        message = "; ".join(f"{fe.field}: {fe.message}" for fe in field_errors)
        if cancelled:
            message += f" (cancelled: {', '.join(cancelled)})"
        raise CarrierValidationError(
            f"DHL did not cancel {len(failed)} of {len(numbers)} shipment(s): "
            + message,
            code=field_errors[0].code,
            carrier_message=message,
            field_errors=field_errors,
            category="data",
        )

    def get_label(self, carrier_shipment_id):
        """Reprint (``GET /orders?shipment=``): labels of shipments not closed."""
        numbers = self._numbers(carrier_shipment_id)[:MAX_SHIPMENTS]
        params = [("shipment", n) for n in numbers]
        params += self._doc_params(self._doc_format())
        response = self._shipping("GET", "/orders", operation="label", params=params)
        return self.parse_order_response(
            response.status_code, self._json(response), len(numbers), compensate=False
        )

    def get_rates(self, request):
        raise self._not_supported(
            "rates in the Parcel DE Shipping API (it returns no prices)"
        )

    def tracking_url(self, tracking_number):
        template = self.extra.get("tracking_url") or PUBLIC_TRACKING_URL
        number = quote(str(tracking_number or ""), safe="")
        if "{number}" in template:
            return template.replace("{number}", number)
        return template + number

    # ------------------------------------------------------------------
    # Tracking - Unified
    # ------------------------------------------------------------------
    def _tracking_key(self):
        key = self.extra.get("tracking_api_key") or self.config.client_id
        if not key:
            raise CarrierAuthError(
                "The DHL account has no API key for Shipment Tracking - Unified. "
                "An administrator must set one.",
                code="missing_credentials",
                category="authentication",
            )
        return key

    def _quota_key(self, api_key):
        text = f"{self.tracking_endpoint}|{api_key}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def _track_slot(self, quota_key):
        """Reserve the next call slot: the daily quota, then the pace.

        With a ``pacer`` (Odoo: the account row, shared by every worker
        process) the reservation is made there; otherwise in this process.
        """
        if self.pacer is not None:
            wait = self.pacer.reserve(
                quota_key, float(self.track_min_interval), self.track_daily_limit
            )
            if wait is None:
                raise self._quota_error()
            if wait:
                self._sleep(wait)
            return
        with self._track_lock:
            state = self._track_state.setdefault(
                quota_key, {"next": 0.0, "day": None, "count": 0}
            )
            today = datetime.now(timezone.utc).date()
            if state["day"] != today:
                state.update(day=today, count=0)
            if self.track_daily_limit and state["count"] >= self.track_daily_limit:
                raise self._quota_error()
            now = time.monotonic()
            wait = max(0.0, state["next"] - now)
            state["next"] = max(now, state["next"]) + float(self.track_min_interval)
            state["count"] += 1
        if wait:
            self._sleep(wait)

    def _quota_error(self):
        return CarrierTransientError(
            f"The daily quota of {self.track_daily_limit} DHL tracking calls "
            "is used up; it resets at 24:00 GMT.",
            code="daily_quota",
            retry_after=_seconds_to_utc_midnight(),
            maybe_sent=False,
        )

    def _track_hold(self, quota_key, seconds):
        """After a 429: no call with this key for ``seconds``."""
        if self.pacer is not None:
            self.pacer.hold(quota_key, float(seconds))
            return
        with self._track_lock:
            state = self._track_state.setdefault(
                quota_key, {"next": 0.0, "day": None, "count": 0}
            )
            state["next"] = max(state["next"], time.monotonic() + seconds)

    def _track_one(self, number, api_key, quota_key, postal_code=None):
        """Unified JSON of one tracking number; None when DHL knows it not.

        ``recipientPostalCode``: parcel-de (and parcel-nl) answer the full
        data (signatory, addresses) only with the recipient's postal code.
        """
        params = {"trackingNumber": number}
        service = self.extra.get("tracking_service", self.track_service)
        if service:
            params["service"] = service
        if postal_code:
            params["recipientPostalCode"] = postal_code
        if self.extra.get("tracking_language"):
            params["language"] = self.extra["tracking_language"]
        for attempt in range(self.track_max_retries + 1):
            self._track_slot(quota_key)
            try:
                response = self.http.request(
                    "GET",
                    self.tracking_endpoint,
                    operation="tracking",
                    params=params,
                    headers={"DHL-API-Key": api_key},
                )
            except CarrierTransientError as err:
                if err.status != 429:
                    raise
                wait = err.retry_after or min(
                    self.track_backoff * 2**attempt, self.track_backoff_max
                )
                self._track_hold(quota_key, wait)
                if attempt >= self.track_max_retries:
                    err.maybe_sent = False
                    err.retry_after = max(err.retry_after or 0.0, wait)
                    raise
                continue
            break
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise CarrierAuthError(
                f"DHL refused the tracking API key (HTTP {response.status_code}). An "
                "administrator must check the account's Tracking API key.",
                status=response.status_code,
                code="unauthorized",
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code == 400:
            raise CarrierValidationError(
                f"DHL refused to track {number}: {self._carrier_text(response)}",
                status=400,
                code="bad_request",
                carrier_message=self._carrier_text(response),
                category="data",
            )
        if response.status_code != 200:
            raise self._unexpected(response)
        return self._json(response)

    def track(self, tracking_numbers, postal_codes=None):
        """Events of ``tracking_numbers`` (one paced Unified call each).

        ``postal_codes`` (number -> recipient postal code), else
        :attr:`postal_code_lookup` (a callable the Odoo account sets), give
        each call its ``recipientPostalCode``. Numbers DHL does not know
        (yet: new shipments take 10-30 minutes to appear) are listed in
        ``last_track_not_found``.
        """
        numbers = [str(n).strip() for n in tracking_numbers or [] if str(n).strip()]
        numbers = list(dict.fromkeys(numbers))
        self.last_track_not_found = []
        if not numbers:
            return []
        api_key = self._tracking_key()
        quota_key = self._quota_key(api_key)
        if postal_codes is None and self.postal_code_lookup is not None:
            postal_codes = self.postal_code_lookup(numbers)
        postal_codes = postal_codes or {}
        events = []
        for number in numbers:
            postal = re.sub(r"\s", "", str(postal_codes.get(number) or ""))
            data = self._track_one(number, api_key, quota_key, postal or None)
            if data is None:
                self.last_track_not_found.append(number)
                continue
            events.extend(self.events_from_response(data, number))
        events.sort(key=lambda e: e.occurred_at)
        return events

    @staticmethod
    def _matches(shipment, number):
        details = shipment.get("details") or {}
        pieces = [str(p) for p in details.get("pieceIds") or []]
        return str(shipment.get("id") or "") == number or number in pieces

    def events_from_response(self, data, number=None):
        """TrackingEvents of a Unified response (or push message)."""
        shipments = [s for s in data.get("shipments") or [] if isinstance(s, dict)]
        if number:
            chosen = [s for s in shipments if self._matches(s, number)]
            if not chosen and len(shipments) == 1:
                chosen = shipments
        else:
            chosen = shipments
        events = []
        for shipment in chosen:
            events.extend(self.events_from_shipment(shipment, number))
        return sorted(events, key=lambda e: e.occurred_at)

    @staticmethod
    def _detail(item, service):
        """A service-specific code carried by a Unified event, if any."""
        for key in ("statusDetailed", "typeCode", "eventCode"):
            value = str(item.get(key) or "").strip().upper()
            if not value or " " in value:
                continue
            code, _sep, ric = value.partition("/")
            if dhl_status.detail_code(code, service, ric):
                return value
        return ""

    @staticmethod
    def _location(location):
        if isinstance(location, str):  # a bare place name, not the object
            return location.strip()
        if not isinstance(location, dict):
            return ""
        address = location.get("address") or {}
        if not isinstance(address, dict):
            return str(address).strip() if isinstance(address, str) else ""
        parts = (address.get("postalCode"), address.get("addressLocality"))
        place = " ".join(str(p) for p in parts if p)
        country = address.get("countryCode") or ""
        return ", ".join(p for p in (place, country) if p)

    def events_from_shipment(self, shipment, number=None):
        number = str(number or shipment.get("id") or "")
        service = str(shipment.get("service") or "")
        details = shipment.get("details") or {}
        signed = (details.get("proofOfDelivery") or {}).get("signed") or {}
        signatory = str(signed.get("name") or "") if isinstance(signed, dict) else ""
        items = [e for e in shipment.get("events") or [] if isinstance(e, dict)]
        status = shipment.get("status")
        if isinstance(status, dict) and not any(
            self._same_event(status, item) for item in items
        ):
            # the status repeats the newest event, sometimes with a "Z" where
            # the event has German local time (DHL's own example): once only
            items.append(status)
        events, seen = [], set()
        for item in items:
            event = self._event(number, service, item, signatory)
            if event is not None and event.dedupe_key not in seen:
                seen.add(event.dedupe_key)
                events.append(event)
        return events

    @staticmethod
    def _same_event(status, item):
        keys = ("statusCode", "status", "description", "location")
        return all(status.get(k) == item.get(k) for k in keys)

    def _event(self, number, service, item, signatory=""):
        if not item.get("timestamp"):
            dhl_status.count_unmapped("no_timestamp", number)
            self._spec_mismatch(
                "tracking", f"event of {number} without timestamp", item
            )
            return None
        try:
            occurred = dhl_timestamp(item["timestamp"])
        except (TypeError, ValueError):
            dhl_status.count_unmapped("bad_timestamp", str(item["timestamp"]))
            self._spec_mismatch(
                "tracking", f"event of {number} with an unreadable timestamp", item
            )
            return None
        status_code = str(item.get("statusCode") or "unknown").strip().lower()
        if status_code not in UNIFIED_STATUS_CODES:
            self._spec_mismatch(
                "tracking",
                f"event of {number} with statusCode {status_code!r} (Unified: "
                + ", ".join(UNIFIED_STATUS_CODES)
                + ")",
                item,
            )
        detail = self._detail(item, service)
        raw_code = f"{status_code}:{detail}" if detail else status_code
        code = self.map_status(raw_code, service=service)
        text = str(item.get("description") or item.get("status") or "")
        if not text and detail:
            text = dhl_status.description(detail.partition("/")[0], service)
        return TrackingEvent(
            tracking_number=number,
            code=code,
            raw_code=raw_code,
            description=text,
            occurred_at=occurred,
            location=self._location(item.get("location")),
            signatory=signatory if code == "delivered" else "",
        )

    def map_status(self, raw_code, **context):
        return dhl_status.map_dhl_status(
            raw_code, context.get("service"), context.get("ric", "")
        )

    # ------------------------------------------------------------------
    # Push (Shipment Tracking - Unified - Push)
    # ------------------------------------------------------------------
    @property
    def push_header(self):
        return self.extra.get("push_header") or DEFAULT_PUSH_HEADER

    def build_push_subscription(
        self, uri, token=None, account_id=None, service="parcel-de"
    ):
        """Body of ``POST /tracking/push/v1/subscription`` (DHL's example)."""
        hook = {"uri": uri}
        if token:
            hook["authentication"] = {
                "type": "ApiKeyAuthentication",
                "header": self.push_header,
                "token": token,
            }
        body = {
            "hook": hook,
            "format": "Default",
            "type": "Account",
            "service": service,
            "events": list(PUSH_EVENTS),
        }
        if account_id:
            body["accountID"] = str(account_id)
        return body

    def subscribe_push(self, uri, token=None, account_id=None, service="parcel-de"):
        """Ask DHL to push tracking updates to ``uri`` (access on request)."""
        response = self.http.request(
            "POST",
            self.push_endpoint,
            operation="push_subscription",
            json=self.build_push_subscription(uri, token, account_id, service),
            headers={"DHL-API-Key": self._tracking_key()},
        )
        if response.status_code in (401, 403):
            raise CarrierAuthError(
                "DHL refused the push subscription (API key without push access?).",
                status=response.status_code,
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code not in (200, 201, 202):
            raise self._unexpected(response)
        return self._json(response)

    def verify_webhook(self, headers, body, secrets):
        """The static header/token set at subscription (no HMAC documented)."""
        usable = [s for s in secrets or [] if s]
        if not usable:
            raise WebhookAuthError(
                "No webhook secret is configured on the DHL account (it is the "
                "token given to DHL in the push subscription).",
                code="no_secret",
            )
        value = _header(headers, self.push_header)
        if not value:
            raise WebhookAuthError(
                f"The push message has no {self.push_header} header.",
                code="missing_token",
            )
        value = str(value).strip().encode("utf-8")
        if any(hmac.compare_digest(value, s.encode("utf-8")) for s in usable):
            return None
        raise WebhookAuthError(
            f"The push message's {self.push_header} does not match the account's "
            "webhook secret.",
            code="bad_token",
        )

    @staticmethod
    def _push_shipments(data):
        """The shipment objects of a push body (None when it has no such shape)."""
        if isinstance(data, list):
            return data
        if not isinstance(data, dict):
            return None
        if "shipments" in data:
            return data["shipments"] if isinstance(data["shipments"], list) else None
        if data.get("id") and ("events" in data or "status" in data):
            return [data]  # a bare shipment object
        if str(data.get("scope") or "").startswith("subscription."):
            return []  # activation / validation message: nothing to apply
        return None

    # -- pushes: the hooks of CarrierAdapter.parse_webhook -------------------
    def _webhook_shape_problem(self, data):
        shipments = self._push_shipments(data)
        if shipments is None:
            return "no 'shipments' list (Unified tracking shape) in the message"
        for index, shipment in enumerate(shipments):
            if not isinstance(shipment, dict):
                return f"shipments[{index}] is not an object"
            if not shipment.get("id"):
                return f"shipments[{index}].id is missing"
            events = shipment.get("events")
            if events is not None and not isinstance(events, list):
                return f"shipments[{index}].events is not a list"
            for pos, event in enumerate(events or []):
                if not isinstance(event, dict) or not event.get("timestamp"):
                    return f"shipments[{index}].events[{pos}] has no timestamp"
        return None

    def _webhook_events(self, headers, data):
        shipments = self._push_shipments(data)
        return self.events_from_response({"shipments": shipments})
