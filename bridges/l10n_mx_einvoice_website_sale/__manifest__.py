{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0: fiscal data at the shop's checkout",
    "summary": "A customer who wants a CFDI gives RFC, régimen fiscal, postal code and uso "
    "CFDI at checkout, checked as the back office checks them",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice", "website_sale"],
    "data": [
        "data/ir_model_fields.xml",
        "views/templates.xml",
    ],
    "auto_install": True,
}
