# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL contract simulator: Parcel DE Shipping v2, ROPC token, Unified tracking.

Answers like DHL's published contracts (``docs/carrier-contracts.md`` §2 and the
examples in ``carrier-examples/dhl``), on 127.0.0.1. It is built on the
simulators' shared core (``logistics_simulators.core``: HTTP server, fault
injection, latency, token expiry, request recording and labels)::

    python -m logistics_simulators.dhl --port 8073

or in-process (tests)::

    sim = DhlSimulator().start()   # ephemeral port; sim.url is the host root
    sim.add_fault("create_shipment", 429, headers={"Retry-After": "7"})
    sim.advance(number, "delivered")
    sim.stop()

Paths below the host root (as on api-sandbox.dhl.com / api-eu.dhl.com) and
the operation names used by ``add_fault``/``count``:

==============================================================  ===================
``POST /parcel/de/account/auth/ropc/v1/token``                  token
``POST /parcel/de/shipping/v2/orders``                          create_shipment
``GET /parcel/de/shipping/v2/orders?shipment=``                 label (reprint)
``DELETE /parcel/de/shipping/v2/orders?profile=&shipment=``     cancel_shipment
``GET /parcel/de/shipping/v2/labels?token=``                    get_shipment
``GET /track/shipments?trackingNumber=``                        tracking
``POST /tracking/push/v1/subscription``                         push_subscription
``GET /tracking-page/<number>`` (HTML, simulator only)          tracking_page
==============================================================  ===================

An order may ask for a DHL Retoure label (``services.dhlRetoure``): the item
then carries ``returnShipmentNo``, ``returnRoutingCode`` and ``returnLabel``
(query ``retourePrintFormat``), as in ``dhl-parcel-de-order-response.json``.

Where DHL publishes no shape, the simulator says so: closed-out shipments,
the push subscription's answer and the push message itself are the
simulator's own (the push message follows the assembled example).

