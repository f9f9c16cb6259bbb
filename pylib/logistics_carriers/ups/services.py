# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS services, label formats, units and the lane rules (customs, descriptions).

Values from UPS's published contracts (Shipping, Rating and Address
Validation v2409/v2); pure data and pure functions.
"""

import re

API_VERSION = "v2409"


SERVICES = {
    "01": "UPS Next Day Air",
    "02": "UPS 2nd Day Air",
    "03": "UPS Ground",
    "07": "UPS Worldwide Express",
    "08": "UPS Worldwide Expedited",
    "11": "UPS Standard",
    "12": "UPS 3 Day Select",
    "13": "UPS Next Day Air Saver",
    "14": "UPS Next Day Air Early",
    "17": "UPS Worldwide Economy DDU",
    "54": "UPS Worldwide Express Plus",
    "59": "UPS 2nd Day Air A.M.",
    "65": "UPS Worldwide Saver",
    "72": "UPS Worldwide Economy DDP",
    "74": "UPS Express 12:00",
}


# UPS label formats; PDF is not one of them: a PDF account gets GIF labels.
LABEL_FORMATS = {"GIF": "GIF", "PNG": "PNG", "ZPL": "ZPL", "EPL": "EPL", "SPL": "SPL"}


THERMAL_FORMATS = ("ZPL", "EPL", "SPL")


LABEL_STOCK_HEIGHTS = ("6", "8")


# Shipper countries whose packages UPS measures in pounds and inches.
IMPERIAL_COUNTRIES = ("US", "PR")


NANP_COUNTRIES = ("US", "CA", "PR")


LBS_PER_KG = 2.20462262


WEIGHT_UNIT_NAMES = {"LBS": "Pounds", "KGS": "Kilograms"}


LENGTH_UNIT_NAMES = {"IN": "Inches", "CM": "Centimeters"}


CM_PER_IN = 2.54


ADDRESS_VALIDATION_COUNTRIES = ("US", "PR")


# The European Union's customs union (Shipping.yaml: no Description of Goods
# between two EU countries with UPS Standard); the US and Puerto Rico share
# one customs territory, though UPS wants an InvoiceLineTotal from the US to
# Puerto Rico and Canada.
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)


CUSTOMS_UNIONS = (EU_COUNTRIES, frozenset({"US", "PR"}))


INVOICE_LINE_TOTAL_LANES = (("US", "CA"), ("US", "PR"))


UPS_STANDARD = "11"


# Shipping.yaml Shipper.ShipperNumber: minLength 6, maxLength 6
SHIPPER_NUMBER_RE = re.compile(r"[0-9A-Z]{6}")


# Shipment.ReturnService.Code of a UPS Print Return Label (PRL)
RETURN_SERVICE = "9"


# InternationalForms.FormType: 01 invoice; 05 partial invoice (returns only)
INVOICE_FORM = "01"


RETURN_INVOICE_FORM = "05"


EXPORT_REASONS = ("SALE", "GIFT", "SAMPLE", "RETURN", "REPAIR", "INTERCOMPANYDATA")


def needs_customs(origin, destination):
    """True when a shipment leaves the shipper's customs area."""
    origin, destination = (origin or "").upper(), (destination or "").upper()
    if not origin or not destination or origin == destination:
        return False
    return not any(origin in u and destination in u for u in CUSTOMS_UNIONS)


def needs_description(origin, destination, service_code=""):
    """Shipping.yaml: a Description of Goods is required between countries,
    except between two EU countries with UPS Standard."""
    origin, destination = (origin or "").upper(), (destination or "").upper()
    if not origin or not destination or origin == destination:
        return False
    both_eu = origin in EU_COUNTRIES and destination in EU_COUNTRIES
    return not (both_eu and str(service_code or "") == UPS_STANDARD)


def return_description(request):
    """The merchandise description of a return's packages."""
    customs = request.customs or {}
    return customs.get("description") or f"Return {request.reference or ''}".strip()


def needs_invoice_line_total(origin, destination):
    """Required for forward shipments from the US to Puerto Rico or Canada."""
    return ((origin or "").upper(), (destination or "").upper()) in (
        INVOICE_LINE_TOTAL_LANES
    )


def customs_total(customs):
    """Sum of quantity x unit value of the customs lines."""
    total = 0.0
    for line in (customs or {}).get("lines") or []:
        try:
            total += float(line.get("quantity") or 0) * float(
                line.get("unit_value") or 0
            )
        except (TypeError, ValueError):
            continue
    return round(total, 2)
