# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Error classes raised by carrier adapters.

The class tells the caller what to do: retry later (transient), ask an
administrator (authentication), ask the warehouse to fix data (validation).
"""

from dataclasses import asdict, dataclass


class CarrierError(Exception):
    """Base class: a carrier call failed.

    ``message`` is written for a warehouse user (what happened, what to do);
    ``carrier_message`` keeps the carrier's own text for the administrator.
    """

    kind = "carrier_error"

    def __init__(
        self,
        message,
        *,
        status=None,
        code=None,
        carrier_message=None,
        category="carrier_error",
        correlation_id=None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.carrier_message = carrier_message
        self.category = category
        self.correlation_id = correlation_id

    def __str__(self):
        return str(self.message)

    def to_dict(self):
        """JSON-able summary (for logs, exception records, job results)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "status": self.status,
            "code": self.code,
            "carrier_message": self.carrier_message,
            "category": self.category,
            "correlation_id": self.correlation_id,
        }


class CarrierTransientError(CarrierError):
    """Timeout, connection reset, 429 or 5xx: retry later.

    ``retry_after``: seconds the carrier asked us to wait (or None).
    ``maybe_sent``: False only when the request surely never reached the
    carrier (connection refused, connect timeout): safe to resend blindly.
    """

    kind = "transient"

    def __init__(self, message, *, retry_after=None, maybe_sent=True, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent

    def to_dict(self):
        res = super().to_dict()
        res["retry_after"] = self.retry_after
        res["maybe_sent"] = self.maybe_sent
        return res


class CarrierAuthError(CarrierError):
    """401/403 or an expired token that a refresh did not cure."""

    kind = "authentication"

    def __init__(self, message, *, category="authentication", **kwargs):
        super().__init__(message, category=category, **kwargs)


@dataclass
class FieldError:
    """One field rejected by the carrier."""

    field: str
    message: str
    code: str = ""


VALIDATION_CATEGORIES = ("address", "service", "data")


class CarrierValidationError(CarrierError):
    """The carrier rejected the request's data (4xx with field errors)."""

    kind = "validation"

    def __init__(self, message, *, field_errors=None, category="data", **kwargs):
        super().__init__(message, category=category, **kwargs)
        self.field_errors = list(field_errors or [])

    def to_dict(self):
        res = super().to_dict()
        res["field_errors"] = [asdict(fe) for fe in self.field_errors]
        return res


class WebhookAuthError(CarrierError):
    """A webhook's signature or credentials could not be verified."""

    kind = "webhook_auth"


class CarrierNotSupported(CarrierError):
    """The carrier (or its adapter) does not offer this operation."""

    kind = "not_supported"
