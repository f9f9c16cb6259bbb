"""Pure-Python tracking rules (no Odoo): progress state and health, how events
fold into a shipment (rules), when a failed dispatch is retried (dispatch_rules)."""

from .progress import (
    CLEARED_BY_PROGRESS,
    EVENT_HEALTH,
    EVENT_STATE,
    STATE_RANK,
    TERMINAL_STATES,
    next_state,
)
from .dispatch_rules import retry_delay
from .rules import HEALTH_RANK, fold_events, merge_package_states
from .validation import InvalidEvent, check_event, clean_text

__all__ = [
    "CLEARED_BY_PROGRESS",
    "EVENT_HEALTH",
    "HEALTH_RANK",
    "InvalidEvent",
    "EVENT_STATE",
    "STATE_RANK",
    "TERMINAL_STATES",
    "check_event",
    "clean_text",
    "fold_events",
    "merge_package_states",
    "next_state",
    "retry_delay",
]
