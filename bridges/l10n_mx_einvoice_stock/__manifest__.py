{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0: Carta Porte from transfers",
    "summary": "Carta Porte 3.1 on transfer CFDI (tipo T) from outgoing stock pickings",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice", "stock"],
    "data": [
        "security/ir.model.access.csv",
        "views/l10n_mx_einvoice_vehicle_views.xml",
        "views/stock_picking_views.xml",
        "views/product_template_views.xml",
    ],
    "auto_install": True,
}
