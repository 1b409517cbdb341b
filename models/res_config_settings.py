from odoo import api, fields, models

SETUP_ITEMS = ("country", "rfc", "regimen", "zip", "name", "csd", "credits", "journals")


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
    # the setup checklist (res.company._l10n_mx_einvoice_setup_status)
    l10n_mx_einvoice_setup_country = fields.Boolean(
        string="Country is Mexico", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_rfc = fields.Boolean(
        string="RFC set", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_regimen = fields.Boolean(
        string="Fiscal regime set", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_zip = fields.Boolean(
        string="Postal code set", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_name = fields.Boolean(
        string="Name as on the CSD", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_csd = fields.Boolean(
        string="Valid CSD", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_credits = fields.Boolean(
        string="Stamp credits", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_journals = fields.Boolean(
        string="Journals with a form of payment", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_setup_done = fields.Boolean(
        string="Ready to stamp", compute="_compute_l10n_mx_einvoice_setup"
    )
    l10n_mx_einvoice_name_mismatch = fields.Char(
        string="Company name mismatch", compute="_compute_l10n_mx_einvoice_setup"
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

    @api.depends(
        "company_id",
        "l10n_mx_einvoice_vat",
        "l10n_mx_einvoice_zip",
        "l10n_mx_einvoice_regimen_fiscal",
        "l10n_mx_einvoice_stamp_account_id",
    )
    def _compute_l10n_mx_einvoice_setup(self):
        for settings in self:
            company = settings.company_id
            status = company._l10n_mx_einvoice_setup_status()
            for item in SETUP_ITEMS:
                settings[f"l10n_mx_einvoice_setup_{item}"] = status[item]
            settings.l10n_mx_einvoice_setup_done = all(status.values())
            certificate = company._l10n_mx_einvoice_current_certificate()
            settings.l10n_mx_einvoice_name_mismatch = (
                certificate._l10n_mx_einvoice_name_mismatch() if certificate else False
            )

    # --- the checklist's links ---------------------------------------------------------

    def action_l10n_mx_einvoice_open_company(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.company",
            "res_id": self.company_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_l10n_mx_einvoice_use_certificate_name(self):
        self.company_id._l10n_mx_einvoice_current_certificate().action_use_certificate_name()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_l10n_mx_einvoice_open_journals(self):
        journals = self.company_id._l10n_mx_einvoice_journals_without_forma_pago()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journals without a SAT form of payment"),
            "res_model": "account.journal",
            "view_mode": "list,form",
            "domain": [("id", "in", journals.ids)],
            "target": "current",
        }
