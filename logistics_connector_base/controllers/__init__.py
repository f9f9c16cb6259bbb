from . import db_unavailable
from . import webhook
from . import xlsx_export
