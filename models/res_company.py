from datetime import timezone

from odoo import api, fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_einvoice_regimen_fiscal = fields.Selection(
        related="partner_id.l10n_mx_einvoice_regimen_fiscal", readonly=False
    )
    l10n_mx_einvoice_certificate_ids = fields.One2many(
        "l10n_mx_einvoice.certificate", "company_id", string="CSD certificates"
    )
    l10n_mx_einvoice_stamp_account_id = fields.Many2one(
        "l10n_mx_einvoice.stamp.account",
        string="Stamp account",
        check_company=True,
        help="Stamping provider account (cuenta de timbrado) used for this company's CFDI: its "
        "own, or its root company's for a branch.",
    )
    l10n_mx_einvoice_stamp_on_post = fields.Boolean(
        string="Stamp CFDI on posting",
        help="Stamp customer invoices and credit notes as soon as they are posted (a "
        "scheduled action retries the ones that could not be stamped).",
    )
    l10n_mx_einvoice_anticipo_method = fields.Selection(
        [
            ("egreso", "Full invoice and a credit note (CFDI de egreso)"),
            ("remanente", "Invoice of the remaining amount"),
        ],
        string="Down payments (CFDI)",
        default="egreso",
        required=True,
        help="SAT's two ways to apply a down payment (anticipo) invoice. Full invoice and "
        "credit note: the final invoice is for the whole price, related 07 to the anticipo, "
        "and a credit note (FormaPago 30, UsoCFDI G02) applies the anticipo. Remaining "
        "amount: the final invoice deducts the anticipo as a discount and is related 07.",
    )
    l10n_mx_einvoice_stamp_payments_on_post = fields.Boolean(
        string="Stamp payment complements on posting",
        help="Stamp the payment complement (CFDI type P) as soon as a customer payment is "
        "registered against stamped PPD invoices.",
    )

    @api.constrains("l10n_mx_einvoice_stamp_account_id")
    def _check_l10n_mx_einvoice_stamp_account(self):
        # res.company does not check its relational fields' companies by itself
        self._check_company(["l10n_mx_einvoice_stamp_account_id"])

    def _l10n_mx_einvoice_fiscal_company(self):
        """The company whose RFC, name and regime a CFDI carries: an Odoo branch issues as
        its root company (one taxpayer, one RFC); read as superuser, as a branch's user may
        not see the root company."""
        self.ensure_one()
        return self.sudo().root_id

    def _l10n_mx_einvoice_stamp_account(self):
        """The stamp account this company stamps with: its own, or for an Odoo branch
        without one, the nearest parent's (the root's); never another company's, whatever
        the field was given."""
        self.ensure_one()
        for company in self.sudo().parent_ids[::-1]:  # self first, the root last
            account = company.l10n_mx_einvoice_stamp_account_id
            if account:
                return account if account.company_id in self.parent_ids else account.browse()
        return self.env["l10n_mx_einvoice.stamp.account"].sudo()

    def _l10n_mx_einvoice_setup_status(self):
        """What the CFDI setup checklist shows: {item: done} for this company."""
        self.ensure_one()
        certificate = self._l10n_mx_einvoice_current_certificate()
        account = self._l10n_mx_einvoice_stamp_account()
        return {
            "country": self.country_id.code == "MX" and self.account_fiscal_country_id.code == "MX",
            "rfc": bool(self.vat),
            "regimen": bool(self.l10n_mx_einvoice_regimen_fiscal),
            "zip": bool(self.zip),
            "csd": bool(certificate),
            "name": bool(certificate) and not certificate._l10n_mx_einvoice_name_mismatch(),
            "credits": bool(account) and (account.sudo().is_unlimited_now or account.balance > 0),
            "journals": not self._l10n_mx_einvoice_journals_without_forma_pago(),
        }

    def _l10n_mx_einvoice_current_certificate(self):
        """The CSD valid now (empty when there is none)."""
        try:
            return self._l10n_mx_einvoice_certificate_at(fields.Datetime.now())
        except UserError:
            return self.env["l10n_mx_einvoice.certificate"]

    def _l10n_mx_einvoice_journals_without_forma_pago(self):
        """Bank and cash journals of this company without a SAT form of payment."""
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self),
                ("type", "in", ("bank", "cash")),
                ("l10n_mx_einvoice_forma_pago", "=", False),
            ]
        )

    def _l10n_mx_einvoice_certificate_at(self, dt):
        """The CSD certificate valid at ``dt`` (aware, or naive UTC as Odoo stores it).

        Several certificates may overlap (renewal); the most recent one wins. An Odoo
        branch without certificates of its own seals with its nearest parent's (the root's).
        """
        self.ensure_one()
        if dt.tzinfo is not None:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        # the company's (few) certificates are read once and stay in the cache: a batch of
        # invoices asks for each invoice's date
        owners = self.sudo().parent_ids[::-1].filtered("l10n_mx_einvoice_certificate_ids")
        valid = owners[:1].l10n_mx_einvoice_certificate_ids.filtered(
            lambda c: c.date_start and c.date_end and c.date_start <= dt <= c.date_end
        )
        certificate = max(valid, key=lambda c: (c.date_start, c.id), default=None)
        if not certificate:
            raise UserError(
                self.env._(
                    "The company %(company)s has no CSD certificate valid on %(date)s. Upload a "
                    "valid Certificado de Sello Digital (.cer, .key and password) in Accounting > "
                    "Configuration > CFDI (México) > Certificates.",
                    company=self.display_name,
                    date=fields.Datetime.to_string(dt),
                )
            )
        return certificate.sudo(False)
