# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OAuth 2 client credentials and bearer tokens, shared by the simulators.

The token store (``_tokens``: token -> expiry) lives on the simulator;
``expire_tokens`` empties it so the next call gets 401. The generic and UPS
simulators issue tokens with :meth:`ClientCredentialsAuth._op_token` (UPS
re-shapes the answers); DHL issues its own (ROPC) into the same store.
"""

import base64
import hmac
import secrets
import time
from urllib.parse import parse_qs

from .http import Reply


class ClientCredentialsAuth:
    """Mixin of :class:`~logistics_simulators.core.server.BaseSimulator`."""

    def expire_tokens(self):
        """Invalidate every issued token (next calls get 401)."""
        with self._lock:
            self._tokens.clear()

    def _check_token(self, headers):
        """None when ``Authorization: Bearer`` holds a live token, else a 401."""
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return Reply(
                401,
                {
                    "error": "invalid_token",
                    "error_description": "Bearer token required",
                },
                {"WWW-Authenticate": 'Bearer realm="simulator"'},
            )
        token = auth[7:].strip()
        with self._lock:
            expires_at = self._tokens.get(token)
            if expires_at is not None and expires_at <= time.time():
                del self._tokens[token]
                expires_at = None
        if expires_at is None:
            return Reply(
                401,
                {
                    "error": "token_expired",
                    "error_description": "Token expired or unknown",
                },
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return None

    def _op_token(self, headers, raw, **_):
        """``grant_type=client_credentials`` (form or HTTP Basic); any client
        id is accepted when the simulator has no ``credentials``."""
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        client_id = form.get("client_id", "")
        client_secret = form.get("client_secret", "")
        auth = headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("latin-1")
                client_id, _, client_secret = decoded.partition(":")
            except ValueError:
                client_id = ""
        if form.get("grant_type") != "client_credentials":
            return Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be client_credentials",
                },
            )
        if self.credentials is not None:
            expected = self.credentials.get(client_id)
            ok = expected is not None and hmac.compare_digest(
                expected.encode(), client_secret.encode()
            )
        else:
            ok = bool(client_id)
        if not ok:
            return Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed",
                },
            )
        token = "simtok_" + secrets.token_hex(16)
        now = time.time()
        with self._lock:
            if len(self._tokens) > 1000:
                self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + self.token_ttl
        return Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
            },
            {"Cache-Control": "no-store"},
        )
