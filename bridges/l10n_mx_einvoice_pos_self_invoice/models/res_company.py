from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_einvoice_self_invoice_days = fields.Integer(
        string="Self-invoicing window (days)",
        default=30,
        help="Days after the ticket's date during which a customer may turn it into a CFDI on "
        "the self-invoicing page. Whatever this says, a ticket already in a global invoice "
        "is never invoiced from the page.",
    )
