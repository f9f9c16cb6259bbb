# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One machine-readable line per benchmark figure.

``./setup/bench.sh`` collects every ``BENCH-RESULT {json}`` line printed by the
benchmarks and prints them as one table at the end (setup/benchtable.py).
"""

import json


def report(bench, metric, value, unit, baseline=None, ratio=None, target=""):
    """Print one figure: the measured value, the same-run baseline and the ratio."""
    line = {
        "bench": bench,
        "metric": metric,
        "value": round(float(value), 3),
        "unit": unit,
        "baseline": None if baseline is None else round(float(baseline), 3),
        "ratio": None if ratio is None else round(float(ratio), 3),
        "target": target,
    }
    print("BENCH-RESULT " + json.dumps(line, ensure_ascii=False), flush=True)
