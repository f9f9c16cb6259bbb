from . import ups_address_suggestion
