from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_einvoice_stamp_payments_on_post = fields.Boolean(
        string="Stamp payment complements on posting",
        help="Stamp the payment complement (CFDI type P) as soon as a customer payment is "
        "registered against stamped PPD invoices.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_mx_einvoice_stamp_payments_on_post = fields.Boolean(
        related="company_id.l10n_mx_einvoice_stamp_payments_on_post",
        readonly=False,
    )
