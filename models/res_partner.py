import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.mx import rfc as stdnum_rfc

from ..cfdi import catalogs
from ..cfdi.sat import GENERIC_RFCS
from .l10n_mx_einvoice_utils import catalog_selection

# Persona moral: 3 letters + date + homoclave; persona física: 4 letters. Generic RFCs
# XAXX010101000 (público en general) and XEXX010101000 (extranjero) have the same shape.
RFC_PATTERN = re.compile(r"^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{2}[0-9A]$")
# A Mexican customer reads Spanish: es_MX first (amounts as Mexico writes them, "1,500.00";
# Odoo's es_419 prints "1.500,00"), else Latin American Spanish; whichever is active.
SPANISH_LANGS = ("es_MX", "es_419")


def normalize_rfc(vat):
    return re.sub(r"[\s-]", "", vat or "").upper()


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_mx_einvoice_regimen_fiscal = fields.Selection(
        selection=lambda self: catalog_selection("c_RegimenFiscal"),
        string="Fiscal regime",
        help="SAT's c_RegimenFiscal as registered in the taxpayer's Constancia de Situación "
        "Fiscal (RegimenFiscal of Emisor/Receptor).",
    )
    l10n_mx_einvoice_uso_cfdi = fields.Selection(
        selection=lambda self: catalog_selection("c_UsoCFDI"),
        string="Default CFDI use",
        help="Uso CFDI proposed on this customer's invoices (c_UsoCFDI).",
    )
    l10n_mx_einvoice_addenda = fields.Selection(
        [
            ("liverpool", "Liverpool (detallista)"),
            ("soriana", "Soriana (DSCargaRemisionProv)"),
            ("custom", "Custom template"),
        ],
        string="Addenda",
        help="Addenda this customer asks for: appended to the stamped CFDI, outside the sealed "
        "part, in the XML sent to the customer (the stamped XML is kept as SAT has it).",
    )
    l10n_mx_einvoice_addenda_view_id = fields.Many2one(
        "ir.ui.view",
        string="Addenda template",
        domain=[("type", "=", "qweb")],
        help="The addenda as XML with {{ placeholders }}, t-foreach/t-as and t-if.",
    )
    l10n_mx_einvoice_addenda_xsd = fields.Binary(
        string="Addenda XSD", attachment=True, help="The buyer's XSD the addenda must fit."
    )
    l10n_mx_einvoice_gln = fields.Char(string="GLN", help="GS1 Global Location Number (13 digits).")
    l10n_mx_einvoice_supplier_number = fields.Char(
        string="Our supplier number", help="The number this customer gave us as its supplier."
    )
    l10n_mx_einvoice_store = fields.Char(string="Store", help="Soriana: store receiving the goods.")
    l10n_mx_einvoice_driver_license = fields.Char(
        string="Federal driver's license",
        help="NumLicencia of the driver (figura de transporte 01) in a Carta Porte.",
    )
    l10n_mx_einvoice_diot_operation = fields.Selection(
        [
            ("02", "02 - Sale of goods"),
            ("03", "03 - Professional services"),
            ("06", "06 - Use or temporary enjoyment of goods (lease)"),
            ("07", "07 - Import of goods or services"),
            ("08", "08 - Import by virtual transfer"),
            ("85", "85 - Others"),
        ],
        string="DIOT operation",
        default="85",
        help="Tipo de operación of this supplier in the DIOT (a global supplier is always 87).",
    )

    l10n_mx_einvoice_rfc_warning = fields.Char(
        string="RFC warning",
        compute="_compute_l10n_mx_einvoice_rfc_warning",
        help="The RFC's check digit (python-stdnum) does not match. Only a warning: SAT has "
        "issued some RFC with a wrong check digit; compare it with the Constancia de "
        "Situación Fiscal.",
    )

    @api.depends("vat", "country_id")
    def _compute_l10n_mx_einvoice_rfc_warning(self):
        for partner in self:
            rfc = normalize_rfc(partner.vat)
            partner.l10n_mx_einvoice_rfc_warning = (
                self.env._(
                    "The check digit of the RFC %(rfc)s does not match its other characters. "
                    "SAT issued some RFC like that, so you may keep it; but first compare it "
                    "with the customer's Constancia de Situación Fiscal: a mistyped RFC makes "
                    "the PAC refuse the CFDI.",
                    rfc=rfc,
                )
                if partner._l10n_mx_einvoice_rfc_bad_check_digit(rfc)
                else False
            )

    def _l10n_mx_einvoice_rfc_bad_check_digit(self, rfc):
        if (
            not rfc
            or rfc in GENERIC_RFCS
            or not RFC_PATTERN.match(rfc)
            or (self.country_id and not self._l10n_mx_einvoice_is_mexican())
        ):
            return False
        try:
            stdnum_rfc.validate(rfc, validate_check_digits=True)
        except InvalidChecksum:
            return True
        except StdnumValidationError:
            return False  # the shape is this addon's constraint's business
        return False

    @api.model_create_multi
    def create(self, vals_list):
        mexico = self.env.ref("base.mx", raise_if_not_found=False)
        spanish = mexico and self._l10n_mx_einvoice_spanish_lang()
        for vals in vals_list:
            if spanish and "lang" not in vals and vals.get("country_id") == mexico.id:
                vals["lang"] = spanish
        return super().create(vals_list)

    @api.model
    def _l10n_mx_einvoice_spanish_lang(self):
        """The Spanish a new Mexican partner reads (SPANISH_LANGS), False if none is active."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        return next((code for code in SPANISH_LANGS if code in installed), False)

    @api.onchange("country_id")
    def _onchange_l10n_mx_einvoice_lang(self):
        if self._origin or self.country_id.code != "MX" or (self.lang or "").startswith("es"):
            return
        self.lang = self._l10n_mx_einvoice_spanish_lang() or self.lang

    def _l10n_mx_einvoice_is_mexican(self):
        self.ensure_one()
        return self.country_id.code == "MX"

    def _l10n_mx_einvoice_rfc(self):
        """The RFC of a Mexican partner (normalized ``vat``), the generic one for foreigners."""
        self.ensure_one()
        if self.country_id and self.country_id.code != "MX":
            return GENERIC_RFCS[1]
        return normalize_rfc(self.vat)

    @api.constrains("vat", "country_id")
    def _check_l10n_mx_einvoice_rfc(self):
        for partner in self:
            if not partner.vat or not partner._l10n_mx_einvoice_is_mexican():
                continue
            if not RFC_PATTERN.match(normalize_rfc(partner.vat)):
                raise ValidationError(
                    self.env._(
                        "The RFC %(rfc)s of %(partner)s does not have a valid shape: 12 characters "
                        "for a company (3 letters, date YYMMDD, 3-character homoclave), 13 for a "
                        "person (4 letters). Use %(generic)s for the general public. Correct the "
                        "partner's Tax ID.",
                        rfc=partner.vat,
                        partner=partner.display_name,
                        generic=GENERIC_RFCS[0],
                    )
                )

    @api.constrains(
        "vat", "country_id", "l10n_mx_einvoice_regimen_fiscal", "l10n_mx_einvoice_uso_cfdi"
    )
    def _check_l10n_mx_einvoice_regimen_and_uso(self):
        """Régimen fiscal must fit the kind of person (RFC length); uso CFDI the régimen."""
        for partner in self:
            rfc = normalize_rfc(partner.vat)
            if not partner._l10n_mx_einvoice_is_mexican() or not RFC_PATTERN.match(rfc):
                continue
            moral = len(rfc) == 12
            regimen, uso = (
                partner.l10n_mx_einvoice_regimen_fiscal,
                partner.l10n_mx_einvoice_uso_cfdi,
            )
            if regimen and not catalogs.regimen_applies(regimen, moral=moral):
                raise ValidationError(
                    self.env._(
                        "The régimen fiscal %(regimen)s of %(partner)s does not apply to a "
                        "%(kind)s (RFC %(rfc)s). Choose the régimen shown in the partner's "
                        "Constancia de Situación Fiscal.",
                        regimen=regimen,
                        partner=partner.display_name,
                        rfc=rfc,
                        kind=self.env._("company (persona moral)")
                        if moral
                        else self.env._("person (persona física)"),
                    )
                )
            if uso and not catalogs.uso_cfdi_applies(uso, moral=moral):
                raise ValidationError(
                    self.env._(
                        "The uso CFDI %(uso)s of %(partner)s does not apply to a %(kind)s (RFC "
                        "%(rfc)s). Choose another default uso CFDI.",
                        uso=uso,
                        partner=partner.display_name,
                        rfc=rfc,
                        kind=self.env._("company (persona moral)")
                        if moral
                        else self.env._("person (persona física)"),
                    )
                )
            allowed = catalogs.uso_cfdi_regimenes(uso) if uso else frozenset()
            if regimen and allowed and regimen not in allowed:
                raise ValidationError(
                    self.env._(
                        "The uso CFDI %(uso)s of %(partner)s cannot be used with the régimen fiscal "
                        "%(regimen)s (SAT's catalog c_UsoCFDI allows: %(allowed)s). Choose another "
                        "default uso CFDI, e.g. S01 (sin efectos fiscales).",
                        uso=uso,
                        partner=partner.display_name,
                        regimen=regimen,
                        allowed=", ".join(sorted(allowed)),
                    )
                )

    @api.constrains("zip", "country_id")
    def _check_l10n_mx_einvoice_zip(self):
        for partner in self:
            if (
                partner.zip
                and partner.country_id.code == "MX"
                and not catalogs.postal_code(partner.zip.strip())
            ):
                raise ValidationError(
                    self.env._(
                        "The postal code %(zip)s of %(partner)s is not in SAT's catalog "
                        "c_CodigoPostal. Enter the 5-digit postal code of the fiscal address "
                        "(Constancia de Situación Fiscal).",
                        zip=partner.zip,
                        partner=partner.display_name,
                    )
                )

    @api.model
    def _l10n_mx_einvoice_fiscal_errors(self, vals):
        """The back office's checks of a Mexican customer's fiscal data (RFC shape, régimen
        and uso CFDI for the kind of person, SAT's postal code), for ``vals`` typed outside
        the back office (the self-invoicing page, the shop's checkout): their messages, in
        the user's language, empty when ``vals`` would be accepted. Nothing is written."""
        vals = {"country_id": self.env.ref("base.mx").id, **vals}
        partner = self.new(vals)
        errors = []
        for check in (
            partner._check_l10n_mx_einvoice_rfc,
            partner._check_l10n_mx_einvoice_regimen_and_uso,
            partner._check_l10n_mx_einvoice_zip,
        ):
            try:
                check()
            except ValidationError as error:
                errors.append(str(error.args[0]))
        return errors

    @api.onchange("zip", "country_id")
    def _onchange_l10n_mx_einvoice_zip_state(self):
        if self.country_id.code != "MX" or not self.zip:
            return
        postal_code = self.env["l10n_mx_einvoice.postal.code"].search(
            [("code", "=", self.zip.strip())], limit=1
        )
        state = postal_code._state() if postal_code else False
        if state:
            self.state_id = state
