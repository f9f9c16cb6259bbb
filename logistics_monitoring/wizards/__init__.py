from . import logistics_exception_wizard_mixin
from . import logistics_exception_resolve_wizard
from . import logistics_exception_reroute_wizard
