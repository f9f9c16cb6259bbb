# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Shipping v2409: Ship (create), Label Recovery and Void.

UPS de-duplicates nothing (no idempotency key): a ship request whose
answer was lost is never sent again blindly (``idempotent_create`` False).
"""

import json
from urllib.parse import quote

from logistics_carriers import (
    CarrierError,
    CarrierValidationError,
    FieldError,
    PackageResult,
    ShipmentResult,
)

from .services import (
    RETURN_SERVICE,
    customs_total,
    needs_customs,
    needs_invoice_line_total,
)
from .values import as_list, clip, decode_label, dig, fmt_number, money


class UpsShippingMixin:
    """Ship, Label Recovery and Void: requests and answers (of UpsAdapter)."""

    def build_ship_request(self, request):
        """The ``ShipmentRequest`` body for ``POST /shipments/v2409/ship``."""
        origin, destination = self._lane(request)
        customs = request.customs or {}
        description = customs.get("description") or request.reference or "Goods"
        shipment = {"Description": clip(description, 50)}
        shipment.update(self._shipment_core(request))
        if request.is_return:
            shipment["ReturnService"] = {
                "Code": RETURN_SERVICE,
                "Description": "UPS Print Return Label",
            }
        shipment["PaymentInformation"] = {
            "ShipmentCharge": [
                {"Type": "01", "BillShipper": {"AccountNumber": self.shipper_number()}}
            ]
        }
        currency = clip(customs.get("currency") or request.currency or "USD", 3)
        if needs_invoice_line_total(origin, destination):
            total = customs_total(customs) or float(request.declared_value or 0)
            if total > 0:
                shipment["InvoiceLineTotal"] = {
                    "CurrencyCode": currency,
                    "MonetaryValue": fmt_number(total, 2),
                }
        if (
            customs.get("lines")
            and needs_customs(origin, destination)
            and self.extra.get("commercial_invoice", True)
        ):
            shipment["ShipmentServiceOptions"] = {
                "InternationalForms": self.build_international_forms(
                    customs, currency, request
                )
            }
        return {
            "ShipmentRequest": {
                "Request": self._request_container(
                    request.reference, RequestOption="validate", SubVersion="1801"
                ),
                "Shipment": shipment,
                "LabelSpecification": self._label_specification(
                    self.label_format(request.label_format)
                ),
            }
        }

    def create_shipment(self, request):
        response = self._call(
            "POST",
            f"/shipments/{self.api_version}/ship",
            operation="create_shipment",
            json=self.build_ship_request(request),
        )
        data = self._check(response, "create_shipment")
        result = self.parse_ship_response(data, self.label_format(request.label_format))
        if result.raw.get("labels_not_decoded"):
            self._spec_mismatch(
                "create_shipment",
                "GraphicImage is not Base64 for "
                + ", ".join(result.raw["labels_not_decoded"]),
            )
        return result

    @classmethod
    def parse_ship_response(cls, data, label_format=""):
        """ShipmentResult of a ``ShipmentResponse`` (arrays or single objects)."""
        root = dig(data, "ShipmentResponse") or {}
        cls._require_success(root, "shipment")
        results = root.get("ShipmentResults") or {}
        packages, broken = [], []
        for item in as_list(results.get("PackageResults")):
            if not isinstance(item, dict):
                continue
            number = str(item.get("TrackingNumber") or "").strip()
            label = item.get("ShippingLabel") or {}
            image = label.get("GraphicImage")
            content = decode_label(image)
            if image and content is None:
                broken.append(number)
            fmt = str(dig(label, "ImageFormat", "Code") or label_format or "").upper()
            packages.append(PackageResult(number, content, fmt))
        shipment_id = str(results.get("ShipmentIdentificationNumber") or "").strip()
        if not shipment_id and packages:
            shipment_id = packages[0].tracking_number
        if not shipment_id:
            raise CarrierError(
                "UPS confirmed the shipment without a shipment identification number.",
                code="no_shipment_id",
                carrier_message=json.dumps(results)[:2000],
            )
        if not packages:
            packages = [PackageResult(shipment_id, None, label_format)]
        total = money(dig(results, "ShipmentCharges", "TotalCharges"))
        negotiated = money(dig(results, "NegotiatedRateCharges", "TotalCharge"))
        charges = negotiated or total
        raw = {
            "shipment_identification_number": shipment_id,
            "tracking_numbers": [p.tracking_number for p in packages],
            "total_charges": total,
            "negotiated_charges": negotiated,
            "billing_weight": {
                "unit": dig(results, "BillingWeight", "UnitOfMeasurement", "Code"),
                "weight": dig(results, "BillingWeight", "Weight"),
            },
            "alerts": [
                {"code": a.get("Code"), "description": a.get("Description")}
                for a in as_list(dig(root, "Response", "Alert"))
                if isinstance(a, dict)
            ],
        }
        if broken:
            raw["labels_not_decoded"] = broken
        return ShipmentResult(
            carrier_shipment_id=shipment_id,
            packages=packages,
            label_format=packages[0].label_format or label_format,
            charges_amount=charges[0] if charges else None,
            charges_currency=charges[1] if charges else "",
            raw=raw,
        )

    def get_label(self, carrier_shipment_id):
        """Label recovery (``POST /labels/v1/recovery``) of a shipment."""
        label_format = self.label_format()
        response = self._call(
            "POST",
            f"/labels/{self.label_recovery_version}/recovery",
            operation="label",
            json=self.build_label_recovery_request(carrier_shipment_id, label_format),
        )
        data = self._check(response, "label")
        return self.parse_label_recovery(data, carrier_shipment_id, label_format)

    def build_label_recovery_request(self, carrier_shipment_id, label_format=None):
        """``LabelRecoveryRequest`` with its required ``Request`` container."""
        label_format = label_format or self.label_format()
        spec = self._label_specification(label_format)
        return {
            "LabelRecoveryRequest": {
                "Request": self._request_container(
                    carrier_shipment_id, SubVersion="1903"
                ),
                "LabelSpecification": {
                    key: spec[key]
                    for key in ("HTTPUserAgent", "LabelImageFormat", "LabelStockSize")
                    if key in spec
                },
                "TrackingNumber": clip(carrier_shipment_id, 18),
            }
        }

    @classmethod
    def parse_label_recovery(cls, data, carrier_shipment_id, label_format=""):
        root = dig(data, "LabelRecoveryResponse") or {}
        cls._require_success(root, "label recovery")
        packages = []
        for item in as_list(root.get("LabelResults")):
            if not isinstance(item, dict):
                continue
            image = item.get("LabelImage") or {}
            fmt = dig(image, "LabelImageFormat", "Code") or label_format
            packages.append(
                PackageResult(
                    str(item.get("TrackingNumber") or "").strip(),
                    decode_label(image.get("GraphicImage")),
                    str(fmt or "").upper(),
                )
            )
        return ShipmentResult(
            carrier_shipment_id=str(
                root.get("ShipmentIdentificationNumber") or carrier_shipment_id
            ),
            packages=packages,
            label_format=packages[0].label_format if packages else label_format,
        )

    def cancel_shipment(
        self, carrier_shipment_id, tracking_numbers=None, *, packages=None
    ):
        """Void the whole shipment, or only ``packages`` (20 per call).

        ``tracking_numbers`` (the shipment's numbers, as the suite passes
        them) are informative: the whole shipment is voided with one call and
        UPS explains a refusal (e.g. already picked up). UPS answers success
        for a package voided before ("Voided or Already Voided"); packages it
        did not void raise a validation error.
        """
        numbers = [n for n in dict.fromkeys(packages or []) if n]
        size = self.void_batch_size
        batches = [numbers[i : i + size] for i in range(0, len(numbers), size)]
        path = (
            f"/shipments/{self.api_version}/void/cancel/"
            f"{quote(carrier_shipment_id, safe='')}"
        )
        refused = []
        for batch in batches or [None]:
            params = None
            if batch:
                value = (
                    batch[0]
                    if len(batch) == 1
                    else "[" + ",".join(f'"{n}"' for n in batch) + "]"
                )
                params = {"trackingnumber": value}
            response = self._call(
                "DELETE", path, operation="cancel_shipment", params=params
            )
            data = self._check(response, "cancel_shipment")
            requested = batch or list(tracking_numbers or []) or [carrier_shipment_id]
            refused += self.parse_void_response(data, requested)
        if refused:
            raise CarrierValidationError(
                "UPS did not void package(s) "
                + ", ".join(number for number, _why in refused)
                + ": "
                + "; ".join(dict.fromkeys(why for _number, why in refused if why)),
                code="not_voided",
                category="data",
                carrier_message="; ".join(f"{n}: {w}" for n, w in refused),
                field_errors=[FieldError(n, w or "Not voided") for n, w in refused],
            )
        return True

    @classmethod
    def parse_void_response(cls, data, requested):
        """``[(number, why)]`` of the packages UPS did NOT void."""
        root = dig(data, "VoidShipmentResponse") or {}
        cls._require_success(root, "void")
        summary = dig(root, "SummaryResult", "Status") or {}
        packages = [p for p in as_list(root.get("PackageLevelResults")) if p]
        if not packages:
            if str(summary.get("Code") or "") == "1":
                return []
            why = str(summary.get("Description") or "Not voided")
            return [(number, why) for number in requested]
        refused = []
        for item in packages:
            if str(dig(item, "Status", "Code") or "") != "1":
                why = str(dig(item, "Status", "Description") or "Not voided")
                refused.append((str(item.get("TrackingNumber") or ""), why))
        return refused
