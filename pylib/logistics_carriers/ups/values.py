# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading and writing UPS values: repeating elements, numbers, phones,
Base64 labels, money, dates and times (pure functions).

Since v2403 (Ship/Void) and v2409 (Rate) UPS sends repeating elements as
arrays, while its Postman examples still show single objects: every
repeating element is read with :func:`as_list`.
"""

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone

from .services import NANP_COUNTRIES


def as_list(value):
    """UPS sends one object or an array for repeating elements: always a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def dig(data, *keys):
    """``data[k1][k2]...`` or None, tolerating missing levels and non-dicts."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def clip(value, size):
    return str(value or "").strip()[:size]


def fmt_number(value, digits):
    """A UPS number string: ``5``, ``2.5`` (no trailing zeros)."""
    text = f"{float(value):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def phone_digits(phone, country_code):
    """Digits UPS accepts; NANP numbers without their leading country code."""
    digits = re.sub(r"\D", "", phone or "")
    if (country_code or "").upper() in NANP_COUNTRIES and len(digits) == 11:
        digits = digits[1:] if digits.startswith("1") else digits
    return digits[:15]


def decode_label(value):
    """Bytes of a Base64 ``GraphicImage``; None when absent or not Base64."""
    if not value or not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def money(value):
    """(amount, currency) of a ``{CurrencyCode, MonetaryValue}``, or None."""
    if not isinstance(value, dict) or value.get("MonetaryValue") in (None, ""):
        return None
    try:
        return float(value["MonetaryValue"]), str(value.get("CurrencyCode") or "")
    except (TypeError, ValueError):
        return None


def ups_time(time_text):
    """``HHMMSS`` of a UPS time: ``HHMMSS``, ``HH:MM:SS`` (Track API
    ``gmtTime``, e.g. ``20:04:35``), ``HHMM``, or ``74700`` (Tracking.yaml's
    example: the leading zero dropped); None when malformed."""
    text = str(time_text or "").strip() or "000000"
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if match:
        return f"{int(match.group(1)):02d}{match.group(2)}{match.group(3) or '00'}"
    if not re.fullmatch(r"\d{3,6}", text):
        return None
    if len(text) <= 4:  # HMM / HHMM
        return text.zfill(4) + "00"
    return text.zfill(6)  # HMMSS / HHMMSS


def ups_offset(offset):
    """tzinfo of a UPS GMT offset (``-04:00``, Track Alert ``-04.00``,
    ``-0400``, ``+5``); None when absent or malformed."""
    match = re.fullmatch(r"([+-])(\d{1,2})(?:[:.]?(\d{2}))?", str(offset or "").strip())
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def ups_datetime(date_text, time_text, offset=None):
    """UTC datetime of UPS ``YYYYMMDD`` + a time (:func:`ups_time`) + an
    offset (:func:`ups_offset`).

    Without an offset the value is taken as UTC (callers read UPS's GMT
    fields first); None when the date or time is missing or malformed.
    """
    date_text = str(date_text or "").strip()
    clock = ups_time(time_text)
    if not re.fullmatch(r"\d{8}", date_text) or clock is None:
        return None
    try:
        value = datetime.strptime(date_text + clock, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    tz = ups_offset(offset) or timezone.utc
    return value.replace(tzinfo=tz).astimezone(timezone.utc)


def _header(headers, name):
    """Case-insensitive header look-up on a dict or a Headers object."""
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None:
        for key, val in dict(headers).items():
            if str(key).lower() == name.lower():
                return val
    return value
