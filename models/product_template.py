from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .l10n_mx_einvoice_utils import catalog_selection

SERVICE_CLAVE_UNIDAD = "E48"  # Unidad de servicio


class ProductTemplate(models.Model):
    _inherit = "product.template"

    l10n_mx_einvoice_clave_prod_serv_id = fields.Many2one(
        "l10n_mx_einvoice.sat.code",
        string="SAT product code",
        domain=[("applies_to", "=", "product")],
        help="ClaveProdServ of SAT's catalog c_ClaveProdServ used on CFDI lines of this product.",
    )
    l10n_mx_einvoice_clave_unidad_id = fields.Many2one(
        "l10n_mx_einvoice.sat.code",
        string="SAT unit code",
        domain=[("applies_to", "=", "uom")],
        compute="_compute_l10n_mx_einvoice_clave_unidad_id",
        store=True,
        readonly=False,
        help="ClaveUnidad of SAT's catalog c_ClaveUnidad on CFDI lines of this product in its "
        "unit of measure: the unit's code, or E48 (Unidad de servicio) for a service.",
    )
    l10n_mx_einvoice_tariff_id = fields.Many2one(
        "l10n_mx_einvoice.sat.code",
        string="Tariff item (fracción arancelaria)",
        domain=[("applies_to", "=", "tariff")],
        help="FraccionArancelaria of SAT's catalog c_FraccionArancelaria: required to export this "
        "product with the Comercio Exterior complement.",
    )
    l10n_mx_einvoice_umt = fields.Selection(
        selection=lambda self: catalog_selection("c_UnidadAduana"),
        string="Tariff unit (UMT)",
        help="UnidadAduana of the tariff item. With 01 (kilo) the customs quantity is the "
        "product's weight times the quantity invoiced; otherwise the quantity invoiced.",
    )
    l10n_mx_einvoice_stamp_credits = fields.Integer(
        string="Stamps per unit",
        help="Marks a stamp package: posting a vendor bill with this product adds this number "
        "of stamps (times the quantity) to the company's stamp account.",
    )

    @api.depends("type", "uom_id.l10n_mx_einvoice_clave_unidad_id")
    def _compute_l10n_mx_einvoice_clave_unidad_id(self):
        service_unit = self.env["l10n_mx_einvoice.sat.code"]._l10n_mx_einvoice_find(
            SERVICE_CLAVE_UNIDAD, "uom"
        )
        for template in self:
            if template.type == "service" and service_unit:
                template.l10n_mx_einvoice_clave_unidad_id = service_unit
            else:
                template.l10n_mx_einvoice_clave_unidad_id = (
                    template.uom_id.l10n_mx_einvoice_clave_unidad_id
                )

    @api.constrains("l10n_mx_einvoice_stamp_credits")
    def _check_l10n_mx_einvoice_stamp_credits(self):
        for template in self:
            if template.l10n_mx_einvoice_stamp_credits < 0:
                raise ValidationError(
                    self.env._(
                        "The number of stamps of %(product)s cannot be negative.",
                        product=template.display_name,
                    )
                )
