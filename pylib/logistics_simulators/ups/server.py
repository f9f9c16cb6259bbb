#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS contract simulator: UPS's REST paths, shapes and errors on 127.0.0.1.

Built on the suite's generic simulator (HTTP plumbing, fault injection,
request recording, token expiry, auto-advance), it answers like UPS
(``docs/carrier-contracts.md`` §1): OAuth client credentials, Ship / Void /
Label Recovery (v2409, v1), return shipments (ReturnService 9, UPS Print
Return Label), Rating (v2409 Rate, Shop and their ``timeintransit``
variants with TimeInTransit), Address Validation (v2), Tracking (v1, both
not-found variants), Track Alert subscriptions (v2, and v1 with a
destination) and pushes. Every path is also served under ``/api``
(UPS's base URL ends with ``/api``).

As a script (standard library only; the demo database points at it)::

    python logistics_carrier_ups/simulator/server.py --port 8074

In-process (tests)::

    sim = UpsSimulatorServer().start()
    sim.add_fault("create_shipment", 503)      # or 429, 401, action="reset"
    sim.expire_tokens(); sim.set_latency(2.0)  # expired tokens, slow answers
    sim.advance("1Z...", "delivered")          # + Track Alert push
    sim.stop()

Error codes marked "illustrative" are not taken from UPS documentation
(its complete error lists were not consulted); the envelope is UPS's.
"""

import base64
import json
import re
import secrets
import struct
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from logistics_simulators.generic import server as base_sim

contracts = base_sim.import_contracts()
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
# Track Alert v2 pushes: the OAuth client id UPS uses at the receiver's
# token URL (the demo account's ups_oauth_client_id)
DEFAULT_PUSH_CLIENT_ID = "ups-simulator-client"

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
SHIP_VERSIONS = ("v2403", "v2409")
RATE_VERSIONS = ("v2409",)
LABEL_FORMATS = ("GIF", "PNG", "ZPL", "EPL", "SPL")
THERMAL = ("ZPL", "EPL", "SPL")
US_DOMESTIC = ("01", "02", "03", "12", "13", "14", "59")
# code: (name, base price, per kg, guaranteed business days or None)
SERVICES = {
    "01": ("UPS Next Day Air", 45.0, 3.2, 1),
    "02": ("UPS 2nd Day Air", 24.0, 2.1, 2),
    "03": ("UPS Ground", 9.5, 0.9, None),
    "07": ("UPS Worldwide Express", 62.0, 4.4, 1),
    "08": ("UPS Worldwide Expedited", 41.0, 3.1, None),
    "11": ("UPS Standard", 12.0, 1.1, None),
    "12": ("UPS 3 Day Select", 15.5, 1.3, 3),
    "13": ("UPS Next Day Air Saver", 39.0, 2.8, 1),
    "14": ("UPS Next Day Air Early", 82.0, 4.1, 1),
    "54": ("UPS Worldwide Express Plus", 91.0, 5.2, 1),
    "59": ("UPS 2nd Day Air A.M.", 29.0, 2.3, 2),
    "65": ("UPS Worldwide Saver", 51.0, 3.6, 1),
}
# Shipment.ReturnService.Code (Shipping.yaml)
RETURN_SERVICES = {
    "2": "UPS Print and Mail",
    "3": "UPS Return Service 1-Attempt",
    "5": "UPS Return Service 3-Attempt",
    "8": "UPS Electronic Return Label",
    "9": "UPS Print Return Label",
    "10": "UPS Exchange Print Return Label",
}
# Business days in transit by service when UPS guarantees none (simulated).
TRANSIT_DAYS = {"03": 3, "08": 4, "11": 2}
CURRENCIES = {"US": "USD", "PR": "USD", "CA": "CAD", "GB": "GBP", "CH": "CHF"}
NO_POSTAL_CODE = ("HK", "AE", "IE", "QA", "PA")
STATE_REQUIRED = ("US", "CA", "PR")
KG_PER_LB = 0.45359237
NEGOTIATED_FACTOR = 0.85
TRACKING_RE = re.compile(r"^1[ZR][0-9A-Z]{16}$")
INQUIRY_RE = re.compile(r"^[0-9A-Za-z]{7,34}$")
# Tracking steps: canonical name -> (type, code, statusCode, description)
STEPS = {
    "label_created": (
        "M",
        "MP",
        "003",
        "Shipper created a label, UPS has not received the package yet. ",
    ),
    "pickup_scheduled": ("I", "SP", "077", "Scheduled for pickup today"),
    "picked_up": ("I", "OR", "038", "Origin Scan"),
    "in_transit": ("I", "AT", "005", "On the Way"),
    "arrived_at_facility": ("I", "AR", "005", "Arrived at Facility"),
    "departed_facility": ("I", "DP", "005", "Departed from Facility"),
    "customs_hold": ("X", "5", "012", "Clearance in progress"),
    "customs_cleared": ("I", "AT", "014", "Clearance completed"),
    "delayed": ("X", "16", "046", "Delay: weather conditions"),
    "out_for_delivery": ("I", "OT", "021", "Out For Delivery Today"),
    "delivery_attempted": (
        "X",
        "48",
        "022",
        "The receiver was not available for delivery. We'll make a second "
        "attempt the next business day.",
    ),
    "available_for_pickup": ("X", "54", "017", "Held for customer pickup"),
    "delivered": ("D", "FS", "011", "Delivered"),
    "returned_to_sender": ("X", "90", "034", "Returned to sender"),
    "address_issue": ("X", "A6", "050", "The address is incomplete"),
    "damaged": ("X", "13", "059", "Damage reported"),
    "lost": ("X", "24", "068", "Sent to lost and found"),
    "cancelled": ("MV", "VP", "007", "Shipment information voided"),
}
STATUS_AFTER = {
    "picked_up": "picked_up",
    "in_transit": "in_transit",
    "arrived_at_facility": "in_transit",
    "departed_facility": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned_to_sender": "returned_to_sender",
    "lost": "lost",
}
LOCATIONS = {
    "picked_up": ("TIMONIUM", "MD", "21093"),
    "in_transit": ("LOUISVILLE", "KY", "40209"),
    "arrived_at_facility": ("LOUISVILLE", "KY", "40209"),
    "departed_facility": ("LOUISVILLE", "KY", "40209"),
    "out_for_delivery": ("ATLANTA", "GA", "30328"),
    "delivered": ("ATLANTA", "GA", "30328"),
}
LOCAL_OFFSET = timedelta(hours=-4)
# UPS's CIE test numbers replay events (UPS FAQ): canned histories here.
CIE_NUMBERS = {
    "1ZCIETST0111111114": ("label_created", "picked_up", "in_transit", "delivered"),
    "1ZCIETST0422222228": (
        "label_created",
        "out_for_delivery",
        "delivery_attempted",
    ),
}
DEFAULT_FAULT_ERRORS = {
    401: ("250002", "Invalid Authentication Information"),
    403: ("250003", "Invalid Access License number"),
    429: ("429", "Rate Limit Exceeded"),  # code illustrative: UPS gives none
    500: ("10004", "Internal Server Error"),
    502: ("10004", "Bad Gateway"),
    503: ("10004", "Service Unavailable"),
    504: ("10004", "Gateway Timeout"),
}


def ups_errors(status, *errors, **extra):
    """A reply in UPS's error envelope ``{"response": {"errors": [...]}}``."""
    payload = {"response": {"errors": [{"code": c, "message": m} for c, m in errors]}}
    payload.update(extra)
    return base_sim._Reply(status, payload)


def check_digit(text):
    """UPS 1Z check digit of the 15 characters after ``1Z``."""
    total = 0
    for index, char in enumerate(text):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value if index % 2 == 0 else 2 * value
    return str((10 - total % 10) % 10)


def tracking_number(shipper_number, service, serial):
    """A valid 1Z number: shipper (6), service (2), serial (7), check digit."""
    shipper = re.sub(r"[^0-9A-Z]", "", str(shipper_number).upper())[:6].ljust(6, "0")
    body = f"{shipper}{str(service)[:2].rjust(2, '0')}{serial % 10**7:07d}"
    return f"1Z{body}{check_digit(body)}"


# -- labels ------------------------------------------------------------------
def _lzw(pixels, min_size):
    """GIF LZW compression of palette indices.

    The string table is keyed by (prefix code, pixel), so each pixel costs
    one dictionary look-up (labels are rendered for every shipment).
    """
    clear, end = 1 << min_size, (1 << min_size) + 1
    out = bytearray()
    buffer = bits = 0
    size, next_code = min_size + 1, end + 1
    table = {}

    def emit(code, buffer, bits):
        buffer |= code << bits
        bits += size
        while bits >= 8:
            out.append(buffer & 0xFF)
            buffer >>= 8
            bits -= 8
        return buffer, bits

    buffer, bits = emit(clear, buffer, bits)
    prefix = None
    for pixel in pixels:
        if prefix is None:
            prefix = pixel
            continue
        key = (prefix, pixel)
        code = table.get(key)
        if code is not None:
            prefix = code
            continue
        buffer, bits = emit(prefix, buffer, bits)
        table[key] = next_code
        next_code += 1
        if next_code > (1 << size) and size < 12:
            size += 1
        if next_code >= 4000:
            buffer, bits = emit(clear, buffer, bits)
            table.clear()
            size, next_code = min_size + 1, end + 1
        prefix = pixel
    if prefix is not None:
        buffer, bits = emit(prefix, buffer, bits)
    buffer, bits = emit(end, buffer, bits)
    if bits:
        out.append(buffer & 0xFF)
    return bytes(out)


def build_gif_label(barcode="", width=320, height=120):
    """A valid 2-colour GIF89a with fake bars derived from ``barcode``."""
    row = bytearray(b"\x01" * width)  # white
    x = 12
    for index, bar in enumerate(base_sim._bars(barcode or "UPS")):
        for _ in range(bar * 2):
            if x >= width - 12:
                break
            if index % 2 == 0:
                row[x] = 0  # black
            x += 1
    pixels = bytes(row) * (height - 20) + b"\x01" * (width * 20)
    data = _lzw(pixels, 2)
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255]
        for i in range(0, len(data), 255)
    )
    palette = b"\x00\x00\x00\xff\xff\xff\x00\x00\x00\xff\xff\xff"
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0xF1, 0, 0)
        + palette
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02"
        + blocks
        + b"\x00;"
    )


