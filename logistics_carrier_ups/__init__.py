import logistics_carriers.ups
from . import controllers
from . import models
from . import wizards
