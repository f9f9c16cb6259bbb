# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS OAuth 2.0 client credentials and the authorised call (transId headers)."""

import uuid
from urllib.parse import urlsplit

from requests.auth import HTTPBasicAuth

from logistics_carriers import CarrierAuthError, CarrierTransientError

from .errors import response_errors
from .services import SHIPPER_NUMBER_RE
from .values import clip


class UpsAuthMixin:
    """OAuth token, credentials masked in the log, Bearer calls (of UpsAdapter)."""

    def _masking_sink(self, sink):
        """Also hide the literal client id and secret (UPS echoes the id)."""
        literals = [v for v in (self.config.client_id, self.config.client_secret) if v]

        def masked(entry):
            for key in ("request_body", "response_body"):
                text = entry.get(key)
                if isinstance(text, str):
                    for literal in literals:
                        text = text.replace(literal, "***")
                    entry[key] = text
            sink(entry)

        return masked

    def token_url(self):
        """``<scheme>://<host>/security/v1/oauth/token`` of the API base URL."""
        if self.extra.get("token_url"):
            return self.extra["token_url"]
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/security/v1/oauth/token"

    def _fetch_token(self):
        if not (self.config.client_id and self.config.client_secret):
            raise CarrierAuthError(
                "The UPS account has no client ID or client secret. An "
                "administrator must enter those of the UPS developer application.",
                code="no_credentials",
            )
        headers = {}
        merchant = str(self.config.account_number or "").strip().upper()
        if SHIPPER_NUMBER_RE.fullmatch(merchant):
            headers["x-merchant-id"] = merchant
        response = self.http.request(
            "POST",
            self.token_url(),
            operation="token",
            data={"grant_type": "client_credentials"},
            headers=headers,
            auth=HTTPBasicAuth(self.config.client_id, self.config.client_secret),
        )
        data = self._json(response)
        if response.status_code in (400, 401, 403):
            errors = response_errors(data)
            raise CarrierAuthError(
                "UPS refused the account's client ID or secret "
                f"({self._words(errors, response)}). An administrator must check "
                "the UPS credentials of the carrier account.",
                status=response.status_code,
                code=errors[0][0] if errors else "invalid_client",
                carrier_message=self._words(errors, response),
            )
        if response.status_code != 200 or not data.get("access_token"):
            raise self._unexpected(response, "token")
        try:
            expires_in = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            expires_in = 3600.0
        return str(data["access_token"]), expires_in

    def _call(self, method, path, *, operation, json=None, params=None):
        """A Bearer call with UPS's transId / transactionSrc headers."""
        trans_id = uuid.uuid4().hex  # 32 characters, also our correlation id
        try:
            return self.authorized_request(
                method,
                path,
                operation=operation,
                json=json,
                params=params,
                headers={
                    "transId": trans_id,
                    "transactionSrc": clip(
                        self.extra.get("transaction_src") or self.transaction_src,
                        512,
                    ),
                },
                correlation_id=trans_id,
            )
        except (CarrierTransientError, CarrierAuthError) as err:
            # 429/5xx, or a 401 again after a fresh token: UPS's words
            self._refine(err)
            raise
