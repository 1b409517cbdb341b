from odoo import api, fields, models
from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import catalog_selection
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    l10n_mx_einvoice_clave_prod_serv_cp = fields.Char(
        string="SAT goods code (Carta Porte)",
        size=8,
        help="BienesTransp: the key of SAT's c_ClaveProdServCP of the goods when carried.",
    )
    l10n_mx_einvoice_hazardous = fields.Boolean(string="Hazardous material")
    l10n_mx_einvoice_material_peligroso = fields.Selection(
        selection=lambda self: catalog_selection("c_MaterialPeligroso"),
        string="Hazardous material key",
    )
    l10n_mx_einvoice_embalaje = fields.Selection(
        selection=lambda self: catalog_selection("c_TipoEmbalaje"),
        string="Packaging (hazardous material)",
    )

    @api.constrains("l10n_mx_einvoice_clave_prod_serv_cp")
    def _check_l10n_mx_einvoice_clave_prod_serv_cp(self):
        codes = catalogs.codes("c_ClaveProdServCP")
        for template in self:
            code = template.l10n_mx_einvoice_clave_prod_serv_cp
            if code and code not in codes:
                raise ValidationError(
                    self.env._(
                        "%(code)s is not a key of SAT's c_ClaveProdServCP (product %(product)s).",
                        code=code,
                        product=template.display_name,
                    )
                )
