import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

STANDING_STATES = ("pending", "stamped", "cancel_requested")
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

    # --- what a ticket is free for ----------------------------------------------------

    def _l10n_mx_einvoice_in_global(self):
        """True when a global invoice that stands (pending, stamped, cancellation asked)
        holds the ticket; a cancelled, rejected or expired one frees it."""
        self.ensure_one()
        return self.sudo().l10n_mx_einvoice_global_document_id.state in STANDING_STATES

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
        in_global = self.filtered(lambda o: not o.account_move and o._l10n_mx_einvoice_in_global())
        if in_global:
            raise UserError(
                self.env._(
                    "The tickets %(tickets)s are in the global invoice %(holder)s: a ticket "
                    "cannot also get an invoice of its own. Cancel the global invoice first "
                    "(motive 01 or 02) and issue it again without them.",
                    tickets=", ".join(in_global.mapped("name")),
                    holder=in_global.l10n_mx_einvoice_global_document_id[:1].display_name,
                )
            )
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
