# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How canonical events move a shipment (docs/DESIGN.md, "Applying an event").

Two independent dimensions:

* progress ``state``, monotonic by rank: a late ``in_transit`` after
  ``delivered`` is recorded but never moves the state back, a ``delivered``
  before ``picked_up`` moves it forward; ``cancelled``, ``returned`` and
  ``lost`` are terminal side states;
* ``health`` (ok / warning / exception with a category), raised by exception
  events and cleared by later progress where that is right.

Whatever order and duplication events arrive in, :func:`next_state` folded
over them gives the same result: the highest-ranked state reached.
"""

STATE_RANK = {
    "draft": 0,
    "queued": 1,
    "submitted": 2,
    "label_created": 3,
    "picked_up": 4,
    "in_transit": 5,
    "out_for_delivery": 6,
    "delivered": 7,
    # side states rank above delivery: a return or a loss is the last word
    "returned": 8,
    "lost": 9,
    "cancelled": 10,
}
TERMINAL_STATES = frozenset({"delivered", "cancelled", "returned", "lost"})

# canonical event code -> progress state it proves (None: no progress)
EVENT_STATE = {
    "label_created": "label_created",
    "pickup_scheduled": None,
    "picked_up": "picked_up",
    "in_transit": "in_transit",
    "arrived_at_facility": "in_transit",
    "departed_facility": "in_transit",
    "customs_hold": "in_transit",
    "customs_cleared": "in_transit",
    "delayed": None,
    "out_for_delivery": "out_for_delivery",
    "delivery_attempted": "out_for_delivery",
    "available_for_pickup": "out_for_delivery",
    "delivered": "delivered",
    "returned_to_sender": "returned",
    "address_issue": None,
    "damaged": None,
    "lost": "lost",
    "cancelled": "cancelled",
    "info": None,
}

# canonical event code -> (health, exception category) it raises
EVENT_HEALTH = {
    "address_issue": ("exception", "address"),
    "delivery_attempted": ("warning", "failed_attempt"),
    "customs_hold": ("warning", "customs"),
    "damaged": ("exception", "damage"),
    "lost": ("exception", "lost"),
    "delayed": ("warning", "delay"),
}

# categories a later progress event clears (the problem is behind us)
CLEARED_BY_PROGRESS = frozenset({"address", "failed_attempt", "customs", "delay"})


def next_state(current, event_code):
    """The progress state after ``event_code`` is applied to ``current``.

    The state is the highest-ranked one ever proven, so the result does not
    depend on the order events arrive in, nor on duplicates.
    """
    target = EVENT_STATE.get(event_code)
    if target and STATE_RANK[target] > STATE_RANK.get(current, 0):
        return target
    return current
