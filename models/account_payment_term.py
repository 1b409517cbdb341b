from odoo import fields, models

from .l10n_mx_einvoice_utils import catalog_selection


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    l10n_mx_einvoice_metodo_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_MetodoPago"),
        string="Payment method (SAT)",
        help="Leave empty to derive it: an immediate payment term (one installment due the "
        "same day) is PUE, any other is PPD.",
    )

    def _l10n_mx_einvoice_metodo_pago(self):
        """PUE for an immediate payment term, PPD otherwise (or the term's override)."""
        self.ensure_one()
        if self.l10n_mx_einvoice_metodo_pago:
            return self.l10n_mx_einvoice_metodo_pago
        lines = self.line_ids
        immediate = (
            len(lines) == 1
            and lines.nb_days == 0
            and lines.delay_type == "days_after"
            and not self.early_discount
        )
        return "PUE" if immediate else "PPD"
