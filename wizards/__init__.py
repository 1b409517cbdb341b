from . import l10n_mx_einvoice_credit_adjust
from . import l10n_mx_einvoice_vendor_import
from . import l10n_mx_einvoice_archive
