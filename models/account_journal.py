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
    l10n_mx_einvoice_issuing_address_id = fields.Many2one(
        "res.partner",
        string="Issuing address (CFDI)",
        help="Address of the branch or establishment that issues this journal's CFDI: its "
        "postal code is the LugarExpedicion, and its time zone the one of the CFDI's Fecha. "
        "Empty: the company's address.",
    )
