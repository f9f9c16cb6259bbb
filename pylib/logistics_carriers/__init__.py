"""Pure-Python carrier adapter layer (imports nothing from Odoo)."""

from .base import (
    TOKEN_REFRESH_MARGIN,
    AccountConfig,
    CarrierAdapter,
    MemoryTokenStore,
    TokenStore,
)
from .dtos import (
    CANONICAL_CODES,
    Address,
    AddressValidationResult,
    PackageResult,
    Parcel,
    RateQuote,
    ShipmentRequest,
    ShipmentResult,
    TrackingEvent,
    parse_datetime,
)
from .errors import (
    CarrierAuthError,
    CarrierError,
    CarrierNotSupported,
    CarrierTransientError,
    CarrierValidationError,
    FieldError,
    WebhookAuthError,
)
from .http import CarrierHttpClient, parse_retry_after
from .masking import mask_headers, mask_payload, mask_text
from .registry import (
    get_adapter_class,
    register_adapter,
    registered_codes,
    unregister_adapter,
)
from .simulator import SimulatorAdapter
from . import rate_shopping
from .generic import GenericPartnerAdapter, PartnerEvent

__all__ = [
    "CANONICAL_CODES",
    "TOKEN_REFRESH_MARGIN",
    "AccountConfig",
    "Address",
    "AddressValidationResult",
    "CarrierAdapter",
    "CarrierAuthError",
    "CarrierError",
    "CarrierHttpClient",
    "CarrierNotSupported",
    "CarrierTransientError",
    "CarrierValidationError",
    "FieldError",
    "GenericPartnerAdapter",
    "MemoryTokenStore",
    "PackageResult",
    "PartnerEvent",
    "Parcel",
    "RateQuote",
    "ShipmentRequest",
    "ShipmentResult",
    "SimulatorAdapter",
    "TokenStore",
    "TrackingEvent",
    "WebhookAuthError",
    "get_adapter_class",
    "mask_headers",
    "mask_payload",
    "mask_text",
    "parse_datetime",
    "parse_retry_after",
    "register_adapter",
    "registered_codes",
    "unregister_adapter",
]
