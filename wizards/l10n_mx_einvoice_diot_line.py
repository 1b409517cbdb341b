from odoo import fields, models

from ..cfdi.contabilidad import diot

# field -> (OperacionTercero attribute, Actos attribute or None for a plain amount)
AMOUNT_FIELDS = {
    "paid_16": ("tasa_16", "pagado"),
    "iva_16": ("tasa_16", "iva_acreditable"),
    "iva_16_not_creditable": ("tasa_16", "iva_no_acreditable_requisitos"),
    "refunds_16": ("tasa_16", "devoluciones"),
    "paid_8_north": ("fronteriza_norte", "pagado"),
    "iva_8_north": ("fronteriza_norte", "iva_acreditable"),
    "paid_8_south": ("fronteriza_sur", "pagado"),
    "iva_8_south": ("fronteriza_sur", "iva_acreditable"),
    "paid_import": ("importacion_tangibles", "pagado"),
    "iva_import": ("importacion_tangibles", "iva_acreditable"),
    "paid_import_intangible": ("importacion_intangibles", "pagado"),
    "iva_import_intangible": ("importacion_intangibles", "iva_acreditable"),
    "paid_0": ("tasa_0", None),
    "paid_exempt": ("exento", None),
    "paid_import_exempt": ("importacion_exenta", None),
    "paid_not_subject": ("no_objeto", None),
    "iva_withheld": ("iva_retenido", None),
}


class L10nMxEinvoiceDiotLine(models.TransientModel):
    _name = "l10n_mx_einvoice.diot.line"
    _description = "DIOT line: one supplier and operation of the month"
    _order = "tipo_tercero, rfc, id"

    wizard_id = fields.Many2one("l10n_mx_einvoice.diot", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    tipo_tercero = fields.Selection(
        list(diot.TIPOS_TERCERO.items()), string="Third party", readonly=True
    )
    tipo_operacion = fields.Selection(
        list(diot.TIPOS_OPERACION.items()), string="Operation", readonly=True
    )
    rfc = fields.Char(string="RFC / tax id", readonly=True)
    paid_16 = fields.Monetary(string="Paid 16%", readonly=True)
    iva_16 = fields.Monetary(string="IVA 16%", readonly=True)
    iva_16_not_creditable = fields.Monetary(string="IVA 16% not creditable", readonly=True)
    refunds_16 = fields.Monetary(string="Returns 16%", readonly=True)
    paid_8_north = fields.Monetary(string="Paid 8% north", readonly=True)
    iva_8_north = fields.Monetary(string="IVA 8% north", readonly=True)
    paid_8_south = fields.Monetary(string="Paid 8% south", readonly=True)
    iva_8_south = fields.Monetary(string="IVA 8% south", readonly=True)
    paid_import = fields.Monetary(string="Paid imports 16%", readonly=True)
    iva_import = fields.Monetary(string="IVA imports 16%", readonly=True)
    paid_import_intangible = fields.Monetary(string="Paid intangible imports", readonly=True)
    iva_import_intangible = fields.Monetary(string="IVA intangible imports", readonly=True)
    paid_0 = fields.Monetary(string="Paid 0%", readonly=True)
    paid_exempt = fields.Monetary(string="Paid exempt", readonly=True)
    paid_import_exempt = fields.Monetary(string="Paid exempt imports", readonly=True)
    paid_not_subject = fields.Monetary(string="Paid not subject", readonly=True)
    iva_withheld = fields.Monetary(string="IVA withheld", readonly=True)
    move_ids = fields.Many2many("account.move", string="Bills and payments", readonly=True)

    def action_open_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bills and payments of %s", self.partner_id.display_name),
            "res_model": "account.move",
            "view_mode": "list,form",
            # the journal entries' list: date, partner, journal and amount of each
            "views": [(self.env.ref("account.view_move_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", self.move_ids.ids)],
        }
