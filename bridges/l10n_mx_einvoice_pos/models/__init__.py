from . import (
    l10n_mx_einvoice_builder_global,
    l10n_mx_einvoice_builder_global_egreso,
    l10n_mx_einvoice_document,
    pos_order,
    pos_payment_method,
    res_company,
    res_config_settings,
    res_partner,
)
