from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_mx_einvoice_vat = fields.Char(related="company_id.vat", readonly=False, string="RFC")
    l10n_mx_einvoice_zip = fields.Char(
        related="company_id.zip", readonly=False, string="Postal code (place of issue)"
    )
    l10n_mx_einvoice_regimen_fiscal = fields.Selection(
        related="company_id.l10n_mx_einvoice_regimen_fiscal", readonly=False
    )
    l10n_mx_einvoice_stamp_account_id = fields.Many2one(
        related="company_id.l10n_mx_einvoice_stamp_account_id", readonly=False
    )
    l10n_mx_einvoice_stamp_on_post = fields.Boolean(
        related="company_id.l10n_mx_einvoice_stamp_on_post", readonly=False
    )
    l10n_mx_einvoice_stamp_payments_on_post = fields.Boolean(
        related="company_id.l10n_mx_einvoice_stamp_payments_on_post", readonly=False
    )
    l10n_mx_einvoice_anticipo_method = fields.Selection(
        related="company_id.l10n_mx_einvoice_anticipo_method", readonly=False
    )
    l10n_mx_einvoice_balance = fields.Integer(
        related="company_id.l10n_mx_einvoice_stamp_account_id.balance", string="Stamps left"
    )
    l10n_mx_einvoice_price_digits = fields.Integer(
        string="Unit price decimals",
        compute="_compute_l10n_mx_einvoice_price_digits",
        help="Decimals of Odoo's Product Price precision. CFDI unit prices (ValorUnitario) "
        "allow 6; with fewer, Odoo rounds a price like 10.004 to 10.00 when it is entered.",
    )
    l10n_mx_einvoice_certificate_count = fields.Integer(
        compute="_compute_l10n_mx_einvoice_certificate_count"
    )

    def _compute_l10n_mx_einvoice_price_digits(self):
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for settings in self:
            settings.l10n_mx_einvoice_price_digits = digits

    def action_l10n_mx_einvoice_price_6_decimals(self):
        """Product Price precision to 6 decimals, as many as SAT allows in ValorUnitario."""
        self.env.ref("product.decimal_price").sudo().digits = 6
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.depends("company_id")
    def _compute_l10n_mx_einvoice_certificate_count(self):
        certificates = self.env["l10n_mx_einvoice.certificate"]
        for settings in self:
            settings.l10n_mx_einvoice_certificate_count = certificates.search_count(
                [("company_id", "=", settings.company_id.id)]
            )
