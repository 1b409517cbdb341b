from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from odoo import Command, models

from ..cfdi import amounts, sat
from ..cfdi import xml as cfdi_xml
from ..cfdi.document import Complemento, Comprobante, Concepto, DoctoRelacionado, Pago, Pagos
from .l10n_mx_einvoice_utils import to_decimal

EQUIVALENCIA = Decimal("0.0000000001")  # EquivalenciaDR: up to 10 decimals (Pagos20.xsd)
TIPO_CAMBIO = Decimal("0.000001")
# FormaDePagoP that carry bank accounts (c_FormaPago, "Cuenta Beneficiario" column).
BANK_FORMAS = frozenset({"02", "03", "04", "05", "28", "29"})
LIVE_STATES = ("stamped", "cancel_requested")


def payment_fecha(day):
    """FechaPago: the payment date at noon (SAT's advice when the hour is unknown)."""
    return datetime.combine(day, time(12, 0))


class L10nMxEinvoiceBuilderPayment(models.AbstractModel):
    """A payment complement (CFDI type P, Pagos 2.0), from a customer payment's journal
    entry reconciled with stamped PPD invoices."""

    _name = "l10n_mx_einvoice.builder.payment"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: payment complement"
    _document_type = "payment"

    def _subject_name(self, move):
        return move.name

    def _issuing_journal(self, move):
        return move.journal_id

    def _serie_folio(self, move):
        serie, folio = self._move_serie_folio(move)
        # a complement issued again after a cancellation is another document: another Folio
        earlier = len(
            move.sudo().l10n_mx_einvoice_document_ids.filtered(
                lambda d: d.kind == "stamp" and d.uuid
            )
        )
        if earlier and folio:
            folio = f"{folio}-{earlier + 1}"[-40:]
        return serie, folio

    def _expected_total(self, move):
        return Decimal(0)  # Anexo 20: a type P document has SubTotal and Total 0

    def _document_values(self, move):
        # the invoices the complement relates: later complements count NumParcialidad by them
        return {
            "move_id": move.id,
            "invoice_ids": [Command.set([invoice.id for invoice in self._allocations(move)])],
        }

    # --- what the payment paid -------------------------------------------------------

    def _allocations(self, move):
        """{invoice: [(amount in the invoice currency, amount in the payment currency, partial)]}
        for the stamped PPD customer invoices reconciled with this payment entry."""
        receivable = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        allocations = defaultdict(list)
        for partial in receivable.matched_debit_ids | receivable.matched_credit_ids:
            if partial.debit_move_id in receivable:
                own_amount, other, other_amount = (
                    partial.debit_amount_currency,
                    partial.credit_move_id,
                    partial.credit_amount_currency,
                )
            else:
                own_amount, other, other_amount = (
                    partial.credit_amount_currency,
                    partial.debit_move_id,
                    partial.debit_amount_currency,
                )
            invoice = other.move_id
            if (
                invoice.move_type == "out_invoice"
                and invoice.l10n_mx_einvoice_metodo_pago == "PPD"
                and invoice.l10n_mx_einvoice_state in LIVE_STATES
            ):
                allocations[invoice].append((other_amount, own_amount, partial))
        return dict(sorted(allocations.items(), key=lambda item: item[0].id))

    def _saldo_anterior(self, invoice, partials):
        """What the invoice owed before this payment: its total minus what was reconciled
        with it earlier (payments, credit notes), in the invoice currency."""
        first = min(partials.ids)
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        earlier = 0.0
        for partial in receivable.matched_credit_ids | receivable.matched_debit_ids:
            if partial.id < first:
                earlier += (
                    partial.debit_amount_currency
                    if partial.debit_move_id in receivable
                    else partial.credit_amount_currency
                )
        return invoice.amount_total - earlier

    def _num_parcialidad(self, move, invoice):
        earlier = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search_count(
                [
                    ("kind", "=", "stamp"),
                    ("document_type", "=", "payment"),
                    ("state", "in", LIVE_STATES),
                    ("invoice_ids", "in", invoice.ids),
                    ("move_id", "!=", move.id),
                ]
            )
        )
        return earlier + 1

    def _forma(self, move):
        return move.origin_payment_id.l10n_mx_einvoice_forma_pago

    # --- checks ----------------------------------------------------------------------

    def _problems(self, move):
        partner = move.partner_id.commercial_partner_id
        problems = self._company_problems(move) + self._receptor_problems(partner)
        if not self._forma(move) or self._forma(move) == "99":
            problems.append(
                self.env._(
                    "The payment %(payment)s has no SAT form of payment: choose it on the payment "
                    "(03 transfer, 01 cash…), or set a default on the journal %(journal)s.",
                    payment=move.name,
                    journal=move.origin_payment_id.journal_id.name,
                )
            )
        if not self._allocations(move):
            problems.append(
                self.env._(
                    "The payment %(payment)s is not reconciled with stamped PPD invoices: "
                    "reconcile it before issuing the payment complement.",
                    payment=move.name,
                )
            )
        return problems

    # --- payment -> Comprobante type P -------------------------------------------------

    def _comprobante(self, move, fecha):
        company = move.company_id
        serie, folio = self._serie_folio(move)
        return Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            moneda="XXX",
            tipo_de_comprobante="P",
            exportacion="01",
            lugar_expedicion=self._lugar_expedicion(move),
            emisor=self._emisor(company),
            receptor=self._receptor(
                move.partner_id.commercial_partner_id, self._lugar_expedicion(move), sat.USO_PAGOS
            ),
            conceptos=[
                Concepto(
                    clave_prod_serv=sat.PAGO_CLAVE_PROD_SERV,
                    cantidad=Decimal(1),
                    clave_unidad=sat.CLAVE_UNIDAD_ACTIVIDAD,
                    descripcion=sat.PAGO_DESCRIPCION,
                    valor_unitario=Decimal(0),
                    objeto_imp="01",
                )
            ],
            complemento=Complemento(pagos=Pagos(pagos=[self._pago(move)])),
        )

    def _pago(self, move):
        payment = move.origin_payment_id
        moneda = payment.currency_id.name
        forma = self._forma(move)
        pago = Pago(
            fecha_pago=payment_fecha(payment.date),
            forma_de_pago=forma,
            moneda=moneda,
            tipo_cambio=self._tipo_cambio_p(payment),
            monto=to_decimal(payment.amount, amounts.currency_decimals(moneda)),
            **self._bank_data(payment, forma),
        )
        pago.doctos = [
            self._docto(move, invoice, allocation, moneda)
            for invoice, allocation in self._allocations(move).items()
        ]
        return pago

    def _tipo_cambio_p(self, payment):
        """TipoCambioP: MXN per unit of the payment currency, from the payment's own entry."""
        if payment.currency_id.name == "MXN":
            return Decimal(1)
        liquidity, _counterpart, _writeoff = payment._seek_for_lines()
        balance = sum(liquidity.mapped("balance"))
        amount_currency = sum(liquidity.mapped("amount_currency"))
        if not amount_currency:
            return None
        ratio = to_decimal(abs(balance), 2) / to_decimal(
            abs(amount_currency), payment.currency_id.decimal_places
        )
        return ratio.quantize(TIPO_CAMBIO)

    def _bank_data(self, payment, forma):
        """Optional bank data SAT accepts as is: NumOperacion and the receiving account."""
        data = {}
        if payment.payment_reference:
            data["num_operacion"] = payment.payment_reference.strip()[:100] or None
        account = payment.partner_bank_id or payment.journal_id.bank_account_id
        number = "".join((account.acc_number or "").split()).upper()
        if forma in BANK_FORMAS and 10 <= len(number) <= 50 and number.isalnum():
            data["cta_beneficiario"] = number
        return data

    def _docto(self, move, invoice, allocation, pago_moneda):
        stamped = cfdi_xml.from_bytes(invoice._l10n_mx_einvoice_stamped_xml())
        moneda = stamped.moneda
        decimals = amounts.currency_decimals(moneda)
        paid_invoice_currency = sum(amount for amount, _own, _partial in allocation)
        paid_payment_currency = sum(own for _amount, own, _partial in allocation)
        partials = self.env["account.partial.reconcile"].union(*(p for _a, _o, p in allocation))
        imp_pagado = to_decimal(paid_invoice_currency, decimals)
        saldo = to_decimal(self._saldo_anterior(invoice, partials), decimals)
        if moneda == pago_moneda:
            equivalencia = Decimal(1)
        else:
            paid = to_decimal(paid_payment_currency, amounts.currency_decimals(pago_moneda))
            equivalencia = (imp_pagado / paid).quantize(EQUIVALENCIA)
        impuestos = amounts.docto_impuestos(stamped, imp_pagado)
        return DoctoRelacionado(
            id_documento=invoice.l10n_mx_einvoice_uuid,
            serie=stamped.serie,
            folio=stamped.folio,
            moneda=moneda,
            equivalencia=equivalencia,
            num_parcialidad=self._num_parcialidad(move, invoice),
            imp_saldo_ant=saldo,
            imp_pagado=imp_pagado,
            imp_saldo_insoluto=saldo - imp_pagado,
            objeto_imp="02" if impuestos is not None else "01",
            impuestos=impuestos,
        )
