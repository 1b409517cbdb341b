from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

SEND_WITHIN = timedelta(days=7)  # a ticket's invoice stamped late is still mailed


class L10nMxEinvoiceDocument(models.Model):
    """A global invoice also holds Point of Sale tickets (``pos.order``'s Many2one); a
    CFDI de egreso (``global_egreso``) takes one of them out of a stamped global invoice
    before its own invoice: its subject is the ticket."""

    _inherit = "l10n_mx_einvoice.document"

    document_type = fields.Selection(
        selection_add=[("global_egreso", "Egreso of a ticket in a global invoice")],
        ondelete={"global_egreso": "set null"},
    )
    pos_egreso_order_id = fields.Many2one(
        "pos.order",
        string="Ticket taken out of the global invoice",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )

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

    # --- the egreso of a ticket: its subject is the ticket --------------------------------

    @api.depends("pos_egreso_order_id")
    def _compute_display_name(self):
        result = super()._compute_display_name()
        for document in self.filtered("pos_egreso_order_id"):
            # the main addon names no subject for a document without a journal entry
            document.display_name = f"{document.pos_egreso_order_id.name}{document.display_name}"
        return result

    @api.model
    def _builder_for(self, subject):
        if subject._name == "pos.order":
            return self.env["l10n_mx_einvoice.builder.global_egreso"]
        return super()._builder_for(subject)

    @api.model
    def _stampable(self, subject):
        if subject._name == "pos.order":
            return not subject.sudo().l10n_mx_einvoice_global_egreso_id
        return super()._stampable(subject)

    @api.model
    def _subject_of(self, document):
        return document.pos_egreso_order_id or super()._subject_of(document)

    @api.model
    def _pending_of(self, subject):
        if subject._name == "pos.order":
            return subject.sudo().l10n_mx_einvoice_egreso_document_ids.filtered(
                lambda d: d.kind == "stamp" and d.state == "pending"
            )[:1]
        return super()._pending_of(subject)

    def _seal(self, subject):
        # an expired pending egreso is sealed again for its ticket
        if subject._name == self._name and subject.pos_egreso_order_id:
            return super()._seal(subject.pos_egreso_order_id)
        return super()._seal(subject)

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
