from . import (
    test_archive,
    test_certificate,
    test_fiscal_data,
    test_report,
    test_secrets_in_logs,
    test_security_access,
    test_stamp_account,
    test_stamp_concurrency,
    test_stamp_invoice,
    test_vendor_import,
)
from . import test_payment_complement
from . import test_cancellation
from . import test_sat_status_followup
from . import test_global_invoice
