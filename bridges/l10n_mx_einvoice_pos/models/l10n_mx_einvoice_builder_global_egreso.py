from decimal import Decimal

from odoo import fields, models
from odoo.addons.l10n_mx_einvoice.cfdi import amounts, sat
from odoo.addons.l10n_mx_einvoice.cfdi.document import (
    CfdiRelacionados,
    Comprobante,
    InformacionGlobal,
    Receptor,
)
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import to_decimal

EGRESO_SERIE = "EG"
RELACION_NOTA_CREDITO = "01"


class L10nMxEinvoiceBuilderGlobalEgreso(models.AbstractModel):
    """The CFDI de egreso that takes a ticket out of a stamped global invoice (SAT's Guía
    de llenado del CFDI global, Apéndice 2) before the ticket gets its own invoice: to
    público en general, related (01) to the global invoice's UUID, with the ticket's
    Concepto of the global invoice (ClaveProdServ 84111506, ClaveUnidad ACT).

    Its subject is the ticket (``pos.order``); the document is fiscal only: the session
    booked the sale, the ticket's own invoice is posted as the Point of Sale posts it.
    """

    _name = "l10n_mx_einvoice.builder.global_egreso"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: egreso of a ticket in a global invoice"
    _document_type = "global_egreso"

    def _subject_name(self, ticket):
        return self.env._(
            "the egreso of the ticket %(ticket)s (taken out of its global invoice)",
            ticket=ticket.name,
        )

    def _issuing_journal(self, ticket):
        return self.env["account.journal"]  # as its global invoice: the company's address

    def _holder(self, ticket):
        return ticket.sudo().l10n_mx_einvoice_global_document_id

    def _refunds(self, ticket):
        """The ticket's refunds netted into the same global invoice."""
        return self._holder(ticket).pos_order_ids.filtered(
            lambda r: r.refunded_order_id == ticket and r.lines.refunded_orderline_id
        )

    def _expected_total(self, ticket):
        decimals = amounts.currency_decimals(ticket.currency_id.name)
        return sum(
            (to_decimal(t.amount_total, decimals) for t in ticket | self._refunds(ticket)),
            Decimal(0),
        )

    def _document_values(self, ticket):
        holder = self._holder(ticket)
        return {
            "pos_egreso_order_id": ticket.id,
            "currency_id": ticket.currency_id.id,
            "periodicidad": holder.periodicidad,
            "meses": holder.meses,
            "anio": holder.anio,
        }

    def _problems(self, ticket):
        problems = self._company_problems(ticket)
        holder = self._holder(ticket)
        if holder.state != "stamped" or not holder.uuid:
            problems.append(
                self.env._(
                    "The ticket %(ticket)s is not in a stamped global invoice: a CFDI de "
                    "egreso relates only to a stamped one.",
                    ticket=ticket.name,
                )
            )
        if ticket.account_move:
            problems.append(
                self.env._("The ticket %(ticket)s already has an invoice.", ticket=ticket.name)
            )
        return problems

    def _comprobante(self, ticket, fecha):
        company = ticket.company_id
        holder = self._holder(ticket)
        lugar = self._lugar_expedicion(ticket)
        currency = ticket.currency_id
        decimals = amounts.currency_decimals(currency.name)
        global_builder = self.env["l10n_mx_einvoice.builder.global"]
        day = global_builder._ticket_day(ticket) or fields.Date.context_today(self)
        rate = company.currency_id._get_conversion_rate(company.currency_id, currency, company, day)
        forma = self.env["pos.payment.method"]._l10n_mx_einvoice_largest_forma(ticket.payment_ids)
        concepto = global_builder._ticket_concepto(ticket, self._refunds(ticket), decimals)
        if concepto:
            concepto.clave_prod_serv = sat.GLOBAL_EGRESO_CLAVE_PROD_SERV
        return Comprobante(
            serie=EGRESO_SERIE,
            folio=str(ticket.id),
            fecha=fecha,
            forma_pago=forma if forma != "99" else "01",
            moneda=currency.name,
            tipo_cambio=self._tipo_cambio(currency, rate),
            tipo_de_comprobante="E",
            exportacion="01",
            metodo_pago="PUE",
            lugar_expedicion=lugar,
            informacion_global=InformacionGlobal(
                periodicidad=holder.periodicidad, meses=holder.meses, anio=holder.anio
            ),
            cfdi_relacionados=[
                CfdiRelacionados(tipo_relacion=RELACION_NOTA_CREDITO, uuids=[holder.uuid])
            ],
            emisor=self._emisor(company),
            receptor=Receptor(
                rfc=sat.PUBLICO_EN_GENERAL,
                nombre=sat.PUBLICO_NOMBRE,
                domicilio_fiscal=lugar,
                regimen_fiscal=sat.REGIMEN_SIN_OBLIGACIONES,
                uso_cfdi=sat.USO_SIN_EFECTOS,
            ),
            conceptos=[concepto] if concepto else [],
        )
