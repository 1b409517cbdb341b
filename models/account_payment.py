"""The payment complement (CFDI type P) seen from the payment: state, UUID, buttons, mail."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .l10n_mx_einvoice_utils import USER_GROUP, catalog_selection, check_kept_fields


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
    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        compute="_compute_l10n_mx_einvoice_forma_pago",
        store=True,
        readonly=False,
        help="FormaDePagoP of the payment complement: the payment method's, else the journal's.",
    )
    l10n_mx_einvoice_payment_needed = fields.Boolean(
        compute="_compute_l10n_mx_einvoice_payment_needed"
    )

    def write(self, vals):
        check_kept_fields(self, vals)  # the complement's state and UUID are its entry's
        if "l10n_mx_einvoice_forma_pago" in vals:
            locked = self.filtered(
                lambda p: p.l10n_mx_einvoice_forma_pago != vals["l10n_mx_einvoice_forma_pago"]
            ).move_id._l10n_mx_einvoice_is_locked()
            if locked:
                raise UserError(
                    self.env._(
                        "%(moves)s has a stamped (or pending) payment complement: its form of "
                        "payment cannot change. Cancel the complement first.",
                        moves=", ".join(locked.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.depends("journal_id", "payment_method_line_id")
    def _compute_l10n_mx_einvoice_forma_pago(self):
        for payment in self:
            payment.l10n_mx_einvoice_forma_pago = payment._l10n_mx_einvoice_default_forma_pago()

    def _l10n_mx_einvoice_default_forma_pago(self):
        """The SAT form of payment of the payment method line, else of the journal."""
        return (
            self.payment_method_line_id.l10n_mx_einvoice_forma_pago
            or self.journal_id.l10n_mx_einvoice_forma_pago
            or False
        )

    @api.depends("move_id", "reconciled_invoice_ids", "state")
    def _compute_l10n_mx_einvoice_payment_needed(self):
        builder = self.env["l10n_mx_einvoice.builder.payment"]
        for payment in self:
            move = payment.move_id
            payment.l10n_mx_einvoice_payment_needed = bool(
                move
                and move._l10n_mx_einvoice_document_type() == "payment"
                and move._l10n_mx_einvoice_stampable()
                and builder._allocations(move)
            )

    def _l10n_mx_einvoice_complement_moves(self):
        """The entries of these payments that can issue a payment complement now."""
        builder = self.env["l10n_mx_einvoice.builder.payment"]
        return self.move_id.filtered(
            lambda m: (
                m._l10n_mx_einvoice_document_type() == "payment"
                and m._l10n_mx_einvoice_stampable()
                and builder._allocations(m)
            )
        )

    def action_l10n_mx_einvoice_stamp_payment(self):
        """Stamp the payment complement of the selected payments (button)."""
        documents = self.env["l10n_mx_einvoice.document"]
        documents._check_stamp_right()
        moves = self._l10n_mx_einvoice_complement_moves()
        if not moves:
            if self.move_id.filtered(
                lambda m: m.l10n_mx_einvoice_state in ("stamped", "cancel_requested")
            ):
                return True  # already issued: nothing is stamped twice
            raise UserError(
                self.env._(
                    "Nothing to stamp: a payment complement is issued for posted customer "
                    "payments reconciled with stamped PPD invoices."
                )
            )
        documents._stamp(moves)
        return True

    def action_l10n_mx_einvoice_cancel_cfdi(self):
        return self.move_id.action_l10n_mx_einvoice_cancel_cfdi()

    def action_l10n_mx_einvoice_check_sat_status(self):
        return self.move_id.action_l10n_mx_einvoice_check_sat_status()

    def _l10n_mx_einvoice_stamp_after_reconcile(self):
        """Stamp the complements of just reconciled payments when the company asks for it
        (a user without the CFDI right leaves them to a CFDI user)."""
        payments = self.filtered(lambda p: p.company_id.l10n_mx_einvoice_stamp_payments_on_post)
        if not payments or not (self.env.su or self.env.user.has_group(USER_GROUP)):
            return
        documents = self.env["l10n_mx_einvoice.document"]
        for move in payments._l10n_mx_einvoice_complement_moves():
            documents._stamp_unattended(move)
