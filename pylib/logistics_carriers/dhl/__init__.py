"""DHL adapters (pure Python: nothing of Odoo is imported here)."""

from . import dhl_status
from .countries import to_alpha3
from .dhl_parcel_de import DhlParcelDeAdapter
