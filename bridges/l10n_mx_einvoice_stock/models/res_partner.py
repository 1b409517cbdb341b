from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_mx_einvoice_driver_license = fields.Char(
        string="Federal driver's license",
        help="NumLicencia of the driver (figura de transporte 01) in a Carta Porte.",
    )
