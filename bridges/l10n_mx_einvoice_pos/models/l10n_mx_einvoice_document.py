from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

SEND_WITHIN = timedelta(days=7)  # a ticket's invoice stamped late is still mailed


class L10nMxEinvoiceDocument(models.Model):
    """A global invoice also holds Point of Sale tickets (``pos.order``'s Many2one)."""

    _inherit = "l10n_mx_einvoice.document"

    pos_order_ids = fields.One2many(
        "pos.order",
        "l10n_mx_einvoice_global_document_id",
        string="Tickets",
        readonly=True,
    )

    @api.model
    def _lock(self, subjects, skip_held=False):
        """A global invoice request also locks its tickets (``FOR NO KEY UPDATE``, the lock
        of the UPDATE that links them; a request's own link rows only hold ``KEY SHARE``):
        two requests for the same tickets never seal at once; the second one's check then
        sees the tickets taken."""
        if subjects._name == "l10n_mx_einvoice.global.invoice" and not skip_held:
            tickets = subjects.pos_order_ids
            if tickets:
                self.env.cr.execute(
                    "SELECT id FROM pos_order WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
                    [tuple(tickets.ids)],
                )
                if len(self.env.cr.fetchall()) < len(tickets):
                    raise UserError(
                        self.env._(
                            "Another global invoice is being issued for some of these "
                            "tickets right now; wait a few seconds and try again."
                        )
                    )
                tickets.invalidate_recordset()
        return super()._lock(subjects, skip_held=skip_held)

    @api.model
    def _cron_stamp(self, limit=200):
        result = super()._cron_stamp(limit=limit)
        self._send_late_pos_invoices(limit)
        return result

    @api.model
    def _send_late_pos_invoices(self, limit):
        """Mail the tickets' invoices stamped after the sale (the PAC was unavailable at
        the counter): Odoo's Send & Print, XML and PDF, to customers with an email."""
        invoices = self.env["account.move"].search(
            [
                ("pos_order_ids", "!=", False),
                ("l10n_mx_einvoice_state", "=", "stamped"),
                ("is_move_sent", "=", False),
                ("partner_id.email", "!=", False),
                ("create_date", ">=", fields.Datetime.now() - SEND_WITHIN),
            ],
            limit=limit,
            order="id",
        )
        for invoice in invoices:
            invoice.with_company(invoice.company_id)._generate_and_send()
            self._commit()
