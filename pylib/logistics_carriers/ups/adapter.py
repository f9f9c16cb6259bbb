# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS REST adapter (OAuth 2.0 client credentials), no Odoo inside.

Written against UPS's published contracts (``docs/carrier-contracts.md`` §1):
Shipping v2409 (ship, void, label recovery), Rating v2409, Address
Validation v2, Tracking v1 and Track Alert (v2, v1 with a destination).

Since v2403 (Ship/Void) and v2409 (Rate) UPS sends repeating elements as
arrays, while its Postman examples still show single objects: every
repeating element is read with :func:`as_list`.

The adapter is composed of one mixin per responsibility: ``auth`` (OAuth),
``errors`` (classification), ``mapping`` (request parts), ``shipping``
(Ship, Void, Label Recovery), ``rating``, ``address``, ``tracking`` and
``track_alert`` (subscriptions and pushes). Its public API is that of
:class:`UpsAdapter` alone.
"""

from logistics_carriers import CarrierAdapter, SimulatorAdapter, register_adapter

from .address import UpsAddressMixin
from .auth import UpsAuthMixin
from .errors import UpsErrorsMixin
from .mapping import UpsRequestMixin
from .rating import UpsRatingMixin
from .services import API_VERSION
from .shipping import UpsShippingMixin
from .track_alert import UpsTrackAlertMixin
from .tracking import UpsTrackingMixin


@register_adapter
class UpsAdapter(
    UpsAuthMixin,
    UpsErrorsMixin,
    UpsRequestMixin,
    UpsShippingMixin,
    UpsRatingMixin,
    UpsAddressMixin,
    UpsTrackingMixin,
    UpsTrackAlertMixin,
    CarrierAdapter,
):
    """UPS: Shipping, Void, Rating, Address Validation, Tracking, Track Alert."""

    carrier_code = "ups"
    label = "UPS"
    default_base_urls = {
        "sandbox": "https://wwwcie.ups.com/api",
        "production": "https://onlinetools.ups.com/api",
    }
    supports_lookup = False
    # ShipmentRequest.is_return: a UPS Print Return Label (ReturnService 9)
    supports_returns = True
    idempotent_create = False  # UPS has no idempotency key: never resend blindly
    api_version = API_VERSION
    label_recovery_version = "v1"
    address_validation_version = "v2"
    address_candidates = 5
    # One Track API call per number; the poller hands over this many numbers
    # per call of track() and waits track_min_interval seconds between them.
    track_batch_size = 25
    track_min_interval = 1.0
    subscription_batch_size = 100  # UPS: at most 100 numbers per request
    subscription_days = 14  # a Track Alert subscription lasts 14 days
    void_batch_size = 20  # UPS: at most 20 tracking numbers per void
    transaction_src = "odoo-logistics-suite"
    supports_webhooks = True
    webhook_malformed_message = "The body is not a UPS Track Alert message: {problem}"

    _json = staticmethod(SimulatorAdapter._json)  # JSON object of a response, or {}

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        self.unmapped = {}  # composite raw code -> count (never dropped)
        self.spec_mismatches = []  # answers that break UPS's specification
        self.last_track_problems = {}  # tracking number -> why it has no events
        sink = self.http.log_sink
        if sink is not None:
            self.http.log_sink = self._masking_sink(sink)

    @property
    def extra(self):
        return self.config.extra or {}
