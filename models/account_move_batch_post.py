from odoo import fields, models


class AccountMove(models.Model):
    """Posting many invoices at once without synchronizing their lines one by one.

    Odoo's ``_post`` sets the invoice date of undated sale documents and the journal's
    "checked" flag one invoice at a time, and each of those writes re-synchronizes that
    invoice's dynamic lines (taxes, payment terms, rounding). Here the dates are set for
    all the invoices in one write (their lines are recomputed together, as Odoo would do
    each), and the "checked" flag, which changes no line, skips the synchronization.
    """

    _inherit = "account.move"

    def _post(self, soft=True):
        undated = self.filtered(
            lambda m: (
                m.state == "draft"
                and not m.invoice_date
                and m.is_sale_document(include_receipts=True)
            )
        )
        if len(undated) > 1:
            undated.with_context(skip_is_manually_modified=True).write(
                {"invoice_date": fields.Date.context_today(self)}
            )
        return super()._post(soft=soft)

    def write(self, vals):
        if vals.keys() == {"checked"}:
            return super(AccountMove, self.with_context(skip_invoice_sync=True)).write(vals)
        return super().write(vals)
