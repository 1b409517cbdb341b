from odoo import api, fields, models

from ..cfdi.contabilidad import catalogs as ce_catalogs
from ..cfdi.contabilidad import propose_agrupador, propose_nature


def _agrupador_selection():
    return [(c.code, f"{c.code} - {c.description}") for c in ce_catalogs.agrupadores()]


class AccountAccount(models.Model):
    _inherit = "account.account"

    l10n_mx_einvoice_cod_agrup = fields.Selection(
        selection=lambda self: _agrupador_selection(),
        string="SAT grouping code",
        help="SAT's código agrupador (Anexo 24) of this account, sent in the catálogo de "
        "cuentas. Accounts numbered like Mexico's chart (102.01.01) get it on creation.",
    )
    l10n_mx_einvoice_nature = fields.Selection(
        [("D", "Debit (deudora)"), ("A", "Credit (acreedora)")],
        string="SAT nature",
        compute="_compute_l10n_mx_einvoice_nature",
        store=True,
        readonly=False,
        help="Natur of the catálogo de cuentas: from the grouping code (it knows contra "
        "accounts), else from the account type.",
    )

    @api.depends("l10n_mx_einvoice_cod_agrup", "account_type")
    def _compute_l10n_mx_einvoice_nature(self):
        for account in self:
            account.l10n_mx_einvoice_nature = propose_nature(
                account.l10n_mx_einvoice_cod_agrup, account.account_type
            )

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts.filtered(lambda a: not a.l10n_mx_einvoice_cod_agrup)._l10n_mx_einvoice_map()
        return accounts

    def _l10n_mx_einvoice_map(self):
        """Set the proposed código agrupador on accounts of Mexican companies that have none."""
        for account in self:
            company = account.company_ids.filtered(
                lambda c: "MX" in (c.account_fiscal_country_id.code, c.country_id.code)
            )
            if not company:
                continue
            code = propose_agrupador(account.with_company(company[:1]).code)
            if code:
                account.l10n_mx_einvoice_cod_agrup = code

    @api.model
    def _l10n_mx_einvoice_map_unmapped(self):
        """On install: map every existing account without a código agrupador."""
        self.with_context(active_test=False).search(
            [("l10n_mx_einvoice_cod_agrup", "=", False)]
        )._l10n_mx_einvoice_map()
