# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS errors: classification of UPS's answers and the adapter's error raising.

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
"""

import json
import logging

from logistics_carriers import (
    CarrierAuthError,
    CarrierError,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    mask_payload,
    parse_retry_after,
)

from .values import as_list, dig

_logger = logging.getLogger(__name__)


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


class UpsErrorsMixin:
    """Turns UPS answers into the suite's errors (part of :class:`UpsAdapter`)."""

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
