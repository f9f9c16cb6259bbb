# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generic carrier simulator (standard library only).

``server.py`` assembles ``SimulatorServer`` and the command line from
``shipping.py`` (services, validation, shipments, rates, addresses),
``tracking.py`` (events, ``advance``, storylines, tracking API and page) and
``events.py`` (event and signed webhook wire format), on top of
``logistics_simulators.core``.
"""

from ..core.labels import build_pdf_label, build_png_label, build_zpl_label
from .events import make_event, push_events, sign_webhook, webhook_body
from .server import OPERATIONS, SimulatorServer
from .shipping import DEFAULT_SERVICES

__all__ = [
    "DEFAULT_SERVICES",
    "OPERATIONS",
    "SimulatorServer",
    "build_pdf_label",
    "build_png_label",
    "build_zpl_label",
    "make_event",
    "push_events",
    "sign_webhook",
    "webhook_body",
]
