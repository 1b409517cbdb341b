from . import l10n_mx_einvoice_global_invoice
