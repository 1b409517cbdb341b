from . import (
    account_payment_register,
    l10n_mx_einvoice_archive,
    l10n_mx_einvoice_cancel,
    l10n_mx_einvoice_credit_adjust,
    l10n_mx_einvoice_global_invoice,
    l10n_mx_einvoice_list69b_import,
    l10n_mx_einvoice_vendor_import,
    l10n_mx_einvoice_vendor_import_line,
    mail_compose_message,
)
