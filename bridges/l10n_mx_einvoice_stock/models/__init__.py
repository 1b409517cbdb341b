from . import (
    l10n_mx_einvoice_builder_picking,
    l10n_mx_einvoice_document,
    l10n_mx_einvoice_vehicle,
    product_template,
    res_partner,
    stock_picking,
)
