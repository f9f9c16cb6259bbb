import logistics_carriers
from . import caller
from . import controllers
from . import models
from . import outbound_url
from . import params
from . import wizards
