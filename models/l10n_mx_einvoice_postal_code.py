from odoo import api, fields, models

from ..cfdi import catalogs
from .l10n_mx_einvoice_sat_code import _copy_rows


class L10nMxEinvoicePostalCode(models.Model):
    """c_CodigoPostal: postal code -> SAT state code -> time zone."""

    _name = "l10n_mx_einvoice.postal.code"
    _description = "SAT postal code (c_CodigoPostal)"
    _order = "code"
    _rec_name = "code"

    code = fields.Char(required=True, index=True)
    state_code = fields.Char(string="SAT state code", required=True)
    time_zone = fields.Char(string="SAT time zone", required=True)
    tz = fields.Char(string="Time zone", compute="_compute_tz")

    _sql_constraints = [("code_unique", "unique(code)", "A postal code is unique.")]

    @api.depends("time_zone")
    def _compute_tz(self):
        for record in self:
            record.tz = catalogs.TIME_ZONES.get(record.time_zone, "America/Mexico_City")

    def _state(self):
        """The Odoo state (res.country.state of Mexico) of this postal code."""
        self.ensure_one()
        sat_to_iso = {"DIF": "CMX"}
        return self.env["res.country.state"].search(
            [
                ("country_id.code", "=", "MX"),
                ("code", "in", [self.state_code, sat_to_iso.get(self.state_code, self.state_code)]),
            ],
            limit=1,
        )

    @api.model
    def _l10n_mx_einvoice_load_catalog(self):
        cr = self.env.cr
        cr.execute(
            "CREATE TEMP TABLE l10n_mx_einvoice_cp_import (code varchar, state_code varchar, "
            "time_zone varchar) ON COMMIT DROP"
        )
        _copy_rows(
            cr,
            "l10n_mx_einvoice_cp_import",
            ((r["code"], r["state"], r["time_zone"]) for r in catalogs.rows("c_CodigoPostal")),
        )
        cr.execute(
            """
            INSERT INTO l10n_mx_einvoice_postal_code
                   (code, state_code, time_zone, create_uid, write_uid, create_date, write_date)
            SELECT DISTINCT ON (code) code, COALESCE(state_code, ''), COALESCE(time_zone, ''),
                   %(uid)s, %(uid)s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM l10n_mx_einvoice_cp_import
             ORDER BY code
            ON CONFLICT (code) DO UPDATE
               SET state_code = EXCLUDED.state_code, time_zone = EXCLUDED.time_zone
             WHERE l10n_mx_einvoice_postal_code.state_code IS DISTINCT FROM EXCLUDED.state_code
                OR l10n_mx_einvoice_postal_code.time_zone IS DISTINCT FROM EXCLUDED.time_zone
            """,
            {"uid": self.env.uid},
        )
        cr.execute("DROP TABLE l10n_mx_einvoice_cp_import")
