#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generic carrier simulator: a small, fast, fault-injectable carrier API.

Standard library only, so it runs anywhere as a script::

    python logistics_connector_base/simulator/server.py --port 8071

or in-process (tests, benchmarks)::

    sim = SimulatorServer().start()
    ... sim.url ...
    sim.stop()

API (JSON): ``POST /oauth/token``, ``POST/GET /v1/shipments``,
``GET /v1/shipments/<id>[/label]``, ``DELETE /v1/shipments/<id>``,
``POST /v1/rates``, ``GET /v1/tracking``, ``POST /v1/addresses/validate``,
``GET /track/<number>`` (HTML) and the control endpoints under ``/_sim/``.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import uuid
import zlib
from collections import Counter, deque
from datetime import datetime, timedelta, timezone
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, unquote, urlsplit
from urllib.request import Request, urlopen


def import_contracts():
    """``tests/contracts/contracts.py`` of the checkout (the carriers'
    published schemas, for the UPS and DHL simulators), or None when the
    folder or ``jsonschema`` is missing (the simulators then say so)."""
    root = os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )
    path = os.path.join(root, "tests", "contracts", "contracts.py")
    if not os.path.isfile(path):
        return None
    name = "logistics_carrier_contracts"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return module if module.available() else None


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
FAULT_ACTIONS = (None, "reset", "reset_after", "timeout")
LABEL_FORMATS = ("PDF", "ZPL", "PNG")
MAX_BODY = 2 * 1024 * 1024
MAX_PARCEL_KG = 70.0
DEFAULT_SERVICES = {
    "SIM_STD": {"name": "Simulator Standard", "base": 5.90, "per_kg": 0.80, "days": 3},
    "SIM_EXP": {"name": "Simulator Express", "base": 12.50, "per_kg": 1.50, "days": 1},
    "SIM_ECO": {"name": "Simulator Economy", "base": 4.20, "per_kg": 0.50, "days": 5},
}
DEFAULT_UNSERVED_COUNTRIES = frozenset({"AQ", "KP"})
REQUIRED_ADDRESS = {
    "street": "street",
    "city": "city",
    "zip": "postal code",
    "country_code": "country",
}
REQUIRED_FOR_RATES = {"zip": "postal code", "country_code": "country"}
# Order in which auto-advance moves a shipment on; also the progress rank.
PROGRESS = ("label_created", "picked_up", "in_transit", "out_for_delivery", "delivered")
DESCRIPTIONS = {
    "label_created": "Shipment information received",
    "pickup_scheduled": "Pickup scheduled",
    "picked_up": "Picked up by the carrier",
    "in_transit": "In transit",
    "arrived_at_facility": "Arrived at the sorting facility",
    "departed_facility": "Departed the sorting facility",
    "customs_hold": "Held by customs",
    "customs_cleared": "Cleared by customs",
    "delayed": "Delayed",
    "out_for_delivery": "Out for delivery",
    "delivery_attempted": "Delivery attempted, recipient not at home",
    "available_for_pickup": "Available for pickup at the parcel shop",
    "delivered": "Delivered",
    "returned_to_sender": "Returned to sender",
    "address_issue": "Address could not be found",
    "damaged": "Parcel damaged",
    "lost": "Parcel lost",
    "cancelled": "Shipment cancelled",
}
LOCATIONS = {
    "picked_up": "Origin depot",
    "in_transit": "Hub",
    "out_for_delivery": "Destination depot",
    "delivered": "Destination",
}

# Demo storylines (--storylines): shipments take these paths in turn, one step
# per auto-advance period. A step is (status, seconds to backdate its event).
STORYLINES = (
    # the plain journey
    tuple((status, 0) for status in PROGRESS[1:]),
    # out of order: "in transit" arrives before the older "picked up" scan
    (
        ("in_transit", 0),
        ("picked_up", 3600),
        ("out_for_delivery", 0),
        ("delivered", 0),
    ),
    # a delivery exception that waits for somebody to act
    (
        ("picked_up", 0),
        ("in_transit", 0),
        ("out_for_delivery", 0),
        ("address_issue", 0),
    ),
)


def _now_iso(backdate=0):
    moment = datetime.now(timezone.utc) - timedelta(seconds=backdate)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- webhooks ---------------------------------------------------------------
