from odoo import api, fields, models


class L10nMxEinvoiceGlobalInvoice(models.TransientModel):
    """The global invoice request also proposes the period's tickets nobody invoiced."""

    _inherit = "l10n_mx_einvoice.global.invoice"

    pos_order_ids = fields.Many2many(
        "pos.order",
        string="Tickets",
        compute="_compute_pos_order_ids",
        store=True,
        readonly=False,
        check_company=True,
        help="The period's paid Point of Sale tickets without an invoice of their own and not "
        "in a global invoice; a refund is netted into the ticket it returns.",
    )

    @api.depends("company_id", "currency_id", "date_from", "date_to")
    def _compute_pos_order_ids(self):
        builder = self.env["l10n_mx_einvoice.builder.global"]
        for wizard in self:
            wizard.pos_order_ids = (
                builder._available_tickets(
                    wizard.company_id, wizard.date_from, wizard.date_to, wizard.currency_id
                )
                if wizard.date_from and wizard.date_to
                else False
            )
