# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE Shipping v2 request mapping: the ``POST /orders`` body
(shipper, consignee, parcels, customs, DHL Retoure, billing numbers) and its
document query parameters.
"""

import re
from datetime import date

from logistics_carriers import CarrierValidationError, FieldError

from .constants import (
    ADDRESS_LIMITS,
    BILLING_RE,
    DEFAULT_PRODUCT,
    DOC_FORMATS,
    EXPORT_TYPES,
    MAX_SHIPMENTS,
    MAX_WEIGHT_G,
    POSTAL_RE,
    PRODUCT_PROCEDURE,
    PRODUCTS,
    RETOURE_PROCEDURE,
    RETOURE_PRODUCTS,
    needs_customs,
)
from .countries import to_alpha3
from .values import _category, _today_in_germany


class DhlOrderMixin:
    """Builds the order of a ShipmentRequest (of DhlParcelDeAdapter)."""

    def _doc_format(self, label_format=None):
        wanted = (label_format or self.config.label_format or "PDF").upper()
        if wanted not in DOC_FORMATS:
            raise CarrierValidationError(
                f"DHL prints labels as PDF or ZPL only, not {wanted}: set the "
                "carrier account's label format to PDF or ZPL.",
                code="label_format",
                field_errors=[FieldError("docFormat", f"{wanted} is not offered")],
                category="data",
            )
        return DOC_FORMATS[wanted]

    def _doc_params(self, doc_format, retoure=None):
        """Query of an order or reprint. With a DHL Retoure label expected,
        ``combine=false`` (DHL's default true merges both labels into one
        document and ignores ``retourePrintFormat``)."""
        retoure = bool(self.extra.get("retoure")) if retoure is None else retoure
        params = [("docFormat", doc_format), ("includeDocs", "include")]
        if self.extra.get("print_format"):
            params.append(("printFormat", self.extra["print_format"]))
        if retoure:
            params.append(("combine", "false"))
            if self.extra.get("retoure_print_format"):
                params.append(
                    ("retourePrintFormat", self.extra["retoure_print_format"])
                )
        return params

    def retoure_billing_number(self):
        """The DHL Retoure billing number: the account's own, else its
        billing number (or customer number) with procedure 07."""
        own = re.sub(r"\s", "", self.extra.get("retoure_billing_number") or "")
        if own:
            return own
        number = self.billing_number("V01PAK")  # 14 characters when valid
        return number[:10] + RETOURE_PROCEDURE + number[12:14]

    def _retoure(self, request, product, problems):
        """``services.dhlRetoure`` of an outbound order, or None."""
        if not self.extra.get("retoure") or request.is_return:
            return None
        if product not in RETOURE_PRODUCTS:
            # not asked for: the shipment says so (no return label came back)
            return None
        billing = self.retoure_billing_number()
        if not BILLING_RE.fullmatch(billing) or billing[10:12] != RETOURE_PROCEDURE:
            problems.append(
                FieldError(
                    "services.dhlRetoure.billingNumber",
                    "DHL Retoure needs a 14-character billing number with "
                    f"procedure {RETOURE_PROCEDURE} (digits 11-12); the account "
                    f"has {billing!r}.",
                    "billing_number",
                )
            )
        retoure = {"billingNumber": billing}
        ref_no = self._ref_no(request.reference, 0, 1)
        if ref_no:
            retoure["refNo"] = ref_no
        # the parcel comes back to the warehouse (the outbound shipper)
        retoure["returnAddress"] = self._contact(
            request.shipper, "services.dhlRetoure.returnAddress", problems
        )
        return retoure

    def billing_number(self, product):
        """The account's billing number for ``product``.

        Digits 11-12 of a DHL billing number are the product's procedure: the
        account's number (or its 10-digit customer number, EKP) is adapted to
        the product, e.g. 33333333330101 -> 33333333335301 for V53WPAK.
        """
        number = re.sub(
            r"\s", "", self.extra.get("billing_number") or self.config.account_number
        )
        procedure = PRODUCT_PROCEDURE.get(product)
        if procedure and len(number) == 10 and number.isdigit():
            number += procedure + "01"
        elif procedure and len(number) == 14:
            number = number[:10] + procedure + number[12:]
        return number

    def _contact(self, address, role, problems):
        """A DHL ContactAddress for ``address``; problems appended, not raised."""
        country = to_alpha3(address.country_code)
        if not country:
            problems.append(
                FieldError(
                    f"{role}.country",
                    f"Unknown country code {address.country_code!r}.",
                    "country",
                )
            )
        company = (address.company_name or "").strip()
        person = (address.name or "").strip()
        if company and company != person:
            name1, name2 = company, person
        else:
            name1, name2 = person or company, ""
        data = {
            "name1": name1,
            "name2": name2,
            "addressStreet": (address.street or "").strip(),
            "additionalAddressInformation1": (address.street2 or "").strip(),
            "postalCode": (address.zip or "").strip(),
            "city": (address.city or "").strip(),
            "country": country,
        }
        state = (address.state_code or "").strip()
        if state and country not in ("DEU", ""):
            if country == "USA" and "-" not in state:
                state = f"US-{state}"
            data["state"] = state[:20]
        email = (address.email or "").strip()
        if 3 <= len(email) <= 80:
            data["email"] = email
        phone = (address.phone or "").strip()
        if phone and len(phone) <= 20:
            data["phone"] = phone
        for key in ("name1", "addressStreet", "city"):
            if not data[key]:
                problems.append(
                    FieldError(f"{role}.{key}", "Required by DHL.", "required")
                )
        for key, limit in ADDRESS_LIMITS:
            if len(data[key]) > limit:
                problems.append(
                    FieldError(
                        f"{role}.{key}",
                        f"{data[key]!r} is longer than the {limit} characters DHL "
                        "accepts: shorten it.",
                        "too_long",
                    )
                )
        postal = data["postalCode"]
        if postal and not (3 <= len(postal) <= 10 and POSTAL_RE.fullmatch(postal)):
            problems.append(
                FieldError(
                    f"{role}.postalCode",
                    f"{postal!r} is not a postal code DHL accepts.",
                    "postal_code",
                )
            )
        return {key: value for key, value in data.items() if value}

    def _details(self, parcel, index, problems):
        grams = int(round(float(parcel.weight_kg or 0.0) * 1000))
        name = f"shipments[{index}].details.weight"
        if grams <= 0:
            problems.append(FieldError(name, "The parcel has no weight.", "weight"))
        elif grams > MAX_WEIGHT_G:
            problems.append(
                FieldError(
                    name,
                    f"Parcel {parcel.reference or index + 1} weighs "
                    f"{parcel.weight_kg:g} kg; DHL takes at most 31.5 kg per parcel.",
                    "weight",
                )
            )
        details = {"weight": {"uom": "g", "value": max(grams, 1)}}
        sizes = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
        if all(float(s or 0) > 0 for s in sizes):
            length, width, height = (max(1, int(round(float(s)))) for s in sizes)
            details["dim"] = {
                "uom": "cm",
                "height": height,
                "length": length,
                "width": width,
            }
        return details

    def _customs(self, request, index, problems):
        """``customs`` (CustomsDetails) of a parcel leaving the EU customs
        union: export type, postal charges and one item per goods line."""
        customs = request.customs or {}
        path = f"shipments[{index}].customs"
        currency = str(customs.get("currency") or request.currency or "EUR")[:3]
        items = []
        for number, line in enumerate(customs.get("lines") or [], start=1):
            where = f"{path}.items[{number - 1}]"
            try:
                quantity = float(line.get("quantity") or 0)
                value = float(line.get("unit_value") or 0)
                weight_g = int(round(float(line.get("weight_kg") or 0) * 1000))
            except (TypeError, ValueError):
                quantity = value = weight_g = 0
            if quantity <= 0 or quantity != int(quantity):
                problems.append(
                    FieldError(where, "DHL declares whole quantities.", "customs")
                )
            if value <= 0:
                problems.append(
                    FieldError(where, "Every customs item needs a value.", "customs")
                )
            item = {
                "itemDescription": str(line.get("description") or "")[:256]
                or f"Item {number}",
                "packagedQuantity": int(quantity) if quantity > 0 else 1,
                "itemValue": {"currency": currency, "value": round(value, 2)},
                "itemWeight": {"uom": "g", "value": max(weight_g, 1)},
            }
            hs_code = re.sub(r"\D", "", str(line.get("hs_code") or ""))
            if 6 <= len(hs_code) <= 11:
                item["hsCode"] = hs_code
            origin = to_alpha3(str(line.get("origin_country") or ""))
            if origin:
                item["countryOfOrigin"] = origin
            items.append(item)
        if not items:
            problems.append(
                FieldError(
                    path,
                    "DHL needs the goods (customs declaration) of a parcel to "
                    f"{request.recipient.country_code}, outside the EU customs "
                    "union: the delivery has no products with a value.",
                    "customs",
                )
            )
        reason = str(customs.get("reason") or "SALE").upper()
        details = {
            "exportType": EXPORT_TYPES.get(reason, "OTHER"),
            "postalCharges": {
                "currency": currency,
                "value": round(float(customs.get("postal_charges") or 0.0), 2),
            },
            "items": items[:99],
        }
        if details["exportType"] == "OTHER":
            details["exportDescription"] = (
                str(customs.get("description") or reason)[:80] or "Other"
            )
        if customs.get("invoice_number"):
            details["invoiceNo"] = str(customs["invoice_number"])[:35]
        if customs.get("terms") in ("DAP", "DDP"):
            details["shippingConditions"] = customs["terms"]
        return details

    @staticmethod
    def _ref_no(reference, index, count):
        """refNo (8-35 characters, printed on the label); None if too short."""
        text = (reference or "").strip()
        if count > 1:
            text = f"{text} {index + 1}/{count}"
        text = text[:35]
        return text if len(text) >= 8 else None

    @staticmethod
    def _ship_date(wanted):
        """The requested date, never in the past (a retry may run days later)."""
        today = _today_in_germany()
        wanted = wanted if isinstance(wanted, date) else None
        return max(wanted or today, today).isoformat()

    def build_order(self, request):
        """``(body, query params)`` of ``POST /orders`` for ``request``.

        Raises :class:`CarrierValidationError` (nothing sent) when the
        request cannot be expressed in DHL's schema.
        """
        doc_format = self._doc_format(request.label_format)
        product = (
            request.service_code or self.extra.get("product") or DEFAULT_PRODUCT
        ).strip()
        billing = self.billing_number(product)
        problems = []
        if product not in PRODUCTS:
            problems.append(
                FieldError(
                    "product",
                    f"{product!r} is not a DHL Parcel DE product "
                    f"({', '.join(PRODUCTS)}).",
                    "product",
                )
            )
        if not BILLING_RE.fullmatch(billing):
            problems.append(
                FieldError(
                    "billingNumber",
                    "The carrier account needs DHL's 14-character billing number "
                    f"(Abrechnungsnummer); it has {billing!r}.",
                    "billing_number",
                )
            )
        if self.extra.get("shipper_ref"):
            shipper = {"shipperRef": self.extra["shipper_ref"]}
        else:
            shipper = self._contact(request.shipper, "shipper", problems)
        consignee = self._contact(request.recipient, "consignee", problems)
        parcels = list(request.parcels)
        if not parcels or len(parcels) > MAX_SHIPMENTS:
            problems.append(
                FieldError(
                    "shipments",
                    f"DHL takes 1 to {MAX_SHIPMENTS} parcels in one order, not "
                    f"{len(parcels)}.",
                    "parcels",
                )
            )
        ship_date = self._ship_date(request.ship_date)
        retoure = self._retoure(request, product, problems)
        customs_needed = needs_customs(
            request.shipper.country_code, request.recipient.country_code
        )
        if customs_needed and len(parcels) > 1:
            problems.append(
                FieldError(
                    "customs",
                    "DHL declares the goods per parcel: a parcel to "
                    f"{request.recipient.country_code} (outside the EU customs "
                    "union) is sent as one parcel per delivery order.",
                    "customs",
                )
            )
        shipments = []
        for index, parcel in enumerate(parcels):
            shipment = {"product": product, "billingNumber": billing}
            ref_no = self._ref_no(request.reference, index, len(parcels))
            if ref_no:
                shipment["refNo"] = ref_no
            shipment.update(
                {
                    "shipDate": ship_date,
                    "shipper": shipper,
                    "consignee": consignee,
                    "details": self._details(parcel, index, problems),
                }
            )
            if retoure:
                shipment["services"] = {"dhlRetoure": retoure}
            if customs_needed:
                shipment["customs"] = self._customs(request, index, problems)
            shipments.append(shipment)
        if problems:
            category = _category(problems)
            details = "; ".join(f"{fe.field}: {fe.message}" for fe in problems)
            raise CarrierValidationError(
                f"Not sent to DHL: {details}",
                code=problems[0].code,
                field_errors=problems,
                category=category,
            )
        params = self._doc_params(doc_format, retoure=bool(retoure))
        if self.extra.get("must_encode"):
            params.append(("mustEncode", "true"))
        return {"profile": self.profile, "shipments": shipments}, params
