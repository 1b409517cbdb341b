"""Issue the global invoice (factura global) of the sales to público en general in a period."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.l10n_mx_einvoice_utils import catalog_selection


class L10nMxEinvoiceGlobalInvoice(models.TransientModel):
    _name = "l10n_mx_einvoice.global.invoice"
    _description = "Global invoice to público en general"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    periodicidad = fields.Selection(
        selection=lambda self: catalog_selection("c_Periodicidad"), required=True, default="04"
    )
    meses = fields.Selection(
        selection=lambda self: catalog_selection("c_Meses"),
        required=True,
        compute="_compute_meses",
        store=True,
        readonly=False,
        precompute=True,
    )
    anio = fields.Integer(
        string="Año",
        required=True,
        compute="_compute_meses",
        store=True,
        readonly=False,
        precompute=True,
    )
    sale_ids = fields.Many2many("account.move", string="Sales", compute="_compute_sale_ids")

    @api.depends("date_from")
    def _compute_meses(self):
        for wizard in self:
            day = wizard.date_from or fields.Date.context_today(wizard)
            wizard.meses = f"{day.month:02d}"
            wizard.anio = day.year

    @api.depends("company_id", "currency_id", "date_from", "date_to")
    def _compute_sale_ids(self):
        for wizard in self:
            wizard.sale_ids = wizard._sales() if wizard.date_from and wizard.date_to else False

    def _sales(self):
        return self.env["account.move"]._l10n_mx_einvoice_global_sales(
            self.company_id, self.date_from, self.date_to, self.currency_id
        )

    def action_create_global_invoice(self):
        self.ensure_one()
        sales = self._sales()
        if not sales:
            raise UserError(
                self.env._(
                    "No posted, unstamped sales to público en general (XAXX010101000) between %(start)s "
                    "and %(end)s. / No hay ventas a público en general sin timbrar en ese periodo.",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        holder = self.env["account.move"]._l10n_mx_einvoice_global_create(
            sales, self.periodicidad, self.meses, self.anio, self.journal_id
        )
        holder._l10n_mx_einvoice_stamp()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": holder.id,
            "view_mode": "form",
            "target": "current",
        }
