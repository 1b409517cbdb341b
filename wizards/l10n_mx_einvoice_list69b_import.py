"""Upload SAT's 69-B CSV (the machine may have no internet: the user downloads it)."""

import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..cfdi import list69b
from ..cfdi.errors import CfdiError
from ..models.l10n_mx_einvoice_utils import engine_message


class L10nMxEinvoiceList69bImport(models.TransientModel):
    _name = "l10n_mx_einvoice.list69b.import"
    _description = "Import SAT's 69-B list"

    file = fields.Binary(string="Listado_completo_69-B.csv", required=True)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        data = self.with_context(bin_size=False).file
        try:
            listed = list69b.parse(base64.b64decode(data))
        except CfdiError as error:
            raise UserError(
                self.env._(
                    "%(file)s is not SAT's 69-B list: %(message)s",
                    file=self.filename or "CSV",
                    message=engine_message(self.env, error),
                )
            ) from None
        self.env["l10n_mx_einvoice.list69b"]._replace(listed)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_einvoice.action_l10n_mx_einvoice_list69b"
        )