def build_label(label_format, lines, number):
    if label_format == "GIF":
        return build_gif_label(number)
    if label_format == "PNG":
        return base_sim.build_png_label(number)
    return base_sim.build_zpl_label(lines, number)  # ZPL (EPL/SPL: ZPL text too)


# -- Track Alert pushes --------------------------------------------------------
def track_alert_payload(number, activity, *, delivered_to=""):
    """A Track Alert push (v2 webhook shape) for one tracking activity."""
    status = activity["status"]
    address = activity["location"]["address"]
    payload = {
        "trackingNumber": number,
        "localActivityDate": activity["date"],
        "localActivityTime": activity["time"],
        "activityLocation": {
            "city": address.get("city", ""),
            "stateProvince": address.get("stateProvince", ""),
            "postalCode": address.get("postalCode", ""),
            "country": address.get("country", ""),
        },
        "activityStatus": {
            "type": status["type"],
            "code": status["code"],
            "description": status["description"],
            "descriptionCode": status["statusCode"],
        },
        "scheduledDeliveryDate": activity["date"],
        "gmtActivityDate": activity["gmtDate"],
        # UPSTrackAlert.yaml: Time HHMMSS, gmtOffset "-04.00"
        "gmtActivityTime": activity["gmtTime"].replace(":", ""),
        "gmtOffset": activity["gmtOffset"].replace(":", "."),
    }
    if status["type"] == "D":
        payload["actualDeliveryDate"] = activity["date"]
        payload["actualDeliveryTime"] = activity["time"]
        payload["receivedBy"] = delivered_to
    return payload


def push_track_alert(
    url,
    credential,
    payload,
    *,
    style="v1",
    client_id=DEFAULT_PUSH_CLIENT_ID,
    timeout=10.0,
):
    """POST a Track Alert push as UPS does; ``(status, text)``, 0 if unreachable.

    ``style="v1"``: header ``credential: <credential>``; ``"v2"``:
    ``Authorization: Bearer <credential>`` (an access token from the
    receiver's token URL, :func:`fetch_push_token`) and ``x-api-key:
    <client id>``.
    """
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "UPSPubSubTrackingService",
    }
    if style == "v2":
        headers["Authorization"] = f"Bearer {credential}"
        headers["x-api-key"] = client_id
    else:
        headers["credential"] = credential
    return base_sim.post_webhook(url, body, headers, timeout=timeout)


