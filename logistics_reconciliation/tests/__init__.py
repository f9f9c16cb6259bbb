from . import test_freight_invoice
