from odoo import api, fields, models

# Odoo's standard units -> SAT's c_ClaveUnidad (set once when empty, editable afterwards)
DEFAULT_CLAVE_UNIDAD = {
    "uom.product_uom_unit": "H87",
    "uom.product_uom_dozen": "DPC",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_day": "DAY",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_mile": "SMI",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_gal": "GLL",
    "uom.uom_square_meter": "MTK",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QT",
    "uom.product_uom_cubic_inch": "INQ",
    "uom.product_uom_cubic_foot": "FTQ",
    "uom.uom_square_foot": "FTK",
    "l10n_mx.product_uom_service_unit": "E48",
    "l10n_mx.product_uom_activity": "ACT",
    "l10n_mx.product_uom_job": "E48",
}


class UomUom(models.Model):
    _inherit = "uom.uom"

    l10n_mx_einvoice_clave_unidad_id = fields.Many2one(
        "l10n_mx_einvoice.sat.code",
        string="SAT unit code",
        domain=[("applies_to", "=", "uom")],
        help="ClaveUnidad of SAT's catalog c_ClaveUnidad used on CFDI lines in this unit.",
    )

    def _l10n_mx_einvoice_clave_unidad(self):
        """The unit's ClaveUnidad code, or False when none is set (or no unit)."""
        if not self:
            return False
        self.ensure_one()
        return self.l10n_mx_einvoice_clave_unidad_id.code or False

    @api.model
    def _l10n_mx_einvoice_set_default_codes(self):
        codes = self.env["l10n_mx_einvoice.sat.code"]
        for xmlid, code in DEFAULT_CLAVE_UNIDAD.items():
            uom = self.env.ref(xmlid, raise_if_not_found=False)
            if uom and not uom.l10n_mx_einvoice_clave_unidad_id:
                uom.l10n_mx_einvoice_clave_unidad_id = codes._l10n_mx_einvoice_find(code, "uom")
