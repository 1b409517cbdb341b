from . import test_certificate, test_fiscal_data, test_security_access, test_stamp_account
from . import test_stamp_invoice
from . import test_report
from . import test_secrets_in_logs
from . import test_stamp_concurrency
