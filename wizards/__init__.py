from . import (
    l10n_mx_einvoice_archive,
    l10n_mx_einvoice_credit_adjust,
    l10n_mx_einvoice_vendor_import,
)
from . import account_payment_register
from . import l10n_mx_einvoice_cancel
from . import l10n_mx_einvoice_global_invoice
from . import mail_compose_message
