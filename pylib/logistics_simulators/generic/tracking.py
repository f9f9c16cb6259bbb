# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generic simulator's tracking: events per tracking number (``_events``),
``advance`` (add an event, push it), the demo storylines, the tracking API
(``GET /v1/tracking``) and the HTML tracking page (``GET /track/<number>``)."""

import time
from html import escape as html_escape

from ..core.http import Reply, errors_reply
from ..core.progress import PROGRESS
from .events import make_event, push_events

LOCATIONS = {
    "picked_up": "Origin depot",
    "in_transit": "Hub",
    "out_for_delivery": "Destination depot",
    "delivered": "Destination",
}

# Demo storylines (--storylines): shipments take these paths in turn, one step
# per auto-advance period. A step is (status, seconds to backdate its event).
STORYLINES = (
    # the plain journey
    tuple((status, 0) for status in PROGRESS[1:]),
    # out of order: "in transit" arrives before the older "picked up" scan
    (
        ("in_transit", 0),
        ("picked_up", 3600),
        ("out_for_delivery", 0),
        ("delivered", 0),
    ),
    # a delivery exception that waits for somebody to act
    (
        ("picked_up", 0),
        ("in_transit", 0),
        ("out_for_delivery", 0),
        ("address_issue", 0),
    ),
)


class GenericTracking:
    """Mixin of :class:`~logistics_simulators.generic.SimulatorServer`."""

    def advance(
        self,
        number,
        status,
        *,
        description=None,
        location="",
        occurred_at=None,
        push=None,
    ):
        """Add a tracking event to a shipment (id) or one parcel (number).

        Pushes it to the configured webhook unless ``push`` is False. Returns
        the new events.
        """
        with self._lock:
            if number in self._shipments:
                shipment = self._shipments[number]
                numbers = list(shipment["tracking_numbers"])
            elif number in self._by_tracking:
                shipment = self._shipments[self._by_tracking[number]]
                numbers = [number]
            else:
                raise KeyError(f"unknown shipment or tracking number {number!r}")
            events = [
                make_event(
                    tn,
                    status,
                    description=description,
                    location=location or LOCATIONS.get(status, ""),
                    occurred_at=occurred_at,
                )
                for tn in numbers
            ]
            for event in events:
                self._events[event["tracking_number"]].append(event)
            if status in PROGRESS or status in (
                "cancelled",
                "returned_to_sender",
                "lost",
            ):
                shipment["status"] = status
            shipment["next_advance_at"] = None
            if self.auto_advance and shipment["status"] in PROGRESS[:-1]:
                shipment["next_advance_at"] = time.time() + float(self.auto_advance)
            url, secret = self.webhook_url, self.webhook_secret
        if push is not False and url and secret:
            self._push(url, secret, events)
        return events

    def push_events(self, webhook_url, secret, events):
        """Push signed ``events`` to ``webhook_url``; returns (status, text)."""
        return self._push(webhook_url, secret, events)

    def _push(self, url, secret, events):
        status, text = push_events(url, secret, events)
        self._remember_push(
            {"url": url, "status": status, "response": text[:500], "events": events}
        )
        return status, text

    def _next_storyline(self):
        if not self.storylines:
            return None
        with self._lock:
            plan = list(STORYLINES[self._stories_told % len(STORYLINES)])
            self._stories_told += 1
        return plan

    def _op_tracking(self, query, **_):
        numbers = [
            n.strip()
            for value in query.get("numbers") or []
            for n in value.split(",")
            if n.strip()
        ]
        if not numbers:
            return errors_reply(400, ("numbers", "required", "Give ?numbers=a,b"))
        results = []
        with self._lock:
            for number in numbers:
                if number in self._events:
                    results.append(
                        {
                            "tracking_number": number,
                            "events": [dict(e) for e in self._events[number]],
                        }
                    )
                else:
                    results.append(
                        {
                            "tracking_number": number,
                            "events": [],
                            "error": {"code": "not_found", "message": "Unknown number"},
                        }
                    )
        return Reply(200, {"results": results})

    def _op_tracking_page(self, arg, **_):
        with self._lock:
            events = [dict(e) for e in self._events.get(arg, [])]
        rows = "".join(
            f"<tr><td>{html_escape(e['occurred_at'])}</td><td>{html_escape(e['status'])}"
            f"</td><td>{html_escape(e['description'])}</td>"
            f"<td>{html_escape(e['location'])}</td></tr>"
            for e in reversed(events)
        )
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tracking "
            f"{html_escape(arg)}</title></head><body><h1>Carrier simulator</h1>"
            f"<h2>Tracking {html_escape(arg)}</h2>"
            + (
                f"<table border='1'><tr><th>When (UTC)</th><th>Status</th>"
                f"<th>Description</th><th>Location</th></tr>{rows}</table>"
                if events
                else "<p>Unknown tracking number.</p>"
            )
            + "</body></html>"
        )
        return Reply(
            200 if events else 404, page, content_type="text/html; charset=utf-8"
        )
