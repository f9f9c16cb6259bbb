# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When a failed dispatch is tried again (pure Python)."""

import random

DEFAULT_BASE_DELAY = 10  # seconds
DEFAULT_MAX_DELAY = 1800  # seconds


def retry_delay(attempts, base_delay=None, max_delay=None, retry_after=None, rng=None):
    """Seconds to wait before attempt ``attempts + 1``.

    Exponential backoff from ``base_delay`` up to ``max_delay`` (the
    account's settings; unset: 10 s and 30 min) with "equal jitter": half the
    backoff fixed, half random, so that workers retrying together spread out.
    A carrier's ``Retry-After`` is honoured as a floor, plus a little jitter.
    ``rng``: the random source (``random`` by default; a seeded
    ``random.Random`` in tests).
    """
    rng = rng or random
    base = max(1, base_delay or DEFAULT_BASE_DELAY)
    ceiling = max(base, max_delay or DEFAULT_MAX_DELAY)
    backoff = min(ceiling, base * 2 ** max(0, attempts - 1))
    delay = backoff / 2 + rng.uniform(0, backoff / 2)  # "equal jitter"
    if retry_after:
        delay = max(float(retry_after), delay if delay <= retry_after else retry_after)
        delay += rng.uniform(0, min(5.0, retry_after * 0.1))
    return max(1, int(round(delay)))
