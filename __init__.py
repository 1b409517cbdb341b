from . import controllers, models, wizards


def _post_init_hook(env):
    """The sales withholdings for the Mexican companies that exist at install."""
    for company in env["res.company"].search([("chart_template", "=", "mx")]):
        env["account.chart.template"].with_company(company)._l10n_mx_einvoice_sale_withholdings()
