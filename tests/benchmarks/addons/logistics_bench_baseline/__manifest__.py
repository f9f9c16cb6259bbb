# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Logistics Bench Baseline",
    "summary": "Benchmark only: a bare public controller doing one ORM insert. "
    "UNAUTHENTICATED insert route: never install it outside the benchmarks.",
    "version": "17.0.1.0.0",
    "category": "Hidden",
    "author": "Logistics Suite Authors",
    "website": "https://github.com/logistics-suite/logistics-suite",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
