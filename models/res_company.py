from datetime import timezone

from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_einvoice_regimen_fiscal = fields.Selection(
        related="partner_id.l10n_mx_einvoice_regimen_fiscal",
        readonly=False,
        string="Régimen fiscal",
    )
    l10n_mx_einvoice_certificate_ids = fields.One2many(
        "l10n_mx_einvoice.certificate", "company_id", string="CSD certificates"
    )
    l10n_mx_einvoice_stamp_account_id = fields.Many2one(
        "l10n_mx_einvoice.stamp.account",
        string="Stamp account",
        domain="[('company_id', '=', id)]",
        help="Stamping provider account (cuenta de timbrado) used for this company's CFDI.",
    )
    l10n_mx_einvoice_stamp_on_post = fields.Boolean(
        string="Stamp CFDI on posting",
        help="Stamp customer invoices and credit notes as soon as they are posted (a "
        "scheduled action retries the ones that could not be stamped).",
    )

    def _l10n_mx_einvoice_certificate_at(self, dt):
        """The CSD certificate valid at ``dt`` (aware, or naive UTC as Odoo stores it).

        Several certificates may overlap (renewal); the most recent one wins.
        """
        self.ensure_one()
        if dt.tzinfo is not None:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        # the company's (few) certificates are read once and stay in the cache: a batch of
        # invoices asks for each invoice's date
        valid = self.sudo().l10n_mx_einvoice_certificate_ids.filtered(
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
