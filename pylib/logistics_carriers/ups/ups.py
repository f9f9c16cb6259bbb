# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS REST adapter (OAuth 2.0 client credentials), no Odoo inside.

Written against UPS's published contracts (``docs/carrier-contracts.md`` §1):
Shipping v2409 (ship, void, label recovery), Rating v2409, Address
Validation v2, Tracking v1 and Track Alert (v2, v1 with a destination).

Since v2403 (Ship/Void) and v2409 (Rate) UPS sends repeating elements as
arrays, while its Postman examples still show single objects: every
repeating element is read with :func:`as_list`.

Error classification (``classify_error``), first match wins:

============================  ==============================================
HTTP 401/403, or code UJ0001,  authentication (``CarrierAuthError``); an API
250002, 250003, 251004,        401 is retried once with a fresh token first
10400, 10401
HTTP 429, 5xx, or code 10004   transient (``CarrierTransientError``; the
                               HTTP client raises it before any parsing and
                               marks 429 and 503 as not processed; a 500,
                               502, 504 or a timeout may hide a created
                               shipment, which is then never resent)
HTTP 404                       ship/void/label: validation ``data`` ("UPS
                               does not know it"); tracking: not found, no
                               events
other 4xx                      validation (``CarrierValidationError``); the
                               category comes from the code table
                               ``ERROR_CATEGORIES``, else from the words of
                               UPS's messages: "service" -> ``service``;
                               address, postal, zip, city, state, province,
                               country, phone, ship to -> ``address``;
                               anything else -> ``data``
============================  ==============================================

The codes are those the contract documents (§1.1, §1.6); UPS's complete
error lists were not consulted, which is why the words decide otherwise.
UPS de-duplicates nothing (no idempotency key): a ship request whose
answer was lost is never sent again blindly (``idempotent_create`` False).
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

from requests.auth import HTTPBasicAuth

from logistics_carriers import (
    Address,
    AddressValidationResult,
    CarrierAdapter,
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    PackageResult,
    RateQuote,
    ShipmentResult,
    SimulatorAdapter,
    TrackingEvent,
    WebhookAuthError,
    mask_payload,
    parse_retry_after,
    register_adapter,
)

from . import ups_status

_logger = logging.getLogger(__name__)

API_VERSION = "v2409"
SERVICES = {
    "01": "UPS Next Day Air",
    "02": "UPS 2nd Day Air",
    "03": "UPS Ground",
    "07": "UPS Worldwide Express",
    "08": "UPS Worldwide Expedited",
    "11": "UPS Standard",
    "12": "UPS 3 Day Select",
    "13": "UPS Next Day Air Saver",
    "14": "UPS Next Day Air Early",
    "17": "UPS Worldwide Economy DDU",
    "54": "UPS Worldwide Express Plus",
    "59": "UPS 2nd Day Air A.M.",
    "65": "UPS Worldwide Saver",
    "72": "UPS Worldwide Economy DDP",
    "74": "UPS Express 12:00",
}
# UPS label formats; PDF is not one of them: a PDF account gets GIF labels.
LABEL_FORMATS = {"GIF": "GIF", "PNG": "PNG", "ZPL": "ZPL", "EPL": "EPL", "SPL": "SPL"}
THERMAL_FORMATS = ("ZPL", "EPL", "SPL")
LABEL_STOCK_HEIGHTS = ("6", "8")
# Shipper countries whose packages UPS measures in pounds and inches.
IMPERIAL_COUNTRIES = ("US", "PR")
NANP_COUNTRIES = ("US", "CA", "PR")
LBS_PER_KG = 2.20462262
WEIGHT_UNIT_NAMES = {"LBS": "Pounds", "KGS": "Kilograms"}
LENGTH_UNIT_NAMES = {"IN": "Inches", "CM": "Centimeters"}
CM_PER_IN = 2.54
ADDRESS_VALIDATION_COUNTRIES = ("US", "PR")
# The European Union's customs union (Shipping.yaml: no Description of Goods
# between two EU countries with UPS Standard); the US and Puerto Rico share
# one customs territory, though UPS wants an InvoiceLineTotal from the US to
# Puerto Rico and Canada.
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)
CUSTOMS_UNIONS = (EU_COUNTRIES, frozenset({"US", "PR"}))
INVOICE_LINE_TOTAL_LANES = (("US", "CA"), ("US", "PR"))
UPS_STANDARD = "11"
# Shipping.yaml Shipper.ShipperNumber: minLength 6, maxLength 6
SHIPPER_NUMBER_RE = re.compile(r"[0-9A-Z]{6}")
# Shipment.ReturnService.Code of a UPS Print Return Label (PRL)
RETURN_SERVICE = "9"
# InternationalForms.FormType: 01 invoice; 05 partial invoice (returns only)
INVOICE_FORM = "01"
RETURN_INVOICE_FORM = "05"
EXPORT_REASONS = ("SALE", "GIFT", "SAMPLE", "RETURN", "REPAIR", "INTERCOMPANYDATA")

AUTH_CODES = frozenset({"UJ0001", "250002", "250003", "251004", "10400", "10401"})
TRANSIENT_CODES = frozenset({"10004"})
NOT_FOUND_CODES = frozenset({"TW0001"})
ERROR_CATEGORIES = {
    "120512": "data",  # shipment description required
    "10007": "data",  # content type
    "TV1002": "data",  # invalid inquiry number
    "VSS220": "data",  # more than 100 numbers in a subscription
}
SERVICE_WORDS = ("service",)
ADDRESS_WORDS = (
    "address",
    "postal",
    "zip",
    "city",
    "state",
    "province",
    "country",
    "phone",
    "ship to",
    "shipto",
    "consignee",
)
CATEGORY_MESSAGES = {
    "address": "UPS rejected the address",
    "service": "UPS rejected the shipping service",
    "data": "UPS rejected the shipment data",
}


# -- small helpers -------------------------------------------------------------
def needs_customs(origin, destination):
    """True when a shipment leaves the shipper's customs area."""
    origin, destination = (origin or "").upper(), (destination or "").upper()
    if not origin or not destination or origin == destination:
        return False
    return not any(origin in u and destination in u for u in CUSTOMS_UNIONS)


def needs_description(origin, destination, service_code=""):
    """Shipping.yaml: a Description of Goods is required between countries,
    except between two EU countries with UPS Standard."""
    origin, destination = (origin or "").upper(), (destination or "").upper()
    if not origin or not destination or origin == destination:
        return False
    both_eu = origin in EU_COUNTRIES and destination in EU_COUNTRIES
    return not (both_eu and str(service_code or "") == UPS_STANDARD)


def return_description(request):
    """The merchandise description of a return's packages."""
    customs = request.customs or {}
    return customs.get("description") or f"Return {request.reference or ''}".strip()


def needs_invoice_line_total(origin, destination):
    """Required for forward shipments from the US to Puerto Rico or Canada."""
    return ((origin or "").upper(), (destination or "").upper()) in (
        INVOICE_LINE_TOTAL_LANES
    )


def customs_total(customs):
    """Sum of quantity x unit value of the customs lines."""
    total = 0.0
    for line in (customs or {}).get("lines") or []:
        try:
            total += float(line.get("quantity") or 0) * float(
                line.get("unit_value") or 0
            )
        except (TypeError, ValueError):
            continue
    return round(total, 2)


def as_list(value):
    """UPS sends one object or an array for repeating elements: always a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def dig(data, *keys):
    """``data[k1][k2]...`` or None, tolerating missing levels and non-dicts."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def clip(value, size):
    return str(value or "").strip()[:size]


