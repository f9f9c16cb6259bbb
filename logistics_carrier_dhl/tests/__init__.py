from . import test_carrier_dhl
