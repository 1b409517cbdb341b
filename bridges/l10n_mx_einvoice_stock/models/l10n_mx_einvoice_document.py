from odoo import api, fields, models


class L10nMxEinvoiceDocument(models.Model):
    """A transfer CFDI with Carta Porte has a stock picking as its subject."""

    _inherit = "l10n_mx_einvoice.document"

    document_type = fields.Selection(
        selection_add=[("picking", "Transfer with Carta Porte")],
        ondelete={"picking": "set null"},
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )

    @api.model
    def _stampable(self, subject):
        if subject._name == "stock.picking":
            return not subject.l10n_mx_einvoice_cp_uuid
        return super()._stampable(subject)

    @api.model
    def _subject_of(self, document):
        return document.picking_id or super()._subject_of(document)

    @api.model
    def _pending_of(self, subject):
        if subject._name == "stock.picking":
            return subject.sudo().l10n_mx_einvoice_document_ids.filtered(
                lambda d: d.kind == "stamp" and d.state == "pending"
            )[:1]
        return super()._pending_of(subject)

    def _post_message(self, body, failure=False):
        if self.picking_id:
            self.picking_id.message_post(body=body)
        return super()._post_message(body, failure=failure)
