# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One machine-readable line per benchmark figure, and the targets' verdict.

``./setup/bench.sh`` collects every ``BENCH-RESULT {json}`` line printed by the
benchmarks and prints them as one table at the end (setup/benchtable.py):
value (median of the rounds), its spread, the baseline measured in the same
run, the ratio, the target and pass/fail. A benchmark records each target it
checks with :func:`check` and ends with ``sys.exit(verdict(...))``: it exits
non-zero, naming every missed target, when one is missed.
"""

import json

_MISSED = []


def report(
    bench,
    metric,
    value,
    unit,
    baseline=None,
    ratio=None,
    target="",
    passed=None,
    spread="",
):
    """Print one figure: the measured value, the same-run baseline and the ratio.

    ``passed`` is None for a figure without a target, else whether the
    target was met. ``spread`` is a short text such as "512-540" (the
    rounds' min-max).
    """
    line = {
        "bench": bench,
        "metric": metric,
        "value": None if value is None else round(float(value), 3),
        "unit": unit,
        "spread": spread,
        "baseline": None if baseline is None else round(float(baseline), 3),
        "ratio": None if ratio is None else round(float(ratio), 3),
        "target": target,
        "passed": passed,
    }
    print("BENCH-RESULT " + json.dumps(line, ensure_ascii=False), flush=True)


def check(bench, metric, value, unit, *, ok, target, **kwargs):
    """Report a figure that has a target; remember it when missed."""
    ok = bool(ok)
    report(bench, metric, value, unit, target=target, passed=ok, **kwargs)
    if not ok:
        _MISSED.append(f"{bench}: {metric}: missed target {target}")
    return ok


def verdict(bench):
    """Exit status of a benchmark: 1 (and which targets) when one was missed."""
    if not _MISSED:
        print(f"{bench}: every target met", flush=True)
        return 0
    for line in _MISSED:
        print(f"TARGET MISSED {line}", flush=True)
    return 1


def spread(values, fmt="{:.0f}"):
    """'min-max' of a list of numbers (the rounds of one figure)."""
    values = [v for v in values if v is not None]
    if not values:
        return ""
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"
