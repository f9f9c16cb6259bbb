# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE Shipping v2 calls and answers: create (``POST /orders``),
cancel (``DELETE /orders``), reprint (``GET /orders``). DHL returns no
prices and does not de-duplicate a repeated create.
"""

import json
from dataclasses import dataclass, field

from logistics_carriers import (
    CarrierError,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    PackageResult,
    ShipmentResult,
)

from .constants import _MESSAGES, MAX_SHIPMENTS
from .values import _category, _decode_b64, _status_code


@dataclass
class DhlShipmentResult(ShipmentResult):
    """A ShipmentResult with the DHL Retoure labels printed with the order
    (one :class:`PackageResult` per ``returnShipmentNo``)."""

    return_packages: list[PackageResult] = field(default_factory=list)


class DhlShippingMixin:
    """Create, cancel and reprint (of DhlParcelDeAdapter)."""

    def create_shipment(self, request):
        body, params = self.build_order(request)
        response = self._shipping(
            "POST", "/orders", operation="create_shipment", json=body, params=params
        )
        return self.parse_order_response(
            response.status_code, self._json(response), len(body["shipments"])
        )

    @staticmethod
    def _item_ok(item):
        return _status_code(item.get("sstatus")) in (200, 201) and bool(
            item.get("shipmentNo")
        )

    def parse_order_response(self, http_status, data, expected=None, compensate=True):
        """ShipmentResult of a LabelDataResponse (create or reprint).

        Raises the matching error for a 400, a partial 207 (after cancelling
        the labels DHL did create, so that a resend duplicates nothing) or an
        answer that does not hold the parcels asked for.
        """
        items = [i for i in data.get("items") or [] if isinstance(i, dict)]
        if http_status in (200, 201, 207):
            created = [i for i in items if self._item_ok(i)]
            if expected is None:
                expected = len(items)
            if created and len(created) == len(items) == expected:
                return self._result(created, data)
            if not items or len(items) != expected:
                raise CarrierError(
                    f"DHL answered for {len(items)} of {expected} parcels.",
                    status=http_status,
                    carrier_message=json.dumps(data.get("status") or {})[:2000],
                )
            if not compensate:
                raise self._validation_error(http_status, data, items)
            return self._partial_failure(http_status, data, items, created)
        if http_status in (400, 422):
            raise self._validation_error(http_status, data, items)
        raise CarrierError(
            f"DHL gave an unexpected answer (HTTP {http_status}).",
            status=http_status,
            carrier_message=json.dumps(data)[:2000],
        )

    def _document(self, document):
        """(bytes or None, canonical format) of a DHL Document."""
        if not isinstance(document, dict):
            return None, ""
        fmt = str(document.get("fileFormat") or "").upper()
        if document.get("zpl2"):
            return str(document["zpl2"]).encode("utf-8"), "ZPL"
        if document.get("b64"):
            return _decode_b64(document["b64"]), "ZPL" if fmt == "ZPL2" else "PDF"
        if document.get("url"):  # includeDocs=URL: no authentication needed
            response = self.http.request(
                "GET", document["url"], operation="label_download"
            )
            if response.status_code == 200 and response.content:
                return response.content, "ZPL" if fmt == "ZPL2" else "PDF"
        return None, "ZPL" if fmt == "ZPL2" else ("PDF" if fmt else "")

    def _result(self, items, data):
        packages = []
        returns = []
        shipments = []
        for item in items:
            if item.get("returnShipmentNo"):
                return_label, return_fmt = self._document(item.get("returnLabel"))
                returns.append(
                    PackageResult(
                        tracking_number=str(item["returnShipmentNo"]),
                        label=return_label,
                        label_format=return_fmt or "PDF",
                    )
                )
            label, fmt = self._document(item.get("label"))
            packages.append(
                PackageResult(
                    tracking_number=str(item["shipmentNo"]),
                    label=label,
                    label_format=fmt or "PDF",
                )
            )
            info = {
                key: item[key]
                for key in ("shipmentNo", "returnShipmentNo", "routingCode")
                if item.get(key)
            }
            if item.get("shipmentRefNo"):
                info["refNo"] = item["shipmentRefNo"]
            warnings = [
                f"{m.get('property') or ''}: {m.get('validationMessage') or ''}"
                for m in item.get("validationMessages") or []
                if isinstance(m, dict)
            ]
            if warnings:
                info["warnings"] = warnings
            if item.get("label") and label is None:
                info["label_error"] = "label not decodable: reprint it"
            shipments.append(info)
        status = data.get("status") if isinstance(data.get("status"), dict) else {}
        return DhlShipmentResult(
            carrier_shipment_id=",".join(p.tracking_number for p in packages),
            packages=packages,
            label_format=packages[0].label_format if packages else "PDF",
            raw={"status": status.get("detail") or "", "shipments": shipments},
            return_packages=returns,
        )

    @staticmethod
    def _field_errors(items, multi):
        errors = []
        for index, item in enumerate(items):
            if item.get("propertyPath"):  # JSON-schema failure at the API layer
                errors.append(
                    FieldError(
                        str(item["propertyPath"]),
                        str(item.get("message") or ""),
                        "schema",
                    )
                )
                continue
            if DhlShippingMixin._item_ok(item):
                continue
            prefix = f"shipments[{index}]." if multi else ""
            messages = [
                m for m in item.get("validationMessages") or [] if isinstance(m, dict)
            ]
            for message in messages:
                prop = str(message.get("property") or "")
                errors.append(
                    FieldError(
                        prop if prop.startswith("shipments[") else prefix + prop,
                        str(message.get("validationMessage") or ""),
                        str(message.get("validationState") or ""),
                    )
                )
            sstatus = item.get("sstatus") or {}
            if not messages and (sstatus.get("detail") or sstatus.get("title")):
                errors.append(
                    FieldError(
                        prefix.rstrip(".") or "shipment",
                        str(sstatus.get("detail") or sstatus.get("title")),
                        str(sstatus.get("title") or ""),
                    )
                )
        # DHL's errors first, then the warnings that explain them
        return sorted(errors, key=lambda fe: fe.code.lower() != "error")

    def _validation_error(self, http_status, data, items, note=""):
        field_errors = self._field_errors(items, multi=len(items) > 1)
        status = data.get("status") if isinstance(data.get("status"), dict) else data
        detail = str(status.get("detail") or status.get("title") or "")
        category = _category(field_errors)
        first = field_errors[0].message if field_errors else detail
        text = "; ".join(f"{fe.field}: {fe.message}" for fe in field_errors)
        return CarrierValidationError(
            f"{_MESSAGES[category]}: {first}{note}",
            status=http_status,
            code=field_errors[0].code if field_errors else "bad_request",
            carrier_message=(f"{detail} {text}".strip() if text else detail)[:2000],
            field_errors=field_errors,
            category=category,
        )

    def _partial_failure(self, http_status, data, items, created):
        """Some parcels got a label, others not: undo, then report."""
        numbers = [str(i["shipmentNo"]) for i in created]
        undone, leftover = True, []
        if numbers:
            try:
                self.cancel_shipment(",".join(numbers), numbers)
            except CarrierError:
                undone, leftover = False, numbers
        failed = [i for i in items if not self._item_ok(i)]
        business = any(
            400 <= _status_code(i.get("sstatus")) < 500 or i.get("validationMessages")
            for i in failed
        )
        if leftover:
            note = (
                f" DHL created {len(leftover)} label(s) for the other parcels that "
                "could not be cancelled again: delete "
                + ", ".join(leftover)
                + " in the DHL business customer portal before sending again."
            )
        elif numbers:
            note = (
                f" The {len(numbers)} label(s) DHL created for the other parcels "
                "were cancelled again."
            )
        else:
            note = ""
        if business:
            raise self._validation_error(http_status, data, items, note)
        message = self._validation_error(http_status, data, items).carrier_message
        if undone:
            raise CarrierTransientError(
                f"DHL could not create every parcel of the order ({message}).{note}",
                status=http_status,
                code="partial_failure",
                carrier_message=message,
                maybe_sent=False,
            )
        raise CarrierError(
            f"DHL could not create every parcel of the order ({message}).{note}",
            status=http_status,
            code="partial_failure",
            carrier_message=message,
        )

    @staticmethod
    def _numbers(carrier_shipment_id, tracking_numbers=None):
        numbers = [n.strip() for n in tracking_numbers or [] if n and n.strip()]
        if not numbers:
            numbers = [
                n.strip() for n in (carrier_shipment_id or "").split(",") if n.strip()
            ]
        return list(dict.fromkeys(numbers))

    def cancel_shipment(self, carrier_shipment_id, tracking_numbers=None):
        """Delete the shipment(s) at DHL; True when every one is cancelled.

        Possible until DHL's daily closeout (Tagesabschluss) only. A number
        DHL does not know (already cancelled, closed out, never created)
        raises a :class:`CarrierValidationError` naming it.
        """
        numbers = self._numbers(carrier_shipment_id, tracking_numbers)
        if not numbers:
            raise CarrierValidationError(
                "There is no DHL shipment number to cancel.", code="no_number"
            )
        results = []
        for start in range(0, len(numbers), MAX_SHIPMENTS):
            chunk = numbers[start : start + MAX_SHIPMENTS]
            response = self._shipping(
                "DELETE",
                "/orders",
                operation="cancel_shipment",
                params=[("profile", self.profile)] + [("shipment", n) for n in chunk],
            )
            data = self._json(response)
            items = [i for i in data.get("items") or [] if isinstance(i, dict)]
            if response.status_code not in (200, 207, 400) or not items:
                raise self._unexpected(response)
            if response.status_code == 400 and not all(
                self._already_cancelled(i)
                for i in items
                if _status_code(i.get("sstatus")) != 200
            ):
                raise self._validation_error(400, data, items)
            results.extend(items)
        return self._cancel_outcome(numbers, results)

    @staticmethod
    def _already_cancelled(item):
        """An item DHL answers for a shipment deleted before (a cancel
        retried after a lost reply): ``UnknownShipmentNumber``, status 204.
        Counted as cancelled, as UPS's "Voided or Already Voided"."""
        sstatus = (item or {}).get("sstatus") or {}
        return str(sstatus.get("title") or "") == "UnknownShipmentNumber"

    @classmethod
    def _cancel_outcome(cls, numbers, items):
        by_number = {str(i.get("shipmentNo") or ""): i for i in items}
        failed = []
        for index, number in enumerate(numbers):
            item = by_number.get(number) or (
                items[index] if len(items) == len(numbers) else {}
            )
            sstatus = item.get("sstatus") or {}
            if _status_code(sstatus) != 200 and not cls._already_cancelled(item):
                failed.append((number, sstatus))
        if not failed:
            return True
        field_errors = []
        for number, sstatus in failed:
            title = str(sstatus.get("title") or "")
            text = str(sstatus.get("detail") or title or "not cancelled")
            field_errors.append(FieldError(number, text, title or "not_cancelled"))
        cancelled = [n for n in numbers if n not in {f[0] for f in failed}]
        message = "; ".join(f"{fe.field}: {fe.message}" for fe in field_errors)
        if cancelled:
            message += f" (cancelled: {', '.join(cancelled)})"
        raise CarrierValidationError(
            f"DHL did not cancel {len(failed)} of {len(numbers)} shipment(s): "
            + message,
            code=field_errors[0].code,
            carrier_message=message,
            field_errors=field_errors,
            category="data",
        )

    def get_label(self, carrier_shipment_id):
        """Reprint (``GET /orders?shipment=``): labels of shipments not closed."""
        numbers = self._numbers(carrier_shipment_id)[:MAX_SHIPMENTS]
        params = [("shipment", n) for n in numbers]
        params += self._doc_params(self._doc_format())
        response = self._shipping("GET", "/orders", operation="label", params=params)
        return self.parse_order_response(
            response.status_code, self._json(response), len(numbers), compensate=False
        )

    def get_rates(self, request):
        raise self._not_supported(
            "rates in the Parcel DE Shipping API (it returns no prices)"
        )
