"""SAT's 69-B list (taxpayers presumed to invoice non-existent operations), as imported
from SAT's published CSV: one row per RFC, shared by every company (it is public)."""

from odoo import api, fields, models

from ..cfdi.list69b import Situation

SITUATIONS = [(s.value, s.value) for s in Situation]


class L10nMxEinvoiceList69b(models.Model):
    _name = "l10n_mx_einvoice.list69b"
    _description = "SAT 69-B list entry"
    _order = "rfc"
    _rec_name = "rfc"

    rfc = fields.Char(string="RFC", required=True, readonly=True, index=True)
    name = fields.Char(string="Taxpayer", readonly=True)
    situation = fields.Selection(SITUATIONS, required=True, readonly=True, index=True)
    flagged = fields.Boolean(
        readonly=True, help="Presunto or Definitivo: deductions of its CFDI may be denied."
    )
    presumed_on = fields.Date(string="Published as presumed", readonly=True)
    definitive_on = fields.Date(string="Published as definitive", readonly=True)
    list_date = fields.Date(string="List as of", readonly=True)

    _sql_constraints = [("rfc_unique", "unique(rfc)", "An RFC is listed once.")]

    @api.model
    def _replace(self, listed):
        """The list becomes ``listed`` (an engine ``List69B``); the CFDI at SAT are flagged."""
        # the new list replaces the old one whole (nothing refers to its rows)
        self.env.cr.execute(f"DELETE FROM {self._table}")  # noqa: S608
        self.invalidate_model()
        self.create(
            [
                {
                    "rfc": entry.rfc,
                    "name": entry.name,
                    "situation": entry.situation.value,
                    "flagged": entry.situation.flagged,
                    "presumed_on": entry.presumed_on,
                    "definitive_on": entry.definitive_on,
                    "list_date": listed.as_of,
                }
                for entry in listed.entries.values()
            ]
        )
        self._flag_sat_cfdi()

    @api.model
    def _flag_sat_cfdi(self, rows=None):
        """Write each received CFDI's issuer situation (``rows``: all of them by default)."""
        if rows is None:
            rows = (
                self.env["l10n_mx_einvoice.sat.cfdi"]
                .sudo()
                .search([("direction", "=", "received")])
            )
        rows = rows.filtered(lambda r: r.direction == "received")
        entries = self.search([("rfc", "in", list(set(rows.mapped("rfc_emisor"))))])
        situation_of = {entry.rfc: entry for entry in entries}
        for row in rows:
            entry = situation_of.get((row.rfc_emisor or "").upper())
            values = {
                "list69b_situation": entry.situation if entry else False,
                "list69b_flagged": bool(entry and entry.flagged),
            }
            if any(row[name] != value for name, value in values.items()):
                row.write(values)

    @api.model
    def action_open_flagged_bills(self):
        """Vendor bills whose supplier is presumed or confirmed in the 69-B list."""
        rfcs = self.search([("flagged", "=", True)]).mapped("rfc")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bills from suppliers in the 69-B list"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [
                ("move_type", "in", ("in_invoice", "in_refund")),
                "|",
                ("l10n_mx_einvoice_vendor_issuer_rfc", "in", rfcs),
                ("partner_id.vat", "in", rfcs),
            ],
            "context": {"default_move_type": "in_invoice"},
        }
