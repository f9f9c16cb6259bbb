# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pure rules the shipment model applies: events fold into state and
health, parcels merge into the shipment's state, retries back off."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_carriers import CANONICAL_CODES
from logistics_carriers.tracking import (
    STATE_RANK,
    fold_events,
    merge_package_states,
    retry_delay,
)

T0 = datetime(2026, 3, 2, 8, 0)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


# ------------------------------------------------------------ fold_events
def test_delivery_moves_the_state_and_names_the_signatory():
    events = [(at(0), "picked_up", None), (at(90), "delivered", "K. Muster")]
    assert fold_events("label_created", "ok", False, events) == (
        "delivered",
        "ok",
        False,
        (at(90), "K. Muster"),
    )


def test_events_apply_in_the_order_they_happened_not_received():
    # the delay was raised after the parcel moved on: it stays open
    events = [(at(30), "delayed", None), (at(10), "in_transit", None)]
    assert fold_events("picked_up", "ok", False, events) == (
        "in_transit",
        "warning",
        "delay",
        None,
    )


def test_later_progress_clears_a_problem_progress_resolves():
    events = [(at(10), "delayed", None), (at(30), "in_transit", None)]
    assert fold_events("picked_up", "ok", False, events)[1:3] == ("ok", False)


def test_progress_does_not_clear_damage_or_loss():
    events = [(at(10), "damaged", None), (at(30), "out_for_delivery", None)]
    state, health, category, _done = fold_events("in_transit", "ok", False, events)
    assert (state, health, category) == ("out_for_delivery", "exception", "damage")


def test_a_warning_does_not_hide_an_open_exception():
    events = [(at(10), "delayed", None)]
    assert fold_events("in_transit", "exception", "damage", events)[1:3] == (
        "exception",
        "damage",
    )


def test_an_open_problem_of_the_shipment_is_cleared_by_progress():
    # raised by an earlier batch of events (raised_at unknown here)
    events = [(at(5), "out_for_delivery", None)]
    assert fold_events("in_transit", "warning", "failed_attempt", events)[1:3] == (
        "ok",
        False,
    )


def test_no_events_change_nothing():
    assert fold_events("queued", "warning", "delay", []) == (
        "queued",
        "warning",
        "delay",
        None,
    )


events_st = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=500).map(at),
        st.sampled_from(CANONICAL_CODES),
        st.none(),
    ),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(events=events_st, data=st.data())
def test_the_fold_does_not_depend_on_the_order_of_the_list(events, data):
    # distinct times: the order they happened in is then unambiguous
    events = list({e[0]: e for e in events}.values())
    shuffled = data.draw(st.permutations(events))
    assert fold_events("label_created", "ok", False, events) == fold_events(
        "label_created", "ok", False, shuffled
    )


# --------------------------------------------------- merge_package_states
FOLDED_DELIVERED = ("delivered", "ok", False, (at(90), "K. Muster"))


def test_delivered_only_when_every_parcel_is():
    assert merge_package_states(["delivered", "delivered"], FOLDED_DELIVERED) == (
        FOLDED_DELIVERED
    )
    assert merge_package_states(["delivered", "in_transit"], FOLDED_DELIVERED) == (
        "in_transit",
        "ok",
        False,
        None,
    )


def test_a_lost_parcel_among_delivered_ones_is_an_exception_never_delivered():
    assert merge_package_states(["delivered", "lost"], FOLDED_DELIVERED) == (
        "out_for_delivery",
        "exception",
        "lost",
        None,
    )


def test_a_lost_parcel_among_moving_ones_keeps_the_slowest_state():
    folded = ("in_transit", "ok", False, None)
    assert merge_package_states(["picked_up", "returned"], folded) == (
        "picked_up",
        "exception",
        "lost",
        None,
    )


def test_when_every_parcel_stopped_the_gravest_stop_wins():
    folded = ("returned", "exception", "lost", None)
    assert merge_package_states(["returned", "lost"], folded) == (
        "lost",
        "exception",
        "lost",
        None,
    )


@settings(max_examples=200, deadline=None)
@given(states=st.lists(st.sampled_from(sorted(STATE_RANK)), min_size=1, max_size=6))
def test_the_merged_state_is_never_delivered_unless_all_parcels_are(states):
    state, _h, _c, done = merge_package_states(states, FOLDED_DELIVERED)
    assert (state == "delivered") == (set(states) == {"delivered"})
    assert (done is not None) == (state == "delivered")


# ------------------------------------------------------------- retry_delay
@pytest.mark.parametrize("attempts", [1, 2, 3, 4, 5])
def test_backoff_doubles_with_equal_jitter(attempts):
    backoff = 10 * 2 ** (attempts - 1)
    delays = {retry_delay(attempts, 10, 1800, rng=random.Random(s)) for s in range(50)}
    assert min(delays) >= backoff // 2
    assert max(delays) <= backoff
    assert len(delays) > 1  # jitter: workers retrying together spread out


def test_backoff_stops_at_the_ceiling_and_defaults_apply():
    rng = random.Random(7)
    assert all(900 <= retry_delay(n, 10, 1800, rng=rng) <= 1800 for n in range(9, 20))
    # unset settings: 10 s base, 30 min ceiling
    assert 5 <= retry_delay(1, 0, 0, rng=rng) <= 10
    assert 900 <= retry_delay(30, None, None, rng=rng) <= 1800
    # a ceiling below the base is the base
    assert 30 <= retry_delay(5, 60, 20, rng=rng) <= 60


def test_retry_after_is_a_floor_with_a_little_jitter():
    rng = random.Random(3)
    for _ in range(30):
        assert 120 <= retry_delay(1, 10, 1800, retry_after=120, rng=rng) <= 125
    # a backoff longer than Retry-After is not shortened below Retry-After
    assert 30 <= retry_delay(6, 10, 1800, retry_after=30, rng=rng) <= 33


def test_the_delay_is_at_least_one_second():
    assert retry_delay(1, 1, 1, rng=random.Random(0)) == 1


def test_the_model_default_random_source_is_used_without_rng():
    assert 5 <= retry_delay(1, 10, 1800) <= 10
