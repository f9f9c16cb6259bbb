"""Pure-Python tracking rules (no Odoo): progress state and health."""

from .progress import (
    CLEARED_BY_PROGRESS,
    EVENT_HEALTH,
    EVENT_STATE,
    STATE_RANK,
    TERMINAL_STATES,
    next_state,
)
from .validation import InvalidEvent, check_event, clean_text

__all__ = [
    "CLEARED_BY_PROGRESS",
    "EVENT_HEALTH",
    "InvalidEvent",
    "EVENT_STATE",
    "STATE_RANK",
    "TERMINAL_STATES",
    "check_event",
    "clean_text",
    "next_state",
]
