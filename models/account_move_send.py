from odoo import api, models
from odoo.exceptions import UserError


class AccountMoveSend(models.AbstractModel):
    """Send & Print stamps the CFDI before the PDF is rendered and mails its XML with the PDF."""

    _inherit = "account.move.send"

    @api.model
    def _l10n_mx_einvoice_xml_placeholder(self, move):
        if not move._l10n_mx_einvoice_is_cfdi() or move.l10n_mx_einvoice_attachment_id:
            return []
        name = f"{move._l10n_mx_einvoice_file_prefix()}-UUID.xml"
        return [
            {
                "id": f"placeholder_{name}",
                "name": name,
                "mimetype": "application/xml",
                "placeholder": True,
            }
        ]

    @api.model
    def _get_placeholder_mail_attachments_data(
        self, move, invoice_edi_format=None, extra_edis=None
    ):
        return super()._get_placeholder_mail_attachments_data(
            move,
            invoice_edi_format=invoice_edi_format,
            extra_edis=extra_edis,
        ) + self._l10n_mx_einvoice_xml_placeholder(move)

    @api.model
    def _get_invoice_extra_attachments(self, move):
        return (
            super()._get_invoice_extra_attachments(move)
            + move.sudo().l10n_mx_einvoice_attachment_id
        )

    @api.model
    def _call_web_service_before_invoice_pdf_render(self, invoices_data):
        result = super()._call_web_service_before_invoice_pdf_render(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            if invoice_data.get("error"):
                continue
            try:
                error = invoice._l10n_mx_einvoice_stamp_for_sending()
            except UserError as problem:
                error = str(problem.args[0])
            if error:
                invoice_data["error"] = {
                    "error_title": "CFDI",
                    "errors": [error],
                }
        return result
