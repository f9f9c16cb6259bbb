from . import webhook
from . import xlsx_export
