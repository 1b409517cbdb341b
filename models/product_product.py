from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _l10n_mx_einvoice_clave_prod_serv(self):
        """The product's ClaveProdServ code, or False when none is set (or no product: a
        down payment's deduction line has none)."""
        if not self:
            return False
        self.ensure_one()
        return self.product_tmpl_id.l10n_mx_einvoice_clave_prod_serv_id.code or False

    def _l10n_mx_einvoice_clave_unidad(self, uom):
        """The ClaveUnidad of this product sold in ``uom``: the product's own code in its unit
        of measure, else the unit's; False when none is set."""
        self.ensure_one()
        template = self.product_tmpl_id
        if uom == template.uom_id and template.l10n_mx_einvoice_clave_unidad_id:
            return template.l10n_mx_einvoice_clave_unidad_id.code
        return uom._l10n_mx_einvoice_clave_unidad()
