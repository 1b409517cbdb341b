from odoo import fields, models

from .l10n_mx_einvoice_utils import catalog_selection


class AccountJournal(models.Model):
    _inherit = "account.journal"

    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        help="c_FormaPago of payments registered in this journal (e.g. 03 transfer for a bank "
        "journal, 01 cash). A payment method line may override it.",
    )
