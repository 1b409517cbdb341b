from . import (
    l10n_mx_einvoice_archive,
    l10n_mx_einvoice_credit_adjust,
    l10n_mx_einvoice_vendor_import,
)