def fmt_number(value, digits):
    """A UPS number string: ``5``, ``2.5`` (no trailing zeros)."""
    text = f"{float(value):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def phone_digits(phone, country_code):
    """Digits UPS accepts; NANP numbers without their leading country code."""
    digits = re.sub(r"\D", "", phone or "")
    if (country_code or "").upper() in NANP_COUNTRIES and len(digits) == 11:
        digits = digits[1:] if digits.startswith("1") else digits
    return digits[:15]


def decode_label(value):
    """Bytes of a Base64 ``GraphicImage``; None when absent or not Base64."""
    if not value or not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def money(value):
    """(amount, currency) of a ``{CurrencyCode, MonetaryValue}``, or None."""
    if not isinstance(value, dict) or value.get("MonetaryValue") in (None, ""):
        return None
    try:
        return float(value["MonetaryValue"]), str(value.get("CurrencyCode") or "")
    except (TypeError, ValueError):
        return None


def ups_time(time_text):
    """``HHMMSS`` of a UPS time: ``HHMMSS``, ``HH:MM:SS`` (Track API
    ``gmtTime``, e.g. ``20:04:35``), ``HHMM``, or ``74700`` (Tracking.yaml's
    example: the leading zero dropped); None when malformed."""
    text = str(time_text or "").strip() or "000000"
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if match:
        return f"{int(match.group(1)):02d}{match.group(2)}{match.group(3) or '00'}"
    if not re.fullmatch(r"\d{3,6}", text):
        return None
    if len(text) <= 4:  # HMM / HHMM
        return text.zfill(4) + "00"
    return text.zfill(6)  # HMMSS / HHMMSS


def ups_offset(offset):
    """tzinfo of a UPS GMT offset (``-04:00``, Track Alert ``-04.00``,
    ``-0400``, ``+5``); None when absent or malformed."""
    match = re.fullmatch(r"([+-])(\d{1,2})(?:[:.]?(\d{2}))?", str(offset or "").strip())
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def ups_datetime(date_text, time_text, offset=None):
    """UTC datetime of UPS ``YYYYMMDD`` + a time (:func:`ups_time`) + an
    offset (:func:`ups_offset`).

    Without an offset the value is taken as UTC (callers read UPS's GMT
    fields first); None when the date or time is missing or malformed.
    """
    date_text = str(date_text or "").strip()
    clock = ups_time(time_text)
    if not re.fullmatch(r"\d{8}", date_text) or clock is None:
        return None
    try:
        value = datetime.strptime(date_text + clock, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    tz = ups_offset(offset) or timezone.utc
    return value.replace(tzinfo=tz).astimezone(timezone.utc)


def response_errors(data):
    """``[(code, message)]`` of UPS's ``{"response": {"errors": [...]}}``
    (also ``{"errors": [...]}``, the envelope of Track Alert v1's examples)."""
    errors = dig(data, "response", "errors")
    if errors is None:
        errors = dig(data, "errors")
    return [
        (str(item.get("code") or "").strip(), str(item.get("message") or "").strip())
        for item in as_list(errors)
        if isinstance(item, dict)
    ]


def error_category(errors):
    """address, service or data for a list of ``(code, message)``."""
    for code, _message in errors:
        if code in ERROR_CATEGORIES:
            return ERROR_CATEGORIES[code]
    text = " ".join(message for _code, message in errors).lower()
    if any(word in text for word in SERVICE_WORDS):
        return "service"
    if any(word in text for word in ADDRESS_WORDS):
        return "address"
    return "data"


def classify_error(status, errors):
    """(kind, category): kind is auth, transient, not_found or validation."""
    codes = {code for code, _message in errors}
    if status in (401, 403) or codes & AUTH_CODES:
        return "auth", "authentication"
    if status == 429 or (status or 0) >= 500 or codes & TRANSIENT_CODES:
        return "transient", "carrier_error"
    if status == 404 or codes & NOT_FOUND_CODES:
        return "not_found", "data"
    return "validation", error_category(errors)


def _header(headers, name):
    """Case-insensitive header look-up on a dict or a Headers object."""
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None:
        for key, val in dict(headers).items():
            if str(key).lower() == name.lower():
                return val
    return value


# -- Track Alert v2 push tokens (OAuth 2 client credentials, issued by us) --------
PUSH_TOKEN_TTL = 3600  # seconds; UPS fetches a new token when one expires


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_signature(secret, payload):
    return hmac.new(
        secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256
    ).digest()


def issue_push_token(client_id, secret, ttl=PUSH_TOKEN_TTL, now=None):
    """A stateless bearer token for UPS's pushes: ``payload.signature``.

    The payload (Base64url JSON) holds the client id, the expiry and a
    random id; the signature is HMAC-SHA256 with the client secret (the
    account's webhook secret), so rotating the secret revokes the tokens
    once the previous secret is dropped. Returns ``(token, expires_in)``.
    """
    now = int(now if now is not None else time.time())
    claims = {"cid": client_id, "exp": now + int(ttl), "jti": uuid.uuid4().hex}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_b64url(_token_signature(secret, payload))}", int(ttl)


def check_push_token(token, secrets, *, client_id="", api_key="", now=None):
    """Raise :class:`WebhookAuthError` unless ``token`` was issued by
    :func:`issue_push_token` with one of ``secrets``, has not expired and
    names ``client_id`` (also ``x-api-key``, when UPS sends it)."""
    payload, _dot, signature = str(token or "").partition(".")
    try:
        given = _unb64url(signature)
        claims = json.loads(_unb64url(payload))
    except (ValueError, binascii.Error):
        claims, given = None, b""
    if not isinstance(claims, dict) or not any(
        hmac.compare_digest(given, _token_signature(secret, payload))
        for secret in secrets
        if secret
    ):
        raise WebhookAuthError(
            "The UPS push's bearer token was not issued by this account's token "
            "endpoint (or the client secret was rotated since).",
            code="bad_credential",
        )
    now = now if now is not None else time.time()
    try:
        expired = float(claims.get("exp")) <= now
    except (TypeError, ValueError):
        expired = True
    if expired:
        raise WebhookAuthError(
            "The UPS push's bearer token has expired.", code="token_expired"
        )
    cid = str(claims.get("cid") or "")
    if client_id and not hmac.compare_digest(cid, client_id):
        raise WebhookAuthError(
            "The UPS push's token belongs to another OAuth client.",
            code="bad_client",
        )
    if api_key and not hmac.compare_digest(api_key, cid):
        raise WebhookAuthError(
            "The UPS push's x-api-key is not the OAuth client id of its token.",
            code="bad_client",
        )
    return claims


@dataclass
class SubscriptionResult:
    """Outcome of a Track Alert subscription (one or more calls)."""

    valid: list = field(default_factory=list)
    invalid: list = field(default_factory=list)
    expires_at: datetime | None = None
    messages: list = field(default_factory=list)


