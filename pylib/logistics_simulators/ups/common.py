# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS's codes, services and shapes shared by the simulator's operations:
API versions, services and their prices, 1Z tracking numbers, the error
envelope and small readers of UPS's JSON (a single object or a list)."""

import re

from ..core.http import Reply

SHIP_VERSIONS = ("v2403", "v2409")
RATE_VERSIONS = ("v2409",)
LABEL_FORMATS = ("GIF", "PNG", "ZPL", "EPL", "SPL")
THERMAL = ("ZPL", "EPL", "SPL")
US_DOMESTIC = ("01", "02", "03", "12", "13", "14", "59")
# code: (name, base price, per kg, guaranteed business days or None)
SERVICES = {
    "01": ("UPS Next Day Air", 45.0, 3.2, 1),
    "02": ("UPS 2nd Day Air", 24.0, 2.1, 2),
    "03": ("UPS Ground", 9.5, 0.9, None),
    "07": ("UPS Worldwide Express", 62.0, 4.4, 1),
    "08": ("UPS Worldwide Expedited", 41.0, 3.1, None),
    "11": ("UPS Standard", 12.0, 1.1, None),
    "12": ("UPS 3 Day Select", 15.5, 1.3, 3),
    "13": ("UPS Next Day Air Saver", 39.0, 2.8, 1),
    "14": ("UPS Next Day Air Early", 82.0, 4.1, 1),
    "54": ("UPS Worldwide Express Plus", 91.0, 5.2, 1),
    "59": ("UPS 2nd Day Air A.M.", 29.0, 2.3, 2),
    "65": ("UPS Worldwide Saver", 51.0, 3.6, 1),
}
# Shipment.ReturnService.Code (Shipping.yaml)
RETURN_SERVICES = {
    "2": "UPS Print and Mail",
    "3": "UPS Return Service 1-Attempt",
    "5": "UPS Return Service 3-Attempt",
    "8": "UPS Electronic Return Label",
    "9": "UPS Print Return Label",
    "10": "UPS Exchange Print Return Label",
}
# Business days in transit by service when UPS guarantees none (simulated).
TRANSIT_DAYS = {"03": 3, "08": 4, "11": 2}
CURRENCIES = {"US": "USD", "PR": "USD", "CA": "CAD", "GB": "GBP", "CH": "CHF"}
NO_POSTAL_CODE = ("HK", "AE", "IE", "QA", "PA")
STATE_REQUIRED = ("US", "CA", "PR")
KG_PER_LB = 0.45359237
NEGOTIATED_FACTOR = 0.85
TRACKING_RE = re.compile(r"^1[ZR][0-9A-Z]{16}$")
INQUIRY_RE = re.compile(r"^[0-9A-Za-z]{7,34}$")


def ups_errors(status, *errors, **extra):
    """A reply in UPS's error envelope ``{"response": {"errors": [...]}}``."""
    payload = {"response": {"errors": [{"code": c, "message": m} for c, m in errors]}}
    payload.update(extra)
    return Reply(status, payload)


def check_digit(text):
    """UPS 1Z check digit of the 15 characters after ``1Z``."""
    total = 0
    for index, char in enumerate(text):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value if index % 2 == 0 else 2 * value
    return str((10 - total % 10) % 10)


def tracking_number(shipper_number, service, serial):
    """A valid 1Z number: shipper (6), service (2), serial (7), check digit."""
    shipper = re.sub(r"[^0-9A-Z]", "", str(shipper_number).upper())[:6].ljust(6, "0")
    body = f"{shipper}{str(service)[:2].rjust(2, '0')}{serial % 10**7:07d}"
    return f"1Z{body}{check_digit(body)}"


def require_trans_headers(headers):
    """A 400 unless the ``transId`` and ``transactionSrc`` headers are given."""
    if not headers.get("transId") or not headers.get("transactionSrc"):
        # code illustrative; the headers are required by Tracking/Track Alert
        return ups_errors(400, ("TV1001", "Missing transId or transactionSrc header"))
    return None


def as_list(value):
    """UPS sends one object or a list: always a list."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def dig(data, *keys):
    """``data[k1][k2]...``, None where a level is missing or not a dict."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def as_text(value):
    return str(value or "").strip()
