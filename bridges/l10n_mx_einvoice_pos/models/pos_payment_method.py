from odoo import api, fields, models
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import catalog_selection


class PosPaymentMethod(models.Model):
    _inherit = "pos.payment.method"

    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        compute="_compute_l10n_mx_einvoice_forma_pago",
        store=True,
        readonly=False,
        help="SAT's c_FormaPago of what this method receives: 01 cash, 04 credit card, 28 "
        "debit card, 03 transfer... The invoice of a ticket and the global invoice take the "
        "form of payment of the largest amount paid.",
    )

    @api.depends("journal_id")
    def _compute_l10n_mx_einvoice_forma_pago(self):
        defaults = {"cash": "01", "bank": "04", "pay_later": "99"}
        for method in self:
            method.l10n_mx_einvoice_forma_pago = method.l10n_mx_einvoice_forma_pago or defaults.get(
                method.type, "99"
            )

    @api.model
    def _l10n_mx_einvoice_largest_forma(self, payments):
        """The form of payment of the largest amount among ``payments`` ("99" without one)."""
        by_forma = {}
        for payment in payments:
            forma = payment.payment_method_id.l10n_mx_einvoice_forma_pago or "99"
            by_forma[forma] = by_forma.get(forma, 0.0) + payment.amount
        return max(by_forma, key=by_forma.get) if by_forma else "99"
