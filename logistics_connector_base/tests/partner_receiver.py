# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A real HTTP receiver for outbound shipment events, in a thread."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server = self.server
        status = server.owner.status
        with server.owner.lock:
            server.owner.requests.append(
                {
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
            )
        answer = json.dumps({"ok": status < 300}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class EventReceiver:
    """Records every POST; ``status`` is what it answers; ``stop()`` makes it
    unreachable (connection refused) until ``start()`` again on the same port."""

    def __init__(self, status=200):
        self.status = status
        self.requests = []
        self.lock = threading.Lock()
        self.port = None
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/shipments"

    def start(self):
        server = ThreadingHTTPServer(("127.0.0.1", self.port or 0), _Handler)
        server.daemon_threads = True
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def message_ids(self):
        with self.lock:
            return [r["headers"].get("webhook-id") for r in self.requests]

    def payloads(self):
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]
