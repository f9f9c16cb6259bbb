# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generic carrier simulator: a small, fast, fault-injectable carrier API.

Standard library only; run it with::

    python -m logistics_simulators.generic --port 8071

or in-process (tests, benchmarks)::

    sim = SimulatorServer().start()
    ... sim.url ...
    sim.stop()

API (JSON): ``POST /oauth/token``, ``POST/GET /v1/shipments``,
``GET /v1/shipments/<id>[/label]``, ``DELETE /v1/shipments/<id>``,
``POST /v1/rates``, ``GET /v1/tracking``, ``POST /v1/addresses/validate``,
``GET /track/<number>`` (HTML) and the control endpoints under ``/_sim/``.

This module assembles the simulator: the shared machinery
(``logistics_simulators.core``), the shipping API (``shipping.py``), tracking
and storylines (``tracking.py``) and the webhook wire format (``events.py``).
"""

import sys
from urllib.parse import unquote

from ..core import cli
from ..core.cli import parse_pairs, serve_until_stopped, simulator_arg_parser
from ..core.contracts import import_contracts
from ..core.faults import DEFAULT_FAULT_BODIES, FAULT_ACTIONS
from ..core.http import MAX_BODY
from ..core.labels import build_pdf_label, build_png_label, build_zpl_label
from ..core.progress import PROGRESS
from ..core.push import post_webhook
from ..core.server import BaseSimulator
from .events import DESCRIPTIONS, make_event, push_events, sign_webhook, webhook_body
from .shipping import (
    DEFAULT_SERVICES,
    DEFAULT_UNSERVED_COUNTRIES,
    LABEL_FORMATS,
    MAX_PARCEL_KG,
    REQUIRED_ADDRESS,
    REQUIRED_FOR_RATES,
    GenericShipping,
    build_label,
)
from .tracking import LOCATIONS, STORYLINES, GenericTracking

# The names this module offered before the split (tests and tools import
# them from here) stay importable.
__all__ = [
    "DEFAULT_FAULT_BODIES",
    "DEFAULT_SERVICES",
    "DEFAULT_UNSERVED_COUNTRIES",
    "DESCRIPTIONS",
    "FAULT_ACTIONS",
    "LABEL_FORMATS",
    "LOCATIONS",
    "MAX_BODY",
    "MAX_PARCEL_KG",
    "OPERATIONS",
    "PROGRESS",
    "REQUIRED_ADDRESS",
    "REQUIRED_FOR_RATES",
    "STORYLINES",
    "SimulatorServer",
    "build_label",
    "build_pdf_label",
    "build_png_label",
    "build_zpl_label",
    "import_contracts",
    "main",
    "make_event",
    "parse_pairs",
    "post_webhook",
    "push_events",
    "serve_until_stopped",
    "sign_webhook",
    "simulator_arg_parser",
    "webhook_body",
]

OPERATIONS = (
    "token",
    "create_shipment",
    "cancel_shipment",
    "rates",
    "tracking",
    "lookup",
    "label",
    # not in the base contract, also injectable:
    "get_shipment",
    "validate_address",
    "tracking_page",
)


class SimulatorServer(GenericShipping, GenericTracking, BaseSimulator):
    """In-process carrier simulator; thread-safe, fault-injectable."""

    FAULT_OPERATIONS = OPERATIONS

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        credentials=None,
        token_ttl=3600,
        services=None,
        unserved_countries=DEFAULT_UNSERVED_COUNTRIES,
        currency="EUR",
        webhook_url=None,
        webhook_secret=None,
        auto_advance=None,
        storylines=False,
        max_requests=10000,
        verbose=False,
    ):
        self.services = dict(services or DEFAULT_SERVICES)
        self.unserved_countries = frozenset(unserved_countries or ())
        self.currency = currency
        super().__init__(
            host,
            port,
            credentials=credentials,
            token_ttl=token_ttl,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            auto_advance=auto_advance,
            storylines=storylines,
            max_requests=max_requests,
            verbose=verbose,
        )

    def _init_state(self):
        super()._init_state()
        self._by_key = {}  # Idempotency-Key -> shipment id
        self._stories_told = 0

    def _route(self, method, path):
        """(operation, handler, argument) for an API path, or None."""
        if path == "/oauth/token" and method == "POST":
            return "token", self._op_token, None
        if path == "/v1/shipments":
            if method == "POST":
                return "create_shipment", self._op_create, None
            if method == "GET":
                return "lookup", self._op_lookup, None
        if path.startswith("/v1/shipments/"):
            parts = path.split("/")[3:]
            sid = unquote(parts[0])
            if len(parts) == 2 and parts[1] == "label" and method == "GET":
                return "label", self._op_label, sid
            if len(parts) == 1 and method == "DELETE":
                return "cancel_shipment", self._op_cancel, sid
            if len(parts) == 1 and method == "GET":
                return "get_shipment", self._op_get, sid
        if path == "/v1/rates" and method == "POST":
            return "rates", self._op_rates, None
        if path == "/v1/tracking" and method == "GET":
            return "tracking", self._op_tracking, None
        if path == "/v1/addresses/validate" and method == "POST":
            return "validate_address", self._op_validate_address, None
        if path.startswith("/track/") and method == "GET":
            return "tracking_page", self._op_tracking_page, unquote(path[7:])
        return None


def main(argv=None):
    parser = cli.simulator_arg_parser("Generic carrier simulator", 8071, 3600)
    args = parser.parse_args(argv)
    sim = SimulatorServer(
        args.host,
        args.port,
        credentials=cli.parse_pairs(args.credentials),
        token_ttl=args.token_ttl,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        auto_advance=args.auto_advance,
        storylines=args.storylines,
        verbose=args.verbose,
    ).start()
    return cli.serve_until_stopped(sim, "Carrier simulator")


if __name__ == "__main__":
    sys.exit(main())
