# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks of a Parcel DE Shipping order: the schema errors DHL answers with
400 (``propertyPath``) and the business ``validationMessages`` of a
schema-valid shipment."""

import re

from .common import (
    ALPHA2,
    BILLING_RE,
    COUNTRY_MESSAGE,
    COUNTRY_RE,
    EU_CUSTOMS_UNION,
    NOT_CODEABLE_ZIP,
    PRODUCTS,
    RETOURE_PROCEDURE,
    RETOURE_PRODUCTS,
    today_in_germany,
)


class OrderValidation:
    """Mixin of :class:`~logistics_simulators.dhl.DhlSimulator`."""

    @staticmethod
    def _address_errors(address, path, errors):
        if not isinstance(address, dict):
            errors.append((path, f"Parameter {path} is required."))
            return
        if "shipperRef" in address:
            return
        for key, limit in (("name1", 50), ("addressStreet", 50), ("city", 40)):
            value = address.get(key)
            if not isinstance(value, str) or not value:
                errors.append((f"{path}.{key}", f"Parameter {key} is required."))
            elif len(value) > limit:
                errors.append(
                    (f"{path}.{key}", f"Parameter {key} exceeds {limit} characters.")
                )
        if not COUNTRY_RE.fullmatch(str(address.get("country") or "")):
            errors.append((f"{path}.country", COUNTRY_MESSAGE))

    def _schema_errors(self, body):
        """(propertyPath, message) of JSON-schema failures of an order."""
        if not isinstance(body, dict) or not isinstance(body.get("profile"), str):
            return [("profile", "Parameter profile is required.")]
        shipments = body.get("shipments")
        if not isinstance(shipments, list) or not 1 <= len(shipments) <= 30:
            return [("shipments", "Between 1 and 30 shipments are required.")]
        errors = []
        for index, shipment in enumerate(shipments):
            path = f"shipments[{index}]"
            if not isinstance(shipment, dict):
                errors.append((path, "A shipment must be an object."))
                continue
            if shipment.get("product") not in PRODUCTS:
                errors.append((f"{path}.product", "Parameter product is invalid."))
            if not BILLING_RE.fullmatch(str(shipment.get("billingNumber") or "")):
                errors.append(
                    (f"{path}.billingNumber", "Parameter billingNumber is invalid.")
                )
            ref_no = shipment.get("refNo")
            if ref_no is not None and not 8 <= len(str(ref_no)) <= 35:
                errors.append(
                    (f"{path}.refNo", "Parameter refNo must have 8 to 35 characters.")
                )
            self._address_errors(shipment.get("shipper"), f"{path}.shipper", errors)
            self._address_errors(shipment.get("consignee"), f"{path}.consignee", errors)
            services = shipment.get("services")
            if services is not None and not isinstance(services, dict):
                errors.append((f"{path}.services", "Parameter services is invalid."))
            elif services and "dhlRetoure" in services:
                self._retoure_errors(services["dhlRetoure"], path, errors)
            weight = (shipment.get("details") or {}).get("weight") or {}
            value = weight.get("value")
            if weight.get("uom") not in ("g", "kg") or not isinstance(
                value, int | float
            ):
                errors.append(
                    (f"{path}.details.weight", "Parameter weight is required.")
                )
            elif not 0 <= value <= 31500:
                errors.append(
                    (f"{path}.details.weight", "Parameter value must be <= 31500.")
                )
        return errors

    def _retoure_errors(self, retoure, path, errors):
        path = f"{path}.services.dhlRetoure"
        if not isinstance(retoure, dict):
            errors.append((path, "Parameter dhlRetoure is invalid."))
            return
        if not BILLING_RE.fullmatch(str(retoure.get("billingNumber") or "")):
            errors.append(
                (f"{path}.billingNumber", "Parameter billingNumber is invalid.")
            )
        ref_no = retoure.get("refNo")
        if ref_no is not None and not 8 <= len(str(ref_no)) <= 35:
            errors.append(
                (f"{path}.refNo", "Parameter refNo must have 8 to 35 characters.")
            )
        if retoure.get("returnAddress") is not None:
            self._address_errors(
                retoure["returnAddress"], f"{path}.returnAddress", errors
            )

    @staticmethod
    def _business_messages(shipment, must_encode):
        """DHL's validationMessages for a schema-valid shipment."""
        messages = []

        def add(prop, text, state="Error"):
            messages.append(
                {"property": prop, "validationMessage": text, "validationState": state}
            )

        product = shipment["product"]
        procedure, name, max_kg, domestic = PRODUCTS[product]
        if shipment["billingNumber"][10:12] != procedure:
            add("billingNumber", f"The billing number is not valid for {name}.")
        consignee = shipment["consignee"]
        country = consignee.get("country")
        if domestic and country and country != "DEU":
            add("product", f"{name} is only available for destinations in Germany.")
        if not domestic and country == "DEU":
            add("product", f"{name} is not available for destinations in Germany.")
        shipper_country = (shipment.get("shipper") or {}).get("country") or "DEU"
        leaves_union = ALPHA2.get(country, country) not in EU_CUSTOMS_UNION or (
            ALPHA2.get(shipper_country, shipper_country) not in EU_CUSTOMS_UNION
        )
        if country and country != shipper_country and leaves_union:
            if not isinstance(shipment.get("customs"), dict):
                add(
                    "customs",
                    "Customs details are required for a destination outside the "
                    "EU customs union.",
                )
        weight = shipment["details"]["weight"]
        kg = weight["value"] / (1000.0 if weight["uom"] == "g" else 1.0)
        if kg > max_kg:
            add("details.weight", "The weight is too high")
        retoure = (shipment.get("services") or {}).get("dhlRetoure")
        if retoure is not None:
            if product not in RETOURE_PRODUCTS:
                add("services.dhlRetoure", f"DHL Retoure is not available for {name}.")
            if str(retoure.get("billingNumber"))[10:12] != RETOURE_PROCEDURE:
                add(
                    "services.dhlRetoure.billingNumber",
                    "The billing number is not valid for DHL Retoure.",
                )
        ship_date = shipment.get("shipDate")
        if ship_date and ship_date < today_in_germany().isoformat():
            add("shipDate", "The shipment date must not be in the past.")
        postal = str(consignee.get("postalCode") or "")
        if country == "DEU" and "shipperRef" not in consignee:
            if not re.fullmatch(r"\d{5}", postal):
                add("consignee", "The postcode entered is not valid.")
            elif postal == NOT_CODEABLE_ZIP:
                add(
                    "consignee",
                    "The city entered does not match the postcode. The shipment is "
                    "not codeable.",
                    "Error" if must_encode else "Warning",
                )
        return messages
