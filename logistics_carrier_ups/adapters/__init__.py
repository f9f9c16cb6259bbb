"""UPS adapter: pure Python, no Odoo (registered under carrier code ``ups``)."""

from . import ups_status
from .ups import SERVICES, SubscriptionResult, UpsAdapter, classify_error

__all__ = [
    "SERVICES",
    "SubscriptionResult",
    "UpsAdapter",
    "classify_error",
    "ups_status",
]
