# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Property tests of the progress rules: order and duplicates don't matter."""

from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_carriers import CANONICAL_CODES
from logistics_carriers.tracking import (
    EVENT_STATE,
    STATE_RANK,
    next_state,
)

START_STATES = ["queued", "submitted", "label_created"]
codes = st.lists(st.sampled_from(CANONICAL_CODES), min_size=1, max_size=30)


def fold(start, stream):
    return reduce(next_state, stream, start)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(START_STATES), stream=codes, data=st.data())
def test_any_permutation_with_duplicates_gives_the_same_state(start, stream, data):
    shuffled = data.draw(st.permutations(stream))
    duplicated = shuffled + data.draw(
        st.lists(st.sampled_from(stream), max_size=len(stream))
    )
    assert fold(start, stream) == fold(start, duplicated)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(START_STATES), stream=codes)
def test_final_state_is_the_highest_ranked_one(start, stream):
    proven = [EVENT_STATE[c] for c in stream if EVENT_STATE[c]] + [start]
    assert fold(start, stream) == max(proven, key=STATE_RANK.__getitem__)


@given(stream=codes)
def test_state_never_moves_back(stream):
    state = "label_created"
    for code in stream:
        new = next_state(state, code)
        assert STATE_RANK[new] >= STATE_RANK[state]
        state = new


def test_late_in_transit_after_delivered_is_ignored():
    assert fold("label_created", ["delivered", "in_transit"]) == "delivered"


def test_delivered_before_picked_up_moves_forward():
    assert next_state("label_created", "delivered") == "delivered"
