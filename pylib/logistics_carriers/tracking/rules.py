# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a shipment's events fold into its state and health (pure Python).

The shipment model reads the events and writes the outcome; the rules are
here, testable without a database: :func:`fold_events` applies a shipment's
new events, :func:`merge_package_states` makes a shipment of several parcels
follow all of them.
"""

from .progress import (
    CLEARED_BY_PROGRESS,
    EVENT_HEALTH,
    EVENT_STATE,
    STATE_RANK,
    next_state,
)

HEALTH_RANK = {"ok": 0, "warning": 1, "exception": 2}


def fold_events(state, health, category, events):
    """(state, health, category, delivered) after ``events``.

    ``events``: ``(occurred_at, code, signatory)`` tuples, applied in the
    order they happened. The state is the highest one proven; an exception
    event raises the health unless a graver problem is open; a later
    progress event clears a problem progress resolves (a delay, a failed
    attempt...). ``delivered`` is ``(occurred_at, signatory)`` of the last
    delivery event, or None.
    """
    delivered = None
    raised_at = None
    for occurred, code, signatory in sorted(events, key=lambda e: e[0]):
        state = next_state(state, code)
        if code == "delivered":
            delivered = (occurred, signatory)
        raise_ = EVENT_HEALTH.get(code)
        if raise_:
            level, new_category = raise_
            if HEALTH_RANK[level] >= HEALTH_RANK.get(health, 0):
                health, category, raised_at = level, new_category, occurred
        elif (
            EVENT_STATE.get(code)
            and category in CLEARED_BY_PROGRESS
            and (raised_at is None or occurred >= raised_at)
        ):
            health, category = "ok", False
    return state, health, category, delivered


def merge_package_states(states, folded):
    """A shipment follows all its parcels (``states``, one per parcel).

    ``folded`` is the shipment's own ``(state, health, category, delivered)``
    (:func:`fold_events`). Delivered when all parcels are; a lost (or
    returned) parcel among others is an exception, and the shipment is then
    never reported delivered (at most out for delivery).
    """
    state, health, category, done = folded
    moving = [s for s in states if STATE_RANK[s] <= STATE_RANK["delivered"]]
    stopped = [s for s in states if s not in moving]
    if moving:
        state = min(moving, key=lambda s: STATE_RANK[s])
        if stopped:
            health, category = "exception", "lost"
            if state == "delivered":
                state = "out_for_delivery"
    else:
        state = max(stopped, key=lambda s: STATE_RANK[s])
    if state != "delivered":
        done = None
    return state, health, category, done
