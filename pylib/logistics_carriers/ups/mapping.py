# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS request mapping shared by Ship and Rate: account settings (shipper
number, label format, units), parties, packages, the shipment core and the
international forms.
"""

import math
import re

from logistics_carriers import CarrierValidationError, FieldError

from .services import (
    CM_PER_IN,
    EXPORT_REASONS,
    IMPERIAL_COUNTRIES,
    INVOICE_FORM,
    LABEL_FORMATS,
    LABEL_STOCK_HEIGHTS,
    LBS_PER_KG,
    LENGTH_UNIT_NAMES,
    RETURN_INVOICE_FORM,
    SERVICES,
    SHIPPER_NUMBER_RE,
    THERMAL_FORMATS,
    WEIGHT_UNIT_NAMES,
    return_description,
)
from .values import clip, fmt_number, phone_digits


class UpsRequestMixin:
    """Builds the parts of UPS's Shipment object (part of :class:`UpsAdapter`)."""

    def shipper_number(self):
        """The 6-character UPS shipper number (Shipping.yaml: exactly 6).

        Raises a validation error in words otherwise: UPS would refuse every
        shipment, rate and subscription of the account.
        """
        number = str(self.config.account_number or "").strip().upper()
        if not SHIPPER_NUMBER_RE.fullmatch(number):
            raise CarrierValidationError(
                f"The UPS shipper number {number or '(empty)'!r} of the carrier "
                "account is not valid: UPS account numbers are exactly 6 letters "
                "or digits. An administrator must correct the account number.",
                code="invalid_shipper_number",
                category="data",
                field_errors=[
                    FieldError("account_number", "Exactly 6 letters or digits (UPS).")
                ],
            )
        return number

    def label_format(self, requested=None):
        """The UPS label format for an account/request format (PDF -> GIF)."""
        wanted = str(requested or self.config.label_format or "GIF").upper()
        return LABEL_FORMATS.get(wanted, "GIF")

    def units(self, shipper_country):
        """(weight unit, dimension unit): account setting or shipper country."""
        setting = str(self.extra.get("weight_unit") or "auto").upper()
        if setting not in ("KGS", "LBS"):
            country = (shipper_country or "").upper()
            setting = "LBS" if country in IMPERIAL_COUNTRIES else "KGS"
        return setting, ("IN" if setting == "LBS" else "CM")

    def _address(self, address):
        lines = [clip(line, 35) for line in (address.street, address.street2)]
        result = {
            "AddressLine": [line for line in lines if line],
            "City": clip(address.city, 30),
            "PostalCode": clip(address.zip, 9).upper(),
            "CountryCode": clip(address.country_code, 2).upper(),
        }
        state = clip(address.state_code, 5).upper()
        if state:
            result["StateProvinceCode"] = state
        return result

    def _party(self, address, shipper_number=None):
        name = address.company_name or address.name
        party = {
            "Name": clip(name, 35),
            "AttentionName": clip(address.name or name, 35),
        }
        if shipper_number:
            party["ShipperNumber"] = shipper_number
        phone = phone_digits(address.phone, address.country_code)
        if phone:
            party["Phone"] = {"Number": phone}
        party["Address"] = self._address(address)
        return party

    def _package(self, parcel, units, *, reference=None, rating=False):
        weight_unit, length_unit = units
        weight = float(parcel.weight_kg or 0.0)
        if weight_unit == "LBS":
            weight *= LBS_PER_KG
        code = str(parcel.package_type or "").strip()
        package = {
            ("PackagingType" if rating else "Packaging"): {
                "Code": code if re.fullmatch(r"\d{2}", code) else "02"
            },
            "PackageWeight": {
                # Rating.yaml requires the Description of both units
                "UnitOfMeasurement": {
                    "Code": weight_unit,
                    "Description": WEIGHT_UNIT_NAMES[weight_unit],
                },
                "Weight": fmt_number(max(round(weight, 1), 0.1), 1),
            },
        }
        sizes = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
        if all(float(size or 0) > 0 for size in sizes):
            # Shipping.yaml: Length/Width/Height 1-3 characters (0-108 IN,
            # 0-270 CM): whole units, rounded up so that nothing is understated
            factor = 1 / CM_PER_IN if length_unit == "IN" else 1.0
            length, width, height = (
                str(max(math.ceil(round(float(s) * factor, 2)), 1)) for s in sizes
            )
            package["Dimensions"] = {
                "UnitOfMeasurement": {
                    "Code": length_unit,
                    "Description": LENGTH_UNIT_NAMES[length_unit],
                },
                "Length": length,
                "Width": width,
                "Height": height,
            }
        if reference:
            package["ReferenceNumber"] = [{"Value": clip(reference, 35)}]
        return package

    def _lane(self, request):
        origin = (request.shipper.country_code or "").upper()
        destination = (request.recipient.country_code or "").upper()
        return origin, destination

    def _shipment_core(self, request, rating=False):
        """Shipper, ShipTo, ShipFrom, Service and Package of Ship and Rate."""
        origin, destination = self._lane(request)
        units = self.units(origin)
        # Package references only within the US/PR (UPS business rule);
        # elsewhere the reference goes on the shipment.
        domestic_us = origin == destination and origin in IMPERIAL_COUNTRIES
        if request.is_return and not rating:
            # A return: the customer (request.shipper) is ShipFrom, the
            # warehouse (request.recipient) ShipTo, the account holder Shipper.
            shipment = {
                "Shipper": self._party(request.recipient, self.shipper_number()),
                "ShipTo": self._party(request.recipient),
                "ShipFrom": self._party(request.shipper),
            }
        else:
            shipment = {
                "Shipper": self._party(request.shipper, self.shipper_number()),
                "ShipTo": self._party(request.recipient),
                "ShipFrom": self._party(request.shipper),
            }
        code = clip(request.service_code, 3)
        if code:
            shipment["Service"] = {"Code": code, "Description": SERVICES.get(code, "")}
        shipment["Package"] = [
            self._package(
                parcel,
                units,
                reference=(parcel.reference or request.reference)
                if domestic_us and not rating
                else None,
                rating=rating,
            )
            for parcel in request.parcels
        ]
        if request.is_return and not rating:
            # Shipping.yaml: Package.Description (1-35) is required for a
            # shipment with a return service.
            description = clip(return_description(request), 35)
            for package in shipment["Package"]:
                package["Description"] = description
        if not domestic_us and not rating and request.reference:
            shipment["ReferenceNumber"] = [{"Value": clip(request.reference, 35)}]
        if self.extra.get("negotiated_rates"):
            shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": ""}
        return shipment

    def _label_specification(self, label_format):
        """Shipping.yaml requires LabelStockSize (used by ZPL/EPL/SPL only)."""
        spec = {"LabelImageFormat": {"Code": label_format, "Description": label_format}}
        height = str(self.extra.get("label_stock_size") or "6")
        height = height if height in LABEL_STOCK_HEIGHTS else "6"
        spec["LabelStockSize"] = {"Height": height, "Width": "4"}
        if label_format not in THERMAL_FORMATS:
            spec["HTTPUserAgent"] = "Mozilla/4.5"
        return spec

    @staticmethod
    def _request_container(reference="", **values):
        """UPS's ``Request`` container; ``CustomerContext`` only when there
        is a reference (Shipping.yaml/Rating.yaml: minLength 1)."""
        container = dict(values)
        context = clip(reference, 512)
        if context:
            container["TransactionReference"] = {"CustomerContext": context}
        return container

    def build_international_forms(self, customs, currency, request):
        """``InternationalForms`` with a commercial invoice: FormType 01, or
        05 (partial invoice) for a return (Shipping.yaml: with a return
        service only 05 or 10 are valid; 01 and 05 are mutually exclusive).

        Shipping.yaml requires for an invoice: Product[] (Description, Unit
        {Number, UnitOfMeasurement.Code, Value}, PartNumber), InvoiceNumber,
        InvoiceDate (yyyyMMdd), ReasonForExport and CurrencyCode; the sold-to
        contact is the recipient.
        """
        products = []
        for line in customs.get("lines") or []:
            product = {
                "Description": [clip(line.get("description"), 35)],
                "Unit": {
                    "Number": str(int(round(float(line.get("quantity") or 0)))),
                    "UnitOfMeasurement": {
                        "Code": clip(line.get("uom") or "PCS", 3).upper()
                    },
                    "Value": fmt_number(float(line.get("unit_value") or 0), 2),
                },
                "PartNumber": clip(line.get("part_number"), 10),
                "OriginCountryCode": clip(
                    line.get("origin_country") or request.shipper.country_code, 2
                ).upper(),
            }
            if line.get("hs_code"):
                product["CommodityCode"] = clip(
                    re.sub(r"[^0-9A-Za-z]", "", str(line["hs_code"])), 15
                )
            products.append(product)
        invoice_date = str(customs.get("invoice_date") or "").replace("-", "")
        if not invoice_date and request.ship_date:
            invoice_date = request.ship_date.strftime("%Y%m%d")
        reason = str(customs.get("reason") or "SALE").upper()
        forms = {
            "FormType": [RETURN_INVOICE_FORM if request.is_return else INVOICE_FORM],
            "Product": products,
            "InvoiceNumber": clip(
                customs.get("invoice_number") or request.reference, 35
            ),
            "InvoiceDate": invoice_date,
            "ReasonForExport": reason if reason in EXPORT_REASONS else "SALE",
            "CurrencyCode": currency,
            "Contacts": {"SoldTo": self._party(request.recipient)},
        }
        if customs.get("terms"):
            forms["TermsOfShipment"] = clip(customs["terms"], 3).upper()
        return forms
