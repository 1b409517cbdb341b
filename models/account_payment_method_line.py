from odoo import fields, models

from .l10n_mx_einvoice_utils import catalog_selection


class AccountPaymentMethodLine(models.Model):
    _inherit = "account.payment.method.line"

    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        help="c_FormaPago of payments made with this method; empty = the journal's.",
    )
