from odoo import fields, models


class L10nMxEinvoiceVendorAllow(models.TransientModel):
    """A CFDI manager allows posting bills whose supplier CFDI fails its seal or is
    addressed to another RFC; the reason is kept on the bill and in its chatter."""

    _name = "l10n_mx_einvoice.vendor.allow"
    _description = "Allow posting a bill whose supplier CFDI fails its checks"

    move_ids = fields.Many2many("account.move", required=True)
    reason = fields.Text(required=True)

    def action_allow(self):
        self.ensure_one()
        self.move_ids._l10n_mx_einvoice_vendor_allow_posting(self.reason)
        return {"type": "ir.actions.act_window_close"}
