# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Track Alert (v2, v1 with a destination): subscriptions, the
authentication of pushes and their parsing (the hooks of
``CarrierAdapter.parse_webhook``).
"""

import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from logistics_carriers import WebhookAuthError

from .errors import response_errors
from .push_tokens import check_push_token
from .values import _header, as_list, ups_datetime


@dataclass
class SubscriptionResult:
    """Outcome of a Track Alert subscription (one or more calls)."""

    valid: list = field(default_factory=list)
    invalid: list = field(default_factory=list)
    expires_at: datetime | None = None
    messages: list = field(default_factory=list)


class UpsTrackAlertMixin:
    """Track Alert subscriptions and pushes (part of :class:`UpsAdapter`)."""

    def subscribe(
        self,
        tracking_numbers,
        *,
        webhook_url=None,
        credential=None,
        subscription_type="standard",
        event_preferences=None,
        locale="en_US",
        country_code=None,
        now=None,
    ):
        """Subscribe numbers to Track Alert, at most 100 per call.

        Without ``webhook_url`` the v2 API is used (the destination and its
        OAuth client credentials are managed on the UPS portal); with it, v1
        (``/track/v1/subscription/standard/package``: v1 has no "enhanced"
        path) and a ``destination`` whose ``credential`` UPS sends back in
        the ``credential`` header of every push. Each subscription lasts 14
        days (renew with :meth:`needs_renewal`); UPS sends no history.
        """
        if subscription_type not in ("standard", "enhanced"):
            raise ValueError("subscription_type must be 'standard' or 'enhanced'")
        if webhook_url and not credential:
            raise ValueError("a webhook_url needs the credential UPS will send back")
        if webhook_url and subscription_type != "standard":
            raise ValueError(
                "Track Alert v1 (a webhook_url) only has standard subscriptions; "
                "enhanced ones are v2 (destination set on the UPS portal)"
            )
        numbers = [n.strip() for n in dict.fromkeys(tracking_numbers or []) if n]
        version = "v1" if webhook_url else "v2"
        path = f"/track/{version}/subscription/{subscription_type}/package"
        result = SubscriptionResult()
        size = self.subscription_batch_size
        for start in range(0, len(numbers), size):
            body = self.build_subscription_request(
                numbers[start : start + size],
                webhook_url=webhook_url,
                credential=credential,
                subscription_type=subscription_type,
                event_preferences=event_preferences,
                locale=locale,
                country_code=country_code,
            )
            response = self._call("POST", path, operation="subscription", json=body)
            data = self._json(response)
            lists_given = "invalidTrackingNumbers" in data
            if not (200 <= response.status_code < 300) and not (
                response.status_code == 400 and lists_given
            ):
                self._raise(response, "subscription", data)
            self.parse_subscription_response(data, result)
        if result.valid:
            now = now or datetime.now(timezone.utc)
            result.expires_at = now + timedelta(days=self.subscription_days)
        return result

    @staticmethod
    def parse_subscription_response(data, result=None):
        """Add a package subscription answer (200, or 400 with the lists)
        to ``result`` (a new :class:`SubscriptionResult` by default)."""
        result = result if result is not None else SubscriptionResult()
        result.valid += [str(n) for n in as_list(data.get("validTrackingNumbers"))]
        result.invalid += [str(n) for n in as_list(data.get("invalidTrackingNumbers"))]
        result.messages += [f"{msg} ({code})" for code, msg in response_errors(data)]
        return result

    def build_subscription_request(
        self,
        numbers,
        *,
        webhook_url=None,
        credential=None,
        subscription_type="standard",
        event_preferences=None,
        locale="en_US",
        country_code=None,
    ):
        """Body of a package subscription (v2, or v1 with a destination)."""
        body = {
            "locale": locale or "en_US",
            "countryCode": (
                country_code or self.extra.get("country_code") or "US"
            ).upper(),
            "trackingNumberList": list(numbers),
        }
        if subscription_type == "enhanced" and event_preferences:
            body["eventPreferences"] = list(event_preferences)
        if webhook_url:
            body["destination"] = {
                "url": webhook_url,
                "credentialType": "Bearer",
                "credential": credential,
            }
        return body

    def build_account_subscription_request(
        self, shipper_number=None, locale="en_US", country_code=None
    ):
        """Body of an account subscription (UPSTrackAlert.yaml v2:
        ``locale`` is required, as for every Track Alert request)."""
        return {
            "locale": locale or "en_US",
            "countryCode": (
                country_code or self.extra.get("country_code") or "US"
            ).upper(),
            "shipperAccountNumber": shipper_number or self.shipper_number(),
            "subAccountType": ["Outbound"],
        }

    def subscribe_account(
        self,
        subscription_type="standard",
        shipper_number=None,
        locale="en_US",
        country_code=None,
    ):
        """Track Alert for every outbound package of the shipper account.

        Returns UPS's ``expiryDate`` (``YYYY-MM-DD``; UPS's example: no
        expiry). The pushes go to the destination managed on the UPS portal.
        """
        response = self._call(
            "POST",
            f"/track/v2/subscription/{subscription_type}/account",
            operation="subscription",
            json=self.build_account_subscription_request(
                shipper_number, locale, country_code
            ),
        )
        return str(self._check(response, "subscription").get("expiryDate") or "")

    @staticmethod
    def needs_renewal(expires_at, now=None, margin=timedelta(days=2)):
        """True when a subscription expiring at ``expires_at`` should be renewed."""
        if not expires_at:
            return True
        now = now or datetime.now(timezone.utc)
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        return expires_at - margin <= now

    def verify_webhook(self, headers, body, secrets):
        """Check a Track Alert push against the account's webhook secrets.

        v2 (UPSTrackAlert.yaml, ``clientOauth2``): UPS obtains a token from
        the suite's token endpoint with the account's OAuth client id and
        secret (the webhook secret, rotated with it) and sends
        ``Authorization: Bearer <token>`` with ``x-api-key: <client id>``;
        the token (:func:`issue_push_token`) is checked on every push:
        signature, expiry, client id. v1 pushes carry ``credential: <the
        credential of the subscription>``, compared in constant time. A
        static bearer or an ``x-api-key`` equal to a secret is refused.
        """
        usable = [s for s in secrets or [] if s]
        if not usable:
            raise WebhookAuthError(
                "No webhook secret is configured on the UPS carrier account.",
                code="no_secret",
            )
        credential = str(_header(headers, "credential") or "").strip()
        authorization = str(_header(headers, "Authorization") or "").strip()
        token = ""
        if authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        if token:
            check_push_token(
                token,
                usable,
                client_id=self.extra.get("oauth_client_id") or "",
                api_key=str(_header(headers, "x-api-key") or "").strip(),
            )
            return
        if credential:
            for secret in usable:
                if hmac.compare_digest(
                    credential.encode("utf-8"), secret.encode("utf-8")
                ):
                    return
            raise WebhookAuthError(
                "The UPS push's credential does not match any configured secret.",
                code="bad_credential",
            )
        raise WebhookAuthError(
            "The UPS push has no Bearer token (Track Alert v2) and no credential "
            "header (v1).",
            code="missing_credential",
        )

    def _decode_webhook(self, body):
        if isinstance(body, bytes | bytearray):
            body = bytes(body).decode("utf-8")
        return json.loads(body)

    def _webhook_not_json(self, err):
        return str(err)

    def _webhook_shape_problem(self, data):
        """Why a body is not a Track Alert push (one event, or a list)."""
        items = data if isinstance(data, list) else [data]
        if not items:
            return "the body holds no event"
        for index, item in enumerate(items):
            where = f"event {index}" if isinstance(data, list) else "the body"
            if not isinstance(item, dict):
                return f"{where} is not a JSON object"
            number = item.get("trackingNumber")
            if not isinstance(number, str) or not number.strip():
                return f"{where} has no trackingNumber"
            status = item.get("activityStatus")
            if not isinstance(status, dict) or not any(
                status.get(key) not in (None, "")
                for key in ("type", "code", "descriptionCode")
            ):
                return f"{where} has no activityStatus"
        return None

    def _webhook_events(self, headers, data):
        """TrackingEvents of a Track Alert push (one event, or a list)."""
        items = data if isinstance(data, list) else [data]
        events = []
        for item in items:
            occurred = ups_datetime(
                item.get("gmtActivityDate"), item.get("gmtActivityTime")
            ) or ups_datetime(
                item.get("localActivityDate"),
                item.get("localActivityTime"),
                item.get("gmtOffset"),
            )
            if occurred is None:
                self._spec_mismatch(
                    "webhook",
                    f"Track Alert event of {item['trackingNumber']} without a "
                    "readable date",
                    item,
                )
            events.append(
                self._event(
                    item["trackingNumber"].strip(),
                    item.get("activityStatus"),
                    occurred,
                    self._location(item.get("activityLocation")),
                    str(item.get("receivedBy") or "").strip(),
                )
            )
        return events