This module assembles the simulator (routing, authentication per
operation, settings, the command line) from ``common.py`` (paths, products,
problem shapes), ``auth.py`` (tokens, API keys, rate limits),
``validation.py`` (order checks), ``shipping.py`` (orders, labels, reprint,
cancel, close-out), ``tracking.py`` (events, ``advance``, Unified tracking)
and ``push.py`` (push subscriptions and messages).
"""

import sys

from ..core import cli
from ..core.push import post_json
from ..core.server import BaseSimulator
from .auth import DhlAuth
from .common import (
    ALPHA2,
    BILLING_RE,
    COUNTRY_MESSAGE,
    COUNTRY_RE,
    DEFAULT_PORT,
    EU_CUSTOMS_UNION,
    NOT_CODEABLE_ZIP,
    PAGE_PATH,
    PRODUCTS,
    PUSH_PATH,
    RETOURE_PROCEDURE,
    RETOURE_PRODUCTS,
    SANDBOX_USERS,
    SHIPPING,
    TOKEN_PATH,
    TRACKING_PATH,
    contracts,
    problem_detail,
    request_status,
)
from .push import PUSH_SCOPE, DhlPush
from .shipping import DhlShipping
from .tracking import PROGRESSION, STEPS, UNIFIED_CODES, DhlTracking
from .validation import OrderValidation

# The names this module offered before the split (tests and tools import
# them from here) stay importable.
__all__ = [
    "ALPHA2",
    "BILLING_RE",
    "COUNTRY_MESSAGE",
    "COUNTRY_RE",
    "DEFAULT_PORT",
    "EU_CUSTOMS_UNION",
    "NOT_CODEABLE_ZIP",
    "PAGE_PATH",
    "PRODUCTS",
    "PROGRESSION",
    "PUSH_PATH",
    "PUSH_SCOPE",
    "RETOURE_PROCEDURE",
    "RETOURE_PRODUCTS",
    "SANDBOX_USERS",
    "SHIPPING",
    "STEPS",
    "TOKEN_PATH",
    "TRACKING_PATH",
    "UNIFIED_CODES",
    "DhlSimulator",
    "contracts",
    "main",
    "post_json",
    "problem_detail",
    "request_status",
]

# Operations add_fault accepts: the same names as the generic simulator (as
# before the split). The DHL routes use token, create_shipment, label,
# cancel_shipment, get_shipment, tracking and tracking_page of them;
# push_subscription is routed but, as before, not accepted here.
FAULT_OPERATIONS = (
    "token",
    "create_shipment",
    "cancel_shipment",
    "rates",
    "tracking",
    "lookup",
    "label",
    "get_shipment",
    "validate_address",
    "tracking_page",
)


class DhlSimulator(
    DhlShipping, DhlTracking, DhlPush, DhlAuth, OrderValidation, BaseSimulator
):
    """In-process DHL simulator on the simulators' shared core."""

    FAULT_OPERATIONS = FAULT_OPERATIONS

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        users=None,
        api_keys=None,
        client_secrets=None,
        token_ttl=1799,
        track_rate=None,
        track_daily_limit=None,
        rate_limit_retry_after=None,
        detail_codes=False,
        push_header="X-DHL-Push-Token",
        webhook_url=None,
        webhook_secret=None,
        auto_advance=None,
        verbose=False,
    ):
        """``users``: GKP user -> password (default DHL's sandbox user).

        ``api_keys`` / ``client_secrets``: accepted app keys and their secrets
        (None: any non-empty value). ``track_rate``: tracking calls per second
        and API key, ``track_daily_limit``: per day (None: unlimited); over
        them the answer is 429, with ``Retry-After`` only when
        ``rate_limit_retry_after`` is set (DHL documents none).
        ``detail_codes``: events carry the Parcel DE code in ``statusDetailed``.
        """
        self.users = dict(SANDBOX_USERS if users is None else users)
        self.api_keys = None if api_keys is None else set(api_keys)
        self.client_secrets = None if client_secrets is None else dict(client_secrets)
        self.track_rate = track_rate
        self.track_daily_limit = track_daily_limit
        self.rate_limit_retry_after = rate_limit_retry_after
        self.detail_codes = detail_codes
        self._push_header_default = push_header
        super().__init__(
            host,
            port,
            token_ttl=token_ttl,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            auto_advance=auto_advance,
            verbose=verbose,
        )
        self._defaults["push_header"] = push_header

    def _init_state(self):
        res = super()._init_state()
        self.push_header = self._push_header_default
        self._label_tokens = {}
        self._item_faults = []
        self._track_calls = {}  # api key -> (last call, day, count)
        self.subscriptions = {}
        self.tracking_calls = []  # {"number", "full"}: recipientPostalCode given?
        return res

    def add_fault(self, operation, status=503, *, body=None, **kwargs):
        """As the base simulator; default bodies in DHL's problem shapes."""
        if body is None and status is not None:
            if operation in ("tracking", "push_subscription"):
                body = problem_detail(status, "Simulated fault")
            else:
                body = request_status(status, "Simulated fault")
        return super().add_fault(operation, status, body=body, **kwargs)

    # -- routing and authentication -------------------------------------------
    def _route(self, method, path):
        routes = {
            ("POST", TOKEN_PATH): ("token", self._op_token),
            ("POST", SHIPPING + "/orders"): ("create_shipment", self._op_create),
            ("GET", SHIPPING + "/orders"): ("label", self._op_reprint),
            ("DELETE", SHIPPING + "/orders"): ("cancel_shipment", self._op_cancel),
            ("GET", SHIPPING + "/labels"): ("get_shipment", self._op_document),
            ("GET", TRACKING_PATH): ("tracking", self._op_tracking),
            ("POST", PUSH_PATH): ("push_subscription", self._op_subscribe),
        }
        if (method, path) in routes:
            return (*routes[(method, path)], None)
        if method == "GET" and path.startswith(PAGE_PATH):
            return "tracking_page", self._op_page, path[len(PAGE_PATH) :]
        return None

    def _call(self, func, operation, headers, **kwargs):
        if operation in ("tracking", "push_subscription"):
            denied = self._check_api_key(headers, operation)
        elif operation in ("token", "tracking_page", "get_shipment"):
            denied = None  # no authentication (label URLs can be shared)
        else:
            denied = self._check_shipping_auth(headers)
        if denied is not None:
            return denied
        return func(headers=headers, **kwargs)

    def _public(self, shipment):
        order = shipment["request"]
        return {
            "shipmentNo": shipment["shipmentNo"],
            "product": order.get("product"),
            "billingNumber": order.get("billingNumber"),
            "refNo": order.get("refNo"),
            "returnShipmentNo": shipment.get("returnShipmentNo"),
            "cancelled": shipment["cancelled"],
            "closed": shipment["closed"],
            "step": shipment["step"],
            "created_at": shipment["created_at"],
            "request": order,
            "events": [dict(e) for e in shipment["events"]],
        }


def main(argv=None):
    parser = cli.simulator_arg_parser(
        "DHL contract simulator", DEFAULT_PORT, 1799, credentials=False
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="USER:PASSWORD",
        help="business customer portal user (repeatable); default DHL's "
        "sandbox user user-valid",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accepted API key (repeatable); default: any",
    )
    parser.add_argument(
        "--track-rate", type=float, default=None, help="tracking calls per second"
    )
    parser.add_argument("--track-daily-limit", type=int, default=None)
    parser.add_argument(
        "--detail-codes",
        action="store_true",
        help="put Parcel DE event codes in statusDetailed",
    )
    parser.add_argument("--push-header", default="X-DHL-Push-Token")
    args = parser.parse_args(argv)
    if contracts is None:
        print(
            "DHL simulator: requests are not validated against the published "
            "schemas (tests/contracts or the jsonschema package is missing)",
            file=sys.stderr,
        )
    sim = DhlSimulator(
        args.host,
        args.port,
        users=cli.parse_pairs(args.user),
        api_keys=args.api_key or None,
        token_ttl=args.token_ttl,
        track_rate=args.track_rate,
        track_daily_limit=args.track_daily_limit,
        detail_codes=args.detail_codes,
        push_header=args.push_header,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        auto_advance=args.auto_advance,
        verbose=args.verbose,
    ).start()
    return cli.serve_until_stopped(sim, "DHL simulator")


if __name__ == "__main__":
    sys.exit(main())
