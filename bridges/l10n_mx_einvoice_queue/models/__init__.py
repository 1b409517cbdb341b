from . import (
    l10n_mx_einvoice_document,
    l10n_mx_einvoice_sat_download,
    l10n_mx_einvoice_stamp_run,
    l10n_mx_einvoice_vendor_import,
)
