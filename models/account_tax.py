from decimal import Decimal

from odoo import fields, models
from odoo.exceptions import UserError

from .l10n_mx_einvoice_utils import catalog_selection

# l10n_mx's "SAT Tax Type" -> c_Impuesto
IMPUESTO_BY_TAX_TYPE = {"isr": "001", "iva": "002", "ieps": "003"}


class AccountTax(models.Model):
    _inherit = "account.tax"

    # Impuesto and TipoFactor come from l10n_mx's l10n_mx_tax_type / l10n_mx_factor_type.
    l10n_mx_einvoice_objeto_imp = fields.Selection(
        selection=lambda self: catalog_selection("c_ObjetoImp"),
        string="Objeto de impuesto",
        help="Leave empty to derive it: 02 (subject to tax) for lines with taxes, 01 for lines "
        "without. Set it to force another c_ObjetoImp code on the lines carrying this tax "
        "(e.g. 03: subject to tax but not obliged to break it down).",
    )

    l10n_mx_einvoice_local_tax = fields.Boolean(
        string="Local tax (implocal)",
        help="A state or municipal tax (lodging tax, cedular tax, 5 al millar): the CFDI "
        "declares it in the ImpuestosLocales complement instead of its Impuestos node. A "
        "negative amount is a local withholding.",
    )
    l10n_mx_einvoice_local_tax_name = fields.Char(
        string="Local tax name (CFDI)",
        help="The name written in the ImpuestosLocales complement (ImpLocTrasladado / "
        "ImpLocRetenido); the tax's name when empty.",
    )

    def _l10n_mx_einvoice_tax_values(self):
        """The CFDI description of this tax: impuesto, tipo factor, tasa o cuota, retention."""
        self.ensure_one()
        factor = self.l10n_mx_factor_type or "Tasa"
        tax_type = self.l10n_mx_tax_type or ("iva" if factor == "Exento" else False)
        impuesto = IMPUESTO_BY_TAX_TYPE.get(tax_type)
        if not impuesto:
            raise UserError(
                self.env._(
                    "The tax %(tax)s has no SAT tax type (ISR, IVA or IEPS), so it cannot be "
                    "declared in a CFDI. Set its SAT Tax Type in Accounting > Configuration > Taxes "
                    "(local taxes go to the implocal complement).",
                    tax=self.display_name,
                )
            )
        if factor == "Exento":
            tasa = None
        elif self.amount_type == "percent":
            tasa = (abs(Decimal(str(self.amount))) / 100).quantize(Decimal("0.000001"))
        elif self.amount_type == "fixed" and factor == "Cuota":
            tasa = abs(Decimal(str(self.amount))).quantize(Decimal("0.000001"))
        else:
            raise UserError(
                self.env._(
                    "The tax %(tax)s is computed as '%(kind)s', which CFDI cannot express. Use a "
                    "percentage (TipoFactor Tasa) or a fixed amount per unit (TipoFactor Cuota).",
                    tax=self.display_name,
                    kind=self.amount_type,
                )
            )
        return {
            "impuesto": impuesto,
            "tipo_factor": factor,
            "tasa_o_cuota": tasa,
            "retention": self.amount < 0,
        }

    def _l10n_mx_einvoice_objeto_imp(self):
        """ObjetoImp of a line carrying these taxes: the override if any, else 02 / 01."""
        overrides = self.filtered("l10n_mx_einvoice_objeto_imp").mapped(
            "l10n_mx_einvoice_objeto_imp"
        )
        if overrides:
            return overrides[0]
        return "02" if self else "01"