def sign_webhook(secret, body, timestamp=None):
    """Value of ``X-Sim-Signature`` for ``body``: ``t=<unix>,v1=<hex>``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    ts = int(time.time() if timestamp is None else timestamp)
    mac = hmac.new(secret.encode("utf-8"), f"{ts}.".encode() + body, hashlib.sha256)
    return f"t={ts},v1={mac.hexdigest()}"


def make_event(tracking_number, status, *, description=None, location="", **extra):
    """A webhook/tracking event dict with defaults filled in."""
    return {
        "event_id": extra.get("event_id") or uuid.uuid4().hex,
        "tracking_number": tracking_number,
        "status": status,
        "description": description or DESCRIPTIONS.get(status, status),
        "occurred_at": extra.get("occurred_at") or _now_iso(),
        "location": location or "",
    }


def webhook_body(events, message_id=None):
    """JSON bytes of a webhook delivery carrying ``events``."""
    events = [
        make_event(e["tracking_number"], e.get("status", "info"), **_event_kwargs(e))
        for e in events
    ]
    payload = {"message_id": message_id or uuid.uuid4().hex, "events": events}
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def _event_kwargs(event):
    return {
        k: event[k]
        for k in ("description", "location", "event_id", "occurred_at")
        if event.get(k)
    }


def post_webhook(url, body, headers, *, timeout=10.0):
    """POST ``body`` to ``url``; ``(status_code, response_text)``, 0 if unreachable."""
    req = Request(url, data=body, method="POST", headers=headers)
    try:
        with urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (URLError, OSError) as exc:
        return 0, str(exc)


def push_events(webhook_url, secret, events, *, timeout=10.0, message_id=None):
    """POST a signed webhook with ``events`` to ``webhook_url``.

    Returns ``(status_code, response_text)``; status 0 when unreachable.
    """
    body = webhook_body(events, message_id=message_id)
    headers = {
        "Content-Type": "application/json",
        "X-Sim-Signature": sign_webhook(secret, body),
        "User-Agent": "CarrierSimulator/1.0",
    }
    return post_webhook(webhook_url, body, headers, timeout=timeout)


# -- labels -----------------------------------------------------------------
def _pdf_text(text):
    text = str(text).encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _bars(code):
    """Widths of a fake barcode (alternating bar/space) derived from ``code``."""
    widths = []
    for char in code:
        value = ord(char)
        widths.extend(1 + ((value >> shift) & 1) * 2 for shift in range(4))
    return widths


def build_pdf_label(lines, barcode=""):
    """A valid one-page 4x6 inch PDF with ``lines`` of text and fake bars."""
    width, height = 288, 432
    ops = ["BT", "/F1 16 Tf", f"20 {height - 40} Td", "20 TL"]
    for index, line in enumerate(lines):
        if index == 1:
            ops.append("/F1 11 Tf 15 TL")
        ops.append(f"({_pdf_text(line)}) Tj T*")
    ops.append("ET")
    x = 20.0
    for index, bar in enumerate(_bars(barcode)):
        if index % 2 == 0:
            ops.append(f"{x:.1f} 60 {bar * 1.2:.1f} 70 re f")
        x += bar * 1.2
        if x > width - 20:
            break
    if barcode:
        ops.append(f"BT /F1 10 Tf 20 45 Td ({_pdf_text(barcode)}) Tj ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def build_zpl_label(lines, barcode=""):
    """ZPL II text for a 4x6 inch label."""

    def field(text):
        return str(text).replace("^", " ").replace("~", " ")

    out = ["^XA", "^CI28", "^CF0,40"]
    y = 40
    for index, line in enumerate(lines):
        out.append(f"^FO40,{y}^FD{field(line)}^FS")
        if index == 0:
            out.append("^CF0,28")
        y += 50 if index == 0 else 36
    if barcode:
        out.append(f"^FO40,{max(y + 40, 600)}^BY3^BCN,200,Y,N,N^FD{field(barcode)}^FS")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def build_png_label(barcode=""):
    """A small valid grayscale PNG showing fake bars."""
    width, height = 240, 100
    columns = bytearray(b"\xff" * width)
    x = 10
    for index, bar in enumerate(_bars(barcode)):
        for _ in range(bar * 2):
            if x >= width - 10:
                break
            if index % 2 == 0:
                columns[x] = 0
            x += 1
    raw = b"".join(b"\x00" + bytes(columns) for _ in range(height))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def build_label(label_format, shipment, tracking_number, index, count):
    recipient = shipment["request"].get("recipient") or {}
    lines = [
        "SIMULATOR - NOT A REAL LABEL",
        *(["RETURN LABEL"] if shipment.get("return") else []),
        f"Service: {shipment['service']}",
        f"Ref: {shipment['reference']}",
        f"Parcel {index} of {count}",
        str(recipient.get("name") or ""),
        str(recipient.get("street") or ""),
        f"{recipient.get('zip') or ''} {recipient.get('city') or ''}",
        str(recipient.get("country_code") or ""),
        f"Tracking: {tracking_number}",
    ]
    if label_format == "ZPL":
        return build_zpl_label(lines, tracking_number)
    if label_format == "PNG":
        return build_png_label(tracking_number)
    return build_pdf_label(lines, tracking_number)


# -- HTTP plumbing -----------------------------------------------------------
class _Reply:
    __slots__ = ("status", "payload", "headers", "content_type")

    def __init__(self, status, payload=None, headers=None, content_type=None):
        self.status = status
        self.payload = payload
        self.headers = headers or {}
        self.content_type = content_type


def _errors(status, *errors):
    return _Reply(
        status,
        {"errors": [{"field": f, "code": c, "message": m} for f, c, m in errors]},
    )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, handler, sim):
        self.sim = sim
        super().__init__(address, handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS look-up: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # client went away, reset by a fault, ...
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CarrierSimulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this

    def setup(self):
        res = super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.sim._track_connection(self.connection, True)
        return res

    def finish(self):
        try:
            return super().finish()
        finally:
            self.server.sim._track_connection(self.connection, False)

    def log_message(self, format, *args):
        if self.server.sim.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def _dispatch(self):
        sim = self.server.sim
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(_Reply(413, {"error": "payload_too_large"}))
            return
        raw = self.rfile.read(length) if length else b""
        try:
            reply = sim._handle(self, raw)
        except Exception as exc:  # never leave a client hanging
            reply = _Reply(500, {"error": "internal_error", "message": str(exc)})
        if reply is not None:
            self._send(reply)

    def _send(self, reply):
        payload = reply.payload
        ctype = reply.content_type
        if isinstance(payload, dict | list):
            body = json.dumps(payload).encode("utf-8")
            ctype = ctype or "application/json"
        elif isinstance(payload, str):
            body = payload.encode("utf-8")
            ctype = ctype or "text/plain; charset=utf-8"
        else:
            body = payload or b""
            ctype = ctype or "application/octet-stream"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, str(value))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def reset_connection(self):
        """Abort the TCP connection (RST) without answering."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        self.connection.close()


