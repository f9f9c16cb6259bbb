from . import test_freight_invoice
from . import test_classification
from . import test_import
from . import test_workflow
from . import test_tour
from . import test_charge_once
from . import test_billing_concurrency