@register_adapter
class UpsAdapter(CarrierAdapter):
    """UPS: Shipping, Void, Rating, Address Validation, Tracking, Track Alert."""

    carrier_code = "ups"
    label = "UPS"
    default_base_urls = {
        "sandbox": "https://wwwcie.ups.com/api",
        "production": "https://onlinetools.ups.com/api",
    }
    supports_lookup = False
    # ShipmentRequest.is_return: a UPS Print Return Label (ReturnService 9)
    supports_returns = True
    idempotent_create = False  # UPS has no idempotency key: never resend blindly
    api_version = API_VERSION
    label_recovery_version = "v1"
    address_validation_version = "v2"
    address_candidates = 5
    # One Track API call per number; the poller hands over this many numbers
    # per call of track() and waits track_min_interval seconds between them.
    track_batch_size = 25
    track_min_interval = 1.0
    subscription_batch_size = 100  # UPS: at most 100 numbers per request
    subscription_days = 14  # a Track Alert subscription lasts 14 days
    void_batch_size = 20  # UPS: at most 20 tracking numbers per void
    transaction_src = "odoo-logistics-suite"
    supports_webhooks = True
    webhook_malformed_message = "The body is not a UPS Track Alert message: {problem}"

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        self.unmapped = {}  # composite raw code -> count (never dropped)
        self.spec_mismatches = []  # answers that break UPS's specification
        self.last_track_problems = {}  # tracking number -> why it has no events
        sink = self.http.log_sink
        if sink is not None:
            self.http.log_sink = self._masking_sink(sink)

    def _masking_sink(self, sink):
        """Also hide the literal client id and secret (UPS echoes the id)."""
        literals = [v for v in (self.config.client_id, self.config.client_secret) if v]

        def masked(entry):
            for key in ("request_body", "response_body"):
                text = entry.get(key)
                if isinstance(text, str):
                    for literal in literals:
                        text = text.replace(literal, "***")
                    entry[key] = text
            sink(entry)

        return masked

    def _spec_mismatch(self, operation, what, data=None):
        """An answer that does not match UPS's specification: kept (masked)
        in the integration log, where the account counts it; never dropped
        silently. The caller carries on with what could be read."""
        masked = json.dumps(mask_payload(data), default=str)[:4000] if data else None
        self.spec_mismatches.append((operation, what))
        _logger.warning(
            "UPS %s answer does not match its specification: %s", operation, what
        )
        self.http._emit(
            {
                "operation": f"{operation}:spec_mismatch",
                "method": "",
                "url": "",
                "status_code": 200,
                "error": f"The UPS answer does not match UPS's specification: {what}",
                "response_body": masked,
                "spec_mismatch": True,
            }
        )

    # -- configuration ------------------------------------------------------
    @property
    def extra(self):
        return self.config.extra or {}

    def token_url(self):
        """``<scheme>://<host>/security/v1/oauth/token`` of the API base URL."""
        if self.extra.get("token_url"):
            return self.extra["token_url"]
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/security/v1/oauth/token"

    def shipper_number(self):
        """The 6-character UPS shipper number (Shipping.yaml: exactly 6).

        Raises a validation error in words otherwise: UPS would refuse every
        shipment, rate and subscription of the account.
        """
        number = str(self.config.account_number or "").strip().upper()
        if not SHIPPER_NUMBER_RE.fullmatch(number):
            raise CarrierValidationError(
                f"The UPS shipper number {number or '(empty)'!r} of the carrier "
                "account is not valid: UPS account numbers are exactly 6 letters "
                "or digits. An administrator must correct the account number.",
                code="invalid_shipper_number",
                category="data",
                field_errors=[
                    FieldError("account_number", "Exactly 6 letters or digits (UPS).")
                ],
            )
        return number

    def label_format(self, requested=None):
        """The UPS label format for an account/request format (PDF -> GIF)."""
        wanted = str(requested or self.config.label_format or "GIF").upper()
        return LABEL_FORMATS.get(wanted, "GIF")

    def units(self, shipper_country):
        """(weight unit, dimension unit): account setting or shipper country."""
        setting = str(self.extra.get("weight_unit") or "auto").upper()
        if setting not in ("KGS", "LBS"):
            country = (shipper_country or "").upper()
            setting = "LBS" if country in IMPERIAL_COUNTRIES else "KGS"
        return setting, ("IN" if setting == "LBS" else "CM")

    # -- OAuth --------------------------------------------------------------
    def _fetch_token(self):
        if not (self.config.client_id and self.config.client_secret):
            raise CarrierAuthError(
                "The UPS account has no client ID or client secret. An "
                "administrator must enter those of the UPS developer application.",
                code="no_credentials",
            )
        headers = {}
        merchant = str(self.config.account_number or "").strip().upper()
        if SHIPPER_NUMBER_RE.fullmatch(merchant):
            headers["x-merchant-id"] = merchant
        response = self.http.request(
            "POST",
            self.token_url(),
            operation="token",
            data={"grant_type": "client_credentials"},
            headers=headers,
            auth=HTTPBasicAuth(self.config.client_id, self.config.client_secret),
        )
        data = self._json(response)
        if response.status_code in (400, 401, 403):
            errors = response_errors(data)
            raise CarrierAuthError(
                "UPS refused the account's client ID or secret "
                f"({self._words(errors, response)}). An administrator must check "
                "the UPS credentials of the carrier account.",
                status=response.status_code,
                code=errors[0][0] if errors else "invalid_client",
                carrier_message=self._words(errors, response),
            )
        if response.status_code != 200 or not data.get("access_token"):
            raise self._unexpected(response, "token")
        try:
            expires_in = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            expires_in = 3600.0
        return str(data["access_token"]), expires_in

    # -- HTTP ---------------------------------------------------------------
    def _call(self, method, path, *, operation, json=None, params=None):
        """A Bearer call with UPS's transId / transactionSrc headers."""
        trans_id = uuid.uuid4().hex  # 32 characters, also our correlation id
        try:
            return self.authorized_request(
                method,
                path,
                operation=operation,
                json=json,
                params=params,
                headers={
                    "transId": trans_id,
                    "transactionSrc": clip(
                        self.extra.get("transaction_src") or self.transaction_src,
                        512,
                    ),
                },
                correlation_id=trans_id,
            )
        except (CarrierTransientError, CarrierAuthError) as err:
            # 429/5xx, or a 401 again after a fresh token: UPS's words
            self._refine(err)
            raise

    @classmethod
    def _refine(cls, err):
        """Put UPS's words (not its raw JSON) in an error raised below us."""
        try:
            errors = response_errors(json.loads(err.carrier_message or ""))
        except ValueError:
            errors = []
        if not errors:
            return
        err.carrier_message = cls._words(errors)
        err.code = errors[0][0] or err.code
        if isinstance(err, CarrierTransientError):
            err.message = (
                f"UPS is unavailable (HTTP {err.status}: {err.carrier_message}). "
                "Try again later."
            )
            err.args = (err.message,)

    _json = staticmethod(SimulatorAdapter._json)  # JSON object of a response, or {}

    @staticmethod
    def _words(errors, response=None):
        text = "; ".join(f"{msg} ({code})" if code else msg for code, msg in errors)
        if not text and response is not None:
            text = (response.text or "").strip()[:500]
        return text

    @staticmethod
    def _correlation(response):
        request = getattr(response, "request", None)
        headers = getattr(request, "headers", None) or {}
        return headers.get("X-Correlation-ID")

    def _unexpected(self, response, operation):
        return CarrierError(
            f"UPS gave an unexpected answer to {operation} "
            f"(HTTP {response.status_code}).",
            status=response.status_code,
            code="unexpected_answer",
            carrier_message=(response.text or "")[:2000],
            correlation_id=self._correlation(response),
        )

    def _check(self, response, operation):
        """JSON of a 2xx answer; the matching error class otherwise."""
        status = response.status_code
        data = self._json(response)
        if 200 <= status < 300:
            if not data:
                raise self._unexpected(response, operation)
            return data
        self._raise(response, operation, data)

    def _raise(self, response, operation, data):
        status = response.status_code
        errors = response_errors(data)
        kind, category = classify_error(status, errors)
        words = self._words(errors, response)
        common = {
            "status": status,
            "code": errors[0][0] if errors else None,
            "carrier_message": words,
            "correlation_id": self._correlation(response),
        }
        if kind == "auth":
            raise CarrierAuthError(
                f"UPS refused access (HTTP {status}: {words}). An administrator must "
                "check the UPS credentials and the account's API permissions.",
                **common,
            )
        if kind == "transient":
            raise CarrierTransientError(
                f"UPS is unavailable (HTTP {status}: {words}). Try again later.",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                **common,
            )
        if kind == "not_found":
            raise CarrierValidationError(
                f"UPS does not know this shipment ({words}).",
                category="data",
                field_errors=self._field_errors(errors),
                **common,
            )
        raise CarrierValidationError(
            f"{CATEGORY_MESSAGES[category]}: {words}",
            category=category,
            field_errors=self._field_errors(errors),
            **common,
        )

    @staticmethod
    def _field_errors(errors):
        return [
            FieldError(field=f"UPS {code}" if code else "UPS", message=msg, code=code)
            for code, msg in errors
        ]

    @staticmethod
    def _require_success(root, what):
        code = str(dig(root, "Response", "ResponseStatus", "Code") or "")
        if code != "1":
            raise CarrierError(
                f"UPS did not confirm the {what} "
                f"(response status {code or 'missing'}).",
                code="not_confirmed",
                carrier_message=json.dumps(dig(root, "Response") or {})[:2000],
            )

    # -- request building -----------------------------------------------------
    def _address(self, address):
        lines = [clip(line, 35) for line in (address.street, address.street2)]
        result = {
            "AddressLine": [line for line in lines if line],
            "City": clip(address.city, 30),
            "PostalCode": clip(address.zip, 9).upper(),
            "CountryCode": clip(address.country_code, 2).upper(),
        }
        state = clip(address.state_code, 5).upper()
        if state:
            result["StateProvinceCode"] = state
        return result

    def _party(self, address, shipper_number=None):
        name = address.company_name or address.name
        party = {
            "Name": clip(name, 35),
            "AttentionName": clip(address.name or name, 35),
        }
        if shipper_number:
            party["ShipperNumber"] = shipper_number
        phone = phone_digits(address.phone, address.country_code)
        if phone:
            party["Phone"] = {"Number": phone}
        party["Address"] = self._address(address)
        return party

    def _package(self, parcel, units, *, reference=None, rating=False):
        weight_unit, length_unit = units
        weight = float(parcel.weight_kg or 0.0)
        if weight_unit == "LBS":
            weight *= LBS_PER_KG
        code = str(parcel.package_type or "").strip()
        package = {
            ("PackagingType" if rating else "Packaging"): {
                "Code": code if re.fullmatch(r"\d{2}", code) else "02"
            },
            "PackageWeight": {
                # Rating.yaml requires the Description of both units
                "UnitOfMeasurement": {
                    "Code": weight_unit,
                    "Description": WEIGHT_UNIT_NAMES[weight_unit],
                },
                "Weight": fmt_number(max(round(weight, 1), 0.1), 1),
            },
        }
        sizes = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
        if all(float(size or 0) > 0 for size in sizes):
            # Shipping.yaml: Length/Width/Height 1-3 characters (0-108 IN,
            # 0-270 CM): whole units, rounded up so that nothing is understated
            factor = 1 / CM_PER_IN if length_unit == "IN" else 1.0
            length, width, height = (
                str(max(math.ceil(round(float(s) * factor, 2)), 1)) for s in sizes
            )
            package["Dimensions"] = {
                "UnitOfMeasurement": {
                    "Code": length_unit,
                    "Description": LENGTH_UNIT_NAMES[length_unit],
                },
                "Length": length,
                "Width": width,
                "Height": height,
            }
        if reference:
            package["ReferenceNumber"] = [{"Value": clip(reference, 35)}]
        return package

    def _lane(self, request):
        origin = (request.shipper.country_code or "").upper()
        destination = (request.recipient.country_code or "").upper()
        return origin, destination

    def _shipment_core(self, request, rating=False):
        """Shipper, ShipTo, ShipFrom, Service and Package of Ship and Rate."""
        origin, destination = self._lane(request)
        units = self.units(origin)
        # Package references only within the US/PR (UPS business rule);
        # elsewhere the reference goes on the shipment.
        domestic_us = origin == destination and origin in IMPERIAL_COUNTRIES
        if request.is_return and not rating:
            # A return: the customer (request.shipper) is ShipFrom, the
            # warehouse (request.recipient) ShipTo, the account holder Shipper.
            shipment = {
                "Shipper": self._party(request.recipient, self.shipper_number()),
                "ShipTo": self._party(request.recipient),
                "ShipFrom": self._party(request.shipper),
            }
        else:
            shipment = {
                "Shipper": self._party(request.shipper, self.shipper_number()),
                "ShipTo": self._party(request.recipient),
                "ShipFrom": self._party(request.shipper),
            }
        code = clip(request.service_code, 3)
        if code:
            shipment["Service"] = {"Code": code, "Description": SERVICES.get(code, "")}
        shipment["Package"] = [
            self._package(
                parcel,
                units,
                reference=(parcel.reference or request.reference)
                if domestic_us and not rating
                else None,
                rating=rating,
            )
            for parcel in request.parcels
        ]
        if request.is_return and not rating:
            # Shipping.yaml: Package.Description (1-35) is required for a
            # shipment with a return service.
            description = clip(return_description(request), 35)
            for package in shipment["Package"]:
                package["Description"] = description
        if not domestic_us and not rating and request.reference:
            shipment["ReferenceNumber"] = [{"Value": clip(request.reference, 35)}]
        if self.extra.get("negotiated_rates"):
            shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": ""}
        return shipment

    def _label_specification(self, label_format):
        """Shipping.yaml requires LabelStockSize (used by ZPL/EPL/SPL only)."""
        spec = {"LabelImageFormat": {"Code": label_format, "Description": label_format}}
        height = str(self.extra.get("label_stock_size") or "6")
        height = height if height in LABEL_STOCK_HEIGHTS else "6"
        spec["LabelStockSize"] = {"Height": height, "Width": "4"}
        if label_format not in THERMAL_FORMATS:
            spec["HTTPUserAgent"] = "Mozilla/4.5"
        return spec

    @staticmethod
    def _request_container(reference="", **values):
        """UPS's ``Request`` container; ``CustomerContext`` only when there
        is a reference (Shipping.yaml/Rating.yaml: minLength 1)."""
        container = dict(values)
        context = clip(reference, 512)
        if context:
            container["TransactionReference"] = {"CustomerContext": context}
        return container

    def build_ship_request(self, request):
        """The ``ShipmentRequest`` body for ``POST /shipments/v2409/ship``."""
        origin, destination = self._lane(request)
        customs = request.customs or {}
        description = customs.get("description") or request.reference or "Goods"
        shipment = {"Description": clip(description, 50)}
        shipment.update(self._shipment_core(request))
        if request.is_return:
            shipment["ReturnService"] = {
                "Code": RETURN_SERVICE,
                "Description": "UPS Print Return Label",
            }
        shipment["PaymentInformation"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.shipper_number()}}
            ]
        }
        currency = clip(customs.get("currency") or request.currency or "USD", 3)
        if needs_invoice_line_total(origin, destination):
            total = customs_total(customs) or float(request.declared_value or 0)
            if total > 0:
                shipment["InvoiceLineTotal"] = {
                    "CurrencyCode": currency,
                    "MonetaryValue": fmt_number(total, 2),
                }
        if (
            customs.get("lines")
            and needs_customs(origin, destination)
            and self.extra.get("commercial_invoice", True)
        ):
            shipment["ShipmentServiceOptions"] = {
                "InternationalForms": self.build_international_forms(
                    customs, currency, request
                )
            }
        return {
            "ShipmentRequest": {
                "Request": self._request_container(
                    request.reference, RequestOption="validate", SubVersion="1801"
                ),
                "Shipment": shipment,
                "LabelSpecification": self._label_specification(
                    self.label_format(request.label_format)
                ),
            }
        }

    def build_international_forms(self, customs, currency, request):
        """``InternationalForms`` with a commercial invoice: FormType 01, or
        05 (partial invoice) for a return (Shipping.yaml: with a return
        service only 05 or 10 are valid; 01 and 05 are mutually exclusive).

        Shipping.yaml requires for an invoice: Product[] (Description, Unit
        {Number, UnitOfMeasurement.Code, Value}, PartNumber), InvoiceNumber,
        InvoiceDate (yyyyMMdd), ReasonForExport and CurrencyCode; the sold-to
        contact is the recipient.
        """
        products = []
        for line in customs.get("lines") or []:
            product = {
                "Description": [clip(line.get("description"), 35)],
                "Unit": {
                    "Number": str(int(round(float(line.get("quantity") or 0)))),
                    "UnitOfMeasurement": {
                        "Code": clip(line.get("uom") or "PCS", 3).upper()
                    },
                    "Value": fmt_number(float(line.get("unit_value") or 0), 2),
                },
                "PartNumber": clip(line.get("part_number"), 10),
                "OriginCountryCode": clip(
                    line.get("origin_country") or request.shipper.country_code, 2
                ).upper(),
            }
            if line.get("hs_code"):
                product["CommodityCode"] = clip(
                    re.sub(r"[^0-9A-Za-z]", "", str(line["hs_code"])), 15
                )
            products.append(product)
        invoice_date = str(customs.get("invoice_date") or "").replace("-", "")
        if not invoice_date and request.ship_date:
            invoice_date = request.ship_date.strftime("%Y%m%d")
        reason = str(customs.get("reason") or "SALE").upper()
        forms = {
            "FormType": [RETURN_INVOICE_FORM if request.is_return else INVOICE_FORM],
            "Product": products,
            "InvoiceNumber": clip(
                customs.get("invoice_number") or request.reference, 35
            ),
            "InvoiceDate": invoice_date,
            "ReasonForExport": reason if reason in EXPORT_REASONS else "SALE",
            "CurrencyCode": currency,
            "Contacts": {"SoldTo": self._party(request.recipient)},
        }
        if customs.get("terms"):
            forms["TermsOfShipment"] = clip(customs["terms"], 3).upper()
        return forms

    @staticmethod
    def rate_option(request):
        """``Ratetimeintransit`` for one service, ``Shoptimeintransit`` for all."""
        return "Ratetimeintransit" if request.service_code else "Shoptimeintransit"

    def build_rate_request(self, request):
        """The ``RateRequest`` body for ``POST /rating/v2409/{option}``
        (``Ratetimeintransit`` or ``Shoptimeintransit``; Rating.yaml wants
        the same value in ``Request.RequestOption``)."""
        shipment = self._shipment_core(request, rating=True)
        shipment["PaymentDetails"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.shipper_number()}}
            ]
        }
        shipment["NumOfPieces"] = str(len(request.parcels))
        # Time in transit (Ratetimeintransit/Shoptimeintransit): the bill
        # type (03 non-document) and the pickup date are required.
        timing = {"PackageBillType": "03"}
        if request.ship_date:
            timing["Pickup"] = {"Date": request.ship_date.strftime("%Y%m%d")}
        shipment["DeliveryTimeInformation"] = timing
        # Rating.yaml: ShipmentTotalWeight (and InvoiceLineTotal between
        # countries) are needed for the time in transit of an international
        # shipment; sent always, the total weight is harmless at home.
        origin, destination = self._lane(request)
        weight_unit, _length_unit = self.units(origin)
        total_weight = request.total_weight_kg * (
            LBS_PER_KG if weight_unit == "LBS" else 1.0
        )
        shipment["ShipmentTotalWeight"] = {
            # Rating.yaml: Code and Description are both required
            "UnitOfMeasurement": {
                "Code": weight_unit,
                "Description": WEIGHT_UNIT_NAMES[weight_unit],
            },
            "Weight": fmt_number(max(round(total_weight, 1), 0.1), 1),
        }
        value = customs_total(request.customs or {}) or float(
            request.declared_value or 0
        )
        if origin != destination and value > 0:
            shipment["InvoiceLineTotal"] = {
                "CurrencyCode": clip(request.currency or "USD", 3),
                "MonetaryValue": fmt_number(value, 2),
            }
        return {
            "RateRequest": {
                "Request": self._request_container(
                    request.reference, RequestOption=self.rate_option(request)
                ),
                "Shipment": shipment,
            }
        }

    # -- shipping -------------------------------------------------------------
    def create_shipment(self, request):
        response = self._call(
            "POST",
            f"/shipments/{self.api_version}/ship",
            operation="create_shipment",
            json=self.build_ship_request(request),
        )
        data = self._check(response, "create_shipment")
        result = self.parse_ship_response(data, self.label_format(request.label_format))
        if result.raw.get("labels_not_decoded"):
            self._spec_mismatch(
                "create_shipment",
                "GraphicImage is not Base64 for "
                + ", ".join(result.raw["labels_not_decoded"]),
            )
        return result

    @classmethod
    def parse_ship_response(cls, data, label_format=""):
        """ShipmentResult of a ``ShipmentResponse`` (arrays or single objects)."""
        root = dig(data, "ShipmentResponse") or {}
        cls._require_success(root, "shipment")
        results = root.get("ShipmentResults") or {}
        packages, broken = [], []
        for item in as_list(results.get("PackageResults")):
            if not isinstance(item, dict):
                continue
            number = str(item.get("TrackingNumber") or "").strip()
            label = item.get("ShippingLabel") or {}
            image = label.get("GraphicImage")
            content = decode_label(image)
            if image and content is None:
                broken.append(number)
            fmt = str(dig(label, "ImageFormat", "Code") or label_format or "").upper()
            packages.append(PackageResult(number, content, fmt))
        shipment_id = str(results.get("ShipmentIdentificationNumber") or "").strip()
        if not shipment_id and packages:
            shipment_id = packages[0].tracking_number
        if not shipment_id:
            raise CarrierError(
                "UPS confirmed the shipment without a shipment identification number.",
                code="no_shipment_id",
                carrier_message=json.dumps(results)[:2000],
            )
        if not packages:
            packages = [PackageResult(shipment_id, None, label_format)]
        total = money(dig(results, "ShipmentCharges", "TotalCharges"))
        negotiated = money(dig(results, "NegotiatedRateCharges", "TotalCharge"))
        charges = negotiated or total
        raw = {
            "shipment_identification_number": shipment_id,
            "tracking_numbers": [p.tracking_number for p in packages],
            "total_charges": total,
            "negotiated_charges": negotiated,
            "billing_weight": {
                "unit": dig(results, "BillingWeight", "UnitOfMeasurement", "Code"),
                "weight": dig(results, "BillingWeight", "Weight"),
            },
            "alerts": [
                {"code": a.get("Code"), "description": a.get("Description")}
                for a in as_list(dig(root, "Response", "Alert"))
                if isinstance(a, dict)
            ],
        }
        if broken:
            raw["labels_not_decoded"] = broken
        return ShipmentResult(
            carrier_shipment_id=shipment_id,
            packages=packages,
            label_format=packages[0].label_format or label_format,
            charges_amount=charges[0] if charges else None,
            charges_currency=charges[1] if charges else "",
            raw=raw,
        )

    def get_label(self, carrier_shipment_id):
        """Label recovery (``POST /labels/v1/recovery``) of a shipment."""
        label_format = self.label_format()
        response = self._call(
            "POST",
            f"/labels/{self.label_recovery_version}/recovery",
            operation="label",
            json=self.build_label_recovery_request(carrier_shipment_id, label_format),
        )
        data = self._check(response, "label")
        return self.parse_label_recovery(data, carrier_shipment_id, label_format)

    def build_label_recovery_request(self, carrier_shipment_id, label_format=None):
        """``LabelRecoveryRequest`` with its required ``Request`` container."""
        label_format = label_format or self.label_format()
        spec = self._label_specification(label_format)
        return {
            "LabelRecoveryRequest": {
                "Request": self._request_container(
                    carrier_shipment_id, SubVersion="1903"
                ),
                "LabelSpecification": {
                    key: spec[key]
                    for key in ("HTTPUserAgent", "LabelImageFormat", "LabelStockSize")
                    if key in spec
                },
                "TrackingNumber": clip(carrier_shipment_id, 18),
            }
        }

    @classmethod
    def parse_label_recovery(cls, data, carrier_shipment_id, label_format=""):
        root = dig(data, "LabelRecoveryResponse") or {}
        cls._require_success(root, "label recovery")
        packages = []
        for item in as_list(root.get("LabelResults")):
            if not isinstance(item, dict):
                continue
            image = item.get("LabelImage") or {}
            fmt = dig(image, "LabelImageFormat", "Code") or label_format
            packages.append(
                PackageResult(
                    str(item.get("TrackingNumber") or "").strip(),
                    decode_label(image.get("GraphicImage")),
                    str(fmt or "").upper(),
                )
            )
        return ShipmentResult(
            carrier_shipment_id=str(
                root.get("ShipmentIdentificationNumber") or carrier_shipment_id
            ),
            packages=packages,
            label_format=packages[0].label_format if packages else label_format,
        )

    def cancel_shipment(
        self, carrier_shipment_id, tracking_numbers=None, *, packages=None
    ):
        """Void the whole shipment, or only ``packages`` (20 per call).

        ``tracking_numbers`` (the shipment's numbers, as the suite passes
        them) are informative: the whole shipment is voided with one call and
        UPS explains a refusal (e.g. already picked up). UPS answers success
        for a package voided before ("Voided or Already Voided"); packages it
        did not void raise a validation error.
        """
        numbers = [n for n in dict.fromkeys(packages or []) if n]
        size = self.void_batch_size
        batches = [numbers[i : i + size] for i in range(0, len(numbers), size)]
        path = (
            f"/shipments/{self.api_version}/void/cancel/"
            f"{quote(carrier_shipment_id, safe='')}"
        )
        refused = []
        for batch in batches or [None]:
            params = None
            if batch:
                value = (
                    batch[0]
                    if len(batch) == 1
                    else "[" + ",".join(f'"{n}"' for n in batch) + "]"
                )
                params = {"trackingnumber": value}
            response = self._call(
                "DELETE", path, operation="cancel_shipment", params=params
            )
            data = self._check(response, "cancel_shipment")
            requested = batch or list(tracking_numbers or []) or [carrier_shipment_id]
            refused += self.parse_void_response(data, requested)
        if refused:
            raise CarrierValidationError(
                "UPS did not void package(s) "
                + ", ".join(number for number, _why in refused)
                + ": "
                + "; ".join(dict.fromkeys(why for _number, why in refused if why)),
                code="not_voided",
                category="data",
                carrier_message="; ".join(f"{n}: {w}" for n, w in refused),
                field_errors=[FieldError(n, w or "Not voided") for n, w in refused],
            )
        return True

    @classmethod
    def parse_void_response(cls, data, requested):
        """``[(number, why)]`` of the packages UPS did NOT void."""
        root = dig(data, "VoidShipmentResponse") or {}
        cls._require_success(root, "void")
        summary = dig(root, "SummaryResult", "Status") or {}
        packages = [p for p in as_list(root.get("PackageLevelResults")) if p]
        if not packages:
            if str(summary.get("Code") or "") == "1":
                return []
            why = str(summary.get("Description") or "Not voided")
            return [(number, why) for number in requested]
        refused = []
        for item in packages:
            if str(dig(item, "Status", "Code") or "") != "1":
                why = str(dig(item, "Status", "Description") or "Not voided")
                refused.append((str(item.get("TrackingNumber") or ""), why))
        return refused

    # -- rating -----------------------------------------------------------------
    def get_rates(self, request):
        # The *timeintransit options add TimeInTransit (business days) to
        # every RatedShipment; Rate/Shop return none for most services.
        option = self.rate_option(request)
        response = self._call(
            "POST",
            f"/rating/{self.api_version}/{option}",
            operation="rates",
            json=self.build_rate_request(request),
        )
        return self.parse_rate_response(self._check(response, "rates"))

    @classmethod
    def parse_rate_response(cls, data):
        root = dig(data, "RateResponse") or {}
        cls._require_success(root, "rate request")
        quotes = []
        for rated in as_list(root.get("RatedShipment")):
            if not isinstance(rated, dict):
                continue
            code = str(dig(rated, "Service", "Code") or "")
            negotiated = money(dig(rated, "NegotiatedRateCharges", "TotalCharge"))
            charges = negotiated or money(rated.get("TotalCharges"))
            if not charges:
                continue
            days = cls.transit_days(rated)
            quotes.append(
                RateQuote(
                    service_code=code,
                    service_name=SERVICES.get(code)
                    or str(dig(rated, "Service", "Description") or "")
                    or f"UPS {code}",
                    amount=charges[0],
                    currency=charges[1],
                    transit_days=days,
                    negotiated=bool(negotiated),
                )
            )
        return quotes

    @staticmethod
    def transit_days(rated):
        """Business days of a RatedShipment: TimeInTransit's estimated
        arrival, else the guaranteed delivery; None when UPS gives neither."""
        summaries = as_list(dig(rated, "TimeInTransit", "ServiceSummary"))
        for value in (
            dig(
                summaries[0] if summaries else {},
                "EstimatedArrival",
                "BusinessDaysInTransit",
            ),
            dig(rated, "GuaranteedDelivery", "BusinessDaysInTransit"),
        ):
            text = str(value or "").strip()
            if text.isdigit():
                return int(text)
        return None

    # -- address validation -----------------------------------------------------
    def validate_address(self, address):
        """Street-level validation (US and Puerto Rico only).

        Raises :class:`CarrierNotSupported` where UPS does not validate (or
        the account is not enabled for it) and :class:`CarrierTransientError`
        when the service is down: the caller decides, nothing is blocked here.
        """
        country = (address.country_code or "").upper()
        if self.extra.get("street_validation") is False:
            raise CarrierNotSupported(
                "Street-level address validation is not enabled on this UPS account.",
                code="not_enabled",
            )
        if country not in ADDRESS_VALIDATION_COUNTRIES:
            raise CarrierNotSupported(
                "UPS validates street addresses in the United States and Puerto "
                "Rico only.",
                code="not_supported",
            )
        response = self._call(
            "POST",
            f"/addressvalidation/{self.address_validation_version}/3",
            operation="validate_address",
            params={"maximumcandidatelistsize": self.address_candidates},
            json=self.build_address_request(address),
        )
        return self.parse_address_response(
            self._check(response, "validate_address"), address
        )

    @staticmethod
    def build_address_request(address):
        primary, _sep, extended = clip(address.zip, 10).partition("-")
        key_format = {
            "ConsigneeName": clip(address.company_name or address.name, 40),
            "AddressLine": [
                clip(line, 35) for line in (address.street, address.street2) if line
            ],
            "PoliticalDivision2": clip(address.city, 30),
            "PoliticalDivision1": clip(address.state_code, 5).upper(),
            "PostcodePrimaryLow": primary.strip(),
            "CountryCode": clip(address.country_code, 2).upper(),
        }
        # AddressValidation.yaml: the strings have minLength 1: empty ones
        # are left out (UPS then proposes candidates)
        key_format = {k: v for k, v in key_format.items() if v or k == "CountryCode"}
        if extended.strip():
            key_format["PostcodeExtendedLow"] = extended.strip()
        return {"XAVRequest": {"AddressKeyFormat": key_format}}

    @classmethod
    def parse_address_response(cls, data, original):
        root = dig(data, "XAVResponse") or {}
        cls._require_success(root, "address validation")
        candidates, messages = [], []
        for candidate in as_list(root.get("Candidate")):
            key_format = dig(candidate, "AddressKeyFormat") or {}
            lines = [str(line) for line in as_list(key_format.get("AddressLine"))]
            postcode = str(key_format.get("PostcodePrimaryLow") or "")
            if key_format.get("PostcodeExtendedLow"):
                postcode += f"-{key_format['PostcodeExtendedLow']}"
            candidates.append(
                Address(
                    name=original.name,
                    company_name=original.company_name,
                    street=lines[0] if lines else "",
                    street2=" ".join(lines[1:]),
                    city=str(key_format.get("PoliticalDivision2") or ""),
                    state_code=str(key_format.get("PoliticalDivision1") or ""),
                    zip=postcode,
                    country_code=str(key_format.get("CountryCode") or ""),
                    phone=original.phone,
                    email=original.email,
                )
            )
        valid = "ValidAddressIndicator" in root
        if valid:
            messages.append("UPS confirms the address.")
        elif "AmbiguousAddressIndicator" in root:
            messages.append(
                f"UPS finds the address ambiguous: {len(candidates)} candidate(s)."
            )
        else:
            messages.append("UPS finds no address matching this one.")
        classification = str(dig(root, "AddressClassification", "Code") or "")
        if classification in ("1", "2"):
            kind = "commercial" if classification == "1" else "residential"
            messages.append(f"UPS classifies the address as {kind}.")
        return AddressValidationResult(
            valid=valid, candidates=candidates, messages=messages
        )

    # -- tracking -----------------------------------------------------------------
    def iter_track_batches(self, tracking_numbers):
        """Chunks of ``track_batch_size`` numbers, ``track_min_interval`` apart."""
        numbers = [n for n in dict.fromkeys(tracking_numbers or []) if n]
        for start in range(0, len(numbers), self.track_batch_size):
            if start and self.track_min_interval:
                time.sleep(self.track_min_interval)
            yield numbers[start : start + self.track_batch_size]

    def track(self, tracking_numbers):
        """Events of every number (one Track API call each), oldest first.

        Numbers UPS does not know (404, or 200 with warning TW0001) or calls
        invalid (400, e.g. TV1002) give no events and are listed in
        ``last_track_problems``; authentication and transient errors raise.
        """
        self.last_track_problems = {}
        events = []
        for number in dict.fromkeys(n.strip() for n in tracking_numbers if n):
            if number:
                events += self.track_one(number)
        events.sort(key=lambda e: e.occurred_at)
        return events

    def track_one(self, number):
        response = self._call(
            "GET",
            f"/track/v1/details/{quote(number, safe='')}",
            operation="tracking",
            params={
                "locale": "en_US",
                "returnSignature": "false",
                "returnMilestones": "false",
                "returnPOD": "false",
            },
        )
        try:
            data = self._check(response, "tracking")
        except CarrierValidationError as err:  # 404 not found, 400 invalid
            self.last_track_problems[number] = err.carrier_message or str(err)
            return []
        events = self.parse_track_response(data, number)
        if not events:
            self.last_track_problems.setdefault(number, "no tracking information")
        return events

    def parse_track_response(self, data, inquiry_number=""):
        """TrackingEvents of a ``trackResponse`` (empty when not found).

        Shipment warnings (e.g. ``TW0001`` not found) are kept in
        ``last_track_problems``.
        """
        events = []
        for shipment in as_list(dig(data, "trackResponse", "shipment")):
            if not isinstance(shipment, dict):
                continue
            for warning in as_list(shipment.get("warnings")):
                if isinstance(warning, dict) and warning.get("code"):
                    number = str(shipment.get("inquiryNumber") or inquiry_number)
                    self.last_track_problems[number] = (
                        f"{warning.get('message') or ''} ({warning['code']})".strip()
                    )
            for package in as_list(shipment.get("package")):
                if not isinstance(package, dict):
                    continue
                number = str(package.get("trackingNumber") or "").strip()
                signatory = str(
                    dig(package, "deliveryInformation", "receivedBy") or ""
                ).strip()
                # newest first: read backwards so that equal times keep order
                for activity in reversed(as_list(package.get("activity"))):
                    if isinstance(activity, dict):
                        events.append(self._activity_event(number, activity, signatory))
        events.sort(key=lambda e: e.occurred_at)
        return events

    @staticmethod
    def _location(address):
        if not isinstance(address, dict):
            return ""
        parts = [
            address.get("city"),
            address.get("stateProvince"),
            address.get("postalCode"),
            address.get("countryCode") or address.get("country"),
        ]
        return ", ".join(str(p).strip() for p in parts if p and str(p).strip())

    def _event(self, number, status, occurred_at, location, signatory):
        status = status if isinstance(status, dict) else {}
        status_code = status.get("statusCode") or status.get("descriptionCode")
        type_, code = status.get("type"), status.get("code")
        raw_code = ups_status.composite_code(status_code, type_, code)
        canonical = self.map_status(raw_code)
        description = str(status.get("description") or "").strip()
        return TrackingEvent(
            tracking_number=number,
            code=canonical,
            raw_code=raw_code,
            description=description or ups_status.description(status_code),
            occurred_at=occurred_at or datetime.now(timezone.utc),
            location=location,
            signatory=signatory if canonical == "delivered" else "",
        )

    def _activity_event(self, number, activity, signatory=""):
        occurred = ups_datetime(
            activity.get("gmtDate"), activity.get("gmtTime")
        ) or ups_datetime(
            activity.get("date"), activity.get("time"), activity.get("gmtOffset")
        )
        if occurred is None:
            self._spec_mismatch(
                "tracking", f"activity of {number} without a readable date", activity
            )
        return self._event(
            number,
            activity.get("status"),
            occurred,
            self._location(dig(activity, "location", "address")),
            signatory,
        )

    def map_status(self, raw_code, type=None, code=None, **context):
        """Canonical code: statusCode first, refined by ``type`` and ``code``.

        ``raw_code`` is a statusCode (``"011"``, ``11``) or the composite raw
        code stored on events (``"011/D/FS"``). Unmapped -> ``info``, counted
        in ``self.unmapped``.
        """
        canonical = ups_status.map_status(raw_code, type, code)
        if not ups_status.is_mapped(raw_code, type, code):
            parts = ups_status.split_raw_code(raw_code, type, code)
            key = ups_status.composite_code(*parts)
            self.unmapped[key] = self.unmapped.get(key, 0) + 1
        return canonical

    def tracking_url(self, tracking_number):
        return "https://www.ups.com/track?loc=en_US&tracknum=" + quote(
            str(tracking_number or "").strip(), safe=""
        )

    # -- Track Alert --------------------------------------------------------------
    def subscribe(
        self,
        tracking_numbers,
        *,
        webhook_url=None,
        credential=None,
        subscription_type="standard",
        event_preferences=None,
        locale="en_US",
        country_code=None,
        now=None,
    ):
        """Subscribe numbers to Track Alert, at most 100 per call.

        Without ``webhook_url`` the v2 API is used (the destination and its
        OAuth client credentials are managed on the UPS portal); with it, v1
        (``/track/v1/subscription/standard/package``: v1 has no "enhanced"
        path) and a ``destination`` whose ``credential`` UPS sends back in
        the ``credential`` header of every push. Each subscription lasts 14
        days (renew with :meth:`needs_renewal`); UPS sends no history.
        """
        if subscription_type not in ("standard", "enhanced"):
            raise ValueError("subscription_type must be 'standard' or 'enhanced'")
        if webhook_url and not credential:
            raise ValueError("a webhook_url needs the credential UPS will send back")
        if webhook_url and subscription_type != "standard":
            raise ValueError(
                "Track Alert v1 (a webhook_url) only has standard subscriptions; "
                "enhanced ones are v2 (destination set on the UPS portal)"
            )
        numbers = [n.strip() for n in dict.fromkeys(tracking_numbers or []) if n]
        version = "v1" if webhook_url else "v2"
        path = f"/track/{version}/subscription/{subscription_type}/package"
        result = SubscriptionResult()
        size = self.subscription_batch_size
        for start in range(0, len(numbers), size):
            body = self.build_subscription_request(
                numbers[start : start + size],
                webhook_url=webhook_url,
                credential=credential,
                subscription_type=subscription_type,
                event_preferences=event_preferences,
                locale=locale,
                country_code=country_code,
            )
            response = self._call("POST", path, operation="subscription", json=body)
            data = self._json(response)
            lists_given = "invalidTrackingNumbers" in data
            if not (200 <= response.status_code < 300) and not (
                response.status_code == 400 and lists_given
            ):
                self._raise(response, "subscription", data)
            self.parse_subscription_response(data, result)
        if result.valid:
            now = now or datetime.now(timezone.utc)
            result.expires_at = now + timedelta(days=self.subscription_days)
        return result

    @staticmethod
    def parse_subscription_response(data, result=None):
        """Add a package subscription answer (200, or 400 with the lists)
        to ``result`` (a new :class:`SubscriptionResult` by default)."""
        result = result if result is not None else SubscriptionResult()
        result.valid += [str(n) for n in as_list(data.get("validTrackingNumbers"))]
        result.invalid += [str(n) for n in as_list(data.get("invalidTrackingNumbers"))]
        result.messages += [f"{msg} ({code})" for code, msg in response_errors(data)]
        return result

    def build_subscription_request(
        self,
        numbers,
        *,
        webhook_url=None,
        credential=None,
        subscription_type="standard",
        event_preferences=None,
        locale="en_US",
        country_code=None,
    ):
        """Body of a package subscription (v2, or v1 with a destination)."""
        body = {
            "locale": locale or "en_US",
            "countryCode": (
                country_code or self.extra.get("country_code") or "US"
            ).upper(),
            "trackingNumberList": list(numbers),
        }
        if subscription_type == "enhanced" and event_preferences:
            body["eventPreferences"] = list(event_preferences)
        if webhook_url:
            body["destination"] = {
                "url": webhook_url,
                "credentialType": "Bearer",
                "credential": credential,
            }
        return body

    def build_account_subscription_request(
        self, shipper_number=None, locale="en_US", country_code=None
    ):
        """Body of an account subscription (UPSTrackAlert.yaml v2:
        ``locale`` is required, as for every Track Alert request)."""
        return {
            "locale": locale or "en_US",
            "countryCode": (
                country_code or self.extra.get("country_code") or "US"
            ).upper(),
            "shipperAccountNumber": shipper_number or self.shipper_number(),
            "subAccountType": ["Outbound"],
        }

    def subscribe_account(
        self,
        subscription_type="standard",
        shipper_number=None,
        locale="en_US",
        country_code=None,
    ):
        """Track Alert for every outbound package of the shipper account.

        Returns UPS's ``expiryDate`` (``YYYY-MM-DD``; UPS's example: no
        expiry). The pushes go to the destination managed on the UPS portal.
        """
        response = self._call(
            "POST",
            f"/track/v2/subscription/{subscription_type}/account",
            operation="subscription",
            json=self.build_account_subscription_request(
                shipper_number, locale, country_code
            ),
        )
        return str(self._check(response, "subscription").get("expiryDate") or "")

    @staticmethod
    def needs_renewal(expires_at, now=None, margin=timedelta(days=2)):
        """True when a subscription expiring at ``expires_at`` should be renewed."""
        if not expires_at:
            return True
        now = now or datetime.now(timezone.utc)
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        return expires_at - margin <= now

    def verify_webhook(self, headers, body, secrets):
        """Check a Track Alert push against the account's webhook secrets.

        v2 (UPSTrackAlert.yaml, ``clientOauth2``): UPS obtains a token from
        the suite's token endpoint with the account's OAuth client id and
        secret (the webhook secret, rotated with it) and sends
        ``Authorization: Bearer <token>`` with ``x-api-key: <client id>``;
        the token (:func:`issue_push_token`) is checked on every push:
        signature, expiry, client id. v1 pushes carry ``credential: <the
        credential of the subscription>``, compared in constant time. A
        static bearer or an ``x-api-key`` equal to a secret is refused.
        """
        usable = [s for s in secrets or [] if s]
        if not usable:
            raise WebhookAuthError(
                "No webhook secret is configured on the UPS carrier account.",
                code="no_secret",
            )
        credential = str(_header(headers, "credential") or "").strip()
        authorization = str(_header(headers, "Authorization") or "").strip()
        token = ""
        if authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        if token:
            check_push_token(
                token,
                usable,
                client_id=self.extra.get("oauth_client_id") or "",
                api_key=str(_header(headers, "x-api-key") or "").strip(),
            )
            return
        if credential:
            for secret in usable:
                if hmac.compare_digest(
                    credential.encode("utf-8"), secret.encode("utf-8")
                ):
                    return
            raise WebhookAuthError(
                "The UPS push's credential does not match any configured secret.",
                code="bad_credential",
            )
        raise WebhookAuthError(
            "The UPS push has no Bearer token (Track Alert v2) and no credential "
            "header (v1).",
            code="missing_credential",
        )

    # -- Track Alert pushes: the hooks of CarrierAdapter.parse_webhook --------
    def _decode_webhook(self, body):
        if isinstance(body, bytes | bytearray):
            body = bytes(body).decode("utf-8")
        return json.loads(body)

    def _webhook_not_json(self, err):
        return str(err)

    def _webhook_shape_problem(self, data):
        """Why a body is not a Track Alert push (one event, or a list)."""
        items = data if isinstance(data, list) else [data]
        if not items:
            return "the body holds no event"
        for index, item in enumerate(items):
            where = f"event {index}" if isinstance(data, list) else "the body"
            if not isinstance(item, dict):
                return f"{where} is not a JSON object"
            number = item.get("trackingNumber")
            if not isinstance(number, str) or not number.strip():
                return f"{where} has no trackingNumber"
            status = item.get("activityStatus")
            if not isinstance(status, dict) or not any(
                status.get(key) not in (None, "")
                for key in ("type", "code", "descriptionCode")
            ):
                return f"{where} has no activityStatus"
        return None

    def _webhook_events(self, headers, data):
        """TrackingEvents of a Track Alert push (one event, or a list)."""
        items = data if isinstance(data, list) else [data]
        events = []
        for item in items:
            occurred = ups_datetime(
                item.get("gmtActivityDate"), item.get("gmtActivityTime")
            ) or ups_datetime(
                item.get("localActivityDate"),
                item.get("localActivityTime"),
                item.get("gmtOffset"),
            )
            if occurred is None:
                self._spec_mismatch(
                    "webhook",
                    f"Track Alert event of {item['trackingNumber']} without a "
                    "readable date",
                    item,
                )
            events.append(
                self._event(
                    item["trackingNumber"].strip(),
                    item.get("activityStatus"),
                    occurred,
                    self._location(item.get("activityLocation")),
                    str(item.get("receivedBy") or "").strip(),
                )
            )
        return events
