from odoo import fields, models


class L10nMxEinvoiceCreditAdjust(models.TransientModel):
    """Manual correction of a stamp account's credits, with a required reason (the ledger
    records it with its author)."""

    _name = "l10n_mx_einvoice.credit.adjust"
    _description = "Adjust CFDI stamp credits"

    account_id = fields.Many2one("l10n_mx_einvoice.stamp.account", required=True)
    quantity = fields.Integer(required=True, help="Positive adds stamps, negative removes them.")
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        self.env["l10n_mx_einvoice.credit.move"]._record_adjustment(
            self.account_id, self.quantity, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
