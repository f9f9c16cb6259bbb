# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE endpoints, products, print formats, limits and the customs
rule (pure data, one pure function).
"""

import re

SANDBOX_ROOT = "https://api-sandbox.dhl.com"


PRODUCTION_ROOT = "https://api-eu.dhl.com"


SHIPPING_PATH = "/parcel/de/shipping/v2"


TOKEN_PATH = "/parcel/de/account/auth/ropc/v1/token"


TRACKING_PATH = "/track/shipments"


PUSH_PATH = "/tracking/push/v1/subscription"


# DHL offers no Unified test environment to external customers: the sandbox
# account tracks against production too (support-developer.dhl.com).
UNIFIED_TRACKING_URL = PRODUCTION_ROOT + TRACKING_PATH


PUSH_SUBSCRIPTION_URL = PRODUCTION_ROOT + PUSH_PATH


PUBLIC_TRACKING_URL = (
    "https://www.dhl.de/de/privatkunden/dhl-sendungsverfolgung.html?piececode={number}"
)


DEFAULT_PROFILE = "STANDARD_GRUPPENPROFIL"


DEFAULT_PRODUCT = "V01PAK"


PRODUCTS = {
    "V01PAK": "DHL Paket",
    "V53WPAK": "DHL Paket International",
    "V54EPAK": "DHL Europaket",
    "V62WP": "Warenpost (until 2024)",
    "V62KP": "DHL Kleinpaket",
    "V66WPI": "Warenpost International",
}


# digits 11-12 of a billing number: the product's procedure ("Verfahren")
PRODUCT_PROCEDURE = {
    "V01PAK": "01",
    "V53WPAK": "53",
    "V54EPAK": "54",
    "V62WP": "62",
    "V62KP": "62",
    "V66WPI": "66",
}


# DHL Retoure label with an outbound order: billing procedure 07; offered
# here with DHL Paket (†: the contracts name no other product for it).
RETOURE_PROCEDURE = "07"


RETOURE_PRODUCTS = frozenset({"V01PAK"})


DOMESTIC_PRODUCTS = frozenset({"V01PAK", "V62WP", "V62KP"})


PRINT_FORMATS = (
    "A4",
    "910-300-600",
    "910-300-610",
    "910-300-700",
    "910-300-700-oz",
    "910-300-710",
    "910-300-300",
    "910-300-300-oz",
    "910-300-400",
    "910-300-410",
    "100x70mm",
)


DOC_FORMATS = {"PDF": "PDF", "ZPL": "ZPL2", "ZPL2": "ZPL2"}


MAX_SHIPMENTS = 30  # per order, cancel and reprint call


MAX_WEIGHT_G = 31500


BILLING_RE = re.compile(r"\w{10}\d{2}\w{2}")


POSTAL_RE = re.compile(r"[0-9A-Za-z]+([ -]?[0-9A-Za-z]+)*")


# (field, max length) of a DHL contact address (ContactAddress / Shipper)
ADDRESS_LIMITS = (
    ("name1", 50),
    ("name2", 50),
    ("addressStreet", 50),
    ("additionalAddressInformation1", 60),
    ("city", 40),
)


PUSH_EVENTS = ("Transit", "Delivered", "Pre-Transit", "Failure", "Unknown")


# ShipmentEvent.statusCode of Shipment Tracking - Unified
UNIFIED_STATUS_CODES = ("pre-transit", "transit", "delivered", "failure", "unknown")


DEFAULT_PUSH_HEADER = "X-DHL-Push-Token"


_MESSAGES = {
    "address": "DHL rejected the address",
    "service": "DHL rejected the product or billing number",
    "data": "DHL rejected the shipment data",
}


_GERMANY = "Europe/Berlin"


# The European Union's customs union: a parcel to any other country (CH,
# GB, NO, US...) needs the ``customs`` block (products V53WPAK, V66WPI).
EU_CUSTOMS_UNION = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO "
    "SE SI SK".split()
)


# CustomsDetails.exportType of the suite's customs reasons
EXPORT_TYPES = {
    "SALE": "COMMERCIAL_GOODS",
    "GIFT": "PRESENT",
    "SAMPLE": "COMMERCIAL_SAMPLE",
    "RETURN": "RETURN_OF_GOODS",
    "DOCUMENT": "DOCUMENT",
}


def needs_customs(origin, destination):
    """True when a parcel leaves the EU customs union."""
    origin = (origin or "DE").upper()
    destination = (destination or "").upper()
    if not destination or origin == destination:
        return False
    return not (origin in EU_CUSTOMS_UNION and destination in EU_CUSTOMS_UNION)
