# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""DHL adapter: Parcel DE Shipping API v2 and Shipment Tracking - Unified.

Written against ``docs/carrier-contracts.md`` §2 (sources DHL-SHIP 2.1.13,
DHL-ROPC 2.0.5, DHL-NR, DHL-UT, DHL-RL, DHL-PUSH). Imports nothing of Odoo.

- Shipping: ``POST /orders`` (one DHL shipment per parcel, up to 30 in one
  order), ``DELETE /orders`` (cancel, per-item status), ``GET /orders``
  (reprint = label recovery). DHL returns no prices, offers no rating and
  no look-up by reference, and does not de-duplicate a repeated create.
- Authentication per account: API key header ``dhl-api-key`` + HTTP Basic
  with the business customer portal (GKP) user, or OAuth2 password grant
  (ROPC) with the token cached in the account's token store.
- Tracking: Unified ``GET /track/shipments`` (header ``DHL-API-Key``), one
  tracking number per call, paced to the published app limits and backing
  off on 429.
- DHL Retoure: with the account's option, every order asks for a return
  label (``services.dhlRetoure``, billed on procedure 07, back to the
  warehouse); its ``returnShipmentNo``/``returnLabel`` come back in
  :attr:`DhlShipmentResult.return_packages`. A standalone return shipment
  is not in the contracts: ``supports_returns`` stays False.
- Push: DHL's Unified Push payload is not confirmed (§2.3). The receiver
  side is implemented for the assembled example (Unified shipment objects),
  authenticated by the static header/token set at subscription.

:class:`DhlParcelDeAdapter` is composed of one mixin per responsibility:
``auth``, ``orders`` (request mapping), ``shipping`` (create, cancel,
reprint), ``tracking`` (Unified, paced) and ``push``.
"""

import json
import logging
import threading
import time
from typing import ClassVar

from logistics_carriers import CarrierAdapter, mask_payload, register_adapter

from .auth import DhlAuthMixin
from .constants import (
    DEFAULT_PROFILE,
    PRODUCTION_ROOT,
    PUSH_PATH,
    PUSH_SUBSCRIPTION_URL,
    SANDBOX_ROOT,
    SHIPPING_PATH,
    TOKEN_PATH,
    TRACKING_PATH,
    UNIFIED_TRACKING_URL,
)
from .orders import DhlOrderMixin
from .push import DhlPushMixin
from .shipping import DhlShippingMixin
from .tracking import DhlTrackingMixin

_logger = logging.getLogger(__name__)


@register_adapter
class DhlParcelDeAdapter(
    DhlAuthMixin,
    DhlOrderMixin,
    DhlShippingMixin,
    DhlTrackingMixin,
    DhlPushMixin,
    CarrierAdapter,
):
    """DHL Parcel DE Shipping v2 + Shipment Tracking - Unified."""

    carrier_code = "dhl"
    label = "DHL"
    default_base_urls = {"sandbox": SANDBOX_ROOT, "production": PRODUCTION_ROOT}
    supports_lookup = False  # DHL has no search by reference
    idempotent_create = False  # refNo is no de-duplication key
    supports_webhooks = True  # Tracking - Unified pushes (access on request)
    webhook_malformed_message = "The DHL push message cannot be read: {problem}."

    # Tracking - Unified limits (DHL-RL): e.g. 250 calls a day and 1 call a
    # second per app (the same article also says 2/s: the stricter is used).
    track_batch_size = 10  # tracking numbers per track() call of the poller
    track_min_interval = 1.0  # seconds between two calls with one API key
    track_daily_limit = 250  # calls per UTC day and API key (this process)
    track_max_retries = 3  # 429s absorbed in one call before giving up
    track_backoff = 2.0  # first wait after a 429 without Retry-After
    track_backoff_max = 30.0
    track_service = "parcel-de"

    # pacing state shared by every adapter of this process, per API key
    _track_state: ClassVar[dict] = {}
    _track_lock: ClassVar[threading.Lock] = threading.Lock()
    _sleep = staticmethod(time.sleep)

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        extra = dict(config.extra or {})
        self.extra = extra
        self.auth_mode = (extra.get("auth_mode") or "basic").lower()
        self.profile = extra.get("profile") or DEFAULT_PROFILE
        self.language = extra.get("language") or "en-US"
        self.tracking_endpoint = (
            self.base_url + TRACKING_PATH if config.base_url else UNIFIED_TRACKING_URL
        )
        self.push_endpoint = (
            self.base_url + PUSH_PATH if config.base_url else PUSH_SUBSCRIPTION_URL
        )
        self.last_track_not_found = []
        # Shared pacing (see TrackPacer); None: paced within this process.
        self.pacer = None
        # numbers -> {number: recipient postal code}, for recipientPostalCode
        self.postal_code_lookup = None
        self.spec_mismatches = []  # answers that break DHL's specification

    def _spec_mismatch(self, operation, what, data=None):
        """An answer that does not match DHL's specification: kept (masked)
        in the integration log, where the account counts it; never dropped
        silently."""
        masked = json.dumps(mask_payload(data), default=str)[:4000] if data else None
        self.spec_mismatches.append((operation, what))
        _logger.warning(
            "DHL %s answer does not match its specification: %s", operation, what
        )
        self.http._emit(
            {
                "operation": f"{operation}:spec_mismatch",
                "method": "",
                "url": "",
                "status_code": 200,
                "error": f"The DHL answer does not match DHL's specification: {what}",
                "response_body": masked,
                "spec_mismatch": True,
            }
        )

    def resolve_base_url(self):
        """The host root: an override may also be given as the shipping URL."""
        url = super().resolve_base_url()
        for suffix in (SHIPPING_PATH, TOKEN_PATH, TRACKING_PATH):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
        return url.rstrip("/")
