from . import logistics_freight_invoice
from . import logistics_freight_invoice_line
