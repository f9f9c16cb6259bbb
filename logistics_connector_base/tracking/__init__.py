"""Pure-Python tracking rules (no Odoo): progress state and health."""

from .progress import (
    CLEARED_BY_PROGRESS,
    EVENT_HEALTH,
    EVENT_STATE,
    STATE_RANK,
    TERMINAL_STATES,
    next_state,
)

__all__ = [
    "CLEARED_BY_PROGRESS",
    "EVENT_HEALTH",
    "EVENT_STATE",
    "STATE_RANK",
    "TERMINAL_STATES",
    "next_state",
]
