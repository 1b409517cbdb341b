from . import l10n_mx_einvoice_self_invoice_attempt, pos_order, res_company, res_config_settings
