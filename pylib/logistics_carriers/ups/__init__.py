"""UPS adapter: pure Python, no Odoo (registered under carrier code ``ups``)."""

from . import ups_status
from .ups import (
    PUSH_TOKEN_TTL,
    SERVICES,
    SubscriptionResult,
    UpsAdapter,
    check_push_token,
    classify_error,
    issue_push_token,
    ups_datetime,
)

__all__ = [
    "PUSH_TOKEN_TTL",
    "SERVICES",
    "SubscriptionResult",
    "UpsAdapter",
    "check_push_token",
    "classify_error",
    "issue_push_token",
    "ups_datetime",
    "ups_status",
]
