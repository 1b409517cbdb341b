from . import test_self_invoice
