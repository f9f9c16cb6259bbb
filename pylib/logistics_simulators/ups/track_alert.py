# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Track Alert: package subscriptions (v1 with a destination, v2),
account subscriptions, and pushes to the suite (v1 ``credential`` header, or
v2 with a bearer token fetched from the receiver's token URL)."""

import base64
import json
import re
import time

from ..core.http import Reply
from ..core.push import post_webhook
from .common import TRACKING_RE, as_text, require_trans_headers, ups_errors

# Track Alert v2 pushes: the OAuth client id UPS uses at the receiver's
# token URL (the demo account's ups_oauth_client_id)
DEFAULT_PUSH_CLIENT_ID = "ups-simulator-client"


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
    return post_webhook(url, body, headers, timeout=timeout)


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
    status, text = post_webhook(
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


class TrackAlert:
    """Mixin of :class:`~logistics_simulators.ups.UpsSimulatorServer`."""

    def _op_subscribe(self, headers, body, arg, **_):
        missing = require_trans_headers(headers)
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
        if not as_text(body.get("locale")) or not isinstance(numbers, list):
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
        return Reply(200, payload)

    def _op_subscribe_account(self, headers, body, arg, **_):
        """Every package of the account is pushed (to ``webhook_url``)."""
        missing = require_trans_headers(headers)
        if missing is not None:
            return missing
        number = as_text((body or {}).get("shipperAccountNumber"))
        if arg != "v2" or not re.fullmatch(r"[0-9A-Z]{6}", number.upper()):
            return ups_errors(400, ("VSS010", "Invalid shipperAccountNumber"))
        with self._lock:
            self.account_subscription = True
        return Reply(200, {"expiryDate": "9999-12-31"})

    @property
    def subscriptions(self):
        with self._lock:
            return {n: dict(s) for n, s in self._subscriptions.items()}

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
        self._remember_push(
            {
                "url": url,
                "status": status,
                "response": text[:500],
                "payload": payload,
                "style": style,
            }
        )
        return status, text
