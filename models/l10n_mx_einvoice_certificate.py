import base64
import binascii
import hashlib
import logging
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..cfdi import credentials
from ..cfdi.errors import CfdiError
from ..cfdi.rules.certificate import name_without_legal_form, same_name
from . import l10n_mx_einvoice_secrets as secrets
from .l10n_mx_einvoice_utils import MANAGER_GROUP as MANAGER
from .l10n_mx_einvoice_utils import engine_message

_logger = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30
_SECRET_FIELDS = ("cer_file", "key_file", "password")
# what the credential is made of, as stored (the password encrypted)
_STORED_SECRETS = ("cer_file", "key_file", "password_encrypted")


def _decode(data):
    if not data:
        return b""
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""


class L10nMxEinvoiceCertificate(models.Model):
    """A company's CSD (Certificado de Sello Digital): .cer, .key and its password."""

    _name = "l10n_mx_einvoice.certificate"
    _description = "CSD certificate (Certificado de Sello Digital)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    cer_file = fields.Binary(string="Certificate (.cer)", attachment=False, copy=False)
    cer_filename = fields.Char(copy=False)
    key_file = fields.Binary(
        string="Private key (.key)", attachment=False, copy=False, groups=MANAGER
    )
    key_filename = fields.Char(copy=False, groups=MANAGER)
    password = fields.Char(
        string="Key password",
        copy=False,
        groups=MANAGER,
        compute="_compute_password",
        inverse="_inverse_password",
    )
    # encrypted with the key held outside the database (l10n_mx_einvoice_secrets)
    password_encrypted = fields.Char(copy=False, groups="base.group_system")
    rfc = fields.Char(string="RFC", readonly=True, copy=False)
    legal_name = fields.Char(readonly=True, copy=False)
    no_certificado = fields.Char(string="Certificate number", readonly=True, copy=False, index=True)
    date_start = fields.Datetime(string="Valid from", readonly=True, copy=False)
    date_end = fields.Datetime(string="Valid until", readonly=True, copy=False)
    name_mismatch = fields.Char(
        string="Company name mismatch",
        compute="_compute_name_mismatch",
        help="Why SAT would reject the company's name as the issuer's (CFDI40138).",
    )
    state = fields.Selection(
        [
            ("valid", "Valid"),
            ("expiring", "About to expire"),
            ("expired", "Expired"),
            ("not_yet_valid", "Not yet valid"),
        ],
        compute="_compute_state",
        search="_search_state",
    )

    _sql_constraints = [
        (
            "no_certificado_company_unique",
            "unique(company_id, no_certificado)",
            "This certificate is already loaded for the company.",
        ),
    ]

    @api.depends("rfc", "no_certificado")
    def _compute_name(self):
        for certificate in self:
            certificate.name = (
                f"{certificate.rfc} - {certificate.no_certificado}"
                if certificate.no_certificado
                else self.env._("New certificate")
            )

    def init(self):
        secrets.encrypt_clear_columns(self.env, self._table, {"password": "password_encrypted"})

    @api.depends("password_encrypted")
    def _compute_password(self):
        for certificate in self:
            certificate.password = secrets.shown(self.env, certificate.sudo().password_encrypted)

    def _inverse_password(self):
        for certificate in self:
            certificate.sudo().password_encrypted = secrets.encrypt(self.env, certificate.password)

    def _rotate_secrets(self):
        """Re-encrypt the passwords of every certificate with the first secret key."""
        records = self.sudo().with_context(active_test=False)
        secrets.rotate_records(
            records.search([("password_encrypted", "!=", False)]), ["password_encrypted"]
        )

    @api.depends("legal_name", "company_id.name", "company_id.parent_id.name")
    def _compute_name_mismatch(self):
        for certificate in self:
            certificate.name_mismatch = certificate._l10n_mx_einvoice_name_mismatch()

    def _l10n_mx_einvoice_name_mismatch(self):
        """The problem when the issuer's name is not the CSD holder's (SAT rejects it with
        CFDI40138), else False. The issuer is the fiscal company: an Odoo branch issues with
        its root company's name."""
        self.ensure_one()
        company_name = self.company_id._l10n_mx_einvoice_fiscal_company().partner_id.name or ""
        if not self.legal_name or same_name(company_name, self.legal_name):
            return False
        return self.env._(
            "The company's name «%(name)s» is not the name of the CSD holder «%(holder)s»: SAT "
            "rejects the CFDI (CFDI40138). Set the company's name to «%(fix)s» (the button 'Use "
            "the name from the certificate' on the certificate does it).",
            name=company_name,
            holder=self.legal_name,
            fix=name_without_legal_form(self.legal_name),
        )

    def action_use_certificate_name(self):
        """Name the company as the CSD holder, without the company type (SAT's Nombre)."""
        for certificate in self.filtered("name_mismatch"):
            name = name_without_legal_form(certificate.legal_name)
            certificate.company_id.root_id.name = name  # the issuer: a branch issues as its root
            certificate.message_post(
                body=self.env._("The company's name is now «%s», as on the certificate.", name)
            )
        return True

    @api.depends("date_start", "date_end")
    def _compute_state(self):
        now = fields.Datetime.now()
        for certificate in self:
            certificate.state = certificate._state_at(now)

    def _state_at(self, now):
        if not self.date_end:
            return False
        if self.date_end < now:
            return "expired"
        if self.date_start and self.date_start > now:
            return "not_yet_valid"
        if self.date_end < now + timedelta(days=EXPIRY_WARNING_DAYS):
            return "expiring"
        return "valid"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        now = fields.Datetime.now()
        soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
        domains = {
            "expired": [("date_end", "<", now)],
            "not_yet_valid": [("date_start", ">", now)],
            "expiring": [
                ("date_start", "<=", now),
                ("date_end", ">=", now),
                ("date_end", "<", soon),
            ],
            "valid": [("date_start", "<=", now), ("date_end", ">=", soon)],
        }
        wanted = [value] if isinstance(value, str) else list(value)
        domain = expression.OR([domains[v] for v in wanted if v in domains] or [[(0, "=", 1)]])
        if operator in ("!=", "not in"):
            return ["!"] + expression.normalize_domain(domain)
        return domain

    # --- checks on save -------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._l10n_mx_einvoice_check_and_read()
        return records

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in _SECRET_FIELDS + ("company_id",)):
            self._l10n_mx_einvoice_check_and_read()
        return result

    def _l10n_mx_einvoice_check_and_read(self):
        """Check each certificate with the engine and store what it reads from the .cer."""
        for certificate in self:
            credential = certificate.sudo()._load_credential()
            cert = credential.certificate
            # a branch's CSD carries its root company's RFC
            fiscal = certificate.company_id._l10n_mx_einvoice_fiscal_company()
            company_rfc = (fiscal.vat or "").strip().upper()
            try:
                cert.require_csd()
                cert.check_rfc(company_rfc)
            except CfdiError as error:
                raise certificate._validation_error(error) from None
            date_end = cert.valid_to.replace(tzinfo=None)
            if date_end < fields.Datetime.now():
                raise ValidationError(
                    self.env._(
                        "Certificate %(number)s (%(company)s) expired on %(date)s and cannot seal "
                        "CFDI. Request a new CSD from SAT (Certifica) and upload it.",
                        number=cert.no_certificado,
                        company=certificate.company_id.display_name,
                        date=fields.Datetime.to_string(date_end),
                    )
                )
            certificate.write(
                {  # fields read from the .cer: no new check
                    "rfc": cert.rfc,
                    "legal_name": cert.legal_name,
                    "no_certificado": cert.no_certificado,
                    "date_start": cert.valid_from.replace(tzinfo=None),
                    "date_end": date_end,
                }
            )
            mismatch = certificate._l10n_mx_einvoice_name_mismatch()
            if mismatch:  # a warning, not a refusal: the name is the company's to fix
                certificate.message_post(body=mismatch)

    def _validation_error(self, error):
        return ValidationError(
            self.env._(
                "CSD certificate %(name)s of %(company)s: %(message)s",
                name=self.cer_filename or self.no_certificado or self.env._("(new)"),
                company=self.company_id.display_name,
                message=engine_message(self.env, error),
            )
        )

    def _load_credential(self):
        """Decrypt the key (needs sudo or the manager group); ValidationError if unusable."""
        self.ensure_one()
        cer, key = _decode(self.cer_file), _decode(self.key_file)
        password = secrets.decrypt(self.env, self.sudo().password_encrypted)
        if not cer or not key or not password:
            raise ValidationError(
                self.env._(
                    "CSD certificate %(name)s of %(company)s is incomplete: upload the .cer file, "
                    "the .key file and type the key's password.",
                    name=self.cer_filename or self.no_certificado or self.env._("(new)"),
                    company=self.company_id.display_name,
                )
            )
        try:
            return credentials.Credential.load(cer, key, password)
        except CfdiError as error:
            raise self._validation_error(error) from None

    # --- seam ----------------------------------------------------------------------

    def _get_credential(self):
        """The engine ``Credential`` (certificate + key) to seal with.

        Works for a CFDI user without access to the secret fields (reads them as
        superuser); the key itself never leaves the returned object.
        """
        self.ensure_one()
        record = self.sudo().with_context(bin_size=False)
        content = hashlib.sha256()
        for name in _STORED_SECRETS:
            value = record[name] or b""
            content.update(value if isinstance(value, bytes) else value.encode())
            content.update(b"\0")
        return self._credential(record.id, content.hexdigest())

    @tools.ormcache("certificate_id", "content_digest")
    def _credential(self, certificate_id, content_digest):
        # decrypting the key costs ~10 ms: kept per certificate and content (a changed .cer,
        # .key or password is another key, whatever the transaction's write_date says)
        return self.browse(certificate_id).sudo()._load_credential()

    # --- expiry warnings ------------------------------------------------------------

    @api.model
    def _cron_l10n_mx_einvoice_expiry_warning(self):
        """Schedule an activity for CFDI managers on certificates expiring within 30 days."""
        now = fields.Datetime.now()
        expiring = self.sudo().search(
            [
                ("date_end", ">=", now),
                ("date_end", "<", now + timedelta(days=EXPIRY_WARNING_DAYS)),
            ]
        )
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        for certificate in expiring:
            if certificate.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            for user in certificate._l10n_mx_einvoice_managers():
                certificate.activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=certificate.date_end.date(),
                    summary=self.env._(
                        "CSD certificate %(name)s expires on %(date)s",
                        name=certificate.name,
                        date=certificate.date_end.date(),
                    ),
                    note=self.env._(
                        "Request a new CSD from SAT (Certifica) and upload it in Accounting "
                        "> Configuration > CFDI (México) > Certificates before it expires, "
                        "or invoices cannot be stamped."
                    ),
                    user_id=user.id,
                )

    def _l10n_mx_einvoice_managers(self):
        group = self.env.ref(MANAGER)
        return group.users.filtered(
            lambda u: self.company_id in u.company_ids and not u.share and u.active
        )
