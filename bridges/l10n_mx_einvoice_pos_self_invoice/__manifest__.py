{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0: self-invoicing from the POS ticket",
    "summary": "Public page where a customer turns a Point of Sale ticket into a stamped CFDI "
    "(facturación en línea), and the ticket's QR code to it",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice_pos", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/self_invoice_templates.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "l10n_mx_einvoice_pos_self_invoice/static/src/**/*",
        ],
    },
    "auto_install": True,
}
