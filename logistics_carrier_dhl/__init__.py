import logistics_carriers.dhl
from . import models
