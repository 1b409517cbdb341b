from collections import defaultdict
from decimal import Decimal

from odoo import Command, fields, models

from ..cfdi import amounts, sat
from ..cfdi.document import (
    Comprobante,
    Concepto,
    InformacionGlobal,
    Receptor,
)
from .l10n_mx_einvoice_utils import to_decimal

GLOBAL_SERIE = "FG"
STANDING_STATES = ("pending", "stamped", "cancel_requested")


class L10nMxEinvoiceBuilderGlobal(models.AbstractModel):
    """The global invoice (factura global) to público en general: one CFDI over the sales
    of a period that were not invoiced on their own.

    Its subject is a request (``l10n_mx_einvoice.global.invoice``) or, to seal it again, a
    global document: both carry the company, the currency, the sales and the period.
    """

    _name = "l10n_mx_einvoice.builder.global"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: global invoice"
    _document_type = "global"

    def _subject_name(self, request):
        return self.env._(
            "the global invoice %(meses)s/%(anio)s", meses=request.meses, anio=request.anio
        )

    def _issuing_journal(self, request):
        """The sales' journal when they share one (its issuing address is the place of
        issue), else none: the company's address."""
        journal = request.sale_ids.journal_id
        return journal if len(journal) == 1 else journal.browse()

    def _serie_folio(self, request):
        folio = (
            self.env["ir.sequence"]
            .with_company(request.company_id)
            .next_by_code("l10n_mx_einvoice.global_invoice")
        )
        return GLOBAL_SERIE, folio

    def _expected_total(self, request):
        return self._total_of(request.sale_ids)

    # --- what the global invoice covers (extension points of a bridge's sales) ----------

    def _is_empty(self, request):
        """True when the request covers nothing (a bridge adds its own sales, e.g. the
        Point of Sale's tickets)."""
        return not request.sale_ids

    def _conceptos(self, request, decimals):
        """The Conceptos, one per sale (a bridge appends one per ticket)."""
        return [self._concepto(sale, decimals) for sale in request.sale_ids.sorted("id")]

    def _amounts_by_forma(self, request):
        """{c_FormaPago: amount} of what the request covers ("99" left out): the largest
        gives the CFDI's FormaPago (a bridge adds its tickets' payments)."""
        by_forma = defaultdict(float)
        for sale in request.sale_ids:
            if sale.l10n_mx_einvoice_forma_pago and sale.l10n_mx_einvoice_forma_pago != "99":
                by_forma[sale.l10n_mx_einvoice_forma_pago] += sale.amount_total
        return by_forma

    def _last_day(self, request):
        """The day of the latest sale covered (the exchange rate's day), None without any."""
        return max(request.sale_ids.mapped("invoice_date"), default=None)

    def _document_values(self, request):
        return {
            "sale_ids": [Command.set(request.sale_ids.ids)],
            "currency_id": request.currency_id.id,
            "periodicidad": request.periodicidad,
            "meses": request.meses,
            "anio": request.anio,
        }

    # --- the sales a global invoice may include ---------------------------------------

    def _standing_sales(self, company):
        """Sales already held by a global invoice that stands (pending or stamped)."""
        return (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("kind", "=", "stamp"),
                    ("document_type", "=", "global"),
                    ("state", "in", STANDING_STATES),
                ]
            )
            .sale_ids
        )

    def _available_sales(self, company, date_from, date_to, currency):
        """Posted sales to público en general of the period, not stamped on their own, not
        waiting for the PAC, not in a global invoice that stands."""
        sales = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("commercial_partner_id.vat", "=", sat.PUBLICO_EN_GENERAL),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
                ("currency_id", "=", currency.id),
                ("l10n_mx_einvoice_uuid", "=", False),
                ("id", "not in", self._standing_sales(company).ids),
            ],
            order="invoice_date, id",
        )
        return sales.filtered(
            lambda sale: (
                not sale.l10n_mx_einvoice_document_ids.filtered(lambda d: d.state == "pending")
            )
        )

    # --- checks ----------------------------------------------------------------------

    def _problems(self, request):
        problems = self._company_problems(request)
        sales = request.sale_ids
        if self._is_empty(request):
            problems.append(self.env._("The global invoice includes no sales."))
        others = sales.filtered(
            lambda s: (
                s.move_type != "out_invoice"
                or s.state != "posted"
                or s.company_id != request.company_id
                or s.commercial_partner_id.vat != sat.PUBLICO_EN_GENERAL
            )
        )
        if others:
            problems.append(
                self.env._(
                    "%(sales)s are not posted sales of %(company)s to público en general "
                    "(XAXX010101000): a global invoice covers only those.",
                    sales=", ".join(others.mapped("display_name")),
                    company=request.company_id.name,
                )
            )
        if len(sales.currency_id) > 1:
            problems.append(self.env._("The sales of a global invoice must share one currency."))
        for sale in sales.filtered("l10n_mx_einvoice_uuid"):
            problems.append(
                self.env._("The sale %(sale)s already has its own CFDI.", sale=sale.name)
            )
        standing = sales & self._standing_sales(request.company_id)
        if standing:
            problems.append(
                self.env._(
                    "%(sales)s already belong to a global invoice and cannot be included twice.",
                    sales=", ".join(standing.mapped("name")),
                )
            )
        return problems

    # --- request -> Comprobante ----------------------------------------------------------

    def _comprobante(self, request, fecha):
        company = request.company_id
        lugar = self._lugar_expedicion(request)
        currency = request.currency_id
        decimals = amounts.currency_decimals(currency.name)
        serie, folio = self._serie_folio(request)
        day = self._last_day(request) or fields.Date.context_today(self)
        rate = company.currency_id._get_conversion_rate(company.currency_id, currency, company, day)
        return Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            forma_pago=self._forma_pago(request),
            moneda=currency.name,
            tipo_cambio=self._tipo_cambio(currency, rate),
            tipo_de_comprobante="I",
            exportacion="01",
            metodo_pago="PUE",
            lugar_expedicion=lugar,
            informacion_global=InformacionGlobal(
                periodicidad=request.periodicidad, meses=request.meses, anio=request.anio
            ),
            emisor=self._emisor(company),
            receptor=Receptor(
                rfc=sat.PUBLICO_EN_GENERAL,
                nombre=sat.PUBLICO_NOMBRE,
                domicilio_fiscal=lugar,
                regimen_fiscal=sat.REGIMEN_SIN_OBLIGACIONES,
                uso_cfdi=sat.USO_SIN_EFECTOS,
            ),
            conceptos=self._conceptos(request, decimals),
        )

    def _forma_pago(self, request):
        """The form of payment of the largest amount covered (SAT's rule)."""
        by_forma = self._amounts_by_forma(request)
        return max(by_forma, key=by_forma.get) if by_forma else "01"

    def _concepto(self, sale, decimals):
        importe = to_decimal(sale.amount_untaxed, decimals)
        taxed = [
            self._concepto_taxes(base_line["tax_details"], decimals, Decimal(1))
            for base_line in self._base_lines(sale)
            if base_line["record"].tax_ids
        ]
        return self._sale_concepto(sale.name, importe, taxed)

    def _sale_concepto(self, reference, importe, taxed):
        """A sale's Concepto in a global invoice: NoIdentificacion its reference, ClaveProdServ
        01010101, ClaveUnidad ACT, one unit of ``importe``, ``taxed`` (ConceptoImpuestos of its
        lines) merged per tax and rate."""
        concepto = Concepto(
            clave_prod_serv=sat.GLOBAL_CLAVE_PROD_SERV,
            no_identificacion=reference,
            cantidad=Decimal(1),
            clave_unidad=sat.GLOBAL_CLAVE_UNIDAD,
            descripcion="Venta",
            valor_unitario=importe,
            importe=importe,
            objeto_imp="02" if taxed else "01",
        )
        if taxed:
            concepto.impuestos = amounts.merge_concepto_impuestos(taxed)
        return concepto
