"""The customer portal (``/my/invoices``): the stamped XML of each invoice and of each
payment complement that pays it, behind the portal's own access rules (the logged-in
customer's record rules, or the document's access token)."""

from odoo import http
from odoo.addons.account.controllers.portal import PortalAccount
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

# a CFDI SAT holds: stamped, its cancellation asked for, or cancelled
PORTAL_STATES = ("stamped", "cancel_requested", "cancelled")


class L10nMxEinvoicePortal(PortalAccount):
    @http.route(
        ["/my/invoices/<int:invoice_id>/cfdi_xml"],
        type="http",
        auth="public",
        methods=["GET"],
    )
    def l10n_mx_einvoice_invoice_xml(self, invoice_id, access_token=None, **_kw):
        invoice = self._l10n_mx_einvoice_invoice(invoice_id, access_token)
        if invoice is None:
            return request.not_found()
        return self._l10n_mx_einvoice_xml_response(invoice)

    @http.route(
        ["/my/invoices/<int:invoice_id>/cfdi_payment/<int:payment_move_id>"],
        type="http",
        auth="public",
        methods=["GET"],
    )
    def l10n_mx_einvoice_payment_xml(self, invoice_id, payment_move_id, access_token=None, **_kw):
        invoice = self._l10n_mx_einvoice_invoice(invoice_id, access_token)
        if invoice is None:
            return request.not_found()
        payment_move = invoice._l10n_mx_einvoice_portal_complements().filtered(
            lambda move: move.id == payment_move_id
        )
        if not payment_move:
            return request.not_found()
        return self._l10n_mx_einvoice_xml_response(payment_move)

    def _l10n_mx_einvoice_invoice(self, invoice_id, access_token):
        """The invoice as sudo when the visitor may see it (the portal's rule), else None."""
        try:
            return self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            return None

    def _l10n_mx_einvoice_xml_response(self, move):
        attachment = (
            move.sudo().l10n_mx_einvoice_addenda_attachment_id
            or move.sudo().l10n_mx_einvoice_attachment_id
        )
        if not attachment or move.l10n_mx_einvoice_state not in PORTAL_STATES:
            return request.not_found()
        return request.make_response(
            attachment.raw,
            [
                ("Content-Type", "application/xml"),
                ("Content-Disposition", http.content_disposition(attachment.name)),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
