# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The base of every simulator: life cycle, shared state, request recording
and the request pipeline.

A request goes ``RequestHandler`` (``http.py``) -> :meth:`BaseSimulator._handle`:
parse; ``/_sim/...`` to the control endpoints (``control.py``); else
``_route`` (the carrier's paths) gives ``(operation, handler, argument)``;
the request is recorded and counted; latency and a queued fault
(``faults.py``) are played; then ``_call`` checks authentication and runs the
carrier's ``_op_...`` handler, which returns a :class:`~.http.Reply`.

A carrier simulator subclasses it with ``FAULT_OPERATIONS``, ``_route``,
``_public`` (its shipment shape), ``advance`` and its ``_op_...`` handlers.
"""

import contextlib
import socket
import threading
import time
from collections import Counter, deque

from .auth import ClientCredentialsAuth
from .control import ControlEndpoints
from .faults import FaultInjection
from .http import RequestHandler, SimHTTPServer, not_found, parse_request
from .progress import AutoAdvance
from .push import MAX_PUSHES


class BaseSimulator(
    FaultInjection, ClientCredentialsAuth, ControlEndpoints, AutoAdvance
):
    """In-process carrier simulator; thread-safe, fault-injectable."""

    # operations that need no bearer token in the default ``_call``
    PUBLIC_OPERATIONS = ("token", "tracking_page")

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        credentials=None,
        token_ttl=3600,
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
        self.verbose = verbose
        # settings ``configure`` (and /_sim/config) may change; ``reset``
        # restores them
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
        """Everything ``reset`` forgets (subclasses add theirs)."""
        self._tokens = {}
        self._faults = []
        self._latency = 0.0
        self._requests = deque(maxlen=self._max_requests)
        self._counts = Counter()
        self._shipments = {}
        self._by_tracking = {}
        self._events = {}
        self.pushes = []  # results of webhook pushes: dicts
        self.webhook_url = self._defaults["webhook_url"]
        self.webhook_secret = self._defaults["webhook_secret"]
        self.auto_advance = self._defaults["auto_advance"]
        self.storylines = self._defaults["storylines"]

    # -- life cycle --------------------------------------------------------
    def start(self):
        """Bind and serve in a background thread; returns ``self``."""
        self._httpd = SimHTTPServer((self.host, self.port), RequestHandler, self)
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

    # -- inspection and settings -------------------------------------------
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

    def _remember_push(self, entry):
        """Record a push's result in ``pushes`` (the newest are kept)."""
        with self._lock:
            self.pushes.append(entry)
            del self.pushes[:-MAX_PUSHES]

    def _public(self, shipment):
        """The shipment as ``shipments`` shows it (the suite's shape; the
        generic and UPS simulators' records)."""
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

    # -- request handling -----------------------------------------------------
    def _route(self, method, path):
        """(operation, handler, argument) for an API path, or None."""
        raise NotImplementedError

    def _handle(self, handler, raw):
        parsed = parse_request(handler, raw)
        if not isinstance(parsed, tuple):
            return parsed  # the body is not valid JSON
        method, path, query, body = parsed
        headers = handler.headers
        if path.startswith("/_sim/"):
            return self._control(method, path, body)
        route = self._route(method, path)
        if route is None:
            return not_found(method, path)
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

        def answer():
            return self._call(
                func, operation, headers, query=query, raw=raw, body=body, arg=arg
            )

        if fault is not None:
            return self._play_fault(fault, handler, answer)
        return answer()

    def _call(self, func, operation, headers, **kwargs):
        """Authenticate (bearer token), then run the operation's handler."""
        if operation not in self.PUBLIC_OPERATIONS:
            denied = self._check_token(headers)
            if denied is not None:
                return denied
        return func(headers=headers, **kwargs)
