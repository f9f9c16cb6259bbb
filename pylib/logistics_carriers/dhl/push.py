# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Shipment Tracking - Unified - Push: the subscription, the
authentication of pushes (a static header/token) and their parsing (the
hooks of ``CarrierAdapter.parse_webhook``).

DHL's Unified Push payload is not confirmed: the receiver side is
implemented for the assembled example (Unified shipment objects).
"""

import hmac

from logistics_carriers import CarrierAuthError, WebhookAuthError

from .constants import DEFAULT_PUSH_HEADER, PUSH_EVENTS
from .values import _header


class DhlPushMixin:
    """Push subscription and received pushes (of DhlParcelDeAdapter)."""

    @property
    def push_header(self):
        return self.extra.get("push_header") or DEFAULT_PUSH_HEADER

    def build_push_subscription(
        self, uri, token=None, account_id=None, service="parcel-de"
    ):
        """Body of ``POST /tracking/push/v1/subscription`` (DHL's example)."""
        hook = {"uri": uri}
        if token:
            hook["authentication"] = {
                "type": "ApiKeyAuthentication",
                "header": self.push_header,
                "token": token,
            }
        body = {
            "hook": hook,
            "format": "Default",
            "type": "Account",
            "service": service,
            "events": list(PUSH_EVENTS),
        }
        if account_id:
            body["accountID"] = str(account_id)
        return body

    def subscribe_push(self, uri, token=None, account_id=None, service="parcel-de"):
        """Ask DHL to push tracking updates to ``uri`` (access on request)."""
        response = self.http.request(
            "POST",
            self.push_endpoint,
            operation="push_subscription",
            json=self.build_push_subscription(uri, token, account_id, service),
            headers={"DHL-API-Key": self._tracking_key()},
        )
        if response.status_code in (401, 403):
            raise CarrierAuthError(
                "DHL refused the push subscription (API key without push access?).",
                status=response.status_code,
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code not in (200, 201, 202):
            raise self._unexpected(response)
        return self._json(response)

    def verify_webhook(self, headers, body, secrets):
        """The static header/token set at subscription (no HMAC documented)."""
        usable = [s for s in secrets or [] if s]
        if not usable:
            raise WebhookAuthError(
                "No webhook secret is configured on the DHL account (it is the "
                "token given to DHL in the push subscription).",
                code="no_secret",
            )
        value = _header(headers, self.push_header)
        if not value:
            raise WebhookAuthError(
                f"The push message has no {self.push_header} header.",
                code="missing_token",
            )
        value = str(value).strip().encode("utf-8")
        if any(hmac.compare_digest(value, s.encode("utf-8")) for s in usable):
            return None
        raise WebhookAuthError(
            f"The push message's {self.push_header} does not match the account's "
            "webhook secret.",
            code="bad_token",
        )

    @staticmethod
    def _push_shipments(data):
        """The shipment objects of a push body (None when it has no such shape)."""
        if isinstance(data, list):
            return data
        if not isinstance(data, dict):
            return None
        if "shipments" in data:
            return data["shipments"] if isinstance(data["shipments"], list) else None
        if data.get("id") and ("events" in data or "status" in data):
            return [data]  # a bare shipment object
        if str(data.get("scope") or "").startswith("subscription."):
            return []  # activation / validation message: nothing to apply
        return None

    def _webhook_shape_problem(self, data):
        shipments = self._push_shipments(data)
        if shipments is None:
            return "no 'shipments' list (Unified tracking shape) in the message"
        for index, shipment in enumerate(shipments):
            if not isinstance(shipment, dict):
                return f"shipments[{index}] is not an object"
            if not shipment.get("id"):
                return f"shipments[{index}].id is missing"
            events = shipment.get("events")
            if events is not None and not isinstance(events, list):
                return f"shipments[{index}].events is not a list"
            for pos, event in enumerate(events or []):
                if not isinstance(event, dict) or not event.get("timestamp"):
                    return f"shipments[{index}].events[{pos}] has no timestamp"
        return None

    def _webhook_events(self, headers, data):
        shipments = self._push_shipments(data)
        return self.events_from_response({"shipments": shipments})
