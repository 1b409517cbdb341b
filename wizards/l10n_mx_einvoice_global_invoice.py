"""Request the global invoice (factura global) of the sales to público en general in a period:
a global document is sealed for the sales and stamped (``l10n_mx_einvoice.document._stamp``)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.l10n_mx_einvoice_utils import catalog_selection


class L10nMxEinvoiceGlobalInvoice(models.TransientModel):
    _name = "l10n_mx_einvoice.global.invoice"
    _description = "Global invoice to público en general"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    periodicidad = fields.Selection(
        selection=lambda self: catalog_selection("c_Periodicidad"),
        string="Periodicity",
        required=True,
        default="04",
    )
    meses = fields.Selection(
        selection=lambda self: catalog_selection("c_Meses"),
        string="Months",
        required=True,
        compute="_compute_meses",
        store=True,
        readonly=False,
        precompute=True,
    )
    anio = fields.Integer(
        string="Year",
        required=True,
        compute="_compute_meses",
        store=True,
        readonly=False,
        precompute=True,
    )
    sale_ids = fields.Many2many(
        "account.move",
        string="Sales",
        compute="_compute_sale_ids",
        store=True,
        readonly=False,
        check_company=True,
        help="The period's sales to público en general not invoiced on their own; remove the "
        "ones this global invoice should not include.",
    )

    @api.depends("date_from")
    def _compute_meses(self):
        for wizard in self:
            day = wizard.date_from or fields.Date.context_today(wizard)
            wizard.meses = f"{day.month:02d}"
            wizard.anio = day.year

    @api.depends("company_id", "currency_id", "date_from", "date_to")
    def _compute_sale_ids(self):
        builder = self.env["l10n_mx_einvoice.builder.global"]
        for wizard in self:
            wizard.sale_ids = (
                builder._available_sales(
                    wizard.company_id, wizard.date_from, wizard.date_to, wizard.currency_id
                )
                if wizard.date_from and wizard.date_to
                else False
            )

    def action_create_global_invoice(self):
        self.ensure_one()
        if self.env["l10n_mx_einvoice.builder.global"]._is_empty(self):
            raise UserError(
                self.env._(
                    "No posted, unstamped sales to público en general (XAXX010101000) between "
                    "%(start)s and %(end)s.",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        document = self.env["l10n_mx_einvoice.document"]._stamp(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": document._name,
            "res_id": document.id,
            "view_mode": "form",
            "target": "current",
        }
