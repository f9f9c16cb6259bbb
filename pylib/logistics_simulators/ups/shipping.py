# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Shipping: Ship (labels, charges, negotiated rates, returns), Void
(whole shipment or packages) and Label Recovery."""

import base64
import json
import time

from ..core.clock import now_iso
from ..core.http import Reply
from ..core.labels import build_gif_label, build_png_label, build_zpl_label
from .common import (
    NEGOTIATED_FACTOR,
    SERVICES,
    SHIP_VERSIONS,
    as_list,
    as_text,
    dig,
    tracking_number,
    ups_errors,
)


def build_label(label_format, lines, number):
    if label_format == "GIF":
        return build_gif_label(number)
    if label_format == "PNG":
        return build_png_label(number)
    return build_zpl_label(lines, number)  # ZPL (EPL/SPL: ZPL text too)


class UpsShipping:
    """Mixin of :class:`~logistics_simulators.ups.UpsSimulatorServer`."""

    def _money(self, amount, currency):
        return {"CurrencyCode": currency, "MonetaryValue": f"{amount:.2f}"}

    def _next_numbers(self, shipper, service, count):
        with self._lock:
            numbers = []
            for _ in range(count):
                self._serial += 1
                numbers.append(tracking_number(shipper, service, self._serial))
            return numbers

    def _op_ship(self, body, arg, **_):
        if arg not in SHIP_VERSIONS:
            return ups_errors(400, ("120003", f"Invalid API version {arg}"))
        request = (
            (body or {}).get("ShipmentRequest") if isinstance(body, dict) else None
        )
        errors = self._validate_ship(request)
        if errors:
            return ups_errors(400, *errors)
        shipment = request["Shipment"]
        service = as_text(dig(shipment, "Service", "Code"))
        quote = self._shop(shipment, only=service)[0]
        packages = as_list(shipment["Package"])
        numbers = self._next_numbers(
            dig(shipment, "Shipper", "ShipperNumber"), service, len(packages)
        )
        fmt = as_text(dig(request, "LabelSpecification", "LabelImageFormat", "Code"))
        fmt = fmt.upper()
        negotiated = "NegotiatedRatesIndicator" in (
            shipment.get("ShipmentRatingOptions") or {}
        )
        sid = numbers[0]
        context = as_text(
            dig(request, "Request", "TransactionReference", "CustomerContext")
        )
        record = {
            "shipment_id": sid,
            "reference": context,
            "service": service,
            "status": "label_created",
            "idempotency_key": "",
            "created_at": now_iso(),
            "tracking_numbers": numbers,
            "request": request,
            "labels": [],
            "charges": {"amount": f"{quote[1]:.2f}", "currency": quote[2]},
            "negotiated": negotiated,
            "return_service": as_text(dig(shipment, "ReturnService", "Code")),
            "packages": dict.fromkeys(numbers, "label_created"),
            "next_advance_at": (
                time.time() + float(self.auto_advance) if self.auto_advance else None
            ),
        }
        ship_to = dig(shipment, "ShipTo", "Address") or {}
        for index, number in enumerate(numbers, 1):
            lines = [
                "UPS SIMULATOR - NOT A REAL LABEL",
                f"{SERVICES[service][0]}  {index} OF {len(numbers)}",
                *(["UPS PRINT RETURN LABEL"] if record["return_service"] else []),
                as_text(dig(shipment, "ShipTo", "Name")),
                " ".join(as_text(line) for line in as_list(ship_to.get("AddressLine"))),
                f"{as_text(ship_to.get('City'))} {as_text(ship_to.get('PostalCode'))}",
                as_text(ship_to.get("CountryCode")),
                f"TRACKING #: {number}",
            ]
            label = build_label(fmt, lines, number)
            record["labels"].append(
                {
                    "tracking_number": number,
                    "format": fmt,
                    "content_b64": base64.b64encode(label).decode("ascii"),
                }
            )
        with self._lock:
            self._shipments[sid] = record
            for number in numbers:
                self._by_tracking[number] = sid
                self._events[number] = [self._activity("label_created")]
        return Reply(200, self._ship_response(record, context))

    def _maybe_single(self, items):
        return items[0] if self.single_objects and len(items) == 1 else items

    def _ship_response(self, record, context):
        amount = float(record["charges"]["amount"])
        currency = record["charges"]["currency"]
        count = len(record["tracking_numbers"])
        results = []
        for label in record["labels"]:
            item = {
                "TrackingNumber": label["tracking_number"],
                "ServiceOptionsCharges": self._money(0, currency),
                "ShippingLabel": {
                    "ImageFormat": {
                        "Code": label["format"],
                        "Description": label["format"],
                    },
                    "GraphicImage": label["content_b64"],
                },
                "ItemizedCharges": self._maybe_single(
                    [
                        {
                            "Code": "375",
                            "CurrencyCode": currency,
                            "MonetaryValue": f"{amount * 0.1 / count:.2f}",
                        }
                    ]
                ),
            }
            if label["format"] in ("GIF", "PNG"):
                item["ShippingLabel"]["HTMLImage"] = base64.b64encode(
                    f"<html><body><img src='label{label['tracking_number']}.gif'>"
                    "</body></html>".encode()
                ).decode("ascii")
            results.append(item)
        shipment_results = {
            "ShipmentCharges": {
                "TransportationCharges": self._money(amount, currency),
                "ServiceOptionsCharges": self._money(0, currency),
                "TotalCharges": self._money(amount, currency),
            },
            "BillingWeight": {
                "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
                "Weight": f"{max(1.0, round(amount)):.1f}",
            },
            "ShipmentIdentificationNumber": record["shipment_id"],
            "PackageResults": self._maybe_single(results),
        }
        if record["negotiated"]:
            shipment_results["NegotiatedRateCharges"] = {
                "TotalCharge": self._money(amount * NEGOTIATED_FACTOR, currency)
            }
        return {
            "ShipmentResponse": {
                "Response": {
                    "ResponseStatus": {"Code": "1", "Description": "Success"},
                    "TransactionReference": {"CustomerContext": context},
                },
                "ShipmentResults": shipment_results,
            }
        }

    def _op_void(self, query, arg, **_):
        version, sid = arg
        if version not in SHIP_VERSIONS:
            return ups_errors(400, ("120003", f"Invalid API version {version}"))
        requested = []
        for value in query.get("trackingnumber") or []:
            value = value.strip()
            if value.startswith("["):
                try:
                    requested += [str(n) for n in json.loads(value)]
                except ValueError:
                    return ups_errors(400, ("190001", "Invalid trackingnumber"))
            elif value:
                requested.append(value)
        with self._lock:
            record = self._shipments.get(sid)
            if record is None:
                # code illustrative
                return ups_errors(
                    400, ("190101", "No shipment found within the allowed void period")
                )
            if len(requested) > 20:
                return ups_errors(400, ("190002", "At most 20 tracking numbers"))
            if not requested:
                states = set(record["packages"].values())
                if states - {"label_created", "cancelled"}:
                    return ups_errors(  # code illustrative
                        400,
                        (
                            "190117",
                            "The shipment has been picked up and cannot be voided",
                        ),
                    )
                self._void_packages(record, record["tracking_numbers"])
                summary = {"Code": "1", "Description": "Voided"}
                package_results = None
            else:
                package_results = []
                for number in requested:
                    state = record["packages"].get(number)
                    ok = state in ("label_created", "cancelled")
                    if ok:
                        self._void_packages(record, [number])
                    package_results.append(
                        {
                            "TrackingNumber": number,
                            "Status": {
                                "Code": "1" if ok else "0",
                                "Description": "Voided" if ok else "Not Voided",
                            },
                        }
                    )
                voided = [p for p in package_results if p["Status"]["Code"] == "1"]
                summary = {
                    "Code": "1" if voided else "0",
                    "Description": "Voided"
                    if len(voided) == len(package_results)
                    else ("Partially Voided" if voided else "Not Voided"),
                }
        response = {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "SummaryResult": {"Status": summary},
        }
        if package_results is not None:
            response["PackageLevelResults"] = self._maybe_single(package_results)
        return Reply(200, {"VoidShipmentResponse": response})

    def _void_packages(self, record, numbers):
        for number in numbers:
            if record["packages"].get(number) == "label_created":
                record["packages"][number] = "cancelled"
                self._events[number].append(self._activity("cancelled"))
        if all(s == "cancelled" for s in record["packages"].values()):
            record["status"] = "cancelled"
            record["next_advance_at"] = None

    def _op_label(self, body, arg, **_):
        request = dig(body, "LabelRecoveryRequest") or {}
        number = as_text(request.get("TrackingNumber"))
        with self._lock:
            sid = self._by_tracking.get(number)
            record = self._shipments.get(sid) if sid else None
        if arg not in ("v1", "v2") or record is None:
            # code illustrative
            return ups_errors(400, ("190300", f"No label found for {number}"))
        results = [
            {
                "TrackingNumber": label["tracking_number"],
                "LabelImage": {
                    "LabelImageFormat": {"Code": label["format"]},
                    "GraphicImage": label["content_b64"],
                },
            }
            for label in record["labels"]
        ]
        return Reply(
            200,
            {
                "LabelRecoveryResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"}
                    },
                    "ShipmentIdentificationNumber": record["shipment_id"],
                    "LabelResults": self._maybe_single(results),
                }
            },
        )