class _Fault:
    __slots__ = ("operation", "status", "body", "headers", "delay", "action", "times")

    def __init__(self, operation, *, status, body, headers, delay, action, times):
        self.operation = operation
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.delay = float(delay or 0.0)
        self.action = action
        self.times = times  # None = forever

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__slots__}


DEFAULT_FAULT_BODIES = {
    401: {"error": "token_expired"},
    403: {"error": "forbidden", "error_description": "Access denied (simulated)"},
    429: {"error": "rate_limited", "message": "Too many requests (simulated)"},
    500: {"error": "internal_error", "message": "Internal server error (simulated)"},
    502: {"error": "bad_gateway", "message": "Bad gateway (simulated)"},
    503: {"error": "service_unavailable", "message": "Service unavailable (simulated)"},
    504: {"error": "gateway_timeout", "message": "Gateway timeout (simulated)"},
}


# -- the simulator -----------------------------------------------------------
class SimulatorServer:
    """In-process carrier simulator; thread-safe, fault-injectable."""

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
        self.host = host
        self.port = port
        self.credentials = dict(credentials) if credentials else None
        self.token_ttl = token_ttl
        self.services = dict(services or DEFAULT_SERVICES)
        self.unserved_countries = frozenset(unserved_countries or ())
        self.currency = currency
        self.verbose = verbose
        self._defaults = {
            "storylines": storylines,
            "webhook_url": webhook_url,
            "webhook_secret": webhook_secret,
            "auto_advance": auto_advance,
        }
        self._max_requests = max_requests
        self._lock = threading.RLock()
        self._connections = set()
        self._httpd = None
        self._thread = None
        self._advance_stop = threading.Event()
        self._advance_thread = None
        self._init_state()

    def _init_state(self):
        self._tokens = {}
        self._faults = []
        self._latency = 0.0
        self._requests = deque(maxlen=self._max_requests)
        self._counts = Counter()
        self._shipments = {}
        self._by_tracking = {}
        self._by_key = {}
        self._events = {}
        self.pushes = []  # results of webhook pushes: dicts
        self.webhook_url = self._defaults["webhook_url"]
        self.webhook_secret = self._defaults["webhook_secret"]
        self.auto_advance = self._defaults["auto_advance"]
        self.storylines = self._defaults["storylines"]
        self._stories_told = 0

    # -- life cycle --------------------------------------------------------
    def start(self):
        """Bind and serve in a background thread; returns ``self``."""
        self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"carrier-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._advance_stop.clear()
        self._advance_thread = threading.Thread(
            target=self._advance_loop, name="carrier-simulator-advance", daemon=True
        )
        self._advance_thread.start()
        return self

    def stop(self):
        """Stop serving and drop open keep-alive connections."""
        self._advance_stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            with self._lock:
                connections = list(self._connections)
            for conn in connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def _track_connection(self, conn, opened):
        with self._lock:
            if opened:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # -- fault injection and inspection ------------------------------------
    def add_fault(
        self,
        operation,
        status=503,
        *,
        body=None,
        headers=None,
        delay=0.0,
        action=None,
        times=1,
    ):
        """Make the next ``times`` calls of ``operation`` misbehave.

        ``status`` None answers normally (after ``delay``). ``action="reset"``
        aborts the connection without answering; ``action="reset_after"``
        handles the request (the work is done) and then aborts the connection
        without answering; ``action="timeout"`` handles
        the request normally but sleeps ``delay`` before answering (the work is
        done: a lost response). ``times=None`` keeps the fault forever.
        """
        if operation not in OPERATIONS:
            raise ValueError(
                f"unknown operation {operation!r}; use one of {OPERATIONS}"
            )
        if action not in FAULT_ACTIONS:
            raise ValueError(f"unknown action {action!r}; use one of {FAULT_ACTIONS}")
        if times is not None and int(times) < 1:
            raise ValueError("times must be >= 1 or None")
        fault = _Fault(
            operation,
            status=status,
            body=body,
            headers=headers,
            delay=delay,
            action=action,
            times=None if times is None else int(times),
        )
        with self._lock:
            self._faults.append(fault)
        return fault.to_dict()

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def set_latency(self, seconds):
        """Delay every API answer by ``seconds`` (0 to turn off)."""
        with self._lock:
            self._latency = max(0.0, float(seconds or 0.0))

    def expire_tokens(self):
        """Invalidate every issued token (next calls get 401)."""
        with self._lock:
            self._tokens.clear()

    def reset(self):
        """Forget shipments, tokens, faults, latency and recorded requests."""
        with self._lock:
            self._init_state()

    @property
    def requests(self):
        """Recorded API requests (newest last), as dicts."""
        with self._lock:
            return list(self._requests)

    def count(self, operation):
        """How many requests of ``operation`` were received."""
        with self._lock:
            return self._counts[operation]

    @property
    def shipments(self):
        """Snapshot ``{shipment_id: public shape}`` of stored shipments."""
        with self._lock:
            return {sid: self._public(s) for sid, s in self._shipments.items()}

    def configure(self, **values):
        """Change ``webhook_url``, ``webhook_secret``, ``auto_advance`` or
        ``storylines``."""
        with self._lock:
            for key, value in values.items():
                if key not in self._defaults:
                    raise ValueError(f"unknown setting {key!r}")
                setattr(self, key, value)

    def _take_fault(self, operation):
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- tracking progress ----------------------------------------------------
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
        """Add a tracking event to a shipment (id) or one parcel (number).

        Pushes it to the configured webhook unless ``push`` is False. Returns
        the new events.
        """
        with self._lock:
            if number in self._shipments:
                shipment = self._shipments[number]
                numbers = list(shipment["tracking_numbers"])
            elif number in self._by_tracking:
                shipment = self._shipments[self._by_tracking[number]]
                numbers = [number]
            else:
                raise KeyError(f"unknown shipment or tracking number {number!r}")
            events = [
                make_event(
                    tn,
                    status,
                    description=description,
                    location=location or LOCATIONS.get(status, ""),
                    occurred_at=occurred_at,
                )
                for tn in numbers
            ]
            for event in events:
                self._events[event["tracking_number"]].append(event)
            if status in PROGRESS or status in (
                "cancelled",
                "returned_to_sender",
                "lost",
            ):
                shipment["status"] = status
            shipment["next_advance_at"] = None
            if self.auto_advance and shipment["status"] in PROGRESS[:-1]:
                shipment["next_advance_at"] = time.time() + float(self.auto_advance)
            url, secret = self.webhook_url, self.webhook_secret
        if push is not False and url and secret:
            self._push(url, secret, events)
        return events

    def push_events(self, webhook_url, secret, events):
        """Push signed ``events`` to ``webhook_url``; returns (status, text)."""
        return self._push(webhook_url, secret, events)

    def _push(self, url, secret, events):
        status, text = push_events(url, secret, events)
        with self._lock:
            self.pushes.append(
                {"url": url, "status": status, "response": text[:500], "events": events}
            )
            del self.pushes[:-1000]
        return status, text

    def _next_storyline(self):
        if not self.storylines:
            return None
        with self._lock:
            plan = list(STORYLINES[self._stories_told % len(STORYLINES)])
            self._stories_told += 1
        return plan

    def _advance_loop(self):
        while not self._advance_stop.wait(0.2):
            if self.auto_advance:
                self._advance_due(time.time())

    def _advance_due(self, now):
        """Move every shipment whose auto-advance time has come one step on."""
        with self._lock:
            due = [
                sid
                for sid, s in self._shipments.items()
                if s.get("next_advance_at") and s["next_advance_at"] <= now
            ]
        for sid in due:
            with self._lock:
                shipment = self._shipments.get(sid)
                status = shipment and shipment["status"]
                if status not in PROGRESS[:-1]:
                    if shipment:
                        shipment["next_advance_at"] = None
                    continue
            try:
                plan = shipment.get("plan")
                if plan is None:
                    self.advance(sid, PROGRESS[PROGRESS.index(status) + 1])
                    continue
                step, backdate = plan.pop(0)
                self.advance(sid, step, occurred_at=_now_iso(backdate))
                with self._lock:
                    shipment["next_advance_at"] = (
                        time.time() + float(self.auto_advance) if plan else None
                    )
            except Exception as exc:  # keep the loop alive
                sys.stderr.write(f"simulator auto-advance failed: {exc}\n")

    # -- request handling -----------------------------------------------------
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

    def _handle(self, handler, raw):
        method = handler.command
        split = urlsplit(handler.path)
        path = split.path.rstrip("/") or "/"
        query = parse_qs(split.query)
        headers = handler.headers
        body = None
        ctype = (headers.get("Content-Type") or "").lower()
        if raw and ("json" in ctype or raw[:1] in (b"{", b"[")):
            try:
                body = json.loads(raw)
            except ValueError:
                return _errors(
                    400, ("body", "invalid_json", "The body is not valid JSON.")
                )
        if path.startswith("/_sim/"):
            return self._control(method, path, body)
        route = self._route(method, path)
        if route is None:
            return _Reply(
                404, {"error": "not_found", "message": f"No route {method} {path}"}
            )
        operation, func, arg = route
        with self._lock:
            self._counts[operation] += 1
            self._requests.append(
                {
                    "operation": operation,
                    "method": method,
                    "path": handler.path,
                    "headers": dict(headers.items()),
                    "json": body,
                    "ts": time.time(),
                    "client_port": handler.client_address[1],
                }
            )
            latency = self._latency
        fault = self._take_fault(operation)
        if latency:
            time.sleep(latency)
        if fault is not None:
            if fault.action == "reset":
                handler.reset_connection()
                return None
            if fault.action == "reset_after":
                self._call(
                    func, operation, headers, query=query, raw=raw, body=body, arg=arg
                )
                handler.reset_connection()
                return None
            if fault.action == "timeout":
                reply = self._call(
                    func, operation, headers, query=query, raw=raw, body=body, arg=arg
                )
                time.sleep(fault.delay)
                return reply
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                payload = fault.body
                if payload is None:
                    payload = DEFAULT_FAULT_BODIES.get(
                        fault.status,
                        {"error": "simulated_fault", "status": fault.status},
                    )
                return _Reply(fault.status, payload, fault.headers)
        return self._call(
            func, operation, headers, query=query, raw=raw, body=body, arg=arg
        )

    def _call(self, func, operation, headers, **kwargs):
        if operation not in ("token", "tracking_page"):
            denied = self._check_token(headers)
            if denied is not None:
                return denied
        return func(headers=headers, **kwargs)

    def _check_token(self, headers):
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return _Reply(
                401,
                {
                    "error": "invalid_token",
                    "error_description": "Bearer token required",
                },
                {"WWW-Authenticate": 'Bearer realm="simulator"'},
            )
        token = auth[7:].strip()
        with self._lock:
            expires_at = self._tokens.get(token)
            if expires_at is not None and expires_at <= time.time():
                del self._tokens[token]
                expires_at = None
        if expires_at is None:
            return _Reply(
                401,
                {
                    "error": "token_expired",
                    "error_description": "Token expired or unknown",
                },
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return None

    # -- API operations ----------------------------------------------------------
    def _op_token(self, headers, raw, **_):
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        client_id = form.get("client_id", "")
        client_secret = form.get("client_secret", "")
        auth = headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("latin-1")
                client_id, _, client_secret = decoded.partition(":")
            except ValueError:
                client_id = ""
        if form.get("grant_type") != "client_credentials":
            return _Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be client_credentials",
                },
            )
        if self.credentials is not None:
            expected = self.credentials.get(client_id)
            ok = expected is not None and hmac.compare_digest(
                expected.encode(), client_secret.encode()
            )
        else:
            ok = bool(client_id)
        if not ok:
            return _Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed",
                },
            )
        token = "simtok_" + secrets.token_hex(16)
        now = time.time()
        with self._lock:
            if len(self._tokens) > 1000:
                self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + self.token_ttl
        return _Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
            },
            {"Cache-Control": "no-store"},
        )

    def _validate(self, body, *, rates=False):
        """List of (field, code, message) problems of a shipment/rate body."""
        if not isinstance(body, dict):
            return [("body", "required", "A JSON object is required.")]
        errors = []

        def err(field, code, message):
            errors.append((field, code, message))

        service = body.get("service")
        if service and service not in self.services:
            known = ", ".join(sorted(self.services))
            err("service", "unknown_service", f"Unknown service {service!r} ({known}).")
        elif not service and not rates:
            err("service", "required", "A service is required.")
        recipient = body.get("recipient") or {}
        required = REQUIRED_FOR_RATES if rates else REQUIRED_ADDRESS
        for name, label in required.items():
            if not str(recipient.get(name) or "").strip():
                err(
                    f"recipient.{name}",
                    "required",
                    f"The recipient's {label} is missing.",
                )
        country = str(recipient.get("country_code") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            msg = "The country must be an ISO 3166 alpha-2 code."
            err("recipient.country_code", "invalid", msg)
        elif country in self.unserved_countries:
            msg = f"The carrier does not deliver to {country}."
            err("recipient.country_code", "not_served", msg)
        shipper = body.get("shipper") or {}
        if not rates and not str(shipper.get("country_code") or "").strip():
            err("shipper.country_code", "required", "The shipper's country is missing.")
        parcels = body.get("parcels")
        if not parcels or not isinstance(parcels, list):
            err("parcels", "required", "At least one parcel is required.")
            parcels = []
        for index, parcel in enumerate(parcels):
            name = f"parcels[{index}].weight_kg"
            try:
                weight = float((parcel or {}).get("weight_kg") or 0)
            except (AttributeError, TypeError, ValueError):
                weight = -1
            if weight <= 0:
                err(name, "invalid", "The parcel weight must be greater than zero.")
            elif weight > MAX_PARCEL_KG:
                err(
                    name,
                    "too_heavy",
                    f"A parcel may weigh {MAX_PARCEL_KG:g} kg at most.",
                )
        label_format = str(body.get("label_format") or "PDF").upper()
        if not rates and label_format not in LABEL_FORMATS:
            offered = ", ".join(LABEL_FORMATS)
            msg = f"Label format {label_format} is not offered ({offered})."
            err("label_format", "unsupported", msg)
        return errors

    def _price(self, service, body):
        spec = self.services[service]
        weight = sum(float(p.get("weight_kg") or 0) for p in body.get("parcels") or [])
        amount = spec["base"] + spec["per_kg"] * weight
        origin = str((body.get("shipper") or {}).get("country_code") or "").upper()
        dest = str((body.get("recipient") or {}).get("country_code") or "").upper()
        if origin and dest and origin != dest:
            amount *= 1.4
        return f"{amount:.2f}"

    def _public(self, shipment):
        return {
            "shipment_id": shipment["shipment_id"],
            "reference": shipment["reference"],
            "service": shipment["service"],
            "status": shipment["status"],
            "idempotency_key": shipment["idempotency_key"],
            "created_at": shipment["created_at"],
            "tracking_numbers": list(shipment["tracking_numbers"]),
            "labels": [dict(label) for label in shipment["labels"]],
            "charges": dict(shipment["charges"]),
            "return": bool(shipment.get("return")),
        }

    def _op_create(self, headers, body, **_):
        errors = self._validate(body)
        if errors:
            return _errors(422, *errors)
        key = headers.get("Idempotency-Key") or ""
        fingerprint = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        with self._lock:
            if key and key in self._by_key:
                shipment = self._shipments[self._by_key[key]]
                if shipment["fingerprint"] != fingerprint:
                    msg = "This Idempotency-Key was used with a different request."
                    return _errors(
                        422, ("Idempotency-Key", "idempotency_conflict", msg)
                    )
                return _Reply(
                    201, self._public(shipment), {"Idempotent-Replayed": "true"}
                )
            shipment = self._new_shipment(body, key, fingerprint)
            return _Reply(201, self._public(shipment))

    def _new_shipment(self, body, key, fingerprint):
        sid = "SIMS" + secrets.token_hex(5).upper()
        parcels = body["parcels"]
        numbers = [f"SIM{secrets.randbelow(10**12):012d}" for _ in parcels]
        label_format = str(body.get("label_format") or "PDF").upper()
        shipment = {
            "shipment_id": sid,
            "reference": body.get("reference") or "",
            "service": body["service"],
            "return": bool(body.get("return")),
            "status": "label_created",
            "idempotency_key": key,
            "fingerprint": fingerprint,
            "created_at": _now_iso(),
            "tracking_numbers": numbers,
            "request": body,
            "labels": [],
            "charges": {
                "amount": self._price(body["service"], body),
                "currency": body.get("currency") or self.currency,
            },
            "next_advance_at": (
                time.time() + float(self.auto_advance) if self.auto_advance else None
            ),
            "plan": self._next_storyline(),
        }
        for index, number in enumerate(numbers, 1):
            label = build_label(label_format, shipment, number, index, len(numbers))
            shipment["labels"].append(
                {
                    "tracking_number": number,
                    "format": label_format,
                    "content_b64": base64.b64encode(label).decode("ascii"),
                }
            )
            self._by_tracking[number] = sid
            self._events[number] = [make_event(number, "label_created")]
        self._shipments[sid] = shipment
        if key:
            self._by_key[key] = sid
        return shipment

    def _op_lookup(self, query, **_):
        reference = (query.get("reference") or [""])[0]
        if not reference:
            return _errors(400, ("reference", "required", "Give ?reference=..."))
        with self._lock:
            found = [
                self._public(s)
                for s in self._shipments.values()
                if s["reference"] == reference
            ]
        return _Reply(200, {"shipments": found})

    def _op_get(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            if shipment is None:
                return _Reply(
                    404, {"error": "not_found", "message": f"No shipment {arg}"}
                )
            return _Reply(200, self._public(shipment))

    _op_label = _op_get

    def _op_cancel(self, arg, **_):
        with self._lock:
            shipment = self._shipments.get(arg)
            if shipment is None:
                return _Reply(
                    404, {"error": "not_found", "message": f"No shipment {arg}"}
                )
            status = shipment["status"]
            if status not in ("cancelled", "label_created"):
                return _Reply(
                    409,
                    {
                        "errors": [
                            {
                                "field": "shipment_id",
                                "code": "already_picked_up",
                                "message": f"Shipment is {status}; it can no longer "
                                "be cancelled.",
                            }
                        ]
                    },
                )
            if status != "cancelled":
                shipment["status"] = "cancelled"
                shipment["next_advance_at"] = None
                for number in shipment["tracking_numbers"]:
                    self._events[number].append(make_event(number, "cancelled"))
        return _Reply(200, {"shipment_id": arg, "status": "cancelled"})

    def _op_rates(self, body, **_):
        errors = self._validate(body, rates=True)
        if errors:
            return _errors(422, *errors)
        wanted = body.get("service")
        currency = body.get("currency") or self.currency
        rates = [
            {
                "service": code,
                "name": spec["name"],
                "amount": self._price(code, body),
                "currency": currency,
                "transit_days": spec["days"],
            }
            for code, spec in sorted(self.services.items())
            if not wanted or code == wanted
        ]
        return _Reply(200, {"rates": rates})

    def _op_tracking(self, query, **_):
        numbers = [
            n.strip()
            for value in query.get("numbers") or []
            for n in value.split(",")
            if n.strip()
        ]
        if not numbers:
            return _errors(400, ("numbers", "required", "Give ?numbers=a,b"))
        results = []
        with self._lock:
            for number in numbers:
                if number in self._events:
                    results.append(
                        {
                            "tracking_number": number,
                            "events": [dict(e) for e in self._events[number]],
                        }
                    )
                else:
                    results.append(
                        {
                            "tracking_number": number,
                            "events": [],
                            "error": {"code": "not_found", "message": "Unknown number"},
                        }
                    )
        return _Reply(200, {"results": results})

    def _op_validate_address(self, body, **_):
        address = body if isinstance(body, dict) else {}
        messages = []
        for name in ("street", "city", "zip", "country_code"):
            if not str(address.get(name) or "").strip():
                messages.append(f"{name} is missing")
        country = str(address.get("country_code") or "").strip().upper()
        if country in self.unserved_countries:
            messages.append(f"country {country} is not served")
        candidate = {
            k: str(v).strip() for k, v in address.items() if isinstance(v, str)
        }
        if candidate.get("city"):
            candidate["city"] = candidate["city"].upper()
        if country:
            candidate["country_code"] = country
        return _Reply(
            200,
            {
                "valid": not messages,
                "messages": messages,
                "candidates": [] if messages else [candidate],
            },
        )

    def _op_tracking_page(self, arg, **_):
        with self._lock:
            events = [dict(e) for e in self._events.get(arg, [])]
        rows = "".join(
            f"<tr><td>{html_escape(e['occurred_at'])}</td><td>{html_escape(e['status'])}"
            f"</td><td>{html_escape(e['description'])}</td>"
            f"<td>{html_escape(e['location'])}</td></tr>"
            for e in reversed(events)
        )
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tracking "
            f"{html_escape(arg)}</title></head><body><h1>Carrier simulator</h1>"
            f"<h2>Tracking {html_escape(arg)}</h2>"
            + (
                f"<table border='1'><tr><th>When (UTC)</th><th>Status</th>"
                f"<th>Description</th><th>Location</th></tr>{rows}</table>"
                if events
                else "<p>Unknown tracking number.</p>"
            )
            + "</body></html>"
        )
        return _Reply(
            200 if events else 404, page, content_type="text/html; charset=utf-8"
        )

    # -- control endpoints -----------------------------------------------------
    def _control(self, method, path, body):
        body = body if isinstance(body, dict) else {}
        try:
            if path == "/_sim/health":
                return _Reply(200, {"status": "ok", "url": self.url})
            if path == "/_sim/faults" and method == "POST":
                fault = self.add_fault(
                    body.get("operation"),
                    body.get("status", 503),
                    body=body.get("body"),
                    headers=body.get("headers"),
                    delay=body.get("delay", 0.0),
                    action=body.get("action"),
                    times=body.get("times", 1),
                )
                return _Reply(201, {"fault": fault})
            if path == "/_sim/faults" and method == "DELETE":
                self.clear_faults()
                return _Reply(200, {"ok": True})
            if path == "/_sim/reset" and method == "POST":
                self.reset()
                return _Reply(200, {"ok": True})
            if path == "/_sim/expire-tokens" and method == "POST":
                self.expire_tokens()
                return _Reply(200, {"ok": True})
            if path == "/_sim/latency" and method == "POST":
                self.set_latency(body.get("seconds", 0))
                return _Reply(200, {"ok": True})
            if path == "/_sim/config" and method == "POST":
                self.configure(**body)
                return _Reply(200, {"ok": True})
            if path == "/_sim/requests" and method == "GET":
                with self._lock:
                    counts = dict(self._counts)
                return _Reply(200, {"requests": self.requests, "counts": counts})
            if path == "/_sim/shipments" and method == "GET":
                return _Reply(200, {"shipments": list(self.shipments.values())})
            if path == "/_sim/events" and method == "POST":
                number = body.get("shipment_id") or body.get("tracking_number")
                events = self.advance(
                    number,
                    body.get("status") or "in_transit",
                    description=body.get("description"),
                    location=body.get("location") or "",
                    push=body.get("push"),
                )
                return _Reply(201, {"events": events})
        except KeyError as exc:
            return _Reply(404, {"error": "not_found", "message": str(exc)})
        except (TypeError, ValueError) as exc:
            return _Reply(400, {"error": "bad_request", "message": str(exc)})
        return _Reply(
            404, {"error": "not_found", "message": f"No route {method} {path}"}
        )


def simulator_arg_parser(description, port, token_ttl, *, credentials=True):
    """The command-line options every carrier simulator script shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    if credentials:
        parser.add_argument(
            "--credentials",
            action="append",
            default=[],
            metavar="ID:SECRET",
            help="accepted client credentials (repeatable); default: any",
        )
    parser.add_argument("--token-ttl", type=int, default=token_ttl)
    parser.add_argument("--webhook-url", default=None, help="where pushes go")
    parser.add_argument(
        "--webhook-secret", default=None, help="the pushes' secret or credential"
    )
    parser.add_argument(
        "--auto-advance",
        type=float,
        default=None,
        metavar="SECONDS",
        help="move each shipment to its next status every SECONDS",
    )
    parser.add_argument(
        "--storylines",
        action="store_true",
        help="with --auto-advance: shipments take the demo storylines in turn "
        "(plain, out-of-order scan, delivery exception)",
    )
    parser.add_argument("--verbose", action="store_true")
    return parser


def parse_pairs(values):
    """``["a:b", ...]`` from repeatable options as a dict (None when empty)."""
    return dict(value.split(":", 1) for value in values) or None


def serve_until_stopped(server, label):
    """Run a started simulator until SIGINT or SIGTERM, then stop it."""
    sys.stdout.write(f"{label} listening on {server.url}\n")
    sys.stdout.flush()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            continue
    finally:
        server.stop()
    return 0


def main(argv=None):
    parser = simulator_arg_parser("Generic carrier simulator", 8071, 3600)
    args = parser.parse_args(argv)
    sim = SimulatorServer(
        args.host,
        args.port,
        credentials=parse_pairs(args.credentials),
        token_ttl=args.token_ttl,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        auto_advance=args.auto_advance,
        storylines=args.storylines,
        verbose=args.verbose,
    ).start()
    return serve_until_stopped(sim, "Carrier simulator")


if __name__ == "__main__":
    sys.exit(main())
