from odoo import models


class AccountPartialReconcile(models.Model):
    """A payment unreconciled after its complement was stamped: the complement no longer
    says what the payment paid, so it is cancelled (motive 02)."""

    _inherit = "account.partial.reconcile"

    def unlink(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        complements = moves.filtered(
            lambda m: (
                m.l10n_mx_einvoice_state in ("stamped", "cancel_requested")
                and m._l10n_mx_einvoice_document_type() == "payment"
            )
        )
        result = super().unlink()
        builder = self.env["l10n_mx_einvoice.builder.payment"]
        for move in complements:
            document = move.l10n_mx_einvoice_document_id
            if set(builder._allocations(move)) != set(document.invoice_ids):
                move.message_post(
                    body=self.env._(
                        "The payment was unreconciled after its complement was stamped: the "
                        "complement no longer matches the payment and is cancelled with motive 02."
                    )
                )
                document._cancel("02")
        return result
