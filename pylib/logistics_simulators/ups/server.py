# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS contract simulator: UPS's REST paths, shapes and errors on 127.0.0.1.

Built on the simulators' shared core (``logistics_simulators.core``: HTTP
plumbing, fault injection, request recording, token expiry, auto-advance),
it answers like UPS
(``docs/carrier-contracts.md`` §1): OAuth client credentials, Ship / Void /
Label Recovery (v2409, v1), return shipments (ReturnService 9, UPS Print
Return Label), Rating (v2409 Rate, Shop and their ``timeintransit``
variants with TimeInTransit), Address Validation (v2), Tracking (v1, both
not-found variants), Track Alert subscriptions (v2, and v1 with a
destination) and pushes. Every path is also served under ``/api``
(UPS's base URL ends with ``/api``).

As a script (standard library only; the demo database points at it)::

    python -m logistics_simulators.ups --port 8074

In-process (tests)::

    sim = UpsSimulatorServer().start()
    sim.add_fault("create_shipment", 503)      # or 429, 401, action="reset"
    sim.expire_tokens(); sim.set_latency(2.0)  # expired tokens, slow answers
    sim.advance("1Z...", "delivered")          # + Track Alert push
    sim.stop()

Error codes marked "illustrative" are not taken from UPS documentation
(its complete error lists were not consulted); the envelope is UPS's.

This module assembles the simulator (authentication, routing, the published
schemas, settings and the command line) from ``common.py`` (codes, services,
1Z numbers, error envelope), ``validation.py`` (Ship request checks),
``shipping.py`` (Ship, Void, Label Recovery), ``rating.py`` (Rating, Address
Validation), ``tracking.py`` (activities, ``advance``, Tracking API) and
``track_alert.py`` (subscriptions and pushes).
"""

import base64
import json
import re
import secrets
import sys
import time
from urllib.parse import unquote

from ..core import cli
from ..core.contracts import import_contracts
from ..core.http import Reply
from ..core.labels import build_gif_label
from ..core.server import BaseSimulator
from .common import (
    CURRENCIES,
    INQUIRY_RE,
    KG_PER_LB,
    LABEL_FORMATS,
    NEGOTIATED_FACTOR,
    NO_POSTAL_CODE,
    RATE_VERSIONS,
    RETURN_SERVICES,
    SERVICES,
    SHIP_VERSIONS,
    STATE_REQUIRED,
    THERMAL,
    TRACKING_RE,
    TRANSIT_DAYS,
    US_DOMESTIC,
    check_digit,
    tracking_number,
    ups_errors,
)
from .rating import UpsRating
from .shipping import UpsShipping, build_label
from .track_alert import (
    DEFAULT_PUSH_CLIENT_ID,
    TrackAlert,
    fetch_push_token,
    push_token_url,
    push_track_alert,
    track_alert_payload,
)
from .tracking import (
    CIE_NUMBERS,
    LOCAL_OFFSET,
    LOCATIONS,
    STATUS_AFTER,
    STEPS,
    UpsTracking,
)
from .validation import ShipValidation

# The names this module offered before the split (tests and tools import
# them from here) stay importable.
__all__ = [
    "CIE_NUMBERS",
    "CONTRACT_SCHEMAS",
    "CURRENCIES",
    "DEFAULT_FAULT_ERRORS",
    "DEFAULT_PUSH_CLIENT_ID",
    "INQUIRY_RE",
    "KG_PER_LB",
    "LABEL_FORMATS",
    "LOCAL_OFFSET",
    "LOCATIONS",
    "NEGOTIATED_FACTOR",
    "NO_POSTAL_CODE",
    "OPERATIONS",
    "RATE_VERSIONS",
    "RETURN_SERVICES",
    "SERVICES",
    "SHIP_VERSIONS",
    "STATE_REQUIRED",
    "STATUS_AFTER",
    "STEPS",
    "SUBSCRIPTION_SCHEMAS",
    "THERMAL",
    "TRACKING_RE",
    "TRANSIT_DAYS",
    "US_DOMESTIC",
    "UpsSimulatorServer",
    "build_gif_label",
    "build_label",
    "check_digit",
    "contracts",
    "fetch_push_token",
    "main",
    "push_token_url",
    "push_track_alert",
    "track_alert_payload",
    "tracking_number",
    "ups_errors",
]

contracts = import_contracts()
# operation handler -> (schema file, root schema) of its request body
CONTRACT_SCHEMAS = {
    "_op_ship": ("shipping", "SHIPRequestWrapper"),
    "_op_label": ("shipping", "LABELRECOVERYRequestWrapper"),
    "_op_rate": ("rating", "RATERequestWrapper"),
    "_op_xav": ("address_validation", "XAVRequestWrapper"),
    "_op_subscribe_account": ("track_alert_v2", "AccountSubscriptionRequest"),
}
SUBSCRIPTION_SCHEMAS = {
    "v1": ("track_alert_v1", "TrackSubsServiceRequest"),
    "v2": ("track_alert_v2", "PackageSubscriptionRequest"),
}

OPERATIONS = (
    "token",
    "create_shipment",
    "cancel_shipment",
    "label",
    "rates",
    "validate_address",
    "tracking",
    "subscription",
)
DEFAULT_FAULT_ERRORS = {
    401: ("250002", "Invalid Authentication Information"),
    403: ("250003", "Invalid Access License number"),
    429: ("429", "Rate Limit Exceeded"),  # code illustrative: UPS gives none
    500: ("10004", "Internal Server Error"),
    502: ("10004", "Bad Gateway"),
    503: ("10004", "Service Unavailable"),
    504: ("10004", "Gateway Timeout"),
}


class UpsSimulatorServer(
    UpsShipping, UpsRating, UpsTracking, TrackAlert, ShipValidation, BaseSimulator
):
    """In-process UPS simulator; see the module docstring."""

    FAULT_OPERATIONS = OPERATIONS

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        credentials=None,
        token_ttl=14399,
        not_found_style="404",
        single_objects=False,
        webhook_url=None,
        webhook_secret=None,
        webhook_style="v2",
        webhook_client_id=DEFAULT_PUSH_CLIENT_ID,
        webhook_token_url=None,
        account_subscription=False,
        auto_advance=None,
        max_requests=10000,
        verbose=False,
    ):
        # read by _init_state(), which the base constructor calls
        self._ups_defaults = {
            "not_found_style": not_found_style,
            "single_objects": single_objects,
            "webhook_style": webhook_style,
            "webhook_client_id": webhook_client_id,
            "webhook_token_url": webhook_token_url,
            "account_subscription": account_subscription,
        }
        super().__init__(
            host,
            port,
            credentials=credentials,
            token_ttl=token_ttl,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            auto_advance=auto_advance,
            max_requests=max_requests,
            verbose=verbose,
        )

    def _init_state(self):
        res = super()._init_state()
        for key, value in self._ups_defaults.items():
            setattr(self, key, value)
        self._issued = set()  # every token ever issued: expired vs unknown
        self._serial = 1000000 + secrets.randbelow(10**6)
        self._subscriptions = {}
        self._push_token = None  # (token, expires at) from the receiver
        self._seed_cie_numbers()
        return res

    def configure(self, **values):
        """Also ``not_found_style`` ("404"|"200"), ``single_objects``, ..."""
        with self._lock:
            for key in [k for k in values if k in self._ups_defaults]:
                setattr(self, key, values.pop(key))
            self._push_token = None  # the receiver or its secret may change
        return super().configure(**values)

    def add_fault(self, operation, status=503, *, body=None, **kwargs):
        """As the base simulator (``headers``, ``delay``, ``action``,
        ``times``); error bodies default to UPS's envelope."""
        if body is None and status is not None and status >= 400:
            code, message = DEFAULT_FAULT_ERRORS.get(
                status, (str(status), "Simulated error")
            )
            body = {"response": {"errors": [{"code": code, "message": message}]}}
        return super().add_fault(operation, status, body=body, **kwargs)

    def account_values(self):
        """Carrier account values that point an adapter at this simulator."""
        return {
            "base_url": self.url,
            "client_id": "ups-sim-client",
            "client_secret": "ups-sim-secret",
            "account_number": "A1B2C3",
        }

    # -- routing --------------------------------------------------------------
    def _route(self, method, path):
        if path.startswith("/api/"):
            path = path[4:]
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path == "/security/v1/oauth/token" and method == "POST":
            return "token", self._op_token, None
        if parts[0] == "shipments" and len(parts) == 3 and parts[2] == "ship":
            if method == "POST":
                return "create_shipment", self._op_ship, parts[1]
        if parts[0] == "shipments" and parts[2:4] == ["void", "cancel"]:
            if method == "DELETE" and len(parts) == 5:
                return "cancel_shipment", self._op_void, (parts[1], parts[4])
        if parts[0] == "labels" and parts[2:] == ["recovery"] and method == "POST":
            return "label", self._op_label, parts[1]
        if parts[0] == "rating" and len(parts) == 3 and method == "POST":
            return "rates", self._op_rate, (parts[1], parts[2])
        if parts[0] == "addressvalidation" and len(parts) == 3 and method == "POST":
            return "validate_address", self._op_xav, (parts[1], parts[2])
        if parts[:3] == ["track", "v1", "details"] and len(parts) == 4:
            if method == "GET":
                return "tracking", self._op_track, parts[3]
        if parts[0] == "track" and parts[2:3] == ["subscription"] and len(parts) == 5:
            if method == "POST" and parts[4] == "package":
                return "subscription", self._op_subscribe, (parts[1], parts[3])
            if method == "POST" and parts[4] == "account":
                return "subscription", self._op_subscribe_account, parts[1]
        return None

    def _handle(self, handler, raw):
        ctype = (handler.headers.get("Content-Type") or "").lower()
        if raw and handler.command in ("POST", "PUT"):
            if "json" not in ctype and "x-www-form-urlencoded" not in ctype:
                return ups_errors(400, ("10007", "Invalid Content-Type"))
            if "json" in ctype:
                try:
                    json.loads(raw)
                except ValueError:
                    return ups_errors(400, ("10002", "Invalid request body"))
        return super()._handle(handler, raw)

    # -- OAuth ------------------------------------------------------------------
    def _op_token(self, headers, raw, **_):
        """The base's client-credentials check, in UPS's shapes."""
        if not str(headers.get("Authorization") or "").startswith("Basic "):
            return ups_errors(401, ("10400", "Invalid/Missing Authorization Header"))
        reply = super()._op_token(headers=headers, raw=raw)
        if reply.status == 400:  # code illustrative
            return ups_errors(400, ("10400", "grant_type must be client_credentials"))
        if reply.status != 200:
            return ups_errors(401, ("10401", "ClientId is Invalid"))
        token = reply.payload["access_token"]
        client_id = base64.b64decode(headers["Authorization"][6:].strip())
        with self._lock:
            self._issued.add(token)
        return Reply(
            200,
            {
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "client_id": client_id.decode("latin-1").partition(":")[0],
                "access_token": token,
                "scope": "",
                "expires_in": str(int(self.token_ttl)),
                "refresh_count": "0",
                "status": "approved",
            },
        )

    def _check_token(self, headers):
        denied = super()._check_token(headers)
        if denied is None:
            return None
        auth = headers.get("Authorization") or ""
        token = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if not token:
            return ups_errors(401, ("UJ0001", "Invalid token or token is not present."))
        if token in self._issued:
            return ups_errors(401, ("251004", "Token has expired"))
        return ups_errors(401, ("250002", "Invalid Authentication Information"))

    def _call(self, func, operation, headers, **kwargs):
        """Authentication first, then UPS's published schema of the body."""
        if operation != "token":
            denied = self._check_token(headers)
            if denied is not None:
                return denied
            refused = self._contract_refusal(
                func, kwargs.get("body"), kwargs.get("arg")
            )
            if refused is not None:
                return refused
        return super()._call(func, operation, headers, **kwargs)

    def _contract_refusal(self, func, body, arg):
        """A 400 when the body breaks UPS's schema (tests/contracts/ups).

        A shipment's own checks answer first (UPS's specific codes); the
        tracking numbers of a subscription are judged by the operation
        (UPS lists them in ``invalidTrackingNumbers``, UPSTrackAlert.yaml's
        400 example).
        """
        name = getattr(func, "__name__", "")
        target = CONTRACT_SCHEMAS.get(name)
        if name == "_op_subscribe" and isinstance(arg, tuple):
            target = SUBSCRIPTION_SCHEMAS.get(arg[0])
        if target is None or contracts is None:
            return None
        problems = [
            p
            for p in contracts.errors("ups", *target, body, single_objects=True)
            if not re.match(r"trackingNumberList/\d+: ", p)
        ]
        if not problems:
            return None
        if name == "_op_ship" and isinstance(body, dict):
            own = self._validate_ship(body.get("ShipmentRequest"))
            if own:
                return ups_errors(400, *own)
        # code illustrative; the message names the schema rule broken
        return ups_errors(
            400,
            *[("120100", f"Invalid request ({target[1]}): {p}") for p in problems[:5]],
        )

    def _public(self, shipment):
        public = super()._public(shipment)
        public["packages"] = dict(shipment.get("packages") or {})
        public["negotiated"] = shipment.get("negotiated", False)
        public["return_service"] = shipment.get("return_service", "")
        return public


def main(argv=None):
    parser = cli.simulator_arg_parser("UPS contract simulator", 8074, 14399)
    parser.add_argument("--not-found-style", choices=("404", "200"), default="404")
    parser.add_argument("--single-objects", action="store_true")
    parser.add_argument(
        "--webhook-client-id",
        default=DEFAULT_PUSH_CLIENT_ID,
        help="Track Alert v2: OAuth client id at the receiver's token URL",
    )
    parser.add_argument(
        "--webhook-token-url",
        help="Track Alert v2: the receiver's token URL (default: derived from "
        "a suite webhook URL)",
    )
    parser.add_argument(
        "--account-subscription",
        action="store_true",
        help="push every package's events (a Track Alert account subscription)",
    )
    args = parser.parse_args(argv)
    if contracts is None:
        print(
            "UPS simulator: requests are not validated against the published "
            "schemas (tests/contracts or the jsonschema package is missing)",
            file=sys.stderr,
        )
    server = UpsSimulatorServer(
        args.host,
        args.port,
        credentials=cli.parse_pairs(args.credentials),
        token_ttl=args.token_ttl,
        not_found_style=args.not_found_style,
        single_objects=args.single_objects,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        webhook_client_id=args.webhook_client_id,
        webhook_token_url=args.webhook_token_url,
        account_subscription=args.account_subscription,
        auto_advance=args.auto_advance,
        verbose=args.verbose,
    ).start()
    return cli.serve_until_stopped(server, "UPS simulator")


if __name__ == "__main__":
    sys.exit(main())
