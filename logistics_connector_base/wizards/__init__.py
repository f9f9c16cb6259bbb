from . import logistics_rate_shopping_wizard
