from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..cfdi import catalogs
from .l10n_mx_einvoice_utils import catalog_selection


class L10nMxEinvoiceFreightGoods(models.Model):
    """Goods a carrier transports for its customer, on the freight invoice (CFDI type I)
    that carries Carta Porte: a Mercancia node. They are the customer's goods, not the
    carrier's products, so they are described here rather than picked from the catalog."""

    _name = "l10n_mx_einvoice.freight.goods"
    _description = "Goods transported (Carta Porte of a freight invoice)"
    _order = "move_id, sequence, id"

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    sequence = fields.Integer(default=10)
    bienes_transp = fields.Char(
        string="SAT goods code",
        size=8,
        required=True,
        help="BienesTransp: the key of SAT's c_ClaveProdServCP of the goods carried.",
    )
    name = fields.Char(string="Description", required=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True, default=1.0)
    uom_id = fields.Many2one("uom.uom", string="Unit", required=True)
    weight = fields.Float(
        string="Weight (kg)", digits=(16, 3), required=True, help="PesoEnKg of these goods."
    )
    value = fields.Monetary(
        string="Declared value", help="ValorMercancia, in the invoice's currency."
    )
    hazardous = fields.Boolean(string="Hazardous material")
    material_peligroso = fields.Selection(
        selection=lambda self: catalog_selection("c_MaterialPeligroso"),
        string="Hazardous material key",
    )
    embalaje = fields.Selection(
        selection=lambda self: catalog_selection("c_TipoEmbalaje"), string="Packaging"
    )

    @api.constrains("bienes_transp")
    def _check_bienes_transp(self):
        codes = catalogs.codes("c_ClaveProdServCP")
        for goods in self:
            if goods.bienes_transp not in codes:
                raise ValidationError(
                    self.env._(
                        "%(code)s is not a key of SAT's c_ClaveProdServCP (goods %(goods)s).",
                        code=goods.bienes_transp,
                        goods=goods.name,
                    )
                )
