# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generic simulator's shipping API: services and prices, request
validation, shipments (create with idempotency keys, look up, get, label,
cancel), rates and address validation."""

import base64
import hashlib
import json
import secrets
import time

from ..core.clock import now_iso
from ..core.http import Reply, errors_reply
from ..core.labels import build_pdf_label, build_png_label, build_zpl_label
from .events import make_event

LABEL_FORMATS = ("PDF", "ZPL", "PNG")
MAX_PARCEL_KG = 70.0
DEFAULT_SERVICES = {
    "SIM_STD": {"name": "Simulator Standard", "base": 5.90, "per_kg": 0.80, "days": 3},
    "SIM_EXP": {"name": "Simulator Express", "base": 12.50, "per_kg": 1.50, "days": 1},
    "SIM_ECO": {"name": "Simulator Economy", "base": 4.20, "per_kg": 0.50, "days": 5},
}
DEFAULT_UNSERVED_COUNTRIES = frozenset({"AQ", "KP"})
REQUIRED_ADDRESS = {
    "street": "street",
    "city": "city",
    "zip": "postal code",
    "country_code": "country",
}
REQUIRED_FOR_RATES = {"zip": "postal code", "country_code": "country"}


def build_label(label_format, shipment, tracking_number, index, count):
    recipient = shipment["request"].get("recipient") or {}
    lines = [
        "SIMULATOR - NOT A REAL LABEL",
        *(["RETURN LABEL"] if shipment.get("return") else []),
        f"Service: {shipment['service']}",
        f"Ref: {shipment['reference']}",
        f"Parcel {index} of {count}",
        str(recipient.get("name") or ""),
        str(recipient.get("street") or ""),
        f"{recipient.get('zip') or ''} {recipient.get('city') or ''}",
        str(recipient.get("country_code") or ""),
        f"Tracking: {tracking_number}",
    ]
    if label_format == "ZPL":
        return build_zpl_label(lines, tracking_number)
    if label_format == "PNG":
        return build_png_label(tracking_number)
    return build_pdf_label(lines, tracking_number)


class GenericShipping:
    """Mixin of :class:`~logistics_simulators.generic.SimulatorServer`
    (``services``, ``unserved_countries`` and ``currency`` are its settings)."""

    def _validate(self, body, *, rates=False):
        """List of (field, code, message) problems of a shipment/rate body."""
        if not isinstance(body, dict):
            return [("body", "required", "A JSON object is required.")]
        errors = []

        def err(field, code, message):
            errors.append((field, code, message))

        service = body.get("service")
        if service and service not in self.services:
            known = ", ".join(sorted(self.services))
            err("service", "unknown_service", f"Unknown service {service!r} ({known}).")
        elif not service and not rates:
            err("service", "required", "A service is required.")
        recipient = body.get("recipient") or {}
        required = REQUIRED_FOR_RATES if rates else REQUIRED_ADDRESS
        for name, label in required.items():
            if not str(recipient.get(name) or "").strip():
                err(
                    f"recipient.{name}",
                    "required",
                    f"The recipient's {label} is missing.",
                )
        country = str(recipient.get("country_code") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            msg = "The country must be an ISO 3166 alpha-2 code."
            err("recipient.country_code", "invalid", msg)
        elif country in self.unserved_countries:
            msg = f"The carrier does not deliver to {country}."
            err("recipient.country_code", "not_served", msg)
        shipper = body.get("shipper") or {}
        if not rates and not str(shipper.get("country_code") or "").strip():
            err("shipper.country_code", "required", "The shipper's country is missing.")
        parcels = body.get("parcels")
        if not parcels or not isinstance(parcels, list):
            err("parcels", "required", "At least one parcel is required.")
            parcels = []
        for index, parcel in enumerate(parcels):
            name = f"parcels[{index}].weight_kg"
            try:
                weight = float((parcel or {}).get("weight_kg") or 0)
            except (AttributeError, TypeError, ValueError):
                weight = -1
            if weight <= 0:
                err(name, "invalid", "The parcel weight must be greater than zero.")
            elif weight > MAX_PARCEL_KG:
                err(
                    name,
                    "too_heavy",
                    f"A parcel may weigh {MAX_PARCEL_KG:g} kg at most.",
                )
        label_format = str(body.get("label_format") or "PDF").upper()
        if not rates and label_format not in LABEL_FORMATS:
            offered = ", ".join(LABEL_FORMATS)
            msg = f"Label format {label_format} is not offered ({offered})."
            err("label_format", "unsupported", msg)
        return errors

    def _price(self, service, body):
        spec = self.services[service]
        weight = sum(float(p.get("weight_kg") or 0) for p in body.get("parcels") or [])
        amount = spec["base"] + spec["per_kg"] * weight
        origin = str((body.get("shipper") or {}).get("country_code") or "").upper()
        dest = str((body.get("recipient") or {}).get("country_code") or "").upper()
        if origin and dest and origin != dest:
            amount *= 1.4
        return f"{amount:.2f}"

    def _op_create(self, headers, body, **_):
        errors = self._validate(body)
        if errors:
            return errors_reply(422, *errors)
        key = headers.get("Idempotency-Key") or ""
        fingerprint = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        with self._lock:
            if key and key in self._by_key:
                shipment = self._shipments[self._by_key[key]]
                if shipment["fingerprint"] != fingerprint:
                    msg = "This Idempotency-Key was used with a different request."
                    return errors_reply(
                        422, ("Idempotency-Key", "idempotency_conflict", msg)
                    )
                return Reply(
                    201, self._public(shipment), {"Idempotent-Replayed": "true"}
                )
            shipment = self._new_shipment(body, key, fingerprint)
            return Reply(201, self._public(shipment))

    def _new_shipment(self, body, key, fingerprint):
        sid = "SIMS" + secrets.token_hex(5).upper()
        parcels = body["parcels"]
        numbers = [f"SIM{secrets.randbelow(10**12):012d}" for _ in parcels]
        label_format = str(body.get("label_format") or "PDF").upper()
        shipment = {
            "shipment_id": sid,
            "reference": body.get("reference") or "",
            "service": body["service"],
            "return": bool(body.get("return")),
            "status": "label_created",
            "idempotency_key": key,
            "fingerprint": fingerprint,
            "created_at": now_iso(),
            "tracking_numbers": numbers,
            "request": body,
            "labels": [],
            "charges": {
                "amount": self._price(body["service"], body),
                "currency": body.get("currency") or self.currency,
            },
            "next_advance_at": (
                time.time() + float(self.auto_advance) if self.auto_advance else None
            ),
            "plan": self._next_storyline(),
        }
        for index, number in enumerate(numbers, 1):
            label = build_label(label_format, shipment, number, index, len(numbers))
            shipment["labels"].append(
                {
                    "tracking_number": number,
                    "format": label_format,
                    "content_b64": base64.b64encode(label).decode("ascii"),
                }
            )
            self._by_tracking[number] = sid
            self._events[number] = [make_event(number, "label_created")]
        self._shipments[sid] = shipment
        if key:
            self._by_key[key] = sid
        return shipment

    def _op_lookup(self, query, **_):
        reference = (query.get("reference") or [""])[0]
        if not reference:
            return errors_reply(400, ("reference", "required", "Give ?reference=..."))
        with self._lock:
            found = [
                self._public(s)
                for s in self._shipments.values()
                if s["reference"] == reference
            ]
        return Reply(200, {"shipments": found})

    def _op_get(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            if shipment is None:
                return Reply(
                    404, {"error": "not_found", "message": f"No shipment {arg}"}
                )
            return Reply(200, self._public(shipment))

    _op_label = _op_get

    def _op_cancel(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            if shipment is None:
                return Reply(
                    404, {"error": "not_found", "message": f"No shipment {arg}"}
                )
            status = shipment["status"]
            if status not in ("cancelled", "label_created"):
                return Reply(
                    409,
                    {
                        "errors": [
                            {
                                "field": "shipment_id",
                                "code": "already_picked_up",
                                "message": f"Shipment is {status}; it can no longer "
                                "be cancelled.",
                            }
                        ]
                    },
                )
            if status != "cancelled":
                shipment["status"] = "cancelled"
                shipment["next_advance_at"] = None
                for number in shipment["tracking_numbers"]:
                    self._events[number].append(make_event(number, "cancelled"))
        return Reply(200, {"shipment_id": arg, "status": "cancelled"})

    def _op_rates(self, body, **_):
        errors = self._validate(body, rates=True)
        if errors:
            return errors_reply(422, *errors)
        wanted = body.get("service")
        currency = body.get("currency") or self.currency
        rates = [
            {
                "service": code,
                "name": spec["name"],
                "amount": self._price(code, body),
                "currency": currency,
                "transit_days": spec["days"],
            }
            for code, spec in sorted(self.services.items())
            if not wanted or code == wanted
        ]
        return Reply(200, {"rates": rates})

    def _op_validate_address(self, body, **_):
        address = body if isinstance(body, dict) else {}
        messages = []
        for name in ("street", "city", "zip", "country_code"):
            if not str(address.get(name) or "").strip():
                messages.append(f"{name} is missing")
        country = str(address.get("country_code") or "").strip().upper()
        if country in self.unserved_countries:
            messages.append(f"country {country} is not served")
        candidate = {
            k: str(v).strip() for k, v in address.items() if isinstance(v, str)
        }
        if candidate.get("city"):
            candidate["city"] = candidate["city"].upper()
        if country:
            candidate["country_code"] = country
        return Reply(
            200,
            {
                "valid": not messages,
                "messages": messages,
                "candidates": [] if messages else [candidate],
            },
        )
