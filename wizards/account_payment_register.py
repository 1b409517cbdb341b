"""The payment wizard: the SAT form of payment (defaulted from the payment method or the
journal); registering a payment stamps its complement when the company asks for it."""

from odoo import api, fields, models

from ..models.l10n_mx_einvoice_utils import catalog_selection


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        compute="_compute_l10n_mx_einvoice_forma_pago",
        store=True,
        readonly=False,
        help="FormaDePagoP of the payment complement: the payment method's, else the journal's.",
    )

    @api.depends("journal_id", "payment_method_line_id")
    def _compute_l10n_mx_einvoice_forma_pago(self):
        for wizard in self:
            wizard.l10n_mx_einvoice_forma_pago = (
                wizard.payment_method_line_id.l10n_mx_einvoice_forma_pago
                or wizard.journal_id.l10n_mx_einvoice_forma_pago
                or False
            )

    def _create_payment_vals_from_wizard(self, batch_result):
        values = super()._create_payment_vals_from_wizard(batch_result)
        if self.l10n_mx_einvoice_forma_pago:
            values["l10n_mx_einvoice_forma_pago"] = self.l10n_mx_einvoice_forma_pago
        return values

    def _create_payment_vals_from_batch(self, batch_result):
        values = super()._create_payment_vals_from_batch(batch_result)
        if self.l10n_mx_einvoice_forma_pago:
            values["l10n_mx_einvoice_forma_pago"] = self.l10n_mx_einvoice_forma_pago
        return values

    def _create_payments(self):
        payments = super()._create_payments()
        payments._l10n_mx_einvoice_stamp_after_reconcile()
        return payments
