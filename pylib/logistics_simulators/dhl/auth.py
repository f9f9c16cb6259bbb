# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL authentication: the ROPC token (``grant_type=password``), Shipping's
bearer token or HTTP Basic with an API key, the tracking API key and its
rate limits (429, ``Retry-After`` only when configured)."""

import base64
import hmac
import secrets
import time
from urllib.parse import parse_qs

from ..core.http import Reply
from .common import problem_detail, request_status, utc_now


class DhlAuth:
    """Mixin of :class:`~logistics_simulators.dhl.DhlSimulator`."""

    def _key_ok(self, key):
        return bool(key) and (self.api_keys is None or key in self.api_keys)

    def _check_shipping_auth(self, headers):
        auth = headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            with self._lock:
                expires_at = self._tokens.get(auth[7:].strip())
            if expires_at is not None and expires_at > time.time():
                return None
        elif auth.startswith("Basic ") and self._key_ok(headers.get("dhl-api-key")):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            user, _sep, password = decoded.partition(":")
            expected = self.users.get(user)
            if expected is not None and hmac.compare_digest(
                expected.encode(), password.encode()
            ):
                return None
        return Reply(401, request_status(401, "Unauthorized for given resource."))

    def _check_api_key(self, headers, operation):
        key = headers.get("DHL-API-Key") or ""
        if not self._key_ok(key):
            return Reply(
                401, problem_detail(401, "Invalid or missing API key (DHL-API-Key).")
            )
        if operation == "tracking":
            return self._rate_limit(key)
        return None

    def _rate_limit(self, key):
        now = time.monotonic()
        today = utc_now().date()
        with self._lock:
            last, day, count = self._track_calls.get(key, (None, today, 0))
            if day != today:
                day, count = today, 0
            too_fast = (
                self.track_rate
                and last is not None
                and now - last < 1.0 / float(self.track_rate)
            )
            over_day = self.track_daily_limit and count >= self.track_daily_limit
            if not (too_fast or over_day):
                self._track_calls[key] = (now, day, count + 1)
                return None
        headers = {}
        if self.rate_limit_retry_after is not None:
            headers["Retry-After"] = str(self.rate_limit_retry_after)
        detail = "Daily quota exceeded" if over_day else "Rate limit exceeded"
        return Reply(429, problem_detail(429, detail), headers)

    def _op_token(self, raw, **_):
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "password":
            return Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be password",
                },
            )
        client_id = form.get("client_id", "")
        secret = form.get("client_secret", "")
        client_ok = self._key_ok(client_id) and bool(secret)
        if client_ok and self.client_secrets is not None:
            client_ok = hmac.compare_digest(
                self.client_secrets.get(client_id, "").encode(), secret.encode()
            )
        expected = self.users.get(form.get("username", ""))
        user_ok = expected is not None and hmac.compare_digest(
            expected.encode(), form.get("password", "").encode()
        )
        if not (client_ok and user_ok):
            return Reply(
                401,
                {
                    "error": "invalid_client" if not client_ok else "invalid_grant",
                    "error_description": "Invalid client or user credentials",
                },
            )
        token = secrets.token_urlsafe(21)
        with self._lock:
            self._tokens[token] = time.time() + self.token_ttl
        return Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
            },
            {"Cache-Control": "no-store"},
        )
