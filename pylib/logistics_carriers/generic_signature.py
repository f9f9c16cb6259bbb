# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Shared by the ``generic`` partner adapter (verifying what partners send) and
the outbound event subscriptions (signing what the suite sends):

* headers ``webhook-id``, ``webhook-timestamp`` (integer Unix seconds) and
  ``webhook-signature``;
* the signed content is ``<id>.<timestamp>.<raw body>``, signed with
  HMAC-SHA256 and base64-encoded, sent as ``v1,<signature>``; several
  space-separated signatures may be sent (key rotation);
* a secret ``whsec_<base64>`` means the key is the base64-decoded part; any
  other secret is used as its UTF-8 bytes;
* a timestamp further than the tolerance (5 minutes) from our clock is
  refused (replay protection).

No Odoo inside.
"""

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
import time

from .errors import WebhookAuthError

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds


def secret_key(secret):
    """The HMAC key bytes of a secret (``whsec_`` base64 or plain text)."""
    if isinstance(secret, bytes):
        return secret
    secret = (secret or "").strip()
    key = None
    if secret.startswith(SECRET_PREFIX):
        try:
            key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            key = None  # not base64 after all: use the text as it is
    return key if key is not None else secret.encode("utf-8")


def new_secret(nbytes=32):
    """A fresh ``whsec_`` secret of ``nbytes`` random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode()


def sign(msg_id, timestamp, body, secret):
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign_headers(msg_id, body, secret, timestamp=None):
    """The three Standard Webhooks headers for sending ``body``."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    return {
        ID_HEADER: str(msg_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(msg_id, timestamp, body, secret),
    }


def _header(headers, name):
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None:
        for key, val in dict(headers or {}).items():
            if key.lower() == name:
                return val
    return value


def verify(headers, body, secrets, *, tolerance=DEFAULT_TOLERANCE, now=None):
    """Raise :class:`WebhookAuthError` unless one signature matches one secret.

    Returns the ``webhook-id`` of the verified message.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    msg_id = _header(headers, ID_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    header = _header(headers, SIGNATURE_HEADER)
    missing = [
        name
        for name, value in (
            (ID_HEADER, msg_id),
            (TIMESTAMP_HEADER, stamp),
            (SIGNATURE_HEADER, header),
        )
        if not value
    ]
    if missing:
        raise WebhookAuthError(
            "The webhook lacks the header(s) " + ", ".join(missing) + ".",
            code="missing_signature",
        )
    try:
        timestamp = int(str(stamp).strip())
    except ValueError:
        raise WebhookAuthError(
            f"The {TIMESTAMP_HEADER} header is not an integer Unix time.",
            code="malformed_signature",
        ) from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise WebhookAuthError(
            f"The webhook's timestamp is too old or in the future "
            f"(tolerance {tolerance} s).",
            code="stale_timestamp",
        )
    secrets = [s for s in secrets or [] if s]
    if not secrets:
        raise WebhookAuthError(
            "No webhook secret is configured for this account.", code="no_secret"
        )
    offered = []
    for part in str(header).split():
        version, _sep, value = part.partition(",")
        if version == "v1" and value:
            offered.append(value.encode("ascii", errors="replace"))
    if not offered:
        raise WebhookAuthError(
            f"The {SIGNATURE_HEADER} header holds no v1 signature.",
            code="malformed_signature",
        )
    for secret in secrets:
        expected = sign(msg_id, timestamp, body, secret)[3:].encode("ascii")
        # constant-time compare against every offered signature
        if any(hmac.compare_digest(expected, value) for value in offered):
            return str(msg_id)
    raise WebhookAuthError(
        "The webhook signature does not match any configured secret.",
        code="bad_signature",
    )
