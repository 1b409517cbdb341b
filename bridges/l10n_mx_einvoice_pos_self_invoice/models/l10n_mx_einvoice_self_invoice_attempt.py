"""The self-invoicing page's attempts, for its rate limits: per visitor's IP address and
per ticket reference (a ticket guessed from many addresses is limited too)."""

import datetime as dt

from odoo import api, fields, models

# (attempts, minutes): more failed attempts than these in that many minutes are refused
IP_LIMIT = ("l10n_mx_einvoice_pos_self_invoice.ip_limit", 10, 15)
TICKET_LIMIT = ("l10n_mx_einvoice_pos_self_invoice.ticket_limit", 5, 60)


class L10nMxEinvoiceSelfInvoiceAttempt(models.Model):
    _name = "l10n_mx_einvoice.self_invoice.attempt"
    _description = "Self-invoicing attempt"
    _log_access = False
    _order = "id desc"

    ip = fields.Char(index=True, readonly=True)
    ticket = fields.Char(index=True, readonly=True)
    failed = fields.Boolean(readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, index=True, readonly=True)

    @api.model
    def _limit(self, setting):
        """(attempts, minutes) of a limit; the system parameter "attempts/minutes" overrides."""
        key, attempts, minutes = setting
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        if value and "/" in value:
            attempts, minutes = (int(part) for part in value.split("/", 1))
        return attempts, minutes

    @api.model
    def _blocked(self, ip, ticket):
        """Minutes to wait before the next attempt of ``ip`` or on ``ticket``; 0 when free."""
        waits = [0]
        for field, value, setting in (("ip", ip, IP_LIMIT), ("ticket", ticket, TICKET_LIMIT)):
            if not value:
                continue
            attempts, minutes = self._limit(setting)
            since = fields.Datetime.now() - dt.timedelta(minutes=minutes)
            failures = self.sudo().search(
                [(field, "=", value), ("failed", "=", True), ("date", ">=", since)],
                order="date asc",
            )
            if len(failures) >= attempts:
                free_at = failures[-attempts].date + dt.timedelta(minutes=minutes)
                seconds = (free_at - fields.Datetime.now()).total_seconds()
                waits.append(max(1, int(seconds // 60) + 1))
        return max(waits)

    @api.model
    def _log(self, ip, ticket, failed):
        self.sudo().create({"ip": ip, "ticket": ticket, "failed": failed})

    @api.autovacuum
    def _gc_attempts(self):
        self.sudo().search([("date", "<", fields.Datetime.now() - dt.timedelta(days=2))]).unlink()
