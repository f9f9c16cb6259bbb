# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every simulator shares (standard library only).

==================  ==========================================================
``server.py``       ``BaseSimulator``: life cycle, state, request pipeline,
                    request recording
``http.py``         threaded HTTP server, request handler, ``Reply``, parsing
``faults.py``       fault queue: statuses, Retry-After, delays, resets, timeouts
``auth.py``         OAuth client credentials, bearer tokens, token expiry
``control.py``      the ``/_sim/...`` control endpoints
``progress.py``     ``PROGRESS`` and the auto-advance loop
``labels.py``       PDF, ZPL, PNG and GIF label files
``push.py``         outgoing webhook POSTs
``contracts.py``    the carriers' published schemas (``tests/contracts``)
``clock.py``        timestamps
``cli.py``          the shared command-line options and serving loop
==================  ==========================================================
"""

from .cli import parse_pairs, serve_until_stopped, simulator_arg_parser
from .clock import now_iso
from .contracts import import_contracts
from .faults import DEFAULT_FAULT_BODIES, FAULT_ACTIONS, Fault
from .http import MAX_BODY, Reply, errors_reply
from .labels import (
    bars,
    build_gif_label,
    build_pdf_label,
    build_png_label,
    build_zpl_label,
)
from .progress import PROGRESS
from .push import post_json, post_webhook
from .server import BaseSimulator

__all__ = [
    "DEFAULT_FAULT_BODIES",
    "FAULT_ACTIONS",
    "MAX_BODY",
    "PROGRESS",
    "BaseSimulator",
    "Fault",
    "Reply",
    "bars",
    "build_gif_label",
    "build_pdf_label",
    "build_png_label",
    "build_zpl_label",
    "errors_reply",
    "import_contracts",
    "now_iso",
    "parse_pairs",
    "post_json",
    "post_webhook",
    "serve_until_stopped",
    "simulator_arg_parser",
]
