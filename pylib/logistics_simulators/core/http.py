# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP plumbing shared by every simulator: the threaded server, the request
handler, replies and request parsing.

A simulator object (:class:`~logistics_simulators.core.server.BaseSimulator`)
hangs on the server as ``server.sim``; the handler reads the body and hands
``(handler, raw)`` to ``sim._handle``, which returns a :class:`Reply` (or None
when the connection was reset on purpose).
"""

import contextlib
import json
import socket
import socketserver
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 2 * 1024 * 1024


class Reply:
    """What an operation answers: status, payload (dict/list -> JSON, str ->
    text, bytes as is), extra headers and an optional content type."""

    __slots__ = ("status", "payload", "headers", "content_type")

    def __init__(self, status, payload=None, headers=None, content_type=None):
        self.status = status
        self.payload = payload
        self.headers = headers or {}
        self.content_type = content_type


def errors_reply(status, *errors):
    """The suite's error envelope: ``{"errors": [{field, code, message}]}``."""
    return Reply(
        status,
        {"errors": [{"field": f, "code": c, "message": m} for f, c, m in errors]},
    )


def not_found(method, path):
    return Reply(404, {"error": "not_found", "message": f"No route {method} {path}"})


def parse_request(handler, raw):
    """``(method, path, query, body)`` of a request, or an error Reply when a
    JSON body does not parse. ``body`` is the decoded JSON (None otherwise)."""
    method = handler.command
    split = urlsplit(handler.path)
    path = split.path.rstrip("/") or "/"
    query = parse_qs(split.query)
    body = None
    ctype = (handler.headers.get("Content-Type") or "").lower()
    if raw and ("json" in ctype or raw[:1] in (b"{", b"[")):
        try:
            body = json.loads(raw)
        except ValueError:
            return errors_reply(
                400, ("body", "invalid_json", "The body is not valid JSON.")
            )
    return method, path, query, body


class SimHTTPServer(ThreadingHTTPServer):
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


class RequestHandler(BaseHTTPRequestHandler):
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
            self._send(Reply(413, {"error": "payload_too_large"}))
            return
        raw = self.rfile.read(length) if length else b""
        try:
            reply = sim._handle(self, raw)
        except Exception as exc:  # never leave a client hanging
            reply = Reply(500, {"error": "internal_error", "message": str(exc)})
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
