from . import logistics_carrier_account
from . import delivery_carrier
from . import stock_picking
from . import logistics_shipment
