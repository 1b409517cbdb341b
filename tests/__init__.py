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
