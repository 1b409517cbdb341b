from odoo import fields, models

RESULT_STATES = [
    ("imported", "Imported"),
    ("warning", "Imported, check it"),
    ("duplicate", "Already imported"),
    ("error", "Not imported"),
    ("skipped", "Ignored (not XML)"),
]


class L10nMxEinvoiceVendorImportLine(models.TransientModel):
    _name = "l10n_mx_einvoice.vendor.import.line"
    _description = "Result of one file of a supplier CFDI import"
    _order = "id"

    wizard_id = fields.Many2one("l10n_mx_einvoice.vendor.import", required=True, ondelete="cascade")
    name = fields.Char(string="File", required=True)
    state = fields.Selection(RESULT_STATES, required=True)
    code = fields.Char()
    message = fields.Text()
    uuid = fields.Char(string="UUID")
    move_id = fields.Many2one("account.move", string="Bill")
