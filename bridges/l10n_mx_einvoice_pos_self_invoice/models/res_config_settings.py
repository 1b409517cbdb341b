from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_mx_einvoice_self_invoice_days = fields.Integer(
        related="company_id.l10n_mx_einvoice_self_invoice_days", readonly=False
    )
