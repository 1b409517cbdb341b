"""The payment receipt mail carries the payment complement's XML."""

from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _compute_attachment_ids(self):
        """The payment receipt mail carries the complement's XML, as invoices carry theirs."""
        result = super()._compute_attachment_ids()
        for composer in self.filtered(
            lambda c: c.model == "account.payment" and c.composition_mode == "comment"
        ):
            payments = self.env["account.payment"].browse(composer._evaluate_res_ids())
            xml = payments.move_id.sudo().l10n_mx_einvoice_attachment_id
            if xml:
                composer.attachment_ids = composer.attachment_ids | xml
        return result
