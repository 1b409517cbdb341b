from odoo import fields, models
from odoo.exceptions import UserError


class L10nMxEinvoiceCreditAdjust(models.TransientModel):
    """Manual correction of a stamp account's credits, with a required reason."""

    _name = "l10n_mx_einvoice.credit.adjust"
    _description = "Adjust CFDI stamp credits"

    account_id = fields.Many2one("l10n_mx_einvoice.stamp.account", required=True)
    quantity = fields.Integer(required=True, help="Positive adds stamps, negative removes them.")
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        if not self.quantity:
            raise UserError(self.env._("Type a number of stamps other than zero."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Type the reason of the adjustment."))
        self.env["l10n_mx_einvoice.credit.move"].create(
            {
                "account_id": self.account_id.id,
                "kind": "adjustment",
                "quantity": self.quantity,
                "reason": self.reason.strip(),
            }
        )
        return {"type": "ir.actions.act_window_close"}
