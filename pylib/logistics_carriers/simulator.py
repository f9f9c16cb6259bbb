# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Adapter for the generic carrier simulator (``simulator/server.py``)."""

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from urllib.parse import quote

from requests.auth import HTTPBasicAuth

from .base import CarrierAdapter
from .dtos import (
    CANONICAL_CODES,
    Address,
    AddressValidationResult,
    PackageResult,
    RateQuote,
    ShipmentResult,
    TrackingEvent,
    parse_datetime,
)
from .errors import (
    CarrierAuthError,
    CarrierError,
    CarrierValidationError,
    FieldError,
    WebhookAuthError,
)
from .registry import register_adapter

SIGNATURE_HEADER = "X-Sim-Signature"
SIM_STATUS_MAP = {code: code for code in CANONICAL_CODES}
SIM_STATUS_MAP.update(
    {
        "created": "label_created",
        "manifested": "label_created",
        "transit": "in_transit",
        "attempted": "delivery_attempted",
        "returned": "returned_to_sender",
        "exception": "info",
    }
)
TRACK_BATCH = 50
_CATEGORY_MESSAGES = {
    "address": "The carrier rejected the address",
    "service": "The carrier rejected the shipping service",
    "data": "The carrier rejected the shipment data",
}


def field_category(field):
    """Validation category (address, service, data) of a simulator field."""
    name = (field or "").lower()
    if name.startswith(("recipient.", "shipper.")):
        return "address"
    if name == "service" or name.startswith("service."):
        return "service"
    return "data"


def _header(headers, name):
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None:
        for key, val in dict(headers or {}).items():
            if key.lower() == name.lower():
                return val
    return value


