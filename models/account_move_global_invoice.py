"""The global invoice (factura global) to público en general: one CFDI over many sales.

The CFDI is held by a journal entry of its own (draft, without lines: the sales already
carry the accounting) so that the stamping pipeline of ``account_move.py`` is reused.
Each included sale points to it (``l10n_mx_einvoice_global_invoice_id``) and cannot be included in
another one while it stands.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import amounts
from ..cfdi.document import (
    PUBLICO_EN_GENERAL,
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    InformacionGlobal,
    Receptor,
    Retencion,
    Traslado,
)
from .account_move import bilingual, to_decimal
from .l10n_mx_einvoice_utils import catalog_selection

PUBLICO_NOMBRE = "PUBLICO EN GENERAL"
GLOBAL_CLAVE_PROD_SERV = "01010101"
GLOBAL_CLAVE_UNIDAD = "ACT"
GLOBAL_REGIMEN = "616"
GLOBAL_USO = "S01"
STANDING_STATES = ("to_stamp", "stamped", "cancel_requested")


def merge_taxes(impuestos_list):
    """One ConceptoImpuestos summing Base and Importe per (impuesto, tipo factor, tasa)."""
    traslados, retenciones = (
        defaultdict(lambda: [Decimal(0), None]),
        defaultdict(lambda: [Decimal(0), None]),
    )
    for impuestos in impuestos_list:
        for group, taxes in (
            (traslados, impuestos.traslados),
            (retenciones, impuestos.retenciones),
        ):
            for tax in taxes:
                entry = group[(tax.impuesto, tax.tipo_factor, tax.tasa_o_cuota)]
                entry[0] += tax.base
                if tax.importe is not None:
                    entry[1] = (entry[1] or Decimal(0)) + tax.importe
    merged = ConceptoImpuestos()
    for (impuesto, tipo_factor, tasa), (base, importe) in traslados.items():
        merged.traslados.append(
            Traslado(
                base=base,
                impuesto=impuesto,
                tipo_factor=tipo_factor,
                tasa_o_cuota=tasa,
                importe=importe,
            )
        )
    for (impuesto, tipo_factor, tasa), (base, importe) in retenciones.items():
        merged.retenciones.append(
            Retencion(
                base=base,
                impuesto=impuesto,
                tipo_factor=tipo_factor,
                tasa_o_cuota=tasa,
                importe=importe,
            )
        )
    return merged


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_mx_einvoice_global_invoice_id = fields.Many2one(
        "account.move",
        string="Global invoice",
        copy=False,
        readonly=True,
        index=True,
        help="The global CFDI (factura global) that covers this sale to público en general.",
    )
    l10n_mx_einvoice_global_sale_ids = fields.One2many(
        "account.move",
        "l10n_mx_einvoice_global_invoice_id",
        string="Sales in the global invoice",
        readonly=True,
    )
    l10n_mx_einvoice_global_periodicidad = fields.Selection(
        selection=lambda self: catalog_selection("c_Periodicidad"),
        string="Periodicidad",
        copy=False,
    )
    l10n_mx_einvoice_global_meses = fields.Selection(
        selection=lambda self: catalog_selection("c_Meses"),
        string="Meses",
        copy=False,
    )
    l10n_mx_einvoice_global_anio = fields.Integer(string="Año", copy=False)

    # --- dispatch -------------------------------------------------------------------

    def _l10n_mx_einvoice_is_global(self):
        self.ensure_one()
        return bool(self.l10n_mx_einvoice_global_periodicidad) and self.move_type == "entry"

    def _l10n_mx_einvoice_is_cfdi(self):
        if self._l10n_mx_einvoice_is_global():
            return True
        if self.l10n_mx_einvoice_global_invoice_id:
            return False  # covered by the global invoice
        return super()._l10n_mx_einvoice_is_cfdi()

    def _l10n_mx_einvoice_expected_total(self):
        if self._l10n_mx_einvoice_is_global():
            decimals = amounts.currency_decimals(self.currency_id.name)
            return sum(
                (
                    to_decimal(sale.amount_total, decimals)
                    for sale in self.l10n_mx_einvoice_global_sale_ids
                ),
                Decimal(0),
            )
        return super()._l10n_mx_einvoice_expected_total()

    def _l10n_mx_einvoice_serie_folio(self):
        if self._l10n_mx_einvoice_is_global():
            return "FG", str(self.id)
        return super()._l10n_mx_einvoice_serie_folio()

    def _l10n_mx_einvoice_record_problems(self):
        if not self._l10n_mx_einvoice_is_global():
            return super()._l10n_mx_einvoice_record_problems()
        company = self.company_id
        problems = []
        if not company.vat or not company.zip or not company.l10n_mx_einvoice_regimen_fiscal:
            problems.append(
                bilingual(
                    f"La empresa {company.name} necesita RFC, código postal y régimen fiscal (Ajustes > Empresas).",
                    f"The company {company.name} needs its RFC, postal code and fiscal regime (Settings > Companies).",
                )
            )
        sales = self.l10n_mx_einvoice_global_sale_ids
        if not sales:
            problems.append(
                bilingual(
                    "La factura global no incluye ventas.", "The global invoice includes no sales."
                )
            )
        if len(sales.currency_id) > 1:
            problems.append(
                bilingual(
                    "Las ventas de una factura global deben tener una sola moneda.",
                    "The sales of a global invoice must share one currency.",
                )
            )
        for sale in sales.filtered("l10n_mx_einvoice_uuid"):
            problems.append(
                bilingual(
                    f"La venta {sale.name} ya tiene su propio CFDI.",
                    f"The sale {sale.name} already has its own CFDI.",
                )
            )
        return problems

    def _l10n_mx_einvoice_comprobante(self, fecha=None):
        if not self._l10n_mx_einvoice_is_global():
            return super()._l10n_mx_einvoice_comprobante(fecha)
        company = self.company_id
        lugar = (company.zip or "").strip()
        serie, folio = self._l10n_mx_einvoice_serie_folio()
        decimals = amounts.currency_decimals(self.currency_id.name)
        comprobante = Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            forma_pago=self._l10n_mx_einvoice_global_forma_pago(),
            moneda=self.currency_id.name,
            tipo_cambio=self._l10n_mx_einvoice_tipo_cambio(),
            tipo_de_comprobante="I",
            exportacion="01",
            metodo_pago="PUE",
            lugar_expedicion=lugar,
            informacion_global=InformacionGlobal(
                periodicidad=self.l10n_mx_einvoice_global_periodicidad,
                meses=self.l10n_mx_einvoice_global_meses,
                anio=self.l10n_mx_einvoice_global_anio,
            ),
            emisor=self._l10n_mx_einvoice_emisor(),
            receptor=Receptor(
                rfc=PUBLICO_EN_GENERAL,
                nombre=PUBLICO_NOMBRE,
                domicilio_fiscal=lugar,
                regimen_fiscal=GLOBAL_REGIMEN,
                uso_cfdi=GLOBAL_USO,
            ),
            conceptos=[
                self._l10n_mx_einvoice_global_concepto(sale, decimals)
                for sale in self.l10n_mx_einvoice_global_sale_ids.sorted("id")
            ],
        )
        return amounts.fill(comprobante)

    def _l10n_mx_einvoice_global_forma_pago(self):
        """The form of payment of the largest amount among the sales (SAT's rule)."""
        by_forma = defaultdict(float)
        for sale in self.l10n_mx_einvoice_global_sale_ids:
            if sale.l10n_mx_einvoice_forma_pago and sale.l10n_mx_einvoice_forma_pago != "99":
                by_forma[sale.l10n_mx_einvoice_forma_pago] += sale.amount_total
        return max(by_forma, key=by_forma.get) if by_forma else "01"

    def _l10n_mx_einvoice_global_concepto(self, sale, decimals):
        importe = to_decimal(sale.amount_untaxed, decimals)
        taxed = [
            sale._l10n_mx_einvoice_concepto_taxes(base_line["tax_details"], decimals, Decimal(1))
            for base_line in sale._l10n_mx_einvoice_base_lines()
            if base_line["record"].tax_ids
        ]
        concepto = Concepto(
            clave_prod_serv=GLOBAL_CLAVE_PROD_SERV,
            no_identificacion=sale.name,
            cantidad=Decimal(1),
            clave_unidad=GLOBAL_CLAVE_UNIDAD,
            descripcion="Venta",
            valor_unitario=importe,
            importe=importe,
            objeto_imp="02" if taxed else "01",
        )
        if taxed:
            concepto.impuestos = merge_taxes(taxed)
        return concepto

    # --- the global invoice's own entry ------------------------------------------------

    @api.model
    def _l10n_mx_einvoice_global_sales_domain(self, company, date_from, date_to, currency):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("commercial_partner_id.vat", "=", PUBLICO_EN_GENERAL),
            ("invoice_date", ">=", date_from),
            ("invoice_date", "<=", date_to),
            ("currency_id", "=", currency.id),
            ("l10n_mx_einvoice_uuid", "=", False),
            "|",
            ("l10n_mx_einvoice_global_invoice_id", "=", False),
            (
                "l10n_mx_einvoice_global_invoice_id.l10n_mx_einvoice_state",
                "in",
                ("cancelled", "error", False),
            ),
        ]

    @api.model
    def _l10n_mx_einvoice_global_sales(self, company, date_from, date_to, currency):
        """The sales a global invoice of the period may include: not stamped on their own,
        not waiting for the PAC, not in a standing global invoice."""
        sales = self.search(
            self._l10n_mx_einvoice_global_sales_domain(company, date_from, date_to, currency),
            order="invoice_date, id",
        )
        return sales.filtered(lambda sale: not sale._l10n_mx_einvoice_pending_document())

    @api.model
    def _l10n_mx_einvoice_global_create(self, sales, periodicidad, meses, anio, journal):
        standing = sales.filtered(
            lambda s: s.l10n_mx_einvoice_global_invoice_id.l10n_mx_einvoice_state in STANDING_STATES
        )
        if standing:
            raise UserError(
                self.env._(
                    "%s already belong to a global invoice and cannot be included twice. / Estas ventas "
                    "ya están en una factura global y no se pueden incluir dos veces.",
                    ", ".join(standing.mapped("name")),
                )
            )
        holder = self.create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": journal.company_id.id,
                "currency_id": sales.currency_id.id,
                "partner_id": sales[:1].commercial_partner_id.id,
                "date": max(sales.mapped("invoice_date")),
                "ref": self.env._("Global invoice %(meses)s/%(anio)s", meses=meses, anio=anio),
                "l10n_mx_einvoice_global_periodicidad": periodicidad,
                "l10n_mx_einvoice_global_meses": meses,
                "l10n_mx_einvoice_global_anio": anio,
            }
        )
        sales.write(
            {
                "l10n_mx_einvoice_global_invoice_id": holder.id,
                "l10n_mx_einvoice_state": False,
                "l10n_mx_einvoice_message": False,
            }
        )
        return holder

    @api.model
    def _cron_l10n_mx_einvoice_stamp(self, limit=200):
        """Also retry global invoices left pending (their entry is a draft, the base cron
        only looks at posted ones)."""
        result = super()._cron_l10n_mx_einvoice_stamp(limit=limit)
        holders = self.search(
            [
                ("l10n_mx_einvoice_global_periodicidad", "!=", False),
                ("l10n_mx_einvoice_state", "=", "to_stamp"),
                ("l10n_mx_einvoice_document_ids.state", "=", "pending"),
            ],
            limit=limit,
            order="id",
        )
        for holder in holders:
            try:
                with self.env.cr.savepoint():
                    holder._l10n_mx_einvoice_stamp()
            except UserError as error:
                holder.write(
                    {
                        "l10n_mx_einvoice_state": "error",
                        "l10n_mx_einvoice_message": str(error.args[0]),
                    }
                )
            holder._l10n_mx_einvoice_commit()
        return result

    def action_l10n_mx_einvoice_stamp_global(self):
        for move in self.filtered(lambda m: m._l10n_mx_einvoice_is_global()):
            move._l10n_mx_einvoice_stamp()
        return True

    def write(self, vals):
        if "l10n_mx_einvoice_global_invoice_id" in vals:
            standing = self.filtered(
                lambda m: (
                    m.l10n_mx_einvoice_global_invoice_id.l10n_mx_einvoice_state in STANDING_STATES
                    and m.l10n_mx_einvoice_global_invoice_id.id
                    != vals["l10n_mx_einvoice_global_invoice_id"]
                )
            )
            if standing:
                raise UserError(
                    self.env._(
                        "%s belong to a stamped global invoice: cancel it before including them "
                        "elsewhere. / Estas ventas están en una factura global timbrada: cancélela antes.",
                        ", ".join(standing.mapped("name")),
                    )
                )
        return super().write(vals)
