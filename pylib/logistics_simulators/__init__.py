# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Contract simulators of the carriers (development, tests, demo).

Never imported by the addons' production code: only their tests, the demo
(``setup/run.sh``) and the benchmarks start them. ``generic`` is the suite's
own simulated carrier; ``ups`` and ``dhl`` answer like the carriers' published
APIs. Run one with ``python -m logistics_simulators.<name> --port N``.
"""
