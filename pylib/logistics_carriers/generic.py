# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ``generic`` partner adapter: the suite's canonical event format.

Any TMS, 3PL warehouse, middleware or portal can report shipment events in
the suite's own format (``schemas/canonical_event.schema.json``), authenticated
after the Standard Webhooks scheme (:mod:`.generic_signature`). Events name
their shipment by tracking number or by reference (shipment or delivery
order name); the base resolves both. No Odoo inside.
"""

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime

from . import generic_signature
from .base import CarrierAdapter
from .dtos import CANONICAL_CODES, TrackingEvent, parse_datetime
from .registry import register_adapter

SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "schemas", "canonical_event.schema.json"
)
MAX_BATCH = 1000


def load_schema():
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


SCHEMA = load_schema()
EVENT_SCHEMA = SCHEMA["$defs"]["event"]
_TYPES = {"string": str, "integer": int, "object": dict, "array": list}


@dataclass
class PartnerEvent(TrackingEvent):
    """A canonical event that may name its shipment by reference."""

    reference: str = ""


def _check_value(path, value, rule):
    expected = _TYPES.get(rule.get("type"))
    if expected and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        return f"{path} must be a {rule['type']}"
    if isinstance(value, str):
        if len(value.strip()) < rule.get("minLength", 0):
            return f"{path} must not be empty"
        if len(value) > rule.get("maxLength", len(value)):
            return f"{path} is longer than {rule['maxLength']} characters"
        if rule.get("format") == "date-time":
            try:
                moment = datetime.fromisoformat(
                    value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
                )
            except ValueError:
                return f"{path} is not an RFC 3339 date-time: {value!r}"
            if moment.tzinfo is None:
                return f"{path} needs a time zone offset or Z: {value!r}"
    if "enum" in rule and value not in rule["enum"]:
        return f"{path} {value!r} is not a canonical event code"
    if isinstance(value, int) and value < rule.get("minimum", value):
        return f"{path} must be at least {rule['minimum']}"
    return None


def event_problem(item, path="event"):
    """Why ``item`` is not a canonical event (per the JSON Schema), or None."""
    if not isinstance(item, dict):
        return f"{path} is not a JSON object"
    for key in EVENT_SCHEMA["required"]:
        if item.get(key) in (None, ""):
            return f"{path}.{key} is required"
    if not any(
        all(item.get(key) not in (None, "") for key in alternative["required"])
        for alternative in EVENT_SCHEMA["anyOf"]
    ):
        return f"{path} needs a shipment_reference or a tracking_number"
    for key, rule in EVENT_SCHEMA["properties"].items():
        if key in item and item[key] is not None:
            problem = _check_value(f"{path}.{key}", item[key], rule)
            if problem:
                return problem
    return None


def split_body(data):
    """The list of event dicts of a body: single, batch or envelope."""
    if isinstance(data, dict) and "events" in data:
        return data["events"], "events"
    if isinstance(data, dict) and "data" in data and "type" in data:
        return [data["data"]], "data"
    return [data], "event"


@register_adapter
class GenericPartnerAdapter(CarrierAdapter):
    """A partner (TMS, 3PL, middleware) speaking the canonical event format."""

    carrier_code = "generic"
    label = "Partner (canonical events)"
    webhook_tolerance = generic_signature.DEFAULT_TOLERANCE
    # the webhook controller checks the shape on receipt: a partner gets a
    # 400 naming the problem instead of a message failing later in the inbox
    check_shape_on_receipt = True
    supports_webhooks = True
    webhook_malformed_message = (
        "The partner message is not in the canonical format: {problem}"
    )

    def resolve_base_url(self):
        # partners push; the suite never calls them through this adapter
        return (self.config.base_url or "").rstrip("/")

    # -- carrier operations a partner channel does not offer ---------------
    def create_shipment(self, request):
        raise self._not_supported("shipment creation (the partner ships itself)")

    def cancel_shipment(self, carrier_shipment_id, tracking_numbers=None):
        raise self._not_supported("cancellation")

    def get_rates(self, request):
        raise self._not_supported("rates")

    def track(self, tracking_numbers):
        return []  # push only: nothing to poll

    def map_status(self, raw_code, **context):
        return raw_code if raw_code in CANONICAL_CODES else "info"

    # -- webhooks ------------------------------------------------------------
    def verify_webhook(self, headers, body, secrets, *, now=None):
        generic_signature.verify(
            headers, body, secrets, tolerance=self.webhook_tolerance, now=now
        )

    def webhook_message_id(self, headers, body):
        # Standard Webhooks: the id stays the same when a message is retried
        msg_id = generic_signature._header(headers, generic_signature.ID_HEADER)
        return str(msg_id) if msg_id else super().webhook_message_id(headers, body)

    def _webhook_shape_problem(self, data):
        if not isinstance(data, dict):
            return 'the body must be a JSON object (one event, or {"events": [...]})'
        items, where = split_body(data)
        if where == "events":
            if not isinstance(items, list) or not items:
                return "'events' must be a non-empty list"
            if len(items) > MAX_BATCH:
                return f"'events' holds more than {MAX_BATCH} events"
        for index, item in enumerate(items):
            path = f"events[{index}]" if where == "events" else where
            problem = event_problem(item, path)
            if problem:
                return problem
        return None

    def _account_id(self):
        match = re.search(r"\((\d+)\)$", self.config.account_ref or "")
        return match.group(1) if match else "0"

    def _webhook_events(self, headers, data):
        items, _where = split_body(data)
        prefix = f"partner-{self._account_id()}-"
        events = []
        for item in items:
            reference = (item.get("shipment_reference") or "").strip()
            number = (item.get("tracking_number") or "").strip()
            events.append(
                PartnerEvent(
                    tracking_number=number or reference,
                    code=item["code"],
                    raw_code=item.get("raw_code") or item["code"],
                    description=item.get("raw_description") or "",
                    occurred_at=parse_datetime(item["occurred_at"]),
                    location=item.get("location") or "",
                    carrier_event_id=prefix + str(item["event_id"]),
                    signatory=item.get("signatory") or "",
                    reference=reference,
                )
            )
        return events
