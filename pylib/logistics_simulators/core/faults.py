# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fault injection shared by every simulator.

A fault makes the next ``times`` calls of one operation misbehave: answer an
HTTP status (with a body and headers such as ``Retry-After``), answer late
(``delay``), reset the connection before doing anything (``action="reset"``)
or do the work and answer only after ``delay`` (``action="timeout"``: the
client gives up, the shipment exists). ``set_latency`` slows every answer.

Each simulator names the operations it accepts (``FAULT_OPERATIONS``) and the
error body a status gets when the test gives none (``DEFAULT_FAULT_BODIES`` or
an ``add_fault`` override).
"""

import time

from .http import Reply

FAULT_ACTIONS = (None, "reset", "reset_after", "timeout")
DEFAULT_FAULT_BODIES = {
    401: {"error": "token_expired"},
    403: {"error": "forbidden", "error_description": "Access denied (simulated)"},
    429: {"error": "rate_limited", "message": "Too many requests (simulated)"},
    500: {"error": "internal_error", "message": "Internal server error (simulated)"},
    502: {"error": "bad_gateway", "message": "Bad gateway (simulated)"},
    503: {"error": "service_unavailable", "message": "Service unavailable (simulated)"},
    504: {"error": "gateway_timeout", "message": "Gateway timeout (simulated)"},
}


class Fault:
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


class FaultInjection:
    """Mixin of :class:`~logistics_simulators.core.server.BaseSimulator`:
    the fault queue and the global latency (state in ``_faults``,
    ``_latency``, guarded by ``_lock``)."""

    FAULT_OPERATIONS = ()  # the operation names add_fault accepts

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
        without answering; ``action="timeout"`` handles the request normally
        but sleeps ``delay`` before answering (the work is done: a lost
        response). ``times=None`` keeps the fault forever.
        """
        operations = self.FAULT_OPERATIONS
        if operation not in operations:
            raise ValueError(
                f"unknown operation {operation!r}; use one of {operations}"
            )
        if action not in FAULT_ACTIONS:
            raise ValueError(f"unknown action {action!r}; use one of {FAULT_ACTIONS}")
        if times is not None and int(times) < 1:
            raise ValueError("times must be >= 1 or None")
        fault = Fault(
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

    @staticmethod
    def _play_fault(fault, handler, answer):
        """Answer a request under ``fault``: a Reply, or None when the
        connection was reset. ``answer()`` does the real work (run unless the
        fault answers an error status or resets)."""
        if fault.action == "reset":
            handler.reset_connection()
            return None
        if fault.action == "reset_after":
            answer()
            handler.reset_connection()
            return None
        if fault.action == "timeout":
            reply = answer()
            time.sleep(fault.delay)
            return reply
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is None:
            return answer()
        payload = fault.body
        if payload is None:
            payload = DEFAULT_FAULT_BODIES.get(
                fault.status,
                {"error": "simulated_fault", "status": fault.status},
            )
        return Reply(fault.status, payload, fault.headers)
