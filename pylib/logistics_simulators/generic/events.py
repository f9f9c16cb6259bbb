# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generic carrier's tracking events and signed webhooks (the wire format
the suite's generic adapter reads): ``make_event``, ``webhook_body``,
``sign_webhook`` (``X-Sim-Signature: t=<unix>,v1=<hex>``) and ``push_events``."""

import hashlib
import hmac
import json
import time
import uuid

from ..core.clock import now_iso
from ..core.push import post_webhook

DESCRIPTIONS = {
    "label_created": "Shipment information received",
    "pickup_scheduled": "Pickup scheduled",
    "picked_up": "Picked up by the carrier",
    "in_transit": "In transit",
    "arrived_at_facility": "Arrived at the sorting facility",
    "departed_facility": "Departed the sorting facility",
    "customs_hold": "Held by customs",
    "customs_cleared": "Cleared by customs",
    "delayed": "Delayed",
    "out_for_delivery": "Out for delivery",
    "delivery_attempted": "Delivery attempted, recipient not at home",
    "available_for_pickup": "Available for pickup at the parcel shop",
    "delivered": "Delivered",
    "returned_to_sender": "Returned to sender",
    "address_issue": "Address could not be found",
    "damaged": "Parcel damaged",
    "lost": "Parcel lost",
    "cancelled": "Shipment cancelled",
}


def sign_webhook(secret, body, timestamp=None):
    """Value of ``X-Sim-Signature`` for ``body``: ``t=<unix>,v1=<hex>``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    ts = int(time.time() if timestamp is None else timestamp)
    mac = hmac.new(secret.encode("utf-8"), f"{ts}.".encode() + body, hashlib.sha256)
    return f"t={ts},v1={mac.hexdigest()}"


def make_event(tracking_number, status, *, description=None, location="", **extra):
    """A webhook/tracking event dict with defaults filled in."""
    return {
        "event_id": extra.get("event_id") or uuid.uuid4().hex,
        "tracking_number": tracking_number,
        "status": status,
        "description": description or DESCRIPTIONS.get(status, status),
        "occurred_at": extra.get("occurred_at") or now_iso(),
        "location": location or "",
    }


def webhook_body(events, message_id=None):
    """JSON bytes of a webhook delivery carrying ``events``."""
    events = [
        make_event(e["tracking_number"], e.get("status", "info"), **_event_kwargs(e))
        for e in events
    ]
    payload = {"message_id": message_id or uuid.uuid4().hex, "events": events}
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def _event_kwargs(event):
    return {
        k: event[k]
        for k in ("description", "location", "event_id", "occurred_at")
        if event.get(k)
    }


def push_events(webhook_url, secret, events, *, timeout=10.0, message_id=None):
    """POST a signed webhook with ``events`` to ``webhook_url``.

    Returns ``(status_code, response_text)``; status 0 when unreachable.
    """
    body = webhook_body(events, message_id=message_id)
    headers = {
        "Content-Type": "application/json",
        "X-Sim-Signature": sign_webhook(secret, body),
        "User-Agent": "CarrierSimulator/1.0",
    }
    return post_webhook(webhook_url, body, headers, timeout=timeout)
