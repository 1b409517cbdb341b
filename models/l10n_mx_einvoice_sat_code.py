import csv
import io

from odoo import api, fields, models

from ..cfdi import catalogs

# (catalog file, applies_to): the big SAT catalogs kept as records
SAT_CODE_CATALOGS = (
    ("c_ClaveProdServ", "product"),
    ("c_ClaveUnidad", "uom"),
    ("c_FraccionArancelaria", "tariff"),
)


class L10nMxEinvoiceSatCode(models.Model):
    """c_ClaveProdServ and c_ClaveUnidad as records (like product_unspsc's codes)."""

    _name = "l10n_mx_einvoice.sat.code"
    _description = "SAT product/service or unit code (c_ClaveProdServ / c_ClaveUnidad)"
    _order = "applies_to, code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(string="Description", required=True)
    applies_to = fields.Selection(
        [
            ("product", "Product or service (ClaveProdServ)"),
            ("uom", "Unit (ClaveUnidad)"),
            ("tariff", "Tariff item (FraccionArancelaria)"),
        ],
        required=True,
        index=True,
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_applies_to_unique", "unique(code, applies_to)", "A SAT code is unique per catalog."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.code} {record.name}"

    @api.model
    def _l10n_mx_einvoice_load_catalogs(self):
        """Upsert the engine's CSV catalogs with COPY: runs on install and on every update."""
        cr = self.env.cr
        cr.execute(
            "CREATE TEMP TABLE l10n_mx_einvoice_code_import (code varchar, name varchar, "
            "applies_to varchar) ON COMMIT DROP"
        )
        for catalog, applies_to in SAT_CODE_CATALOGS:
            _copy_rows(
                cr,
                "l10n_mx_einvoice_code_import",
                ((r["code"], r["description"], applies_to) for r in catalogs.rows(catalog)),
            )
        cr.execute(
            """
            INSERT INTO l10n_mx_einvoice_sat_code
                   (code, name, applies_to, active, create_uid, write_uid, create_date, write_date)
            SELECT DISTINCT ON (code, applies_to) code, COALESCE(name, code), applies_to, true,
                   %(uid)s, %(uid)s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM l10n_mx_einvoice_code_import
             ORDER BY code, applies_to
            ON CONFLICT (code, applies_to) DO UPDATE SET name = EXCLUDED.name, active = true
             WHERE l10n_mx_einvoice_sat_code.name IS DISTINCT FROM EXCLUDED.name
                OR NOT l10n_mx_einvoice_sat_code.active
            """,
            {"uid": self.env.uid},
        )
        cr.execute("DROP TABLE l10n_mx_einvoice_code_import")
        self.env["l10n_mx_einvoice.postal.code"]._l10n_mx_einvoice_load_catalog()
        self.env.invalidate_all()

    @api.model
    def _l10n_mx_einvoice_find(self, code, applies_to):
        return self.with_context(active_test=False).search(
            [("code", "=", code), ("applies_to", "=", applies_to)], limit=1
        )


def _copy_rows(cr, table, rows):
    """COPY an iterable of tuples into ``table`` (fast path for 100k rows)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    cr._obj.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)