def push_token_url(webhook_url):
    """The suite's token URL of a suite webhook URL (same account token)."""
    match = re.fullmatch(
        r"(.*)/logistics/webhook/ups/([^/?#]+)/?", str(webhook_url or "")
    )
    return (
        f"{match.group(1)}/logistics/oauth/ups/{match.group(2)}/token"
        if match
        else None
    )


def fetch_push_token(token_url, client_id, client_secret, *, timeout=10.0):
    """OAuth 2 client credentials, ``client_secret_basic`` (as UPS does for
    Track Alert v2): ``(access_token, expires_in)``; raises ValueError with
    the receiver's answer when refused."""
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    status, text = base_sim.post_webhook(
        token_url,
        b"grant_type=client_credentials",
        {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        timeout=timeout,
    )
    try:
        data = json.loads(text) if status == 200 else {}
    except ValueError:
        data = {}
    if not data.get("access_token"):
        raise ValueError(f"token endpoint answered HTTP {status}: {text[:300]}")
    return str(data["access_token"]), float(data.get("expires_in") or 300)


def _list(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _get(data, *keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(value):
    return str(value or "").strip()


class UpsSimulatorServer(base_sim.SimulatorServer):
    """In-process UPS simulator; see the module docstring."""

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
            services={code: spec[0] for code, spec in SERVICES.items()},
            unserved_countries=(),
            currency="USD",
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
        for number, steps in CIE_NUMBERS.items():
            self._events[number] = []
            start = datetime.now(timezone.utc) - timedelta(hours=len(steps) + 1)
            for index, step in enumerate(steps):
                self._events[number].append(
                    self._activity(step, start + timedelta(hours=index))
                )
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
        if operation not in OPERATIONS:
            raise ValueError(
                f"unknown operation {operation!r}; use one of {OPERATIONS}"
            )
        if body is None and status is not None and status >= 400:
            code, message = DEFAULT_FAULT_ERRORS.get(
                status, (str(status), "Simulated error")
            )
            body = {"response": {"errors": [{"code": code, "message": message}]}}
        # the base validates against its own operation names: register the
        # fault under one of them, then rename it (under the re-entrant lock)
        known = operation if operation in base_sim.OPERATIONS else "token"
        with self._lock:
            fault = super().add_fault(known, status, body=body, **kwargs)
            self._faults[-1].operation = operation
        return dict(fault, operation=operation)

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
        return base_sim._Reply(
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

    @staticmethod
    def _require_trans_headers(headers):
        if not headers.get("transId") or not headers.get("transactionSrc"):
            # code illustrative; the headers are required by Tracking/Track Alert
            return ups_errors(
                400, ("TV1001", "Missing transId or transactionSrc header")
            )
        return None

    # -- validation -------------------------------------------------------------
    @staticmethod
    def _validate_party(party, label, errors, *, shipper=False):
        """Append (code, message) problems of a Shipper/ShipTo/ShipFrom."""
        if not isinstance(party, dict):
            errors.append(("120200", f"Missing {label}"))  # illustrative
            return ""
        if not _text(party.get("Name")):
            errors.append(("120201", f"Missing or invalid {label} name"))
        if shipper and not re.fullmatch(
            r"[0-9A-Z]{6}", _text(party.get("ShipperNumber")).upper()
        ):
            errors.append(("120100", "Missing or invalid shipper number"))
        address = party.get("Address") if isinstance(party, dict) else None
        address = address if isinstance(address, dict) else {}
        lines = [_text(line) for line in _list(address.get("AddressLine"))]
        if not any(lines):
            errors.append(("120202", f"Missing or invalid {label} address line 1"))
        if not _text(address.get("City")):
            errors.append(("120203", f"Missing or invalid {label} city"))
        country = _text(address.get("CountryCode")).upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            errors.append(("120204", f"Missing or invalid {label} country code"))
        postal = _text(address.get("PostalCode"))
        if country in ("US", "PR") and not re.fullmatch(r"\d{5}(-?\d{4})?", postal):
            errors.append(("120205", f"Invalid {label} postal code for {country}"))
        elif country and country not in NO_POSTAL_CODE and not postal:
            errors.append(("120205", f"Missing {label} postal code"))
        if country in STATE_REQUIRED and not _text(address.get("StateProvinceCode")):
            errors.append(("120206", f"Missing {label} state province code"))
        return country

    @staticmethod
    def _validate_packages(packages, errors, *, rating=False):
        if not packages or len(packages) > 200:
            errors.append(("120600", "A shipment needs 1 to 200 packages"))
        key = "PackagingType" if rating else "Packaging"
        for index, package in enumerate(packages, 1):
            package = package if isinstance(package, dict) else {}
            if not rating and not _text(_get(package, key, "Code")):
                errors.append(("120601", f"Missing packaging type, package {index}"))
            unit = _text(_get(package, "PackageWeight", "UnitOfMeasurement", "Code"))
            try:
                weight = float(_get(package, "PackageWeight", "Weight"))
            except (TypeError, ValueError):
                weight = 0.0
            if unit not in ("KGS", "LBS") or weight <= 0:
                errors.append(("120602", f"Missing or invalid weight, package {index}"))
            elif weight > (70 if unit == "KGS" else 150):
                errors.append(("120603", f"Package {index} exceeds the maximum weight"))
            dims = package.get("Dimensions")
            if isinstance(dims, dict):
                dim_unit = _text(_get(dims, "UnitOfMeasurement", "Code"))
                if dim_unit != ("CM" if unit == "KGS" else "IN"):
                    errors.append(
                        ("120604", f"Dimension unit does not match weight, {index}")
                    )

    def _lane_errors(self, service, origin, destination, errors):
        if service not in SERVICES:
            errors.append(("120500", "Missing or invalid service code"))
        elif service in US_DOMESTIC and not (
            origin == destination and origin in ("US", "PR")
        ):
            errors.append(
                (
                    "111210",
                    "The requested service is unavailable between the selected "
                    "locations.",
                )
            )

    def _validate_ship(self, request):
        errors = []
        if not isinstance(request, dict) or not isinstance(
            request.get("Shipment"), dict
        ):
            return [("120002", "Missing or invalid ShipmentRequest")]
        option = _text(_get(request, "Request", "RequestOption"))
        if option not in ("validate", "nonvalidate"):
            errors.append(("120001", "Missing or invalid RequestOption"))
        shipment = request["Shipment"]
        origin = self._validate_party(
            shipment.get("Shipper"), "shipper", errors, shipper=True
        )
        destination = self._validate_party(shipment.get("ShipTo"), "ship to", errors)
        if shipment.get("ShipFrom") is not None:
            ship_from = self._validate_party(shipment["ShipFrom"], "ship from", errors)
            origin = ship_from or origin  # the parcel leaves from ShipFrom
        if shipment.get("ReturnService") is not None:
            self._validate_return(shipment, origin, errors)
        self._lane_errors(
            _text(_get(shipment, "Service", "Code")), origin, destination, errors
        )
        self._validate_packages(_list(shipment.get("Package")), errors)
        charges = _list(_get(shipment, "PaymentInformation", "ShipmentCharge"))
        bill = [c for c in charges if isinstance(c, dict) and c.get("Type") == "01"]
        number = _text(_get(shipment, "Shipper", "ShipperNumber")).upper()
        account = _text(_get(bill[0], "BillShipper", "AccountNumber")) if bill else ""
        if not bill or account.upper() != number:
            errors.append(("120412", "Missing or invalid bill shipper account number"))
        label = request.get("LabelSpecification") or {}
        fmt = _text(_get(label, "LabelImageFormat", "Code")).upper()
        if fmt not in LABEL_FORMATS:
            errors.append(("120700", "Missing or invalid label image format"))
        elif fmt in THERMAL and (
            _text(_get(label, "LabelStockSize", "Height")) not in ("6", "8")
            or _text(_get(label, "LabelStockSize", "Width")) != "4"
        ):
            errors.append(("120701", "Missing or invalid label stock size"))
        if origin and destination and origin != destination:
            if not _text(shipment.get("Description")):
                errors.append(("120512", "A shipment description is required"))
            if origin == "US" and destination in ("CA", "PR"):
                if not _get(shipment, "InvoiceLineTotal", "MonetaryValue"):
                    errors.append(("120514", "Invoice line total is required"))
            if not _text(_get(shipment, "ShipTo", "AttentionName")):
                errors.append(("120217", "Ship To attention name is required"))
        forms = _get(shipment, "ShipmentServiceOptions", "InternationalForms")
        if forms is not None:
            self._validate_forms(forms, errors)
            types = {_text(t) for t in _list(_get(forms, "FormType"))}
            if shipment.get("ReturnService") is not None and types - {"05", "10"}:
                # Shipping.yaml FormType: with a return service only 05 or 10
                errors.append(
                    (
                        "120609",
                        "For a shipment with a return service, the international "
                        "form type must be 05 or 10",
                    )
                )
            if {"01", "05"} <= types:
                errors.append(("120608", "Form types 01 and 05 are exclusive"))
        return errors

    @staticmethod
    def _validate_return(shipment, origin, errors):
        """Shipment.ReturnService (Shipping.yaml): a return shipment.

        The simulator prints only UPS Print Return Label (9); a package
        Description (1-35) is required for a shipment with a return
        service; US/PR-origin returns carry one package. Codes illustrative.
        """
        code = _text(_get(shipment, "ReturnService", "Code"))
        if code not in RETURN_SERVICES:
            errors.append(("120540", "Missing or invalid return service code"))
        elif code not in ("9",):
            errors.append(
                (
                    "120541",
                    f"Return service {code} ({RETURN_SERVICES[code]}) is not "
                    "offered by the simulator",
                )
            )
        if not isinstance(shipment.get("ShipFrom"), dict):
            errors.append(("120542", "A return shipment needs a ship from address"))
        packages = _list(shipment.get("Package"))
        for index, package in enumerate(packages, 1):
            package = package if isinstance(package, dict) else {}
            description = _text(package.get("Description"))
            if not description:
                errors.append(
                    (
                        "120543",
                        f"Package {index}: a merchandise description is required "
                        "for a shipment with a return service",
                    )
                )
            elif len(description) > 35:
                errors.append(
                    ("120544", f"Package {index}: description longer than 35")
                )
        if origin in ("US", "PR") and len(packages) > 1:
            errors.append(
                ("120545", "A return from the US or Puerto Rico has one package")
            )
        elif len(packages) > 20:
            errors.append(("120546", "A return shipment has at most 20 packages"))

    @staticmethod
    def _validate_forms(forms, errors):
        """Shipping.yaml's required fields of an invoice (FormType 01).

        Codes illustrative (UPS's error list was not consulted).
        """
        if not isinstance(forms, dict):
            errors.append(("120600", "Invalid InternationalForms"))
            return
        types = [_text(t) for t in _list(forms.get("FormType"))]
        if not types:
            errors.append(("120601", "International form type is required"))
        products = [p for p in _list(forms.get("Product")) if isinstance(p, dict)]
        if not products:
            errors.append(("120602", "At least one product is required"))
        if not {"01", "05"} & set(types):  # invoice / partial invoice
            return
        for key, code, what in (
            ("InvoiceNumber", "120603", "Invoice number"),
            ("InvoiceDate", "120604", "Invoice date"),
            ("ReasonForExport", "120605", "Reason for export"),
            ("CurrencyCode", "120606", "Invoice currency code"),
        ):
            if not _text(forms.get(key)):
                errors.append((code, f"{what} is required for an invoice"))
        if _text(forms.get("InvoiceDate")) and not re.fullmatch(
            r"\d{8}", _text(forms.get("InvoiceDate"))
        ):
            errors.append(("120604", "Invoice date must be yyyyMMdd"))
        if not isinstance(_get(forms, "Contacts", "SoldTo"), dict):
            errors.append(("120607", "Sold to contact is required for an invoice"))
        for index, product in enumerate(products, start=1):
            if not any(_text(d) for d in _list(product.get("Description"))):
                errors.append(("120610", f"Product {index}: description is required"))
            number = _text(_get(product, "Unit", "Number"))
            if not re.fullmatch(r"[0-9]+", number) or int(number) <= 0:
                errors.append(
                    ("120611", f"Product {index}: a whole quantity is required")
                )
            try:
                value = float(_text(_get(product, "Unit", "Value")) or 0)
            except ValueError:
                value = 0
            if value <= 0:
                errors.append(
                    ("120612", f"Product {index}: a unit value above zero is required")
                )
            if not _text(_get(product, "Unit", "UnitOfMeasurement", "Code")):
                errors.append(("120613", f"Product {index}: unit of measure required"))
            if not _text(product.get("PartNumber")):
                errors.append(("120614", f"Product {index}: part number is required"))

    # -- shipping ---------------------------------------------------------------
    def _money(self, amount, currency):
        return {"CurrencyCode": currency, "MonetaryValue": f"{amount:.2f}"}

    def _shop(self, shipment, *, only=None):
        """[(code, amount, currency, kg)] for a Ship/Rate shipment dict."""
        shipper = _text(_get(shipment, "Shipper", "Address", "CountryCode")).upper()
        # the lane starts where the parcel leaves: ShipFrom (a return's customer)
        origin = (
            _text(_get(shipment, "ShipFrom", "Address", "CountryCode")).upper()
            or shipper
        )
        dest = _text(_get(shipment, "ShipTo", "Address", "CountryCode")).upper()
        kilos = 0.0
        for package in _list(shipment.get("Package")):
            unit = _text(_get(package, "PackageWeight", "UnitOfMeasurement", "Code"))
            try:
                weight = float(_get(package, "PackageWeight", "Weight") or 0)
            except (TypeError, ValueError):
                weight = 0.0
            kilos += weight * (KG_PER_LB if unit == "LBS" else 1.0)
        currency = CURRENCIES.get(shipper, "EUR")
        quotes = []
        for code, (_name, base, per_kg, _days) in sorted(SERVICES.items()):
            if only and code != only:
                continue
            errors = []
            self._lane_errors(code, origin, dest, errors)
            if errors:
                continue
            amount = base + per_kg * kilos
            if origin != dest:
                amount *= 1.6
            quotes.append((code, round(amount, 2), currency, kilos))
        return quotes

    def _next_numbers(self, shipper, service, count):
        with self._lock:
            numbers = []
            for _ in range(count):
                self._serial += 1
                numbers.append(tracking_number(shipper, service, self._serial))
            return numbers

    def _op_ship(self, body, arg, **_):
        if arg not in SHIP_VERSIONS:
            return ups_errors(400, ("120003", f"Invalid API version {arg}"))
        request = (
            (body or {}).get("ShipmentRequest") if isinstance(body, dict) else None
        )
        errors = self._validate_ship(request)
        if errors:
            return ups_errors(400, *errors)
        shipment = request["Shipment"]
        service = _text(_get(shipment, "Service", "Code"))
        quote = self._shop(shipment, only=service)[0]
        packages = _list(shipment["Package"])
        numbers = self._next_numbers(
            _get(shipment, "Shipper", "ShipperNumber"), service, len(packages)
        )
        fmt = _text(_get(request, "LabelSpecification", "LabelImageFormat", "Code"))
        fmt = fmt.upper()
        negotiated = "NegotiatedRatesIndicator" in (
            shipment.get("ShipmentRatingOptions") or {}
        )
        sid = numbers[0]
        context = _text(
            _get(request, "Request", "TransactionReference", "CustomerContext")
        )
        record = {
            "shipment_id": sid,
            "reference": context,
            "service": service,
            "status": "label_created",
            "idempotency_key": "",
            "created_at": base_sim._now_iso(),
            "tracking_numbers": numbers,
            "request": request,
            "labels": [],
            "charges": {"amount": f"{quote[1]:.2f}", "currency": quote[2]},
            "negotiated": negotiated,
            "return_service": _text(_get(shipment, "ReturnService", "Code")),
            "packages": dict.fromkeys(numbers, "label_created"),
            "next_advance_at": (
                time.time() + float(self.auto_advance) if self.auto_advance else None
            ),
        }
        ship_to = _get(shipment, "ShipTo", "Address") or {}
        for index, number in enumerate(numbers, 1):
            lines = [
                "UPS SIMULATOR - NOT A REAL LABEL",
                f"{SERVICES[service][0]}  {index} OF {len(numbers)}",
                *(["UPS PRINT RETURN LABEL"] if record["return_service"] else []),
                _text(_get(shipment, "ShipTo", "Name")),
                " ".join(_text(line) for line in _list(ship_to.get("AddressLine"))),
                f"{_text(ship_to.get('City'))} {_text(ship_to.get('PostalCode'))}",
                _text(ship_to.get("CountryCode")),
                f"TRACKING #: {number}",
            ]
            label = build_label(fmt, lines, number)
            record["labels"].append(
                {
                    "tracking_number": number,
                    "format": fmt,
                    "content_b64": base64.b64encode(label).decode("ascii"),
                }
            )
        with self._lock:
            self._shipments[sid] = record
            for number in numbers:
                self._by_tracking[number] = sid
                self._events[number] = [self._activity("label_created")]
        return base_sim._Reply(200, self._ship_response(record, context))

    def _maybe_single(self, items):
        return items[0] if self.single_objects and len(items) == 1 else items

    def _ship_response(self, record, context):
        amount = float(record["charges"]["amount"])
        currency = record["charges"]["currency"]
        count = len(record["tracking_numbers"])
        results = []
        for label in record["labels"]:
            item = {
                "TrackingNumber": label["tracking_number"],
                "ServiceOptionsCharges": self._money(0, currency),
                "ShippingLabel": {
                    "ImageFormat": {
                        "Code": label["format"],
                        "Description": label["format"],
                    },
                    "GraphicImage": label["content_b64"],
                },
                "ItemizedCharges": self._maybe_single(
                    [
                        {
                            "Code": "375",
                            "CurrencyCode": currency,
                            "MonetaryValue": f"{amount * 0.1 / count:.2f}",
                        }
                    ]
                ),
            }
            if label["format"] in ("GIF", "PNG"):
                item["ShippingLabel"]["HTMLImage"] = base64.b64encode(
                    f"<html><body><img src='label{label['tracking_number']}.gif'>"
                    "</body></html>".encode()
                ).decode("ascii")
            results.append(item)
        shipment_results = {
            "ShipmentCharges": {
                "TransportationCharges": self._money(amount, currency),
                "ServiceOptionsCharges": self._money(0, currency),
                "TotalCharges": self._money(amount, currency),
            },
            "BillingWeight": {
                "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
                "Weight": f"{max(1.0, round(amount)):.1f}",
            },
            "ShipmentIdentificationNumber": record["shipment_id"],
            "PackageResults": self._maybe_single(results),
        }
        if record["negotiated"]:
            shipment_results["NegotiatedRateCharges"] = {
                "TotalCharge": self._money(amount * NEGOTIATED_FACTOR, currency)
            }
        return {
            "ShipmentResponse": {
                "Response": {
                    "ResponseStatus": {"Code": "1", "Description": "Success"},
                    "TransactionReference": {"CustomerContext": context},
                },
                "ShipmentResults": shipment_results,
            }
        }

    def _op_void(self, query, arg, **_):
        version, sid = arg
        if version not in SHIP_VERSIONS:
            return ups_errors(400, ("120003", f"Invalid API version {version}"))
        requested = []
        for value in query.get("trackingnumber") or []:
            value = value.strip()
            if value.startswith("["):
                try:
                    requested += [str(n) for n in json.loads(value)]
                except ValueError:
                    return ups_errors(400, ("190001", "Invalid trackingnumber"))
            elif value:
                requested.append(value)
        with self._lock:
            record = self._shipments.get(sid)
            if record is None:
                # code illustrative
                return ups_errors(
                    400, ("190101", "No shipment found within the allowed void period")
                )
            if len(requested) > 20:
                return ups_errors(400, ("190002", "At most 20 tracking numbers"))
            if not requested:
                states = set(record["packages"].values())
                if states - {"label_created", "cancelled"}:
                    return ups_errors(  # code illustrative
                        400,
                        (
                            "190117",
                            "The shipment has been picked up and cannot be voided",
                        ),
                    )
                self._void_packages(record, record["tracking_numbers"])
                summary = {"Code": "1", "Description": "Voided"}
                package_results = None
            else:
                package_results = []
                for number in requested:
                    state = record["packages"].get(number)
                    ok = state in ("label_created", "cancelled")
                    if ok:
                        self._void_packages(record, [number])
                    package_results.append(
                        {
                            "TrackingNumber": number,
                            "Status": {
                                "Code": "1" if ok else "0",
                                "Description": "Voided" if ok else "Not Voided",
                            },
                        }
                    )
                voided = [p for p in package_results if p["Status"]["Code"] == "1"]
                summary = {
                    "Code": "1" if voided else "0",
                    "Description": "Voided"
                    if len(voided) == len(package_results)
                    else ("Partially Voided" if voided else "Not Voided"),
                }
        response = {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "SummaryResult": {"Status": summary},
        }
        if package_results is not None:
            response["PackageLevelResults"] = self._maybe_single(package_results)
        return base_sim._Reply(200, {"VoidShipmentResponse": response})

    def _void_packages(self, record, numbers):
        for number in numbers:
            if record["packages"].get(number) == "label_created":
                record["packages"][number] = "cancelled"
                self._events[number].append(self._activity("cancelled"))
        if all(s == "cancelled" for s in record["packages"].values()):
            record["status"] = "cancelled"
            record["next_advance_at"] = None

    def _op_label(self, body, arg, **_):
        request = _get(body, "LabelRecoveryRequest") or {}
        number = _text(request.get("TrackingNumber"))
        with self._lock:
            sid = self._by_tracking.get(number)
            record = self._shipments.get(sid) if sid else None
        if arg not in ("v1", "v2") or record is None:
            # code illustrative
            return ups_errors(400, ("190300", f"No label found for {number}"))
        results = [
            {
                "TrackingNumber": label["tracking_number"],
                "LabelImage": {
                    "LabelImageFormat": {"Code": label["format"]},
                    "GraphicImage": label["content_b64"],
                },
            }
            for label in record["labels"]
        ]
        return base_sim._Reply(
            200,
            {
                "LabelRecoveryResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"}
                    },
                    "ShipmentIdentificationNumber": record["shipment_id"],
                    "LabelResults": self._maybe_single(results),
                }
            },
        )

    # -- rating -----------------------------------------------------------------
    def _op_rate(self, body, arg, **_):
        version, option = arg
        if version not in RATE_VERSIONS or option not in (
            "Rate",
            "Shop",
            "Ratetimeintransit",
            "Shoptimeintransit",
        ):
            return ups_errors(400, ("111001", f"Invalid request {version}/{option}"))
        shipment = _get(body, "RateRequest", "Shipment")
        if not isinstance(shipment, dict):
            return ups_errors(400, ("111002", "Missing or invalid RateRequest"))
        errors = []
        for key, label in (("Shipper", "shipper"), ("ShipTo", "ship to")):
            address = _get(shipment, key, "Address") or {}
            if not re.fullmatch(r"[A-Z]{2}", _text(address.get("CountryCode"))):
                errors.append(("111035", f"Missing or invalid {label} country code"))
            if (
                not _text(address.get("PostalCode"))
                and _text(address.get("CountryCode")) not in NO_POSTAL_CODE
            ):
                errors.append(("111036", f"Missing {label} postal code"))
        self._validate_packages(_list(shipment.get("Package")), errors, rating=True)
        service = _text(_get(shipment, "Service", "Code"))
        if option.startswith("Rate") and not service:
            errors.append(("111100", "Missing service code for a Rate request"))
        in_transit = option.endswith("timeintransit")
        timing = shipment.get("DeliveryTimeInformation")
        if in_transit and not _text(_get(timing, "PackageBillType")):
            # Rating.yaml: required for a time in transit request (code
            # illustrative)
            errors.append(("111620", "Missing package bill type for time in transit"))
        if errors:
            return ups_errors(400, *errors)
        quotes = self._shop(
            shipment, only=service if option.startswith("Rate") else None
        )
        if not quotes:
            return ups_errors(
                400,
                (
                    "111210",
                    "The requested service is unavailable between the selected "
                    "locations.",
                ),
            )
        negotiated = "NegotiatedRatesIndicator" in (
            shipment.get("ShipmentRatingOptions") or {}
        )
        alert = {
            "Code": "110971",
            "Description": "Your invoice may vary from the displayed reference rates",
        }
        rated = []
        for code, amount, currency, kilos in quotes:
            item = {
                "Service": {"Code": code, "Description": ""},
                "RatedShipmentAlert": [alert],
                "BillingWeight": {
                    "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
                    "Weight": f"{max(0.5, kilos):.1f}",
                },
                "TransportationCharges": self._money(amount, currency),
                "ServiceOptionsCharges": self._money(0, currency),
                "TotalCharges": self._money(amount, currency),
            }
            days = SERVICES[code][3]
            if days:
                item["GuaranteedDelivery"] = {"BusinessDaysInTransit": str(days)}
            if in_transit:
                item["TimeInTransit"] = self._time_in_transit(
                    code, days or TRANSIT_DAYS.get(code, 5), timing
                )
            if negotiated:
                item["NegotiatedRateCharges"] = {
                    "TotalCharge": self._money(amount * NEGOTIATED_FACTOR, currency)
                }
            rated.append(item)
        return base_sim._Reply(
            200,
            {
                "RateResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "Alert": [alert],
                    },
                    "RatedShipment": self._maybe_single(rated),
                }
            },
        )

    @staticmethod
    def _time_in_transit(code, days, timing):
        """RatedShipment.TimeInTransit: pickup date, business days, arrival."""
        pickup = _text(_get(timing, "Pickup", "Date"))
        try:
            start = datetime.strptime(pickup, "%Y%m%d").date()
        except ValueError:
            start = datetime.now(timezone.utc).date()
        arrival, left = start, days
        while left:
            arrival += timedelta(days=1)
            if arrival.weekday() < 5:
                left -= 1
        return {
            "PickupDate": start.strftime("%Y%m%d"),
            "PackageBillType": _text(_get(timing, "PackageBillType")),
            "Disclaimer": "Simulated time in transit",
            "ServiceSummary": {
                "Service": {"Description": SERVICES[code][0]},
                "EstimatedArrival": {
                    "Arrival": {"Date": arrival.strftime("%Y%m%d"), "Time": "230000"},
                    "BusinessDaysInTransit": str(days),
                    "Pickup": {"Date": start.strftime("%Y%m%d"), "Time": "170000"},
                    "DayOfWeek": arrival.strftime("%a").upper(),
                    "TotalTransitDays": str((arrival - start).days),
                },
                "SaturdayDelivery": "0",
            },
        }

    # -- address validation -----------------------------------------------------
    def _op_xav(self, body, arg, **_):
        version, option = arg
        if version != "v2" or option not in ("1", "2", "3"):
            return ups_errors(400, ("264001", f"Invalid request {version}/{option}"))
        key = _get(body, "XAVRequest", "AddressKeyFormat")
        if not isinstance(key, dict):
            return ups_errors(400, ("264003", "Missing AddressKeyFormat"))
        country = _text(key.get("CountryCode")).upper()
        if country not in ("US", "PR"):
            # code illustrative
            return ups_errors(400, ("264002", "Country Code is invalid or missing"))
        lines = [_text(line).upper() for line in _list(key.get("AddressLine"))]
        city = _text(key.get("PoliticalDivision2")).upper()
        state = _text(key.get("PoliticalDivision1")).upper()
        postal = _text(key.get("PostcodePrimaryLow"))
        root = {"Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}}
        street = " ".join(lines)
        if not any(lines) or "NOWHERE" in street:
            root["NoCandidatesIndicator"] = ""
            return base_sim._Reply(200, {"XAVResponse": root})
        extended = f"{sum(map(ord, street)) % 10000:04d}"

        def candidate(zip5, town):
            return {
                "AddressKeyFormat": {
                    "AddressLine": [line for line in lines if line],
                    "PoliticalDivision2": town,
                    "PoliticalDivision1": state or "GA",
                    "PostcodePrimaryLow": zip5,
                    "PostcodeExtendedLow": extended,
                    "Region": f"{town} {state or 'GA'} {zip5}-{extended}",
                    "CountryCode": country,
                }
            }

        if re.fullmatch(r"\d{5}", postal) and city and state:
            root["ValidAddressIndicator"] = ""
            candidates = [candidate(postal, city)]
        else:
            root["AmbiguousAddressIndicator"] = ""
            town = city or "ATLANTA"
            candidates = [candidate("30328", town), candidate("30339", town)]
        if option in ("2", "3"):
            name = _text(key.get("ConsigneeName")).upper()
            company = any(w in name for w in (" INC", " LLC", " LTD", " CORP", " CO"))
            root["AddressClassification"] = {
                "Code": "1" if company else "2",
                "Description": "Commercial" if company else "Residential",
            }
        root["Candidate"] = self._maybe_single(candidates)
        return base_sim._Reply(200, {"XAVResponse": root})

    # -- tracking -----------------------------------------------------------------
    def _activity(self, step, when=None):
        type_, code, status_code, description = STEPS[step]
        when = when or datetime.now(timezone.utc)
        local = when + LOCAL_OFFSET
        city, state, postal = LOCATIONS.get(step, ("", "", ""))
        address = {"countryCode": "US", "country": "US"}
        if city:
            address.update(city=city, stateProvince=state, postalCode=postal)
        return {
            "location": {"address": address},
            "status": {
                "type": type_,
                "description": description,
                "code": code,
                "statusCode": status_code,
            },
            "date": local.strftime("%Y%m%d"),
            "time": local.strftime("%H%M%S"),
            "gmtDate": when.strftime("%Y%m%d"),
            # Track API (real answers): gmtTime "20:04:35", gmtOffset "-04:00"
            "gmtTime": when.strftime("%H:%M:%S"),
            "gmtOffset": "-04:00",
        }

    def _op_track(self, headers, arg, **_):
        missing = self._require_trans_headers(headers)
        if missing is not None:
            return missing
        number = arg.strip()
        if not INQUIRY_RE.fullmatch(number):
            return ups_errors(400, ("TV1002", "Invalid inquiry number"))
        with self._lock:
            activities = [dict(a) for a in reversed(self._events.get(number, []))]
        if not activities:
            if self.not_found_style == "200":
                warning = {
                    "code": "TW0001",
                    "message": "Tracking Information Not Found",
                }
                return base_sim._Reply(
                    200, {"trackResponse": {"shipment": [{"warnings": [warning]}]}}
                )
            return ups_errors(404, ("TW0001", "Tracking Information Not Found"))
        package = {
            "trackingNumber": number,
            "currentStatus": activities[0]["status"],
            "activity": activities,
            "packageCount": 1,
        }
        if activities[0]["status"]["type"] == "D":
            package["deliveryDate"] = [{"type": "DEL", "date": activities[0]["date"]}]
            package["deliveryInformation"] = {"receivedBy": "FRONT DOOR"}
        return base_sim._Reply(
            200,
            {
                "trackResponse": {
                    "shipment": [{"inquiryNumber": number, "package": [package]}]
                }
            },
        )

    # -- Track Alert --------------------------------------------------------------
    def _op_subscribe(self, headers, body, arg, **_):
        missing = self._require_trans_headers(headers)
        if missing is not None:
            return missing
        version, kind = arg
        if version == "v1" and kind != "standard":
            # UPSTrackAlert.yaml v1 has /subscription/standard/package only
            return ups_errors(404, ("VSS404", f"No resource {version}/{kind}"))
        if version not in ("v1", "v2") or kind not in ("standard", "enhanced"):
            return ups_errors(400, ("VSS001", f"Invalid request {version}/{kind}"))
        body = body if isinstance(body, dict) else {}
        numbers = body.get("trackingNumberList")
        if not _text(body.get("locale")) or not isinstance(numbers, list):
            return ups_errors(
                400, ("VSS002", "locale and trackingNumberList are required")
            )
        if len(numbers) > 100:
            return ups_errors(
                400, ("VSS220", "More than 100 tracking numbers in the request")
            )
        destination = body.get("destination") or {}
        if version == "v1" and not (
            destination.get("url") and destination.get("credential")
        ):
            return ups_errors(
                400, ("VSS003", "destination url and credential are required")
            )
        valid = [str(n) for n in numbers if TRACKING_RE.fullmatch(str(n))]
        invalid = [str(n) for n in numbers if not TRACKING_RE.fullmatch(str(n))]
        expires = time.time() + 14 * 86400
        with self._lock:
            for number in valid:
                self._subscriptions[number] = {
                    "version": version,
                    "type": kind,
                    "url": destination.get("url"),
                    "credential": destination.get("credential"),
                    "expires_at": expires,
                }
        payload = {"validTrackingNumbers": valid, "invalidTrackingNumbers": invalid}
        if not valid:
            return ups_errors(
                400, ("VSS100", "No valid tracking number in the request"), **payload
            )
        return base_sim._Reply(200, payload)

    def _op_subscribe_account(self, headers, body, arg, **_):
        """Every package of the account is pushed (to ``webhook_url``)."""
        missing = self._require_trans_headers(headers)
        if missing is not None:
            return missing
        number = _text((body or {}).get("shipperAccountNumber"))
        if arg != "v2" or not re.fullmatch(r"[0-9A-Z]{6}", number.upper()):
            return ups_errors(400, ("VSS010", "Invalid shipperAccountNumber"))
        with self._lock:
            self.account_subscription = True
        return base_sim._Reply(200, {"expiryDate": "9999-12-31"})

    @property
    def subscriptions(self):
        with self._lock:
            return {n: dict(s) for n, s in self._subscriptions.items()}

    # -- progression and pushes -----------------------------------------------------
    def advance(
        self,
        number,
        status,
        *,
        description=None,
        location="",
        occurred_at=None,
        push=None,
    ):
        """Add a tracking activity to a shipment (id) or one package (number).

        ``status`` is a canonical step name (``STEPS``). Subscribed numbers
        (or all, with an account subscription) are pushed (Track Alert)
        unless ``push`` is False; ``push=True`` pushes to the configured
        ``webhook_url`` even without a subscription.
        Returns the new activities.
        """
        if status not in STEPS:
            raise ValueError(f"unknown status {status!r}; use one of {sorted(STEPS)}")
        when = occurred_at
        if isinstance(when, str):
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        with self._lock:
            if number in self._shipments:
                record = self._shipments[number]
                numbers = list(record["tracking_numbers"])
            elif number in self._events:
                record = self._shipments.get(self._by_tracking.get(number))
                numbers = [number]
            else:
                raise KeyError(f"unknown shipment or tracking number {number!r}")
            activities = []
            for tn in numbers:
                activity = self._activity(status, when)
                if description:
                    activity["status"]["description"] = description
                if location:
                    activity["location"]["address"]["city"] = location
                self._events[tn].append(activity)
                activities.append((tn, activity))
                if record is not None and status in STATUS_AFTER:
                    record["packages"][tn] = STATUS_AFTER[status]
            if record is not None and status in STATUS_AFTER:
                record["status"] = STATUS_AFTER[status]
                record["next_advance_at"] = None
                if self.auto_advance and record["status"] in base_sim.PROGRESS[:-1]:
                    record["next_advance_at"] = time.time() + float(self.auto_advance)
        if push is not False:
            for tn, activity in activities:
                self._push_activity(tn, activity, force=bool(push))
        return [activity for _tn, activity in activities]

    def _push_activity(self, number, activity, force=False):
        with self._lock:
            subscription = self._subscriptions.get(number)
            if subscription and subscription["expires_at"] < time.time():
                subscription = None
        payload = track_alert_payload(number, activity, delivered_to="FRONT DOOR")
        if subscription and subscription.get("url"):
            return self.push_track_alert(
                subscription["url"], subscription["credential"], payload, style="v1"
            )
        wanted = subscription or force or self.account_subscription
        if wanted and self.webhook_url and self.webhook_secret:
            if self.webhook_style != "v2":
                return self.push_track_alert(
                    self.webhook_url, self.webhook_secret, payload, style="v1"
                )
            try:
                token = self.push_token()
            except ValueError as err:  # recorded like a refused push
                return self._record_push(
                    self.webhook_url, 0, f"no token: {err}", payload, "v2"
                )
            return self.push_track_alert(self.webhook_url, token, payload, style="v2")
        return None

    def push_token(self, force=False):
        """A bearer token from the receiver's token URL (cached until it
        is about to expire), as UPS obtains one for Track Alert v2."""
        with self._lock:
            cached = self._push_token
            url = self.webhook_token_url or push_token_url(self.webhook_url)
            client_id, secret = self.webhook_client_id, self.webhook_secret
        if cached and not force and cached[1] > time.time() + 30:
            return cached[0]
        if not url:
            raise ValueError("no token URL for the webhook URL")
        token, expires_in = fetch_push_token(url, client_id, secret)
        with self._lock:
            self._push_token = (token, time.time() + expires_in)
        return token

    def push_track_alert(self, url, credential, payload, *, style="v1"):
        """Push ``payload`` as UPS would; recorded in ``pushes``.

        ``style="v2"``: ``credential`` is the bearer token (:meth:`push_token`).
        """
        status, text = push_track_alert(
            url, credential, payload, style=style, client_id=self.webhook_client_id
        )
        return self._record_push(url, status, text, payload, style)

    def _record_push(self, url, status, text, payload, style):
        with self._lock:
            self.pushes.append(
                {
                    "url": url,
                    "status": status,
                    "response": text[:500],
                    "payload": payload,
                    "style": style,
                }
            )
            del self.pushes[:-1000]
        return status, text

    def _public(self, shipment):
        public = super()._public(shipment)
        public["packages"] = dict(shipment.get("packages") or {})
        public["negotiated"] = shipment.get("negotiated", False)
        public["return_service"] = shipment.get("return_service", "")
        return public


def main(argv=None):
    parser = base_sim.simulator_arg_parser("UPS contract simulator", 8074, 14399)
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
        credentials=base_sim.parse_pairs(args.credentials),
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
    return base_sim.serve_until_stopped(server, "UPS simulator")


if __name__ == "__main__":
    sys.exit(main())
