#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Print the BENCH-RESULT lines of a benchmark run as one table.

Usage: benchtable.py OUTPUT_FILE... ; exits 1 when no figure was found or
when a figure missed its target (its "result" column says FAIL).
"""

import json
import sys

PREFIX = "BENCH-RESULT "


def rows(paths):
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                position = line.find(PREFIX)
                if position < 0:
                    continue
                try:
                    yield json.loads(line[position + len(PREFIX) :])
                except ValueError:
                    continue


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float) and abs(value) < 100:
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def verdict(row):
    passed = row.get("passed")
    if passed is None:
        return "-"
    return "pass" if passed else "FAIL"


def main(argv):
    found = list(rows(argv[1:]))
    if not found:
        print("no benchmark figure (BENCH-RESULT line) found")
        return 1
    header = (
        "benchmark",
        "figure",
        "value",
        "unit",
        "spread",
        "baseline",
        "ratio",
        "target",
        "result",
    )
    table = [header] + [
        (
            r.get("bench", "?"),
            r.get("metric", "?"),
            fmt(r.get("value")),
            r.get("unit", ""),
            r.get("spread") or "-",
            fmt(r.get("baseline")),
            fmt(r.get("ratio")),
            r.get("target") or "-",
            verdict(r),
        )
        for r in found
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    failed = [r for r in found if r.get("passed") is False]
    if failed:
        print(f"\n{len(failed)} target(s) missed:")
        for r in failed:
            print(f"  {r.get('bench')}: {r.get('metric')} (target {r.get('target')})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