@register_adapter
class SimulatorAdapter(CarrierAdapter):
    """Speaks the simulator's REST API (OAuth client credentials)."""

    carrier_code = "sim"
    label = "Simulator (demo and tests)"
    default_base_urls = {
        "sandbox": "http://127.0.0.1:8071",
        "production": "http://127.0.0.1:8071",
    }
    supports_lookup = True
    idempotent_create = True  # honours the Idempotency-Key header
    supports_returns = True  # "return": true in the create request
    webhook_tolerance = 300  # seconds
    supports_webhooks = True
    webhook_malformed_message = (
        "The webhook body is not a simulator tracking message: {problem}"
    )

    # -- helpers ------------------------------------------------------------
    def _fetch_token(self):
        response = self.http.request(
            "POST",
            "/oauth/token",
            operation="token",
            data={"grant_type": "client_credentials"},
            auth=HTTPBasicAuth(self.config.client_id, self.config.client_secret),
        )
        if response.status_code in (400, 401, 403):
            raise CarrierAuthError(
                f"{self.label} refused the account's client ID or secret. "
                "An administrator must check the carrier account's credentials.",
                status=response.status_code,
                code=self._json(response).get("error") or "invalid_client",
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        data = self._json(response)
        if response.status_code != 200 or not data.get("access_token"):
            raise self._unexpected(response)
        return data["access_token"], float(data.get("expires_in") or 3600)

    @classmethod
    def _carrier_text(cls, response):
        """The carrier's own words: error descriptions, else the raw body."""
        data = cls._json(response)
        parts = [
            str(item.get("message") or item.get("code"))
            for item in data.get("errors") or []
            if isinstance(item, dict)
        ]
        for key in ("error_description", "message", "error"):
            if not parts and data.get(key):
                parts.append(str(data[key]))
        return "; ".join(parts) or (response.text or "")[:2000]

    def _unexpected(self, response):
        return CarrierError(
            f"{self.label} gave an unexpected answer (HTTP {response.status_code}).",
            status=response.status_code,
            carrier_message=self._carrier_text(response),
            correlation_id=response.request.headers.get("X-Correlation-ID"),
        )

    def _check(self, response, operation):
        """Return the JSON of a 2xx answer; raise the matching error otherwise."""
        status = response.status_code
        correlation_id = response.request.headers.get("X-Correlation-ID")
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError:
                raise self._unexpected(response) from None
        data = self._json(response)
        if status in (401, 403):
            raise CarrierAuthError(
                f"{self.label} refused access (HTTP {status}). An administrator "
                "must check the carrier account's credentials and permissions.",
                status=status,
                code=data.get("error"),
                carrier_message=self._carrier_text(response),
                category="authentication",
                correlation_id=correlation_id,
            )
        if status == 409 and operation == "cancel_shipment":
            raise CarrierValidationError(
                "The carrier has already picked up this shipment; it can no longer "
                "be cancelled.",
                status=status,
                code="already_picked_up",
                carrier_message=self._carrier_text(response),
                field_errors=self._field_errors(data),
                category="data",
                correlation_id=correlation_id,
            )
        if status == 404:
            raise CarrierValidationError(
                "The carrier does not know this shipment.",
                status=status,
                code="not_found",
                carrier_message=self._carrier_text(response),
                category="data",
                correlation_id=correlation_id,
            )
        field_errors = self._field_errors(data)
        if status in (400, 422) or field_errors:
            categories = {field_category(fe.field) for fe in field_errors}
            category = next(
                (c for c in ("address", "service") if c in categories), "data"
            )
            details = "; ".join(f"{fe.field}: {fe.message}" for fe in field_errors)
            raise CarrierValidationError(
                _CATEGORY_MESSAGES[category] + (f": {details}" if details else "."),
                status=status,
                code=field_errors[0].code if field_errors else data.get("error"),
                carrier_message=self._carrier_text(response),
                field_errors=field_errors,
                category=category,
                correlation_id=correlation_id,
            )
        raise self._unexpected(response)

    @staticmethod
    def _field_errors(data):
        return [
            FieldError(
                field=str(item.get("field") or ""),
                message=str(item.get("message") or ""),
                code=str(item.get("code") or ""),
            )
            for item in data.get("errors") or []
            if isinstance(item, dict)
        ]

    @staticmethod
    def _address(address):
        return address.to_dict()

    def _payload(self, request):
        payload = {
            "reference": request.reference,
            "service": request.service_code,
            "shipper": self._address(request.shipper),
            "recipient": self._address(request.recipient),
            "parcels": [
                {
                    "weight_kg": p.weight_kg,
                    "length_cm": p.length_cm,
                    "width_cm": p.width_cm,
                    "height_cm": p.height_cm,
                    "reference": p.reference,
                }
                for p in request.parcels
            ],
            "label_format": request.label_format or self.config.label_format,
            "ship_date": request.ship_date.isoformat() if request.ship_date else None,
            "currency": request.currency,
            "declared_value": request.declared_value,
        }
        if getattr(request, "is_return", False):
            payload["return"] = True
        return payload

    @staticmethod
    def _result(data):
        labels = {
            label.get("tracking_number"): label for label in data.get("labels") or []
        }
        packages = []
        for number in data.get("tracking_numbers") or []:
            label = labels.get(number) or {}
            content = label.get("content_b64")
            packages.append(
                PackageResult(
                    tracking_number=number,
                    label=base64.b64decode(content) if content else None,
                    label_format=label.get("format", ""),
                )
            )
        charges = data.get("charges") or {}
        raw = {k: v for k, v in data.items() if k != "labels"}
        return ShipmentResult(
            carrier_shipment_id=data["shipment_id"],
            packages=packages,
            label_format=packages[0].label_format if packages else "",
            charges_amount=(
                float(charges["amount"]) if charges.get("amount") is not None else None
            ),
            charges_currency=charges.get("currency", ""),
            raw=raw,
        )

    # -- operations ---------------------------------------------------------
    def create_shipment(self, request):
        headers = {}
        if request.idempotency_key:
            headers["Idempotency-Key"] = request.idempotency_key
        response = self.authorized_request(
            "POST",
            "/v1/shipments",
            operation="create_shipment",
            json=self._payload(request),
            headers=headers,
        )
        return self._result(self._check(response, "create_shipment"))

    def cancel_shipment(self, carrier_shipment_id, tracking_numbers=None):
        response = self.authorized_request(
            "DELETE",
            f"/v1/shipments/{quote(carrier_shipment_id, safe='')}",
            operation="cancel_shipment",
        )
        data = self._check(response, "cancel_shipment")
        return data.get("status") == "cancelled"

    def get_rates(self, request):
        response = self.authorized_request(
            "POST", "/v1/rates", operation="rates", json=self._payload(request)
        )
        data = self._check(response, "rates")
        return [
            RateQuote(
                service_code=rate["service"],
                service_name=rate.get("name") or rate["service"],
                amount=float(rate["amount"]),
                currency=rate.get("currency") or "",
                transit_days=rate.get("transit_days"),
            )
            for rate in data.get("rates") or []
        ]

    def track(self, tracking_numbers):
        events = []
        numbers = [n for n in tracking_numbers if n]
        for start in range(0, len(numbers), TRACK_BATCH):
            batch = numbers[start : start + TRACK_BATCH]
            response = self.authorized_request(
                "GET",
                "/v1/tracking",
                operation="tracking",
                params={"numbers": ",".join(batch)},
            )
            data = self._check(response, "tracking")
            for result in data.get("results") or []:
                number = result.get("tracking_number", "")
                for item in result.get("events") or []:
                    events.append(self._event(number, item))
        events.sort(key=lambda e: e.occurred_at)
        return events

    def _event(self, number, item):
        raw_code = str(item.get("status") or "")
        return TrackingEvent(
            tracking_number=item.get("tracking_number") or number,
            code=self.map_status(raw_code),
            raw_code=raw_code,
            description=item.get("description") or "",
            occurred_at=parse_datetime(item["occurred_at"]),
            location=item.get("location") or "",
            carrier_event_id=item.get("event_id") or "",
        )

    def map_status(self, raw_code, **context):
        return SIM_STATUS_MAP.get(str(raw_code or "").strip().lower(), "info")

    def validate_address(self, address):
        response = self.authorized_request(
            "POST",
            "/v1/addresses/validate",
            operation="validate_address",
            json=self._address(address),
        )
        data = self._check(response, "validate_address")
        return AddressValidationResult(
            valid=bool(data.get("valid")),
            candidates=[Address.from_dict(c) for c in data.get("candidates") or []],
            messages=list(data.get("messages") or []),
        )

    def lookup_shipment(self, request):
        """The shipment created for ``request`` (same idempotency key), or None."""
        response = self.authorized_request(
            "GET",
            "/v1/shipments",
            operation="lookup",
            params={"reference": request.reference},
        )
        data = self._check(response, "lookup")
        found = data.get("shipments") or []
        mine = [s for s in found if s.get("idempotency_key") == request.idempotency_key]
        if not mine and request.idempotency_key:
            # created without a key: only an active shipment of that reference
            mine = [
                s
                for s in found
                if not s.get("idempotency_key") and s.get("status") != "cancelled"
            ]
        return self._result(mine[-1]) if mine else None

    def get_label(self, carrier_shipment_id):
        response = self.authorized_request(
            "GET",
            f"/v1/shipments/{quote(carrier_shipment_id, safe='')}/label",
            operation="label",
        )
        return self._result(self._check(response, "label"))

    def tracking_url(self, tracking_number):
        return f"{self.base_url}/track/{quote(tracking_number, safe='')}"

    # -- webhooks -------------------------------------------------------------
    def verify_webhook(self, headers, body, secrets, *, now=None):
        """Check ``X-Sim-Signature: t=<unix>,v1=<hex>`` against any secret."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        header = _header(headers, SIGNATURE_HEADER)
        if not header:
            raise WebhookAuthError(
                f"The webhook has no {SIGNATURE_HEADER} header.",
                code="missing_signature",
            )
        timestamp, signatures = None, []
        for part in str(header).split(","):
            key, _, value = part.strip().partition("=")
            if key == "t":
                try:
                    timestamp = int(value)
                except ValueError:
                    timestamp = None
            elif key == "v1" and value:
                signatures.append(value.strip())
        if timestamp is None or not signatures:
            raise WebhookAuthError(
                f"The webhook's {SIGNATURE_HEADER} header is malformed.",
                code="malformed_signature",
            )
        now = time.time() if now is None else now
        if abs(now - timestamp) > self.webhook_tolerance:
            raise WebhookAuthError(
                "The webhook's timestamp is too old or in the future "
                f"(tolerance {self.webhook_tolerance} s).",
                code="stale_timestamp",
            )
        usable = [s for s in secrets or [] if s]
        if not usable:
            raise WebhookAuthError(
                "No webhook secret is configured on the carrier account.",
                code="no_secret",
            )
        signed = f"{timestamp}.".encode() + (body or b"")
        for secret in usable:
            expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256)
            for signature in signatures:
                # bytes: a non-ASCII signature is a mismatch, not a TypeError
                if hmac.compare_digest(
                    expected.hexdigest().encode("ascii"), signature.encode("utf-8")
                ):
                    return None
        raise WebhookAuthError(
            "The webhook's signature does not match any configured secret.",
            code="bad_signature",
        )

    def _webhook_shape_problem(self, data):
        if not isinstance(data, dict):
            return "the body is not a JSON object"
        events = data.get("events")
        if not isinstance(events, list) or not events:
            return "'events' must be a non-empty list"
        for index, item in enumerate(events):
            if not isinstance(item, dict):
                return f"events[{index}] is not an object"
            for key in ("tracking_number", "status"):
                if not isinstance(item.get(key), str) or not item.get(key):
                    return f"events[{index}].{key} is missing"
        return None

    def _webhook_events(self, headers, data):
        events = []
        for item in data["events"]:
            try:
                occurred = item.get("occurred_at")
                if occurred:
                    item = dict(item, occurred_at=parse_datetime(occurred))
                else:
                    item = dict(item, occurred_at=datetime.now(timezone.utc))
                events.append(self._event(item["tracking_number"], item))
            except (AttributeError, TypeError, ValueError) as exc:
                raise self._malformed_webhook(
                    exc, "The webhook carries an invalid event: {problem}"
                ) from exc
        return events

    def webhook_message_id(self, headers, body):
        try:
            message_id = json.loads(body).get("message_id")
        except (AttributeError, TypeError, ValueError):
            message_id = None
        return (
            str(message_id) if message_id else super().webhook_message_id(headers, body)
        )
