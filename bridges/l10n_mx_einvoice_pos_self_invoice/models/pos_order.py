"""A Point of Sale ticket turned into a CFDI by its customer (the self-invoicing page)."""

import datetime as dt
import logging
import re

import pytz
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

_logger = logging.getLogger(__name__)
DEFAULT_TZ = "America/Mexico_City"
PAID_STATES = ("paid", "done", "invoiced")


def normalize_reference(reference):
    """A ticket reference as typed: spaces collapsed, without Odoo's "Order " prefix."""
    reference = re.sub(r"\s+", " ", reference or "").strip()
    return re.sub(r"^(order|orden|pedido)\s+", "", reference, flags=re.IGNORECASE)


class PosOrder(models.Model):
    _inherit = "pos.order"

    @api.model
    def _l10n_mx_einvoice_self_invoice_find(self, reference, date, total):
        """The paid ticket with this reference, local date and total; else an empty
        recordset. Whatever does not match answers the same (no oracle of other tickets)."""
        reference = normalize_reference(reference)
        if not reference or not isinstance(date, dt.date) or total is None:
            return self.browse()
        candidates = self.sudo().search(
            [
                ("pos_reference", "in", [reference, f"Order {reference}"]),
                ("state", "in", PAID_STATES),
                ("amount_total", ">", 0),
            ],
            limit=10,
        )
        for order in candidates:
            rounding = order.currency_id.rounding
            if (
                order._l10n_mx_einvoice_ticket_date() == date
                and float_compare(order.amount_total, total, precision_rounding=rounding) == 0
            ):
                return order
        return self.browse()

    def _l10n_mx_einvoice_local_tz(self):
        self.ensure_one()
        return pytz.timezone(self.company_id.partner_id.tz or DEFAULT_TZ)

    def _l10n_mx_einvoice_ticket_date(self):
        """The date printed on the ticket: the order's date in the company's time zone."""
        self.ensure_one()
        return (
            pytz.utc.localize(self.date_order).astimezone(self._l10n_mx_einvoice_local_tz()).date()
        )

    def _l10n_mx_einvoice_self_invoice_refusal(self):
        """Why this (matched) ticket cannot be invoiced from the page; False when it can.
        Only said to someone who typed its reference, date and total."""
        self.ensure_one()
        order = self.sudo()
        if order.account_move or order.state == "invoiced":
            return self.env._(
                "This ticket was already invoiced. The CFDI was sent to the email of its "
                "customer; if you did not ask for it, contact the store."
            )
        if order._l10n_mx_einvoice_in_global() and not order._l10n_mx_einvoice_releasable():
            return self.env._(
                "This ticket is in the global invoice (público en general) of its period, "
                "which is still being stamped or cancelled, so it cannot be invoiced online "
                "right now. Try again in a few hours or contact the store."
            )
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(
            order._l10n_mx_einvoice_local_tz()
        )
        ticket_date = order._l10n_mx_einvoice_ticket_date()
        days = order.company_id.l10n_mx_einvoice_self_invoice_days
        if today.date() > ticket_date + dt.timedelta(days=days):
            return self.env._(
                "This ticket can be invoiced online up to %(days)s days after its date "
                "(%(date)s); that time has passed. Contact the store.",
                days=days,
                date=ticket_date.isoformat(),
            )
        if not order.company_id.l10n_mx_einvoice_stamp_account_id:
            return self.env._("This store cannot issue invoices online now. Contact the store.")
        return False

    def _l10n_mx_einvoice_self_invoice(self, partner, uso_cfdi):
        """Invoice this ticket to ``partner`` with ``uso_cfdi`` through the Point of Sale's
        own ``action_pos_order_invoice`` (whatever the Point of Sale bridge does when a
        ticket is invoiced applies), stamp it unless that already did, and email it to the
        partner. Returns the invoice (sudo), or the refusal's text when another request
        invoiced the ticket meanwhile."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        # one request at a time per ticket: the second one finds it invoiced
        self.env.cr.execute("SELECT id FROM pos_order WHERE id = %s FOR UPDATE", [order.id])
        order.invalidate_recordset()
        refusal = order._l10n_mx_einvoice_self_invoice_refusal()
        if refusal:
            return refusal
        try:
            # a ticket in a stamped global invoice: its CFDI de egreso first (SAT)
            order._l10n_mx_einvoice_release_from_global()
        except UserError as error:
            _logger.info("Self-invoice %s: no CFDI de egreso: %s", order.id, error.args[0])
            return self.env._(
                "This ticket is in the global invoice of its period and the store could not "
                "take it out right now, so it was not invoiced. Try again in a few minutes or "
                "contact the store."
            )
        order.partner_id = partner
        order.with_context(
            generate_pdf=False, default_l10n_mx_einvoice_uso_cfdi=uso_cfdi
        ).action_pos_order_invoice()
        move = order.account_move
        if move._l10n_mx_einvoice_stampable():  # not stamped by the Point of Sale bridge yet
            self.env["l10n_mx_einvoice.document"].sudo()._stamp(move)
        if move.l10n_mx_einvoice_state == "stamped" and partner.email:
            try:
                with self.env.cr.savepoint():
                    move.with_context(lang=partner.lang)._generate_and_send(
                        sending_methods=["email"]
                    )
            except Exception:  # the invoice stands; the page still offers the download
                _logger.exception("Self-invoice %s: the email could not be sent", move.id)
        return move
