from . import account_move, l10n_mx_einvoice_document
