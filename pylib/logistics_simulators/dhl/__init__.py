# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL contract simulator (standard library + ``logistics_carriers``' DHL
country codes).

``server.py`` assembles ``DhlSimulator`` (routing, authentication per
operation, the command line) from ``common.py``, ``auth.py``,
``validation.py``, ``shipping.py``, ``tracking.py`` and ``push.py``, on top
of ``logistics_simulators.core``.
"""

from .common import problem_detail, request_status
from .server import DhlSimulator
from .tracking import PROGRESSION, STEPS

__all__ = [
    "PROGRESSION",
    "STEPS",
    "DhlSimulator",
    "problem_detail",
    "request_status",
]
