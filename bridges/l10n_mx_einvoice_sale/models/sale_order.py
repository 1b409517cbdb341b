from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _l10n_mx_einvoice_portal_can_request(self):
        """A confirmed order, paid in full online, with nothing invoiced yet."""
        self.ensure_one()
        order = self.sudo()
        return (
            order.state == "sale"
            and order.invoice_status == "to invoice"
            and not order.invoice_ids
            and order.currency_id.compare_amounts(order.amount_paid, order.amount_total) >= 0
        )

    def _l10n_mx_einvoice_portal_refusal(self):
        """Why the customer cannot get the CFDI from the portal: 'not_paid' or
        'fiscal_data' (the template explains each), False when they can."""
        self.ensure_one()
        if not self._l10n_mx_einvoice_portal_can_request():
            return "not_paid"
        partner = self.sudo().partner_invoice_id.commercial_partner_id
        errors = self.env["res.partner"]._l10n_mx_einvoice_fiscal_errors(
            {
                "name": partner.name,
                "vat": partner.vat,
                "zip": partner.zip,
                "l10n_mx_einvoice_regimen_fiscal": partner.l10n_mx_einvoice_regimen_fiscal,
                "l10n_mx_einvoice_uso_cfdi": partner.l10n_mx_einvoice_uso_cfdi,
            }
        )
        complete = partner.vat and partner.zip and partner.l10n_mx_einvoice_regimen_fiscal
        return "fiscal_data" if errors or not complete else False

    def _l10n_mx_einvoice_portal_invoice(self):
        """The order's invoice, created, posted and stamped (sudo, in the order's company)."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [order.id])
        order.invalidate_recordset()
        if order.invoice_ids:
            return order.invoice_ids[:1]
        invoice = order._create_invoices()
        invoice.action_post()
        if invoice._l10n_mx_einvoice_stampable():
            self.env["l10n_mx_einvoice.document"].sudo()._stamp(invoice)
        return invoice
