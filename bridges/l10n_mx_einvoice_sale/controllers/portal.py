"""``/my/orders``: the customer of a paid order asks for its CFDI (Community has no
automatic invoice for it unless *Automatic Invoice* is on): the invoice is created from the
order, posted and stamped with the customer's fiscal data, and the customer lands on it."""

from odoo import http
from odoo.addons.sale.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class L10nMxEinvoiceSalePortal(CustomerPortal):
    @http.route(
        ["/my/orders/<int:order_id>/l10n_mx_einvoice_request"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def l10n_mx_einvoice_request(self, order_id, access_token=None, **_kw):
        try:
            order = self._document_check_access("sale.order", order_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        refusal = order._l10n_mx_einvoice_portal_refusal()
        if refusal:
            return request.redirect(
                order.get_portal_url(query_string=f"&l10n_mx_einvoice={refusal}")
            )
        invoice = order._l10n_mx_einvoice_portal_invoice()
        return request.redirect(invoice.get_portal_url())
