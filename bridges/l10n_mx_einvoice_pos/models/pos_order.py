import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

STANDING_STATES = ("pending", "stamped", "cancel_requested")
LIVE_STATES = ("stamped", "cancel_requested")
TICKET_STATES = ("paid", "done")


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
    l10n_mx_einvoice_uuid = fields.Char(
        string="Fiscal folio (UUID)",
        related="account_move.l10n_mx_einvoice_uuid",
        help="The UUID of the ticket's own CFDI (printed on the receipt).",
    )
    l10n_mx_einvoice_egreso_document_ids = fields.One2many(
        "l10n_mx_einvoice.document",
        "pos_egreso_order_id",
        string="CFDI de egreso documents",
        readonly=True,
        groups="l10n_mx_einvoice.group_l10n_mx_einvoice_user",
    )
    l10n_mx_einvoice_global_egreso_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="Egreso from the global invoice",
        compute="_compute_l10n_mx_einvoice_global_egreso_id",
        help="The stamped CFDI de egreso that took this ticket out of its global invoice "
        "before it got its own invoice (SAT's Guía de llenado del CFDI global, Apéndice 2).",
    )

    @api.depends(
        "l10n_mx_einvoice_egreso_document_ids.state", "l10n_mx_einvoice_egreso_document_ids.uuid"
    )
    def _compute_l10n_mx_einvoice_global_egreso_id(self):
        for order in self:
            order.l10n_mx_einvoice_global_egreso_id = (
                order.sudo()
                .l10n_mx_einvoice_egreso_document_ids.filtered(
                    lambda d: d.kind == "stamp" and d.state in LIVE_STATES
                )[:1]
                .id
            )

    # --- what a ticket is free for ----------------------------------------------------

    def _l10n_mx_einvoice_in_global(self):
        """True when a global invoice that stands (pending, stamped, cancellation asked)
        holds the ticket; a cancelled, rejected or expired one frees it, and so does a
        stamped CFDI de egreso of the ticket (``l10n_mx_einvoice_global_egreso_id``)."""
        self.ensure_one()
        order = self.sudo()
        return (
            order.l10n_mx_einvoice_global_document_id.state in STANDING_STATES
            and not order.l10n_mx_einvoice_global_egreso_id
        )

    def _l10n_mx_einvoice_releasable(self):
        """True when the ticket is in a stamped global invoice: a CFDI de egreso can take
        it out so that it gets its own invoice."""
        self.ensure_one()
        return (
            self._l10n_mx_einvoice_in_global()
            and self.sudo().l10n_mx_einvoice_global_document_id.state == "stamped"
        )

    def _l10n_mx_einvoice_release_from_global(self):
        """Issue the CFDI de egreso of each of these tickets held by a stamped global
        invoice (exactly once: the ticket's row is locked, a pending egreso is sent again
        with the same XML, a stamped one is never issued twice). Raises a UserError naming
        the ticket when an egreso is refused or not stamped (the PAC is down: it stays
        pending and the scheduled action stamps it): the ticket is then not invoiced."""
        tickets = self.filtered(lambda o: not o.account_move and o._l10n_mx_einvoice_releasable())
        if not tickets:
            return
        document = self.env["l10n_mx_einvoice.document"].sudo()
        document.with_company(tickets.company_id[:1])._stamp(tickets.sudo())
        # _stamp commits: lock the tickets again for their own invoice
        self.env.cr.execute(
            "SELECT id FROM pos_order WHERE id IN %s FOR UPDATE", [tuple(tickets.ids)]
        )
        tickets.invalidate_recordset()
        tickets.sudo().l10n_mx_einvoice_egreso_document_ids.invalidate_recordset()
        for ticket in tickets.filtered(lambda o: not o.sudo().l10n_mx_einvoice_global_egreso_id):
            egreso = ticket.sudo().l10n_mx_einvoice_egreso_document_ids[:1]
            raise UserError(
                self.env._(
                    "The ticket %(ticket)s is in the stamped global invoice %(holder)s: SAT "
                    "requires a CFDI de egreso that takes it out before its own invoice, and "
                    "that CFDI is not stamped (%(reason)s). The ticket was not invoiced; try "
                    "again later (a pending CFDI is stamped by the scheduled action).",
                    ticket=ticket.name,
                    holder=ticket.sudo().l10n_mx_einvoice_global_document_id.display_name,
                    reason=egreso.message or egreso.state or "-",
                )
            )

    def _l10n_mx_einvoice_invoiceable(self):
        """A ticket may get its own CFDI: paid, without invoice, not in a global invoice."""
        self.ensure_one()
        return (
            self.state in TICKET_STATES
            and not self.account_move
            and not self._l10n_mx_einvoice_in_global()
        )

    def write(self, vals):
        document_id = vals.get("l10n_mx_einvoice_global_document_id")
        if document_id:
            # the row lock this UPDATE takes (and REPEATABLE READ's check of a row changed
            # by a concurrent transaction) makes this the database's guarantee: a ticket is
            # never taken from a global invoice that stands
            taken = self.filtered(
                lambda o: (
                    o._l10n_mx_einvoice_in_global()
                    and o.l10n_mx_einvoice_global_document_id.id != document_id
                )
            )
            if taken:
                raise UserError(
                    self.env._(
                        "The tickets %(tickets)s already belong to a global invoice and "
                        "cannot be included twice.",
                        tickets=", ".join(taken.mapped("name")),
                    )
                )
        return super().write(vals)

    # --- the ticket's own invoice -----------------------------------------------------

    def action_pos_order_invoice(self):
        """A ticket in a stamped global invoice first gets its CFDI de egreso (SAT's Guía
        de llenado del CFDI global, Apéndice 2), then its invoice; one in a global invoice
        still pending or being cancelled is refused."""
        in_global = self.filtered(
            lambda o: (
                not o.account_move
                and o._l10n_mx_einvoice_in_global()
                and not o._l10n_mx_einvoice_releasable()
            )
        )
        if in_global:
            raise UserError(
                self.env._(
                    "The tickets %(tickets)s are in the global invoice %(holder)s, which is "
                    "not stamped yet or is being cancelled: a ticket gets an invoice of its "
                    "own only once that global invoice is stamped (a CFDI de egreso then takes "
                    "it out) or cancelled. Try again later.",
                    tickets=", ".join(in_global.mapped("name")),
                    holder=in_global.l10n_mx_einvoice_global_document_id[:1].display_name,
                )
            )
        self._l10n_mx_einvoice_release_from_global()
        return super().action_pos_order_invoice()

    def _prepare_invoice_vals(self):
        vals = super()._prepare_invoice_vals()
        if self.company_id.account_fiscal_country_id.code == "MX":
            forma = self.env["pos.payment.method"]._l10n_mx_einvoice_largest_forma(self.payment_ids)
            if forma != "99":
                vals["l10n_mx_einvoice_metodo_pago"] = "PUE"
                vals["l10n_mx_einvoice_forma_pago"] = forma
        return vals

    def _get_invoice_post_context(self):
        # posting never stamps here: a refused CFDI must not undo the paid order
        return {**super()._get_invoice_post_context(), "l10n_mx_einvoice_stamp_later": True}

    def _generate_pos_order_invoice(self):
        result = super()._generate_pos_order_invoice()
        self._l10n_mx_einvoice_stamp_invoices()
        return result

    def _l10n_mx_einvoice_stamp_invoices(self):
        """Stamp the tickets' invoices that Send & Print did not: a problem is recorded on
        the invoice, an unavailable PAC leaves the CFDI pending for the scheduled action;
        the order stays paid and invoiced either way."""
        document = self.env["l10n_mx_einvoice.document"].sudo()
        for move in self.account_move:
            if (
                move._l10n_mx_einvoice_document_type() != "invoice"
                or not move._l10n_mx_einvoice_stampable()
                or document._pending_of(move)
            ):
                continue
            document.with_company(move.company_id)._stamp_unattended(move)

    # --- the receipt mailed to the customer -------------------------------------------

    def _add_mail_attachment(self, name, ticket, basic_ticket):
        attachments = super()._add_mail_attachment(name, ticket, basic_ticket)
        move = self.account_move[:1].sudo()
        xml = move.l10n_mx_einvoice_addenda_attachment_id or move.l10n_mx_einvoice_attachment_id
        if xml:
            sent = self.env["ir.attachment"].create(
                {
                    "name": xml.name,
                    "raw": xml.raw,
                    "mimetype": "application/xml",
                    "res_model": "pos.order",
                    "res_id": self.ids[0],
                }
            )
            attachments.append((4, sent.id))
        return attachments

    # --- the global invoice's automatic issue -----------------------------------------

    @api.model
    def _cron_l10n_mx_einvoice_global(self):
        """Issue the global invoice of each company that asks for it (its periodicity),
        once the period has closed; a period already issued has nothing left to include."""
        companies = self.env["res.company"].search(
            [("l10n_mx_einvoice_pos_global_periodicity", "!=", False)]
        )
        for company in companies:
            company._l10n_mx_einvoice_issue_pos_global()
        return True
