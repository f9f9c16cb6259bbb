from . import test_ledger
from . import test_ledger_concurrency
from . import test_send_to_carrier
from . import test_dispatch_failures
from . import test_preflight
from . import test_security
from . import test_integration_log
from . import test_delivery_carrier
