# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Check and clean a parsed tracking event before it is stored.

A carrier or partner message can hold what PostgreSQL or Python refuse: a
date at the edge of the calendar (``0001-01-01T00:00:00+01:00`` overflows
when moved to UTC), a NUL character (PostgreSQL text cannot hold one), a
number where text is expected. Such an event must become a clear error of
its own message, never the crash of a whole batch.

* free text (description, location, signatory, raw code) is cleaned:
  control characters are removed, lone surrogates replaced; the raw
  message keeps the original;
* identifiers (tracking number, event code, event id) and the date are
  checked: a bad one rejects the event with :class:`InvalidEvent`.
"""

import re
from datetime import datetime, timezone

from .progress import EVENT_STATE

# C0 controls but tab, newline and carriage return; DEL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
TEXT_FIELDS = ("raw_code", "description", "location", "signatory")
MAX_KEY_LENGTH = 255


class InvalidEvent(ValueError):
    """A tracking event that cannot be stored, with the reason."""


def clean_text(value):
    """``value`` without control characters (tab and newlines kept) and
    with what UTF-8 cannot encode (lone surrogates) replaced."""
    if not value:
        return value
    value = _CONTROL.sub("", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _check_key(event, name, required=True):
    value = getattr(event, name, "")
    if value in (None, "") and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(f"{name} must be a non-empty text, got {value!r:.60}")
    if _ANY_CONTROL.search(value):
        raise InvalidEvent(f"{name} holds control characters: {value!r:.60}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEvent(f"{name} is not valid Unicode: {value!r:.60}") from None
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidEvent(f"{name} is longer than {MAX_KEY_LENGTH} characters")


def check_event(event):
    """Validate ``event`` (a TrackingEvent) and clean its free text in place.

    Raises :class:`InvalidEvent` naming the field at fault.
    """
    _check_key(event, "tracking_number")
    _check_key(event, "carrier_event_id", required=False)
    _check_key(event, "reference", required=False)
    if event.code not in EVENT_STATE:
        raise InvalidEvent(f"unknown event code {event.code!r:.60}")
    when = event.occurred_at
    if not isinstance(when, datetime):
        raise InvalidEvent(f"occurred_at is not a date and time: {when!r:.60}")
    try:
        utc = (
            when.replace(tzinfo=timezone.utc)
            if when.tzinfo is None
            else when.astimezone(timezone.utc)
        )
    except (OverflowError, ValueError) as err:
        raise InvalidEvent(f"occurred_at {when.isoformat()} is out of range: {err}")
    if not EARLIEST <= utc < LATEST:
        raise InvalidEvent(
            f"occurred_at {utc.isoformat()} is outside {EARLIEST.year}-{LATEST.year}"
        )
    event.occurred_at = utc
    for name in TEXT_FIELDS:
        value = getattr(event, name, "")
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise InvalidEvent(f"{name} must be a text, got {type(value).__name__}")
        setattr(event, name, clean_text(value))
    return event
