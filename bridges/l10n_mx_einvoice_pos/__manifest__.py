{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0: Point of Sale",
    "summary": "CFDI from the Point of Sale: invoices at the counter and the global invoice "
    "of the tickets nobody invoiced",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice", "point_of_sale"],
    "data": [],
    "auto_install": True,
}
