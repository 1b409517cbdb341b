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
