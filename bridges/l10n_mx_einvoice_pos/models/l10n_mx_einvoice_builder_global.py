from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from odoo import Command, models
from odoo.addons.l10n_mx_einvoice.cfdi import amounts, catalogs
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import to_decimal

from .pos_order import STANDING_STATES, TICKET_STATES


class L10nMxEinvoiceBuilderGlobal(models.AbstractModel):
    """The global invoice also covers the Point of Sale's tickets nobody invoiced: one
    Concepto per ticket (NoIdentificacion its reference), a refund of the period netted
    into the ticket it refunds (a ticket refunded in full is left out)."""

    _inherit = "l10n_mx_einvoice.builder.global"

    # --- the tickets a global invoice may include -------------------------------------

    def _ticket_bounds(self, company, date_from, date_to):
        """The period's days as UTC datetimes, at the company's local time."""
        zone = catalogs.time_zone(company.partner_id.zip)

        def utc(day):
            moment = datetime.combine(day, time.min).replace(tzinfo=zone)
            return moment.astimezone(timezone.utc).replace(tzinfo=None)

        return utc(date_from), utc(date_to + timedelta(days=1))

    def _ticket_day(self, ticket):
        zone = catalogs.time_zone(ticket.company_id.partner_id.zip)
        return ticket.date_order.replace(tzinfo=timezone.utc).astimezone(zone).date()

    def _available_tickets(self, company, date_from, date_to, currency):
        """Paid tickets of the period without their own invoice and not in a global
        invoice that stands; a refund only with the ticket it refunds (netted)."""
        start, end = self._ticket_bounds(company, date_from, date_to)
        tickets = (
            self.env["pos.order"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", TICKET_STATES),
                    ("account_move", "=", False),
                    ("date_order", ">=", start),
                    ("date_order", "<", end),
                    "|",
                    ("l10n_mx_einvoice_global_document_id", "=", False),
                    ("l10n_mx_einvoice_global_document_id.state", "not in", STANDING_STATES),
                ],
                order="date_order, id",
            )
        )
        tickets = tickets.filtered(lambda t: t.currency_id == currency)
        return tickets - self._orphan_refunds(tickets)

    def _orphan_refunds(self, tickets):
        """The refunds among ``tickets`` whose refunded ticket is not among them: the sale
        is in an earlier global invoice or has its own CFDI, so SAT asks for a CFDI de
        egreso related to that CFDI instead."""
        return tickets.filtered(
            lambda t: t.lines.refunded_orderline_id and t.refunded_order_id not in tickets
        )

    def _ticket_groups(self, tickets):
        """[(ticket, its refunds among ``tickets``)], refunds netted into their ticket."""
        refunds = tickets.filtered(lambda t: t.lines.refunded_orderline_id)
        groups = []
        for ticket in (tickets - refunds).sorted("id"):
            groups.append((ticket, refunds.filtered(lambda r, t=ticket: r.refunded_order_id == t)))
        return groups

    # --- extension points of the main builder -----------------------------------------

    def _is_empty(self, request):
        return super()._is_empty(request) and not request.pos_order_ids

    def _last_day(self, request):
        days = [self._ticket_day(t) for t in request.pos_order_ids]
        sale_day = super()._last_day(request)
        return max(days + ([sale_day] if sale_day else []), default=None)

    def _expected_total(self, request):
        decimals = amounts.currency_decimals(request.currency_id.name)
        tickets = sum(
            (to_decimal(t.amount_total, decimals) for t in request.pos_order_ids), Decimal(0)
        )
        return super()._expected_total(request) + tickets

    def _amounts_by_forma(self, request):
        by_forma = super()._amounts_by_forma(request)
        for payment in request.pos_order_ids.payment_ids:
            forma = payment.payment_method_id.l10n_mx_einvoice_forma_pago
            if forma and forma != "99":
                by_forma[forma] += payment.amount
        return by_forma

    def _conceptos(self, request, decimals):
        conceptos = super()._conceptos(request, decimals)
        for ticket, refunds in self._ticket_groups(request.pos_order_ids):
            concepto = self._ticket_concepto(ticket, refunds, decimals)
            if concepto:
                conceptos.append(concepto)
        return conceptos

    def _document_values(self, request):
        values = super()._document_values(request)
        values["pos_order_ids"] = [Command.set(request.pos_order_ids.ids)]
        return values

    def _problems(self, request):
        problems = super()._problems(request)
        tickets = request.pos_order_ids
        if not tickets:
            return problems
        others = tickets.filtered(
            lambda t: (
                t.state not in TICKET_STATES
                or t.account_move
                or t.company_id != request.company_id
                or t.currency_id != request.currency_id
            )
        )
        if others:
            problems.append(
                self.env._(
                    "%(tickets)s are not paid tickets of %(company)s in %(currency)s without "
                    "an invoice of their own: remove them from the global invoice.",
                    tickets=", ".join(others.mapped("name")),
                    company=request.company_id.name,
                    currency=request.currency_id.name,
                )
            )
        taken = tickets.filtered(
            lambda t: (
                t._l10n_mx_einvoice_in_global() and t.l10n_mx_einvoice_global_document_id != request
            )
        )
        if taken:
            problems.append(
                self.env._(
                    "The tickets %(tickets)s already belong to a global invoice and cannot be "
                    "included twice.",
                    tickets=", ".join(taken.mapped("name")),
                )
            )
        orphans = self._orphan_refunds(tickets)
        if orphans:
            problems.append(
                self.env._(
                    "The refunds %(refunds)s return tickets this global invoice does not "
                    "include (invoiced on their own or in an earlier global invoice): they "
                    "need a credit note (CFDI de egreso) related to that CFDI; remove them.",
                    refunds=", ".join(orphans.mapped("name")),
                )
            )
        return problems

    # --- a ticket -> a Concepto ---------------------------------------------------------

    def _ticket_base_lines(self, tickets):
        """Odoo's tax computation of the tickets' lines, rounded as the company rounds."""
        tax = self.env["account.tax"]
        base_lines = tickets.lines._prepare_tax_base_line_values()
        tax._add_tax_details_in_base_lines(base_lines, tickets.company_id[:1])
        tax._round_base_lines_tax_details(base_lines, tickets.company_id[:1])
        return base_lines

    def _ticket_concepto(self, ticket, refunds, decimals):
        """One Concepto for a ticket net of its refunds (None once refunded in full)."""
        importe = Decimal(0)
        taxed = []
        for sign, tickets in ((1, ticket), (-1, refunds)):
            if not tickets:
                continue
            for base_line in self._ticket_base_lines(tickets):
                details = base_line["tax_details"]
                importe += sign * to_decimal(abs(details["total_excluded_currency"]), decimals)
                if base_line["tax_ids"]:
                    taxed.append(self._concepto_taxes(details, decimals, Decimal(1), sign))
        if importe <= 0:
            return None
        return self._sale_concepto(ticket.pos_reference or ticket.name, importe, taxed)
