{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "Mexico - CFDI 4.0 on the job queue",
    "summary": "Mass stamping and SAT status follow-up of l10n_mx_einvoice as queue_job jobs, "
    "a channel per stamp account",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "countries": ["mx"],
    "author": "l10n_mx_einvoice contributors",
    "license": "LGPL-3",
    "depends": ["l10n_mx_einvoice", "queue_job"],
    "data": ["data/queue_job_data.xml"],
    "auto_install": True,
}
