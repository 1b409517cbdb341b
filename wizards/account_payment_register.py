"""Registering a payment stamps its complement when the company asks for it."""

from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        payments = super()._create_payments()
        payments._l10n_mx_einvoice_stamp_after_reconcile()
        return payments
