from odoo import fields, models


class PosOrder(models.Model):
    _inherit = "pos.order"

    l10n_mx_einvoice_global_document_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="Global invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The global invoice (público en general) that holds this ticket; a ticket is "
        "in one global invoice at most.",
    )
