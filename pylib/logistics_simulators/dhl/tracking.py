# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL tracking state and the Unified tracking API: the steps and their
codes, each shipment's events, ``advance`` (add an event, push it), the
auto-advance progression, ``GET /track/shipments`` and the HTML page."""

import re
import sys
import time
from datetime import datetime, timedelta, timezone
from html import escape as html_escape

from ..core.http import Reply
from .common import (
    ALPHA2,
    PRODUCTS,
    contracts,
    german_local,
    iso,
    problem_detail,
    utc_now,
)

# step: (Unified statusCode, status, description, Parcel DE code)
STEPS = {
    "pre-transit": (
        "pre-transit",
        "Shipment data received",
        "The instruction data for this shipment have been provided by the sender "
        "to DHL electronically",
        "PARCV",
    ),
    "picked_up": (
        "transit",
        "Picked up",
        "The shipment has been picked up by DHL",
        "PCKDU",
    ),
    "in_transit": (
        "transit",
        "In transit",
        "The shipment has been processed in the parcel center",
        "SRTED",
    ),
    "out_for_delivery": (
        "transit",
        "In delivery",
        "The shipment has been loaded onto the delivery vehicle",
        "PO",
    ),
    "delivery_attempted": (
        "failure",
        "Delivery attempt failed",
        "The recipient was not found at home; a notification card was left",
        "NTDEL",
    ),
    "address_issue": (
        "failure",
        "Address problem",
        "The address is incomplete or wrong; the shipment cannot be delivered",
        "NTDEL/BDADD",
    ),
    "available_for_pickup": (
        "transit",
        "Ready for collection",
        "The shipment is ready for pick-up at the retail outlet",
        "CNRFC",
    ),
    "returned": (
        "transit",
        "Returned",
        "The shipment is being returned to the sender",
        "RETRN",
    ),
    "delivered": (
        "delivered",
        "Delivery successful",
        "The shipment has been successfully delivered",
        "DLVRD",
    ),
    "unknown": ("unknown", "Unknown", "No further information", ""),
}
PROGRESSION = (
    "pre-transit",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
)
UNIFIED_CODES = ("pre-transit", "transit", "delivered", "failure", "unknown")


class DhlTracking:
    """Mixin of :class:`~logistics_simulators.dhl.DhlSimulator`."""

    @staticmethod
    def _place(address):
        address = address or {}
        place = {
            "countryCode": ALPHA2.get(str(address.get("country") or ""), ""),
            "postalCode": address.get("postalCode") or "",
            "addressLocality": address.get("city") or "",
        }
        return {"address": {k: v for k, v in place.items() if v}}

    def _unified(self, shipment, full=True):
        """The Unified tracking shipment object (events newest first).

        Times are German local time without an offset (as DHL sends for
        parcel-de); without the recipient's postal code (``full`` False)
        DHL answers reduced data: no proof-of-delivery signatory, no
        destination postal code.
        """
        order = shipment["request"]
        events = [
            dict(e, timestamp=german_local(e["timestamp"]))
            for e in reversed(shipment["events"])
        ]
        weight = order["details"]["weight"]
        kg = weight["value"] / (1000.0 if weight["uom"] == "g" else 1.0)
        details = {
            "product": {"productName": PRODUCTS[order["product"]][1]},
            "totalNumberOfPieces": 1,
            "pieceIds": [shipment["shipmentNo"]],
            "weight": {"value": round(kg, 3), "unitText": "kg"},
        }
        if order.get("refNo"):
            details["references"] = {
                "number": order["refNo"],
                "type": "customer-reference",
            }
        if shipment["step"] == "delivered" and events:
            details["proofOfDelivery"] = {"timestamp": events[0]["timestamp"]}
            if full:
                details["proofOfDelivery"]["signed"] = {
                    "@type": "Person",
                    "name": shipment["signatory"],
                }
        destination = self._place(order.get("consignee"))
        if not full:
            destination["address"].pop("postalCode", None)
        return {
            "id": shipment["shipmentNo"],
            "service": "parcel-de",
            "origin": self._place(order.get("shipper")),
            "destination": destination,
            "status": events[0] if events else {},
            "details": details,
            "events": events,
        }

    def _op_tracking(self, query, **_):
        if contracts is not None:
            problems = contracts.errors(
                "dhl",
                "tracking_unified",
                "ShipmentsQuery",
                {key: values[0] for key, values in query.items() if values},
            )
            if problems:
                return Reply(400, problem_detail(400, "; ".join(problems)))
        number = (query.get("trackingNumber") or [""])[0].strip()
        service = (query.get("service") or [""])[0]
        if not number:
            return Reply(
                400, problem_detail(400, "Parameter trackingNumber is required.")
            )
        with self._lock:
            shipment = self._shipments.get(number)
            if shipment is None or service not in ("", "parcel-de"):
                return Reply(
                    404,
                    problem_detail(
                        404,
                        "No shipment with given tracking number found.",
                        "No result found",
                        f"/shipment/{number}",
                    ),
                )
            given = re.sub(r"\s", "", (query.get("recipientPostalCode") or [""])[0])
            expected = re.sub(
                r"\s", "", str(shipment["request"]["consignee"].get("postalCode") or "")
            )
            full = bool(given) and given.upper() == expected.upper()
            self.tracking_calls.append({"number": number, "full": full})
            return Reply(
                200,
                {
                    "shipments": [self._unified(shipment, full)],
                    "possibleAdditionalShipmentsUrl": [],
                },
            )

    def _op_page(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            events = list(reversed(shipment["events"])) if shipment else []
        rows = "".join(
            f"<tr><td>{html_escape(e['timestamp'])}</td>"
            f"<td>{html_escape(e['status'])}</td>"
            f"<td>{html_escape(e['description'])}</td></tr>"
            for e in events
        )
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>DHL "
            f"{html_escape(arg)}</title></head><body><h1>DHL simulator</h1>"
            f"<h2>Sendung {html_escape(arg)}</h2>"
            + (f"<table border='1'>{rows}</table>" if events else "<p>Unknown.</p>")
            + "</body></html>"
        )
        return Reply(
            200 if events else 404, page, content_type="text/html; charset=utf-8"
        )

    def advance(
        self,
        number,
        status,
        *,
        description=None,
        location="",
        occurred_at=None,
        push=None,
        detail=None,
        signatory="",
    ):
        """Add a tracking event to shipment ``number``.

        ``status``: a step of :data:`STEPS` (e.g. "picked_up", "delivered") or
        a Unified statusCode. ``detail`` puts a Parcel DE code in
        ``statusDetailed`` (default: the step's code when ``detail_codes``).
        Pushes the message unless ``push`` is False. Returns the new events.
        """
        with self._lock:  # re-entrant: also called while creating a shipment
            shipment = self._shipments.get(number)
            if shipment is None:
                raise KeyError(f"unknown DHL shipment number {number!r}")
            if status in STEPS:
                code, title, text, step_detail = STEPS[status]
            elif status in UNIFIED_CODES:
                code, title, text, step_detail = status, status, status, ""
            else:
                raise ValueError(f"unknown status {status!r}; use one of {list(STEPS)}")
            moment = occurred_at or utc_now()
            if occurred_at is None and shipment["events"]:
                # one event a second at most per shipment: Unified timestamps
                # have whole seconds, and events are told apart by them
                last = datetime.fromisoformat(shipment["events"][-1]["timestamp"][:-1])
                last = last.replace(tzinfo=timezone.utc)
                moment = max(moment.replace(microsecond=0), last + timedelta(seconds=1))
            event = {
                "timestamp": iso(moment),
                "statusCode": code,
                "status": title,
                "description": description or text,
            }
            consignee = shipment["request"].get("consignee") or {}
            place = self._place(consignee if code == "delivered" else None)
            if location:
                place = {"address": {"addressLocality": location}}
            if place["address"]:
                event["location"] = place
            if detail is None and self.detail_codes:
                detail = step_detail
            if detail:
                event["statusDetailed"] = detail
            shipment["events"].append(event)
            if status != "pre-transit":
                shipment["closed"] = True  # handed over: closed out
            shipment["step"] = status
            if status == "delivered":
                shipment["signatory"] = signatory or str(consignee.get("name1") or "")
            shipment["next_advance_at"] = None
            if self.auto_advance and status in PROGRESSION[:-1]:
                shipment["next_advance_at"] = time.time() + float(self.auto_advance)
            has_target = bool(self.webhook_url or self.subscriptions)
        events = [dict(event, tracking_number=number)]
        if push is not False and has_target:
            self._push(None, None, events)
        return events

    def _advance_due(self, now):
        with self._lock:
            due = [
                (n, s["step"])
                for n, s in self._shipments.items()
                if s.get("next_advance_at") and s["next_advance_at"] <= now
            ]
        for number, step in due:
            if step in PROGRESSION[:-1] and not self._shipments[number]["cancelled"]:
                try:
                    self.advance(number, PROGRESSION[PROGRESSION.index(step) + 1])
                except (KeyError, ValueError) as exc:  # keep the loop alive
                    sys.stderr.write(f"DHL simulator auto-advance failed: {exc}\n")
