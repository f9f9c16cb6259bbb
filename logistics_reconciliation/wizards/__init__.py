from . import logistics_freight_import_wizard
from . import logistics_freight_reconcile_wizard
