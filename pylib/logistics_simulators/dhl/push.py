# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL tracking push: subscriptions (``POST /tracking/push/v1/subscription``)
and the push message sent to the configured webhook and to every
subscription's hook. DHL publishes neither the subscription's answer nor the
message: both are the simulator's own (the message follows the assembled
example)."""

import uuid

from ..core.http import Reply
from ..core.push import post_json
from .common import PUSH_PATH, problem_detail

PUSH_SCOPE = "subscription.push"


class DhlPush:
    """Mixin of :class:`~logistics_simulators.dhl.DhlSimulator`."""

    def _op_subscribe(self, body, headers, **_):
        hook = (body or {}).get("hook") if isinstance(body, dict) else None
        if not isinstance(hook, dict) or not hook.get("uri"):
            return Reply(400, problem_detail(400, "hook.uri is required."))
        subscription_id = str(uuid.uuid4())
        with self._lock:
            self.subscriptions[subscription_id] = dict(body, id=subscription_id)
        # DHL's answer is not confirmed: the simulator echoes the subscription
        return Reply(201, dict(body, id=subscription_id))

    def push_message(self, shipment_numbers, subscription_id=None):
        """The (assembled, unconfirmed) push body for ``shipment_numbers``."""
        with self._lock:
            shipments = [
                self._unified(self._shipments[n])
                for n in shipment_numbers
                if n in self._shipments
            ]
        sub = subscription_id or "00000000-0000-0000-0000-000000000000"
        return {
            "scope": PUSH_SCOPE,
            "self": f"{self.url}{PUSH_PATH}/{sub}",
            "shipments": shipments,
        }

    def _push_targets(self):
        targets = []
        if self.webhook_url:
            token = self.webhook_secret
            headers = {self.push_header: token} if token else {}
            targets.append((None, self.webhook_url, headers))
        for sub_id, sub in self.subscriptions.items():
            auth = sub["hook"].get("authentication") or {}
            headers = {auth["header"]: auth["token"]} if auth.get("header") else {}
            targets.append((sub_id, sub["hook"]["uri"], headers))
        return targets

    def _push(self, url, secret, events):
        """Deliver the push message of ``events``' shipments to every target."""
        numbers = list(dict.fromkeys(e["tracking_number"] for e in events))
        results = []
        for sub_id, target, headers in self._push_targets():
            payload = self.push_message(numbers, sub_id)
            status, text = post_json(target, payload, headers)
            self._remember_push(
                {"url": target, "status": status, "response": text[:500]}
            )
            results.append((status, text))
        return results[-1] if results else (0, "no push target")
