"""The payment complement (CFDI type P) seen from the payment: state, UUID, buttons, mail."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    l10n_mx_einvoice_state = fields.Selection(
        related="move_id.l10n_mx_einvoice_state", string="Payment complement"
    )
    l10n_mx_einvoice_uuid = fields.Char(related="move_id.l10n_mx_einvoice_uuid")
    l10n_mx_einvoice_message = fields.Text(related="move_id.l10n_mx_einvoice_message")
    l10n_mx_einvoice_attachment_id = fields.Many2one(
        related="move_id.l10n_mx_einvoice_attachment_id"
    )
    l10n_mx_einvoice_payment_needed = fields.Boolean(
        compute="_compute_l10n_mx_einvoice_payment_needed"
    )

    @api.depends("move_id", "reconciled_invoice_ids", "state")
    def _compute_l10n_mx_einvoice_payment_needed(self):
        for payment in self:
            move = payment.move_id
            payment.l10n_mx_einvoice_payment_needed = bool(
                move
                and move.state == "posted"
                and move._l10n_mx_einvoice_is_payment()
                and move.l10n_mx_einvoice_state not in ("stamped", "cancel_requested")
                and move._l10n_mx_einvoice_payment_allocations()
            )

    def action_l10n_mx_einvoice_stamp_payment(self):
        """Stamp the payment complement of the selected payments (button)."""
        moves = self.move_id.filtered(
            lambda m: (
                m.state == "posted"
                and m._l10n_mx_einvoice_is_payment()
                and m._l10n_mx_einvoice_payment_allocations()
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "Nothing to stamp: a payment complement is issued for posted customer payments "
                    "reconciled with stamped PPD invoices. / Nada que timbrar: el complemento de pago "
                    "se emite para pagos de clientes conciliados con facturas PPD timbradas."
                )
            )
        for move in moves:
            move._l10n_mx_einvoice_payment_stamp()
        return True

    def action_l10n_mx_einvoice_cancel_cfdi(self):
        return self.move_id.action_l10n_mx_einvoice_cancel_cfdi()

    def action_l10n_mx_einvoice_check_sat_status(self):
        return self.move_id.action_l10n_mx_einvoice_check_sat_status()

    def _l10n_mx_einvoice_stamp_after_reconcile(self):
        """Stamp the complements of just reconciled payments when the company asks for it."""
        for payment in self.filtered(
            lambda p: p.company_id.l10n_mx_einvoice_stamp_payments_on_post
        ):
            move = payment.move_id
            if (
                move
                and move.state == "posted"
                and move._l10n_mx_einvoice_is_payment()
                and move.l10n_mx_einvoice_state in (False, "to_stamp", "error", "cancelled")
                and move._l10n_mx_einvoice_payment_allocations()
            ):
                try:
                    move._l10n_mx_einvoice_payment_stamp()
                except UserError as error:
                    move.write(
                        {
                            "l10n_mx_einvoice_state": "error",
                            "l10n_mx_einvoice_message": str(error.args[0]),
                        }
                    )
                    move.message_post(
                        body=self.env._("Payment complement not stamped: %s", error.args[0])
                    )
