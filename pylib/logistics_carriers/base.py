# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Abstract carrier adapter, account configuration and OAuth token cache."""

import hashlib
import json
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import requests

from .dtos import AddressValidationResult, ShipmentRequest, ShipmentResult
from .errors import (
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierValidationError,
)
from .http import CarrierHttpClient

TOKEN_REFRESH_MARGIN = 60.0  # seconds before expiry a cached token is renewed


@dataclass
class AccountConfig:
    """Everything an adapter needs to talk to one carrier account."""

    carrier_code: str
    environment: str = "sandbox"  # sandbox|production
    base_url: str = ""  # "" = the adapter's default for the environment
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    account_number: str = ""
    extra: dict = field(default_factory=dict, repr=False)  # carrier-specific
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    label_format: str = "PDF"
    account_ref: str = ""  # e.g. "logistics.carrier.account(3)" for logs


class TokenStore(Protocol):
    """OAuth token cache; Odoo keeps it on the account (shared by workers)."""

    def get(self) -> tuple[str, float] | None:
        """(token, expires_at epoch seconds) or None."""

    def set(self, token: str, expires_at: float) -> None:
        """Store a token."""

    def clear(self) -> None:
        """Forget the token."""


class MemoryTokenStore:
    """In-process token store (the default)."""

    def __init__(self):
        self._value = None
        self._lock = threading.Lock()

    def get(self):
        with self._lock:
            return self._value

    def set(self, token, expires_at):
        with self._lock:
            self._value = (token, float(expires_at))

    def clear(self):
        with self._lock:
            self._value = None


