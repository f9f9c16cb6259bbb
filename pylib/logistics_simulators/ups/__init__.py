# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS contract simulator (standard library only).

``server.py`` assembles ``UpsSimulatorServer`` (authentication, routing, the
published schemas, the command line) from ``common.py``, ``validation.py``,
``shipping.py``, ``rating.py``, ``tracking.py`` and ``track_alert.py``, on
top of ``logistics_simulators.core``.
"""

from ..core.labels import build_gif_label
from .common import tracking_number
from .server import OPERATIONS, UpsSimulatorServer
from .track_alert import push_track_alert, track_alert_payload
from .tracking import STEPS

__all__ = [
    "OPERATIONS",
    "STEPS",
    "UpsSimulatorServer",
    "build_gif_label",
    "push_track_alert",
    "track_alert_payload",
    "tracking_number",
]
