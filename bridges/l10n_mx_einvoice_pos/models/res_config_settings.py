from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_mx_einvoice_pos_global_periodicity = fields.Selection(
        related="company_id.l10n_mx_einvoice_pos_global_periodicity", readonly=False
    )
