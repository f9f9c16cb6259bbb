# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading DHL values: timestamps, categories of field errors, headers,
Base64 documents, the German calendar day (pure functions).
"""

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .constants import _GERMANY


def dhl_timestamp(value):
    """UTC datetime of a Unified timestamp. DHL sends parcel-de times
    without an offset in German local time (Europe/Berlin), others with an
    offset or ``Z``; a date alone is midnight in Germany."""
    text = str(value or "").strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(_GERMANY))
        except ZoneInfoNotFoundError:  # no tz database: CET, at most 1 h off
            moment = moment.replace(tzinfo=timezone(timedelta(hours=1)))
    return moment.astimezone(timezone.utc)


def field_category(prop):
    """Validation category (address, service, data) of a DHL property path."""
    name = re.sub(r"^shipments\[\d+\]\.", "", str(prop or "")).lower()
    if name.startswith(("shipper", "consignee")):
        return "address"
    if name.startswith(("product", "billingnumber", "services", "profile")):
        return "service"
    return "data"


def _category(field_errors):
    found = {field_category(fe.field) for fe in field_errors}
    return next((c for c in ("address", "service") if c in found), "data")


def _status_code(status):
    """HTTP-like code of a DHL ``RequestStatus`` (``status`` or ``statusCode``)."""
    status = status or {}
    for key in ("status", "statusCode"):
        try:
            return int(status.get(key))
        except (TypeError, ValueError):
            continue
    return 0


def _header(headers, name):
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is not None:
            return value
    for key, value in dict(headers or {}).items():
        if str(key).lower() == name.lower():
            return value
    return None


def _decode_b64(value):
    """Bytes of a base64 document; None when it is not valid base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _today_in_germany():
    try:
        return datetime.now(ZoneInfo(_GERMANY)).date()
    except ZoneInfoNotFoundError:  # no tz database: UTC is at most a day off
        return datetime.now(timezone.utc).date()


def _seconds_to_utc_midnight(now=None):
    now = now or datetime.now(timezone.utc)
    midnight = datetime.combine(
        now.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc
    )
    return max(1.0, (midnight - now).total_seconds())
