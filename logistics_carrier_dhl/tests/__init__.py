from . import test_carrier_dhl
from . import test_dhl_send_to_carrier
from . import test_dhl_security
from . import test_dhl_pacing_workers
from . import test_dhl_retoure
from . import test_dhl_customs
from . import test_dhl_answers
