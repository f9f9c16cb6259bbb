# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Track Alert v2 push tokens: OAuth 2 client credentials issued by the suite.

UPS fetches a token from the suite's token endpoint
(``logistics_carrier_ups/controllers/ups_oauth.py``) and sends it with every
push; :func:`check_push_token` verifies it (pure functions, no state).
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid

from logistics_carriers import WebhookAuthError

PUSH_TOKEN_TTL = 3600  # seconds; UPS fetches a new token when one expires


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_signature(secret, payload):
    return hmac.new(
        secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256
    ).digest()


def issue_push_token(client_id, secret, ttl=PUSH_TOKEN_TTL, now=None):
    """A stateless bearer token for UPS's pushes: ``payload.signature``.

    The payload (Base64url JSON) holds the client id, the expiry and a
    random id; the signature is HMAC-SHA256 with the client secret (the
    account's webhook secret), so rotating the secret revokes the tokens
    once the previous secret is dropped. Returns ``(token, expires_in)``.
    """
    now = int(now if now is not None else time.time())
    claims = {"cid": client_id, "exp": now + int(ttl), "jti": uuid.uuid4().hex}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_b64url(_token_signature(secret, payload))}", int(ttl)


def check_push_token(token, secrets, *, client_id="", api_key="", now=None):
    """Raise :class:`WebhookAuthError` unless ``token`` was issued by
    :func:`issue_push_token` with one of ``secrets``, has not expired and
    names ``client_id`` (also ``x-api-key``, when UPS sends it)."""
    payload, _dot, signature = str(token or "").partition(".")
    try:
        given = _unb64url(signature)
        claims = json.loads(_unb64url(payload))
    except (ValueError, binascii.Error):
        claims, given = None, b""
    if not isinstance(claims, dict) or not any(
        hmac.compare_digest(given, _token_signature(secret, payload))
        for secret in secrets
        if secret
    ):
        raise WebhookAuthError(
            "The UPS push's bearer token was not issued by this account's token "
            "endpoint (or the client secret was rotated since).",
            code="bad_credential",
        )
    now = now if now is not None else time.time()
    try:
        expired = float(claims.get("exp")) <= now
    except (TypeError, ValueError):
        expired = True
    if expired:
        raise WebhookAuthError(
            "The UPS push's bearer token has expired.", code="token_expired"
        )
    cid = str(claims.get("cid") or "")
    if client_id and not hmac.compare_digest(cid, client_id):
        raise WebhookAuthError(
            "The UPS push's token belongs to another OAuth client.",
            code="bad_client",
        )
    if api_key and not hmac.compare_digest(api_key, cid):
        raise WebhookAuthError(
            "The UPS push's x-api-key is not the OAuth client id of its token.",
            code="bad_client",
        )
    return claims
