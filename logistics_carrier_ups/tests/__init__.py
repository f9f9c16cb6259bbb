from . import test_carrier_ups
from . import test_ups_send_to_carrier
from . import test_ups_track_alert
from . import test_ups_operations
from . import test_ups_token_workers
from . import test_ups_returns
from . import test_ups_oauth
from . import test_ups_address_security
