{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0: sales down payments",
    "summary": "Sale's down payment invoices as SAT's anticipos (tested with the sale flow)",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice", "sale"],
    "data": ["views/sale_portal_templates.xml"],
    "auto_install": True,
}
