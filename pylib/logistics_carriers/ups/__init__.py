"""UPS adapter: pure Python, no Odoo (registered under carrier code ``ups``).

One module per responsibility, composed into :class:`UpsAdapter`:

- ``adapter``: :class:`UpsAdapter` (capabilities, configuration)
- ``auth``: OAuth 2.0 token and Bearer calls
- ``errors``: classification of UPS's answers, the errors raised
- ``services``: services, label formats, units, lane rules (customs)
- ``values``: reading/writing UPS values (lists, numbers, dates, labels)
- ``mapping``: request parts shared by Ship and Rate
- ``shipping``: Ship, Label Recovery, Void
- ``rating``: Rate / Shop
- ``address``: Address Validation
- ``tracking``: Track API polling and events
- ``track_alert``: Track Alert subscriptions and pushes
- ``push_tokens``: the tokens the suite issues for Track Alert v2 pushes
- ``ups_status``: UPS status codes -> canonical codes
"""

from . import ups_status
from .adapter import UpsAdapter
from .errors import classify_error, response_errors
from .push_tokens import PUSH_TOKEN_TTL, check_push_token, issue_push_token
from .services import (
    ADDRESS_VALIDATION_COUNTRIES,
    LABEL_FORMATS,
    SERVICES,
    SHIPPER_NUMBER_RE,
    needs_customs,
    needs_description,
    needs_invoice_line_total,
)
from .track_alert import SubscriptionResult
from .values import ups_datetime

__all__ = [
    "ADDRESS_VALIDATION_COUNTRIES",
    "LABEL_FORMATS",
    "PUSH_TOKEN_TTL",
    "SERVICES",
    "SHIPPER_NUMBER_RE",
    "SubscriptionResult",
    "UpsAdapter",
    "check_push_token",
    "classify_error",
    "issue_push_token",
    "needs_customs",
    "needs_description",
    "needs_invoice_line_total",
    "response_errors",
    "ups_datetime",
    "ups_status",
]
