from odoo import models


class AccountMove(models.Model):
    """Vendor bills of stamp-package products add credits to the company's stamp account."""

    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._l10n_mx_einvoice_sync_stamp_credits()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._l10n_mx_einvoice_sync_stamp_credits()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._l10n_mx_einvoice_sync_stamp_credits()
        return result

    def _l10n_mx_einvoice_bill_credits(self):
        """Stamps bought by this bill: Σ stamps per unit × quantity (negative for refunds)."""
        self.ensure_one()
        if self.state != "posted" or self.move_type not in ("in_invoice", "in_refund"):
            return 0
        stamps = sum(
            int(line.product_id.product_tmpl_id.l10n_mx_einvoice_stamp_credits * line.quantity)
            for line in self.invoice_line_ids
            if line.product_id.product_tmpl_id.l10n_mx_einvoice_stamp_credits
        )
        return -stamps if self.move_type == "in_refund" else stamps

    def _l10n_mx_einvoice_sync_stamp_credits(self):
        """Make the ledger hold exactly the credits each bill currently buys (idempotent)."""
        ledger = self.env["l10n_mx_einvoice.credit.move"].sudo()
        bills = self.filtered(lambda m: m.move_type in ("in_invoice", "in_refund"))
        if not bills:
            return
        recorded = dict(
            ledger._read_group([("move_id", "in", bills.ids)], ["move_id"], ["quantity:sum"])
        )
        for bill in bills:
            expected = bill._l10n_mx_einvoice_bill_credits()
            delta = expected - recorded.get(bill, 0)
            if not delta:
                continue
            account = bill.company_id.l10n_mx_einvoice_stamp_account_id
            if not account:
                bill.message_post(
                    body=self.env._(
                        "This bill buys %(count)s stamps but the company %(company)s has no stamp "
                        "account; choose one in Settings > Invoicing > CFDI (México) and post the "
                        "bill again.",
                        count=expected,
                        company=bill.company_id.display_name,
                    )
                )
                continue
            ledger.create(
                {
                    "account_id": account.id,
                    "kind": "purchase",
                    "quantity": delta,
                    "move_id": bill.id,
                    "reason": bill.name
                    if delta > 0
                    else self.env._("%(bill)s reset or cancelled", bill=bill.name),
                }
            )
            bill.message_post(
                body=self.env._(
                    "%(count)s stamps recorded in the stamp account %(account)s.",
                    count=delta,
                    account=account.display_name,
                )
            )
