from . import test_carrier_ups
