# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL Parcel DE authentication (API key + HTTP Basic with the GKP user, or
OAuth2 password grant, ROPC) and the authorised Shipping API call.
"""

import uuid

from requests.auth import HTTPBasicAuth

from logistics_carriers import CarrierAuthError, CarrierError, CarrierTransientError

from .constants import SHIPPING_PATH, TOKEN_PATH


class DhlAuthMixin:
    """Credentials, tokens and Shipping API calls (of DhlParcelDeAdapter)."""

    def _missing_credentials(self, names):
        values = {
            "API key (Client ID)": self.config.client_id,
            "client secret": self.config.client_secret,
            "portal user name": self.extra.get("username"),
            "portal password": self.extra.get("password"),
        }
        missing = [name for name in names if not values[name]]
        if missing:
            raise CarrierAuthError(
                "The DHL account has no "
                + ", ".join(missing)
                + ". An administrator must complete its credentials.",
                code="missing_credentials",
                category="authentication",
            )

    def _fetch_token(self):
        self._missing_credentials(
            [
                "API key (Client ID)",
                "client secret",
                "portal user name",
                "portal password",
            ]
        )
        response = self.http.request(
            "POST",
            TOKEN_PATH,
            operation="token",
            data={
                "grant_type": "password",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "username": self.extra.get("username") or "",
                "password": self.extra.get("password") or "",
            },
        )
        data = self._json(response)
        if response.status_code in (400, 401, 403):
            raise CarrierAuthError(
                "DHL refused the account's OAuth credentials (API key, secret, "
                "portal user or password). An administrator must check them.",
                status=response.status_code,
                code=str(data.get("error") or data.get("title") or "invalid_grant"),
                carrier_message=self._carrier_text(response),
                category="authentication",
            )
        if response.status_code != 200 or not data.get("access_token"):
            raise self._unexpected(response)
        return data["access_token"], float(data.get("expires_in") or 1799)

    def _shipping(self, method, path, *, operation, headers=None, **kwargs):
        """A Parcel DE Shipping call with the account's authentication."""
        headers = {"Accept-Language": self.language, **(headers or {})}
        kwargs.setdefault("correlation_id", uuid.uuid4().hex)
        try:
            if self.auth_mode == "oauth":
                response = self.authorized_request(
                    method,
                    SHIPPING_PATH + path,
                    operation=operation,
                    headers=headers,
                    **kwargs,
                )
            else:
                self._missing_credentials(
                    ["API key (Client ID)", "portal user name", "portal password"]
                )
                response = self.http.request(
                    method,
                    SHIPPING_PATH + path,
                    operation=operation,
                    headers={**headers, "dhl-api-key": self.config.client_id},
                    auth=HTTPBasicAuth(
                        self.extra.get("username") or "",
                        self.extra.get("password") or "",
                    ),
                    **kwargs,
                )
        except CarrierTransientError as err:
            if err.status == 429:
                err.maybe_sent = False  # rate limited: DHL did not process it
            raise
        if response.status_code in (401, 403):
            self.token_store.clear()
            raise CarrierAuthError(
                f"DHL refused access (HTTP {response.status_code}). An administrator "
                "must check the account's API key and business customer portal "
                "user and password (and the authentication mode).",
                status=response.status_code,
                code="unauthorized",
                carrier_message=self._carrier_text(response),
                category="authentication",
                correlation_id=kwargs["correlation_id"],
            )
        return response

    @classmethod
    def _carrier_text(cls, response):
        """DHL's own words: title/detail of a problem, OAuth error, raw body."""
        data = cls._json(response)
        status = data.get("status") if isinstance(data.get("status"), dict) else data
        parts = [
            str(status.get(key))
            for key in ("title", "detail", "error", "error_description")
            if status.get(key) and not isinstance(status.get(key), dict)
        ]
        return ": ".join(dict.fromkeys(parts)) or (response.text or "")[:2000]

    def _unexpected(self, response):
        return CarrierError(
            f"DHL gave an unexpected answer (HTTP {response.status_code}).",
            status=response.status_code,
            carrier_message=self._carrier_text(response),
            correlation_id=response.request.headers.get("X-Correlation-ID"),
        )
