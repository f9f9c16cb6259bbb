from . import logistics_exception_stage
from . import logistics_exception
