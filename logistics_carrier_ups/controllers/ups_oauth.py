# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Track Alert v2: the OAuth 2 token endpoint UPS calls before pushing.

UPSTrackAlert.yaml declares the push's security as ``clientOauth2``
(client credentials, ``client_secret_basic``, a token URL *the receiver*
provides). ``POST /logistics/oauth/ups/<account_token>/token`` with
``Authorization: Basic base64(client_id:client_secret)`` and the form body
``grant_type=client_credentials`` answers ``{access_token, token_type,
expires_in}`` (RFC 6749 §4.4, §5.1); errors per RFC 6749 §5.2. The client
id is the account's ``ups_oauth_client_id``, the secret its webhook secret
(current or previous: rotation). Tokens are stateless (HMAC-signed, with an
expiry) and checked on every push by the UPS adapter's ``verify_webhook``.
"""

import base64
import binascii
import hmac
import logging

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from logistics_carriers.ups import PUSH_TOKEN_TTL, issue_push_token

_logger = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(status, error, description):
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ups-track-alert"'
    return request.make_json_response(
        {"error": error, "error_description": description},
        status=status,
        headers=list(headers.items()),
    )


def _basic_credentials(header):
    """(client_id, client_secret) of ``Basic …``, or None."""
    scheme, _sep, value = str(header or "").strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class UpsOAuthController(http.Controller):
    @http.route(
        "/logistics/oauth/ups/<string:account_token>/token",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def token(self, account_token, **form):
        cr = request.env.cr
        cr.execute(
            "SELECT id, ups_oauth_client_id, webhook_secret, webhook_secret_previous "
            "FROM logistics_carrier_account "
            "WHERE webhook_token = %s AND carrier_code = 'ups' AND active",
            (account_token,),
        )
        row = cr.fetchone()
        if not row:
            raise NotFound()
        account_id, client_id, *secrets = row
        secrets = [secret for secret in secrets if secret]
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported.",
            )
        given = _basic_credentials(request.httprequest.headers.get("Authorization"))
        if given is None:
            return _oauth_error(
                401,
                "invalid_client",
                "Client authentication (HTTP Basic, client_secret_basic) required.",
            )
        given_id, given_secret = given
        matching = [
            secret
            for secret in secrets
            if hmac.compare_digest(given_secret.encode(), secret.encode())
        ]
        if not (
            client_id
            and hmac.compare_digest(given_id.encode(), client_id.encode())
            and matching
        ):
            _logger.info("UPS token request refused for account %s", account_id)
            return _oauth_error(401, "invalid_client", "Unknown client or secret.")
        token, expires_in = issue_push_token(client_id, matching[0], PUSH_TOKEN_TTL)
        return request.make_json_response(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": expires_in,
            },
            headers=list(NO_STORE.items()),
        )
