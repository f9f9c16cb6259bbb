# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks of a parsed event before it is stored (tracking/validation.py).

What PostgreSQL or Python refuses (dates overflowing in UTC, NUL, lone
surrogates, wrong types) must become an InvalidEvent naming the field, or be
cleaned from free text; never an OverflowError or a database error later.
"""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_carriers import TrackingEvent, parse_datetime
from logistics_carriers.tracking import (
    InvalidEvent,
    check_event,
    clean_text,
)

WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def event(**values):
    data = {
        "tracking_number": "00340434161094042557",
        "code": "in_transit",
        "raw_code": "transit",
        "description": "Sortiert",
        "occurred_at": WHEN,
        "location": "Bonn",
    }
    data.update(values)
    return TrackingEvent(**data)


def test_a_good_event_passes_unchanged():
    good = event()
    assert check_event(good) is good
    assert (good.description, good.location, good.occurred_at) == (
        "Sortiert",
        "Bonn",
        WHEN,
    )


def test_free_text_is_cleaned_of_nul_and_controls():
    dirty = event(
        description="Hub\x00 Kassel\x07", location="Bo\x1bnn", signatory="A\tB"
    )
    check_event(dirty)
    assert (dirty.description, dirty.location, dirty.signatory) == (
        "Hub Kassel",
        "Bonn",
        "A\tB",
    )
    assert clean_text("x\ud800y") == "x?y"  # UTF-8 cannot hold a lone surrogate


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("tracking_number", "0034\x00X", "control characters"),
        ("tracking_number", "", "non-empty"),
        ("tracking_number", 12345, "non-empty text"),
        ("tracking_number", "A\ud800", "not valid Unicode"),
        ("carrier_event_id", "evt\x01", "control characters"),
        ("code", "teleported", "unknown event code"),
        ("description", {"de": "x"}, "must be a text"),
        ("location", ["Bonn"], "must be a text"),
    ],
)
def test_bad_keys_and_types_name_the_field(field, value, reason):
    bad = event()
    setattr(bad, field, value)
    with pytest.raises(InvalidEvent, match=reason):
        check_event(bad)


def test_a_date_overflowing_in_utc_is_a_clear_error():
    with pytest.raises(ValueError, match="out of range"):
        parse_datetime("0001-01-01T00:00:00+01:00")
    naive_edge = event()
    naive_edge.occurred_at = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(InvalidEvent, match="out of range"):
        check_event(naive_edge)
    for when in (datetime(1900, 1, 1, tzinfo=timezone.utc), "2026-11-20"):
        bad = event()
        bad.occurred_at = when
        with pytest.raises(InvalidEvent, match="occurred_at"):
            check_event(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text())
def test_checked_text_is_always_storable(description, location, number):
    """Whatever the text, a checked event holds nothing PostgreSQL refuses."""
    candidate = event(description=description, location=location)
    candidate.tracking_number = number
    try:
        check_event(candidate)
    except InvalidEvent:
        return
    for value in (candidate.description, candidate.location, candidate.tracking_number):
        assert "\x00" not in value
        value.encode("utf-8")
