import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..cfdi import credentials
from ..cfdi.descarga import check_fiel
from ..cfdi.errors import CfdiError
from .l10n_mx_einvoice_utils import MANAGER_GROUP as MANAGER
from .l10n_mx_einvoice_utils import engine_message

_SECRET_FIELDS = ("cer_file", "key_file", "password")


def _decode(data):
    try:
        return base64.b64decode(data or b"", validate=False)
    except (binascii.Error, ValueError):
        return b""


class L10nMxEinvoiceFiel(models.Model):
    """A company's e.firma (FIEL): what SAT's mass download service is signed with."""

    _name = "l10n_mx_einvoice.fiel"
    _description = "e.firma (FIEL)"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    cer_file = fields.Binary(string="Certificate (.cer)", attachment=False, copy=False)
    cer_filename = fields.Char(copy=False)
    # the .key is SAT's PKCS#8, encrypted with the password: both only for CFDI managers
    key_file = fields.Binary(
        string="Private key (.key)", attachment=False, copy=False, groups=MANAGER
    )
    key_filename = fields.Char(copy=False, groups=MANAGER)
    password = fields.Char(string="Key password", copy=False, groups=MANAGER)
    rfc = fields.Char(string="RFC", readonly=True, copy=False)
    legal_name = fields.Char(readonly=True, copy=False)
    no_certificado = fields.Char(string="Certificate number", readonly=True, copy=False)
    date_start = fields.Datetime(string="Valid from", readonly=True, copy=False)
    date_end = fields.Datetime(string="Valid until", readonly=True, copy=False)
    state = fields.Selection([("valid", "Valid"), ("expired", "Expired")], compute="_compute_state")

    _sql_constraints = [
        (
            "no_certificado_company_unique",
            "unique(company_id, no_certificado)",
            "This e.firma is already loaded for the company.",
        ),
    ]

    @api.depends("rfc", "no_certificado")
    def _compute_name(self):
        for fiel in self:
            fiel.name = (
                f"{fiel.rfc} - {fiel.no_certificado}"
                if fiel.no_certificado
                else self.env._("New e.firma")
            )

    @api.depends("date_end")
    def _compute_state(self):
        now = fields.Datetime.now()
        for fiel in self:
            fiel.state = fiel.date_end and ("expired" if fiel.date_end < now else "valid")

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._check_and_read()
        return records

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in _SECRET_FIELDS + ("company_id",)):
            self._check_and_read()
        return result

    def _check_and_read(self):
        """The engine's e.firma checks (not a CSD, the company's RFC, valid now)."""
        for fiel in self:
            credential = fiel.sudo()._load_credential()
            try:
                check_fiel(credential, fiel.company_id.vat or "", fields.Datetime.now())
            except CfdiError as error:
                raise fiel._validation_error(error) from None
            cert = credential.certificate
            fiel.write(
                {
                    "rfc": cert.rfc,
                    "legal_name": cert.legal_name,
                    "no_certificado": cert.no_certificado,
                    "date_start": cert.valid_from.replace(tzinfo=None),
                    "date_end": cert.valid_to.replace(tzinfo=None),
                }
            )

    def _validation_error(self, error):
        return ValidationError(
            self.env._(
                "e.firma %(name)s of %(company)s: %(message)s",
                name=self.cer_filename or self.no_certificado or self.env._("(new)"),
                company=self.company_id.display_name,
                message=engine_message(self.env, error),
            )
        )

    def _load_credential(self):
        """Decrypt the key (needs sudo or the manager group); ValidationError if unusable."""
        self.ensure_one()
        cer, key = _decode(self.cer_file), _decode(self.key_file)
        if not cer or not key or not self.password:
            raise ValidationError(
                self.env._(
                    "e.firma %(name)s of %(company)s is incomplete: upload the .cer file, the "
                    ".key file and type the key's password.",
                    name=self.cer_filename or self.no_certificado or self.env._("(new)"),
                    company=self.company_id.display_name,
                )
            )
        try:
            return credentials.Credential.load(cer, key, self.password)
        except CfdiError as error:
            raise self._validation_error(error) from None

    @api.model
    def _for_company(self, company):
        """The company's e.firma valid now (the latest one), or an empty recordset."""
        return self.sudo().search(
            [("company_id", "=", company.id), ("date_end", ">", fields.Datetime.now())],
            limit=1,
        )
