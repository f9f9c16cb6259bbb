# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The control endpoints under ``/_sim/`` (every simulator): health, faults,
reset, token expiry, latency, settings, recorded requests, shipments and
events. They drive the in-process API over HTTP (the demo, other
processes)."""

from .http import Reply


class ControlEndpoints:
    """Mixin of :class:`~logistics_simulators.core.server.BaseSimulator`."""

    def _control(self, method, path, body):
        body = body if isinstance(body, dict) else {}
        try:
            if path == "/_sim/health":
                return Reply(200, {"status": "ok", "url": self.url})
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
                return Reply(201, {"fault": fault})
            if path == "/_sim/faults" and method == "DELETE":
                self.clear_faults()
                return Reply(200, {"ok": True})
            if path == "/_sim/reset" and method == "POST":
                self.reset()
                return Reply(200, {"ok": True})
            if path == "/_sim/expire-tokens" and method == "POST":
                self.expire_tokens()
                return Reply(200, {"ok": True})
            if path == "/_sim/latency" and method == "POST":
                self.set_latency(body.get("seconds", 0))
                return Reply(200, {"ok": True})
            if path == "/_sim/config" and method == "POST":
                self.configure(**body)
                return Reply(200, {"ok": True})
            if path == "/_sim/requests" and method == "GET":
                with self._lock:
                    counts = dict(self._counts)
                return Reply(200, {"requests": self.requests, "counts": counts})
            if path == "/_sim/shipments" and method == "GET":
                return Reply(200, {"shipments": list(self.shipments.values())})
            if path == "/_sim/events" and method == "POST":
                number = body.get("shipment_id") or body.get("tracking_number")
                events = self.advance(
                    number,
                    body.get("status") or "in_transit",
                    description=body.get("description"),
                    location=body.get("location") or "",
                    push=body.get("push"),
                )
                return Reply(201, {"events": events})
        except KeyError as exc:
            return Reply(404, {"error": "not_found", "message": str(exc)})
        except (TypeError, ValueError) as exc:
            return Reply(400, {"error": "bad_request", "message": str(exc)})
        return Reply(
            404, {"error": "not_found", "message": f"No route {method} {path}"}
        )
