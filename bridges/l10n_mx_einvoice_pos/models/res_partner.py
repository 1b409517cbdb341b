from odoo import api, models

FISCAL_FIELDS = ["l10n_mx_einvoice_regimen_fiscal", "l10n_mx_einvoice_uso_cfdi"]


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # the counter sees the customer's fiscal data (RFC and postal code are loaded already)
        return super()._load_pos_data_fields(config_id) + FISCAL_FIELDS