class CarrierAdapter(ABC):
    """Base class of every carrier adapter (no Odoo inside).

    The contract a carrier implements, in three parts:

    **Operations every carrier implements** (abstract): ``create_shipment``,
    ``cancel_shipment``, ``get_rates``, ``track``, ``map_status``.

    **Optional operations**: each raises :class:`CarrierNotSupported` unless
    the carrier overrides it: ``validate_address``, ``lookup_shipment``,
    ``get_label``, ``verify_webhook``, ``_fetch_token`` (OAuth);
    ``tracking_url`` returns "" by default.

    **Capabilities** (class attributes; the default in brackets), read by the
    addons as plain attributes, never with ``getattr``:

    ``carrier_code`` [required]
        the registry key (``logistics.carrier.account.carrier_code``).
    ``label`` ["The carrier"]
        the carrier's name in messages to the user.
    ``default_base_urls`` [{}]
        ``{"sandbox": url, "production": url}``; the account may override.
    ``supports_lookup`` [False]
        ``lookup_shipment`` answers "was this request created?", so a create
        whose outcome is unknown is looked up instead of being held.
    ``idempotent_create`` [False]
        ``create_shipment`` sends a key the carrier de-duplicates on, so a
        create whose outcome is unknown may safely be sent again.
    ``supports_returns`` [False]
        ``create_shipment`` honours ``ShipmentRequest.is_return`` (a return
        label from the customer to the warehouse).
    ``supports_webhooks`` [False]
        the carrier pushes tracking events: ``verify_webhook`` and the hooks
        of ``parse_webhook`` are implemented.
    ``check_shape_on_receipt`` [False]
        the webhook controller runs ``check_webhook_shape`` before storing a
        push (a wrong shape answered 400 at once) instead of leaving it to the
        inbox job.
    ``webhook_malformed_message`` ["The webhook body cannot be read: {problem}"]
        the text of the ``malformed_webhook`` error (``{problem}`` is the
        reason the shape hook gave).
    ``push_header`` [None]
        the header that carries a static push credential (its value is masked
        in the stored headers); None when pushes are signed or carry a token.
    ``track_batch_size`` [50], ``track_min_interval`` [0.0]
        the tracking poller: numbers per ``track()`` call, and seconds between
        two calls of one account (the carrier's published rate limit).

    **Webhook parsing** is one template, :meth:`parse_webhook` (decode the
    JSON, check the shape, raise the one ``malformed_webhook`` error, build
    the events); a carrier overrides only its hooks: ``_webhook_shape_problem``
    (and, rarely, ``_decode_webhook`` / ``_webhook_not_json``) and
    ``_webhook_events``.
    """

    carrier_code: ClassVar[str]
    label: ClassVar[str] = "The carrier"
    default_base_urls: ClassVar[dict] = {}
    supports_lookup: ClassVar[bool] = False
    idempotent_create: ClassVar[bool] = False
    supports_returns: ClassVar[bool] = False
    supports_webhooks: ClassVar[bool] = False
    check_shape_on_receipt: ClassVar[bool] = False
    webhook_malformed_message: ClassVar[str] = (
        "The webhook body cannot be read: {problem}"
    )
    push_header: ClassVar[str | None] = None
    track_batch_size: ClassVar[int] = 50
    track_min_interval: ClassVar[float] = 0.0

    def __init__(
        self,
        config: AccountConfig,
        *,
        token_store: TokenStore | None = None,
        log_sink: Callable[[dict], None] | None = None,
        session: requests.Session | None = None,
    ):
        self.config = config
        self.token_store = (
            token_store if token_store is not None else MemoryTokenStore()
        )
        self.log_sink = log_sink
        self.base_url = self.resolve_base_url()
        self.http = CarrierHttpClient(
            self.base_url,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            log_sink=log_sink,
            session=session,
            account_ref=config.account_ref,
        )
        self._token_lock = threading.Lock()

    # -- configuration ----------------------------------------------------
    def resolve_base_url(self):
        """The configured override, else the default for the environment."""
        url = self.config.base_url or self.default_base_urls.get(
            self.config.environment or "sandbox", ""
        )
        if not url:
            raise CarrierError(
                f"No API address is configured for {self.label} "
                f"({self.config.environment}); set one on the carrier account.",
                code="no_base_url",
            )
        return url.rstrip("/")

    def close(self):
        """Release the HTTP session."""
        self.http.close()

    @staticmethod
    def _json(response):
        """The JSON object of a carrier answer; ``{}`` when it is not JSON."""
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {"data": data}

    # -- operations every carrier implements --------------------------------
    @abstractmethod
    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult:
        """Create the shipment at the carrier; return labels and numbers."""

    @abstractmethod
    def cancel_shipment(
        self, carrier_shipment_id: str, tracking_numbers: list[str] | None = None
    ) -> bool:
        """Cancel (void) a shipment; True when the carrier confirms."""

    @abstractmethod
    def get_rates(self, request: ShipmentRequest) -> list:
        """Quotes (:class:`RateQuote`) for the request."""

    @abstractmethod
    def track(self, tracking_numbers: list[str]) -> list:
        """Tracking events (:class:`TrackingEvent`) for the numbers."""

    @abstractmethod
    def map_status(self, raw_code: str, **context) -> str:
        """Canonical code for a carrier status; unmapped -> "info"."""

    # -- optional operations ----------------------------------------------
    def _not_supported(self, what):
        return CarrierNotSupported(
            f"{self.label} does not offer {what}.", code="not_supported"
        )

    def validate_address(self, address) -> AddressValidationResult:
        raise self._not_supported("address validation")

    def lookup_shipment(self, request: ShipmentRequest) -> ShipmentResult | None:
        """Find a shipment created earlier for ``request`` ("was it created?")."""
        raise self._not_supported("a shipment look-up")

    def get_label(self, carrier_shipment_id: str) -> ShipmentResult:
        """Fetch the label of an existing shipment again."""
        raise self._not_supported("label recovery")

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secrets: list[str]
    ) -> None:
        """Raise :class:`WebhookAuthError` unless the webhook is authentic."""
        raise self._not_supported("webhooks")

    # -- webhook parsing: one template, carriers override the hooks ----------
    def parse_webhook(self, headers, body: bytes) -> list:
        """Tracking events carried by a verified webhook body.

        Template: decode the JSON (``_decode_webhook``), check its shape
        (``_webhook_shape_problem``), raise the one ``malformed_webhook``
        :class:`CarrierValidationError` when either fails, else build the
        events (``_webhook_events``). Carriers override the hooks only.
        """
        if not self.supports_webhooks:
            raise self._not_supported("webhooks")
        data, problem = self._read_webhook(body)
        if problem:
            raise self._malformed_webhook(problem)
        return self._webhook_events(headers, data)

    def check_webhook_shape(self, headers, body: bytes) -> str | None:
        """Why ``body`` does not have the shape the carrier documents, or None.

        Run by the inbox job before parsing (and by the webhook controller on
        receipt when ``check_shape_on_receipt``); a failure is kept (never
        dropped) and counted per carrier, so a changed carrier payload shows
        at once. The same check :meth:`parse_webhook` makes.
        """
        if not self.supports_webhooks:
            return None
        return self._read_webhook(body)[1]

    def _read_webhook(self, body):
        """``(decoded JSON, None)``, or ``(None, why it cannot be read)``."""
        try:
            data = self._decode_webhook(body)
        except (TypeError, ValueError) as err:  # JSONDecodeError, UnicodeError
            return None, self._webhook_not_json(err)
        return data, self._webhook_shape_problem(data)

    def _decode_webhook(self, body):
        """Hook: the JSON value of a body (raises ValueError/TypeError)."""
        return json.loads(body)

    def _webhook_not_json(self, err) -> str:
        """Hook: the problem named when the body is not JSON."""
        return "the body is not JSON"

    def _webhook_shape_problem(self, data) -> str | None:
        """Hook: why decoded JSON is not the carrier's message (bounds
        included, e.g. a batch too large), or None."""
        return None

    def _webhook_events(self, headers, data) -> list:
        """Hook: the tracking events of a body whose shape was checked."""
        raise self._not_supported("webhooks")

    def _malformed_webhook(self, problem, message=None):
        """The one error of a body that is not the carrier's message."""
        return CarrierValidationError(
            (message or self.webhook_malformed_message).format(problem=problem),
            code="malformed_webhook",
            category="data",
        )

    def webhook_message_id(self, headers, body: bytes) -> str:
        """A stable id of a webhook delivery (for duplicate detection)."""
        return hashlib.sha256(body or b"").hexdigest()

    def tracking_url(self, tracking_number: str) -> str:
        return ""

    # -- OAuth helpers ----------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        """Ask the carrier for a token: (token, expires_in seconds)."""
        raise self._not_supported("OAuth authentication")

    def get_token(self, force=False):
        """A valid token from the store, fetched when missing or near expiry."""
        if not force:
            cached = self.token_store.get()
            if cached and cached[1] - TOKEN_REFRESH_MARGIN > time.time():
                return cached[0]
        with self._token_lock:
            if not force:  # another thread may have fetched it meanwhile
                cached = self.token_store.get()
                if cached and cached[1] - TOKEN_REFRESH_MARGIN > time.time():
                    return cached[0]
            token, expires_in = self._fetch_token()
            expires_at = time.time() + float(expires_in or 3600)
            self.token_store.set(token, expires_at)
            return token

    def authorized_request(self, method, path, *, operation, headers=None, **kwargs):
        """Call with a Bearer token; on 401 refresh once and retry once."""
        kwargs.setdefault("correlation_id", uuid.uuid4().hex)
        token = self.get_token()
        response = self.http.request(
            method,
            path,
            operation=operation,
            headers={**(headers or {}), "Authorization": f"Bearer {token}"},
            **kwargs,
        )
        if response.status_code != 401:
            return response
        self.token_store.clear()
        token = self.get_token(force=True)
        response = self.http.request(
            method,
            path,
            operation=operation,
            headers={**(headers or {}), "Authorization": f"Bearer {token}"},
            **kwargs,
        )
        if response.status_code == 401:
            self.token_store.clear()
            raise CarrierAuthError(
                f"{self.label} rejected our credentials even with a fresh token. "
                "An administrator must check the carrier account's credentials.",
                status=401,
                code="unauthorized",
                carrier_message=(response.text or "")[:2000],
                category="authentication",
                correlation_id=kwargs["correlation_id"],
            )
        return response
