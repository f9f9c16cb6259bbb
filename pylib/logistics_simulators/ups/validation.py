# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks of a UPS Ship request (parties, packages, lanes, returns,
international forms) with UPS's error codes; Rating reuses the package and
lane checks."""

import re

from .common import (
    LABEL_FORMATS,
    NO_POSTAL_CODE,
    RETURN_SERVICES,
    SERVICES,
    STATE_REQUIRED,
    THERMAL,
    US_DOMESTIC,
    as_list,
    as_text,
    dig,
)


class ShipValidation:
    """Mixin of :class:`~logistics_simulators.ups.UpsSimulatorServer`."""

    @staticmethod
    def _validate_party(party, label, errors, *, shipper=False):
        """Append (code, message) problems of a Shipper/ShipTo/ShipFrom."""
        if not isinstance(party, dict):
            errors.append(("120200", f"Missing {label}"))  # illustrative
            return ""
        if not as_text(party.get("Name")):
            errors.append(("120201", f"Missing or invalid {label} name"))
        if shipper and not re.fullmatch(
            r"[0-9A-Z]{6}", as_text(party.get("ShipperNumber")).upper()
        ):
            errors.append(("120100", "Missing or invalid shipper number"))
        address = party.get("Address") if isinstance(party, dict) else None
        address = address if isinstance(address, dict) else {}
        lines = [as_text(line) for line in as_list(address.get("AddressLine"))]
        if not any(lines):
            errors.append(("120202", f"Missing or invalid {label} address line 1"))
        if not as_text(address.get("City")):
            errors.append(("120203", f"Missing or invalid {label} city"))
        country = as_text(address.get("CountryCode")).upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            errors.append(("120204", f"Missing or invalid {label} country code"))
        postal = as_text(address.get("PostalCode"))
        if country in ("US", "PR") and not re.fullmatch(r"\d{5}(-?\d{4})?", postal):
            errors.append(("120205", f"Invalid {label} postal code for {country}"))
        elif country and country not in NO_POSTAL_CODE and not postal:
            errors.append(("120205", f"Missing {label} postal code"))
        if country in STATE_REQUIRED and not as_text(address.get("StateProvinceCode")):
            errors.append(("120206", f"Missing {label} state province code"))
        return country

    @staticmethod
    def _validate_packages(packages, errors, *, rating=False):
        if not packages or len(packages) > 200:
            errors.append(("120600", "A shipment needs 1 to 200 packages"))
        key = "PackagingType" if rating else "Packaging"
        for index, package in enumerate(packages, 1):
            package = package if isinstance(package, dict) else {}
            if not rating and not as_text(dig(package, key, "Code")):
                errors.append(("120601", f"Missing packaging type, package {index}"))
            unit = as_text(dig(package, "PackageWeight", "UnitOfMeasurement", "Code"))
            try:
                weight = float(dig(package, "PackageWeight", "Weight"))
            except (TypeError, ValueError):
                weight = 0.0
            if unit not in ("KGS", "LBS") or weight <= 0:
                errors.append(("120602", f"Missing or invalid weight, package {index}"))
            elif weight > (70 if unit == "KGS" else 150):
                errors.append(("120603", f"Package {index} exceeds the maximum weight"))
            dims = package.get("Dimensions")
            if isinstance(dims, dict):
                dim_unit = as_text(dig(dims, "UnitOfMeasurement", "Code"))
                if dim_unit != ("CM" if unit == "KGS" else "IN"):
                    errors.append(
                        ("120604", f"Dimension unit does not match weight, {index}")
                    )

    def _lane_errors(self, service, origin, destination, errors):
        if service not in SERVICES:
            errors.append(("120500", "Missing or invalid service code"))
        elif service in US_DOMESTIC and not (
            origin == destination and origin in ("US", "PR")
        ):
            errors.append(
                (
                    "111210",
                    "The requested service is unavailable between the selected "
                    "locations.",
                )
            )

    def _validate_ship(self, request):
        errors = []
        if not isinstance(request, dict) or not isinstance(
            request.get("Shipment"), dict
        ):
            return [("120002", "Missing or invalid ShipmentRequest")]
        option = as_text(dig(request, "Request", "RequestOption"))
        if option not in ("validate", "nonvalidate"):
            errors.append(("120001", "Missing or invalid RequestOption"))
        shipment = request["Shipment"]
        origin = self._validate_party(
            shipment.get("Shipper"), "shipper", errors, shipper=True
        )
        destination = self._validate_party(shipment.get("ShipTo"), "ship to", errors)
        if shipment.get("ShipFrom") is not None:
            ship_from = self._validate_party(shipment["ShipFrom"], "ship from", errors)
            origin = ship_from or origin  # the parcel leaves from ShipFrom
        if shipment.get("ReturnService") is not None:
            self._validate_return(shipment, origin, errors)
        self._lane_errors(
            as_text(dig(shipment, "Service", "Code")), origin, destination, errors
        )
        self._validate_packages(as_list(shipment.get("Package")), errors)
        charges = as_list(dig(shipment, "PaymentInformation", "ShipmentCharge"))
        bill = [c for c in charges if isinstance(c, dict) and c.get("Type") == "01"]
        number = as_text(dig(shipment, "Shipper", "ShipperNumber")).upper()
        account = as_text(dig(bill[0], "BillShipper", "AccountNumber")) if bill else ""
        if not bill or account.upper() != number:
            errors.append(("120412", "Missing or invalid bill shipper account number"))
        label = request.get("LabelSpecification") or {}
        fmt = as_text(dig(label, "LabelImageFormat", "Code")).upper()
        if fmt not in LABEL_FORMATS:
            errors.append(("120700", "Missing or invalid label image format"))
        elif fmt in THERMAL and (
            as_text(dig(label, "LabelStockSize", "Height")) not in ("6", "8")
            or as_text(dig(label, "LabelStockSize", "Width")) != "4"
        ):
            errors.append(("120701", "Missing or invalid label stock size"))
        if origin and destination and origin != destination:
            if not as_text(shipment.get("Description")):
                errors.append(("120512", "A shipment description is required"))
            if origin == "US" and destination in ("CA", "PR"):
                if not dig(shipment, "InvoiceLineTotal", "MonetaryValue"):
                    errors.append(("120514", "Invoice line total is required"))
            if not as_text(dig(shipment, "ShipTo", "AttentionName")):
                errors.append(("120217", "Ship To attention name is required"))
        forms = dig(shipment, "ShipmentServiceOptions", "InternationalForms")
        if forms is not None:
            self._validate_forms(forms, errors)
            types = {as_text(t) for t in as_list(dig(forms, "FormType"))}
            if shipment.get("ReturnService") is not None and types - {"05", "10"}:
                # Shipping.yaml FormType: with a return service only 05 or 10
                errors.append(
                    (
                        "120609",
                        "For a shipment with a return service, the international "
                        "form type must be 05 or 10",
                    )
                )
            if {"01", "05"} <= types:
                errors.append(("120608", "Form types 01 and 05 are exclusive"))
        return errors

    @staticmethod
    def _validate_return(shipment, origin, errors):
        """Shipment.ReturnService (Shipping.yaml): a return shipment.

        The simulator prints only UPS Print Return Label (9); a package
        Description (1-35) is required for a shipment with a return
        service; US/PR-origin returns carry one package. Codes illustrative.
        """
        code = as_text(dig(shipment, "ReturnService", "Code"))
        if code not in RETURN_SERVICES:
            errors.append(("120540", "Missing or invalid return service code"))
        elif code not in ("9",):
            errors.append(
                (
                    "120541",
                    f"Return service {code} ({RETURN_SERVICES[code]}) is not "
                    "offered by the simulator",
                )
            )
        if not isinstance(shipment.get("ShipFrom"), dict):
            errors.append(("120542", "A return shipment needs a ship from address"))
        packages = as_list(shipment.get("Package"))
        for index, package in enumerate(packages, 1):
            package = package if isinstance(package, dict) else {}
            description = as_text(package.get("Description"))
            if not description:
                errors.append(
                    (
                        "120543",
                        f"Package {index}: a merchandise description is required "
                        "for a shipment with a return service",
                    )
                )
            elif len(description) > 35:
                errors.append(
                    ("120544", f"Package {index}: description longer than 35")
                )
        if origin in ("US", "PR") and len(packages) > 1:
            errors.append(
                ("120545", "A return from the US or Puerto Rico has one package")
            )
        elif len(packages) > 20:
            errors.append(("120546", "A return shipment has at most 20 packages"))

    @staticmethod
    def _validate_forms(forms, errors):
        """Shipping.yaml's required fields of an invoice (FormType 01).

        Codes illustrative (UPS's error list was not consulted).
        """
        if not isinstance(forms, dict):
            errors.append(("120600", "Invalid InternationalForms"))
            return
        types = [as_text(t) for t in as_list(forms.get("FormType"))]
        if not types:
            errors.append(("120601", "International form type is required"))
        products = [p for p in as_list(forms.get("Product")) if isinstance(p, dict)]
        if not products:
            errors.append(("120602", "At least one product is required"))
        if not {"01", "05"} & set(types):  # invoice / partial invoice
            return
        for key, code, what in (
            ("InvoiceNumber", "120603", "Invoice number"),
            ("InvoiceDate", "120604", "Invoice date"),
            ("ReasonForExport", "120605", "Reason for export"),
            ("CurrencyCode", "120606", "Invoice currency code"),
        ):
            if not as_text(forms.get(key)):
                errors.append((code, f"{what} is required for an invoice"))
        if as_text(forms.get("InvoiceDate")) and not re.fullmatch(
            r"\d{8}", as_text(forms.get("InvoiceDate"))
        ):
            errors.append(("120604", "Invoice date must be yyyyMMdd"))
        if not isinstance(dig(forms, "Contacts", "SoldTo"), dict):
            errors.append(("120607", "Sold to contact is required for an invoice"))
        for index, product in enumerate(products, start=1):
            if not any(as_text(d) for d in as_list(product.get("Description"))):
                errors.append(("120610", f"Product {index}: description is required"))
            number = as_text(dig(product, "Unit", "Number"))
            if not re.fullmatch(r"[0-9]+", number) or int(number) <= 0:
                errors.append(
                    ("120611", f"Product {index}: a whole quantity is required")
                )
            try:
                value = float(as_text(dig(product, "Unit", "Value")) or 0)
            except ValueError:
                value = 0
            if value <= 0:
                errors.append(
                    ("120612", f"Product {index}: a unit value above zero is required")
                )
            if not as_text(dig(product, "Unit", "UnitOfMeasurement", "Code")):
                errors.append(("120613", f"Product {index}: unit of measure required"))
            if not as_text(product.get("PartNumber")):
                errors.append(("120614", f"Product {index}: part number is required"))
