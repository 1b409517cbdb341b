from . import (
    l10n_mx_einvoice_builder_picking,
    l10n_mx_einvoice_document,
    product_template,
    stock_picking,
)
