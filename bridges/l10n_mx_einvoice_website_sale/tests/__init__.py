from . import test_checkout_fiscal_data
