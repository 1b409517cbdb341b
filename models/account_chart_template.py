from odoo import Command, models
from odoo.tools import float_compare

# The sales withholdings an accountant expects in a Mexican chart (persona moral paying a
# persona física for fees or rent): (l10n_mx tax type, amount, name, tax group, account).
SALE_WITHHOLDINGS = (
    ("isr", -10.0, "10% ISR WH (sales)", "tax_group_isr_ret_10", "cuenta113_02_01"),
    ("iva", -10.6667, "10.6667% IVA WH (sales)", "tax_group_iva_ret_1067", "cuenta118_01"),
)


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        result = super()._post_load_data(template_code, company, template_data)
        if template_code == "mx":
            self.with_company(company or self.env.company)._l10n_mx_einvoice_sale_withholdings()
        return result

    def _l10n_mx_einvoice_sale_withholdings(self):
        """Creates the sales withholdings (ISR 10 %, IVA 10.6667 %) the company's chart
        lacks: l10n_mx ships them for purchases only. Returns the created taxes."""
        company = self.env.company
        taxes = self.env["account.tax"].with_context(active_test=False)
        created = taxes.browse()
        for tax_type, amount, name, group, account in SALE_WITHHOLDINGS:
            existing = taxes.search(
                [
                    *taxes._check_company_domain(company),
                    ("type_tax_use", "=", "sale"),
                    ("l10n_mx_tax_type", "=", tax_type),
                    ("amount_type", "=", "percent"),
                ]
            ).filtered(lambda tax, amount=amount: not float_compare(tax.amount, amount, 4))
            if existing:
                continue
            account_id = (self.ref(account, raise_if_not_found=False) or taxes.browse()).id
            group_id = (self.ref(group, raise_if_not_found=False) or taxes.browse()).id
            created |= taxes.create(
                {
                    "name": name,
                    "amount": amount,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": company.id,
                    "country_id": self.env.ref("base.mx").id,
                    "l10n_mx_tax_type": tax_type,
                    "l10n_mx_factor_type": "Tasa",
                    **({"tax_group_id": group_id} if group_id else {}),
                    "repartition_line_ids": [
                        Command.create({"repartition_type": kind, "document_type": document})
                        if kind == "base"
                        else Command.create(
                            {
                                "repartition_type": kind,
                                "document_type": document,
                                "account_id": account_id,
                            }
                        )
                        for document in ("invoice", "refund")
                        for kind in ("base", "tax")
                    ],
                }
            )
        return created
