from . import l10n_mx_einvoice_credit_adjust
