from odoo import api, models
from odoo.exceptions import AccessError, UserError


class AccountMoveSend(models.AbstractModel):
    """Send & Print stamps the CFDI before the PDF is rendered and mails its XML with the PDF."""

    _inherit = "account.move.send"

    @api.model
    def _l10n_mx_einvoice_xml_placeholder(self, move):
        if (
            move._l10n_mx_einvoice_document_type() != "invoice"
            or move.l10n_mx_einvoice_attachment_id
        ):
            return []
        serie, folio = self.env["l10n_mx_einvoice.builder.invoice"]._serie_folio(move)
        rfc = move.company_id.partner_id._l10n_mx_einvoice_rfc()
        name = f"{rfc}-{serie or ''}{folio or ''}-UUID.xml"
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
        # the customer gets the XML with its addenda when there is one (SAT's stays on the move)
        return super()._get_invoice_extra_attachments(move) + (
            move.sudo().l10n_mx_einvoice_addenda_attachment_id
            or move.sudo().l10n_mx_einvoice_attachment_id
        )

    @api.model
    def _call_web_service_before_invoice_pdf_render(self, invoices_data):
        result = super()._call_web_service_before_invoice_pdf_render(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            if invoice_data.get("error"):
                continue
            error = self._l10n_mx_einvoice_stamp_for_sending(invoice)
            if error:
                invoice_data["error"] = {"error_title": "CFDI", "errors": [error]}
        return result

    @api.model
    def _l10n_mx_einvoice_stamp_for_sending(self, invoice):
        """Stamp ``invoice`` before its PDF is rendered; an error text, or False."""
        if invoice._l10n_mx_einvoice_document_type() != "invoice":
            return False
        if not invoice._l10n_mx_einvoice_stampable():
            return False
        try:
            self.env["l10n_mx_einvoice.document"]._stamp(invoice)
        except (AccessError, UserError) as problem:
            return str(problem.args[0])
        if invoice.l10n_mx_einvoice_state != "stamped":
            return invoice.l10n_mx_einvoice_message or self.env._("The CFDI could not be stamped.")
        if (
            invoice.partner_id.commercial_partner_id.l10n_mx_einvoice_addenda
            and not invoice.l10n_mx_einvoice_addenda_attachment_id
        ):
            try:
                self.env["l10n_mx_einvoice.addenda"]._attach(invoice)
            except UserError as problem:
                return str(problem.args[0])
        return False
