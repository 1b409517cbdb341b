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
    "data": [
        "data/ir_cron.xml",
        "wizards/l10n_mx_einvoice_global_invoice_views.xml",
        "views/pos_order_views.xml",
        "views/pos_payment_method_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "l10n_mx_einvoice_pos/static/src/app/**/*",
        ],
    },
    "auto_install": True,
}
