"""DHL adapters (pure Python: nothing of Odoo is imported here).

:class:`DhlParcelDeAdapter` (Parcel DE Shipping v2 + Shipment Tracking -
Unified), one module per responsibility:

- ``adapter``: :class:`DhlParcelDeAdapter` (capabilities, configuration)
- ``auth``: API key + Basic, or OAuth2 ROPC; the Shipping API call
- ``orders``: request mapping of ``POST /orders``
- ``shipping``: create, cancel, reprint (answers and errors)
- ``tracking``: Tracking - Unified, paced; events
- ``push``: push subscription, authentication and parsing of pushes
- ``constants``: endpoints, products, formats, limits, the customs rule
- ``values``: timestamps, headers, documents (pure functions)
- ``dhl_status``: DHL status codes -> canonical codes
- ``countries``: ISO 3166 alpha-2 -> alpha-3
"""

from . import dhl_status
from .adapter import DhlParcelDeAdapter
from .constants import (
    DEFAULT_PRODUCT,
    DEFAULT_PROFILE,
    DEFAULT_PUSH_HEADER,
    DOMESTIC_PRODUCTS,
    PRINT_FORMATS,
    PRODUCTS,
    PUBLIC_TRACKING_URL,
    needs_customs,
)
from .countries import to_alpha3
from .shipping import DhlShipmentResult
from .tracking import TrackPacer
from .values import dhl_timestamp

__all__ = [
    "DEFAULT_PRODUCT",
    "DEFAULT_PROFILE",
    "DEFAULT_PUSH_HEADER",
    "DOMESTIC_PRODUCTS",
    "PRINT_FORMATS",
    "PRODUCTS",
    "PUBLIC_TRACKING_URL",
    "DhlParcelDeAdapter",
    "DhlShipmentResult",
    "TrackPacer",
    "dhl_status",
    "dhl_timestamp",
    "needs_customs",
    "to_alpha3",
]
