from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        moves = self.env["account.move"].browse(
            {v["move_id"] for v in vals_list if v.get("move_id")}
        )
        self._l10n_mx_einvoice_check_price_decimals(moves, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if "price_unit" in vals:
            self._l10n_mx_einvoice_check_price_decimals(self.move_id, [vals])
        return super().write(vals)

    def _l10n_mx_einvoice_check_price_decimals(self, moves, vals_list):
        """A unit price typed with more decimals than Odoo keeps is refused before Odoo
        rounds it away: the CFDI would carry another price than the one entered."""
        if not any(move._l10n_mx_einvoice_document_type() == "invoice" for move in moves):
            return
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for vals in vals_list:
            price = vals.get("price_unit")
            if not price or not float_compare(
                price, float_round(price, precision_digits=digits), precision_digits=10
            ):
                continue
            raise UserError(
                self.env._(
                    "The unit price %(price)s of the line '%(line)s' has more decimals than Odoo "
                    "keeps (Product Price precision: %(digits)s), so it would be saved as "
                    "%(rounded)s and the CFDI would not show the price you entered. Round the "
                    "price, or use 6 decimals (as SAT allows) in Settings > Accounting > CFDI.",
                    price=repr(float(price)),
                    line=vals.get("name") or "",
                    digits=digits,
                    rounded=float_round(price, precision_digits=digits),
                )
            )
