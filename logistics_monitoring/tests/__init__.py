from . import test_exception_board
from . import test_board_actions
from . import test_aging_rules
from . import test_kpi
from . import test_access
from . import test_tour
from . import test_caller_checks
