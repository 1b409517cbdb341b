import re

from odoo import api, fields, models
from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.cfdi.complements.fields import PLACA
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import catalog_selection
from odoo.exceptions import ValidationError


def normalize_placa(placa):
    """SAT's plate: letters and digits only, no dashes or spaces."""
    return re.sub(r"[-\s]", "", placa or "").upper()


class L10nMxEinvoiceVehicle(models.Model):
    """A vehicle of the company's own road transport: the Autotransporte of a Carta Porte."""

    _name = "l10n_mx_einvoice.vehicle"
    _description = "Vehicle (Carta Porte autotransporte)"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    perm_sct = fields.Selection(
        selection=lambda self: catalog_selection("c_TipoPermiso"),
        string="SCT permit type",
        required=True,
    )
    num_permiso_sct = fields.Char(string="SCT permit number", required=True)
    config_vehicular = fields.Selection(
        selection=lambda self: catalog_selection("c_ConfigAutotransporte"),
        string="Vehicle configuration",
        required=True,
    )
    peso_bruto_vehicular = fields.Float(
        string="Gross vehicle weight (t)", digits=(16, 2), required=True
    )
    placa = fields.Char(string="Plate", required=True)
    anio_modelo = fields.Integer(string="Model year", required=True)
    insurer = fields.Char(string="Liability insurer", required=True)
    policy = fields.Char(string="Liability policy", required=True)
    environment_insurer = fields.Char(
        string="Environmental insurer", help="Required to carry hazardous material."
    )
    environment_policy = fields.Char(string="Environmental policy")
    trailer1_type = fields.Selection(
        selection=lambda self: catalog_selection("c_SubTipoRem"), string="Trailer 1 type"
    )
    trailer1_placa = fields.Char(string="Trailer 1 plate")
    trailer2_type = fields.Selection(
        selection=lambda self: catalog_selection("c_SubTipoRem"), string="Trailer 2 type"
    )
    trailer2_placa = fields.Char(string="Trailer 2 plate")

    def _pulls_trailer(self):
        row = catalogs.row("c_ConfigAutotransporte", self.config_vehicular or "")
        return bool(row and row["remolque"] == "1")

    def _trailers(self):
        """[(SubTipoRem, plate)] of the trailers that are set."""
        return [
            (kind, normalize_placa(placa))
            for kind, placa in (
                (self.trailer1_type, self.trailer1_placa),
                (self.trailer2_type, self.trailer2_placa),
            )
            if kind and placa
        ]

    @api.constrains("placa", "trailer1_placa", "trailer2_placa")
    def _check_placas(self):
        for vehicle in self:
            for placa in (vehicle.placa, vehicle.trailer1_placa, vehicle.trailer2_placa):
                if placa and not re.fullmatch(PLACA, normalize_placa(placa)):
                    raise ValidationError(
                        self.env._(
                            "The plate %(placa)s of the vehicle %(vehicle)s is not valid for "
                            "SAT: 5 to 7 letters and digits.",
                            placa=placa,
                            vehicle=vehicle.name,
                        )
                    )
