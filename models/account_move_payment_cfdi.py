"""Payment complements (CFDI type P, Pagos 2.0) on the journal entries of customer payments.

A payment entry (``origin_payment_id``) reconciled with stamped PPD invoices is a CFDI
like an invoice: the stamping pipeline of ``account_move.py`` (pending document committed
before the PAC, recover/retry, one credit per UUID, immutable XML) is reused as is; only
the dispatch methods (is it a CFDI, its checks, its Comprobante, its expected total) are
extended here.
"""

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from odoo import fields, models

from ..cfdi import amounts
from ..cfdi import xml as cfdi_xml
from ..cfdi.document import (
    Complemento,
    Comprobante,
    Concepto,
    DoctoRelacionado,
    Emisor,
    Pago,
    Pagos,
)
from .account_move import bilingual, to_decimal

PAGO_CLAVE_PROD_SERV = "84111506"
PAGO_CLAVE_UNIDAD = "ACT"
PAGO_USO_CFDI = "CP01"
EQUIVALENCIA = Decimal("0.0000000001")  # EquivalenciaDR: up to 10 decimals (Pagos20.xsd)
TIPO_CAMBIO = Decimal("0.000001")
# FormaDePagoP that carry bank accounts (c_FormaPago, "Cuenta Beneficiario" column).
BANK_FORMAS = frozenset({"02", "03", "04", "05", "28", "29"})
COMPLEMENT_LIVE_STATES = ("stamped", "cancel_requested")


def payment_fecha(day):
    """FechaPago: the payment date at noon (SAT's advice when the hour is unknown)."""
    return datetime.combine(day, time(12, 0))


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_mx_einvoice_payment_invoice_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_payment_invoice_rel",
        "payment_move_id",
        "invoice_id",
        string="Invoices in the payment complement",
        copy=False,
        readonly=True,
        help="The PPD invoices the payment complement (CFDI type P) of this payment relates.",
    )
    l10n_mx_einvoice_payment_complement_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_payment_invoice_rel",
        "invoice_id",
        "payment_move_id",
        string="Payment complements",
        copy=False,
        readonly=True,
    )

    # --- dispatch -------------------------------------------------------------------

    def _l10n_mx_einvoice_is_payment(self):
        """A customer payment's entry of a Mexican company (a candidate CFDI type P)."""
        self.ensure_one()
        payment = self.origin_payment_id
        return (
            bool(payment)
            and payment.payment_type == "inbound"
            and payment.partner_type == "customer"
            and self.company_id.account_fiscal_country_id.code == "MX"
        )

    def _l10n_mx_einvoice_is_cfdi(self):
        if self.move_type == "entry" and self._l10n_mx_einvoice_is_payment():
            return bool(self.l10n_mx_einvoice_state) or bool(
                self._l10n_mx_einvoice_payment_allocations()
            )
        return super()._l10n_mx_einvoice_is_cfdi()

    def _l10n_mx_einvoice_expected_total(self):
        if self._l10n_mx_einvoice_is_payment():
            return Decimal(0)  # Anexo 20: a type P document has SubTotal and Total 0
        return super()._l10n_mx_einvoice_expected_total()

    def _l10n_mx_einvoice_record_problems(self):
        if not self._l10n_mx_einvoice_is_payment():
            return super()._l10n_mx_einvoice_record_problems()
        return self._l10n_mx_einvoice_payment_problems()

    def _l10n_mx_einvoice_serie_folio(self):
        serie, folio = super()._l10n_mx_einvoice_serie_folio()
        if self.move_type == "entry" and self._l10n_mx_einvoice_is_payment():
            # a complement issued again after a cancellation is another document: another Folio
            earlier = len(
                self.l10n_mx_einvoice_document_ids.filtered(
                    lambda d: d.kind == "stamp" and d.state == "stamped"
                )
            )
            if earlier and folio:
                folio = f"{folio}-{earlier + 1}"[-40:]
        return serie, folio

    def _l10n_mx_einvoice_comprobante(self, fecha=None):
        if not self._l10n_mx_einvoice_is_payment():
            return super()._l10n_mx_einvoice_comprobante(fecha)
        return self._l10n_mx_einvoice_payment_comprobante(fecha)

    def _l10n_mx_einvoice_prepare(self):
        result = super()._l10n_mx_einvoice_prepare()
        if self._l10n_mx_einvoice_is_payment():
            # the relation counts NumParcialidad of later complements; kept with the pending XML
            self.l10n_mx_einvoice_payment_invoice_ids = [
                fields.Command.set(
                    [invoice.id for invoice in self._l10n_mx_einvoice_payment_allocations()]
                )
            ]
        return result

    # --- what the payment paid ------------------------------------------------------

    def _l10n_mx_einvoice_payment_allocations(self):
        """{invoice: [(amount in the invoice currency, amount in the payment currency, partial)]}
        for the stamped PPD customer invoices reconciled with this payment entry."""
        self.ensure_one()
        receivable = self.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
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
                and invoice.l10n_mx_einvoice_state in COMPLEMENT_LIVE_STATES
            ):
                allocations[invoice].append((other_amount, own_amount, partial))
        return dict(sorted(allocations.items(), key=lambda item: item[0].id))

    def _l10n_mx_einvoice_payment_saldo_anterior(self, invoice, partials):
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

    def _l10n_mx_einvoice_payment_num_parcialidad(self, invoice):
        earlier = self.search_count(
            [
                ("l10n_mx_einvoice_payment_invoice_ids", "in", invoice.ids),
                ("l10n_mx_einvoice_state", "in", COMPLEMENT_LIVE_STATES),
                ("id", "!=", self.id),
            ]
        )
        return earlier + 1

    # --- checks -----------------------------------------------------------------------

    def _l10n_mx_einvoice_payment_forma(self):
        payment = self.origin_payment_id
        return (
            payment.payment_method_line_id.l10n_mx_einvoice_forma_pago
            or payment.journal_id.l10n_mx_einvoice_forma_pago
        )

    def _l10n_mx_einvoice_payment_problems(self):
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.commercial_partner_id
        problems = []
        if not company.vat or not company.zip or not company.l10n_mx_einvoice_regimen_fiscal:
            problems.append(
                bilingual(
                    f"La empresa {company.name} necesita RFC, código postal y régimen fiscal (Ajustes > Empresas).",
                    f"The company {company.name} needs its RFC, postal code and fiscal regime (Settings > Companies).",
                )
            )
        foreign = partner.country_id and partner.country_id.code != "MX"
        if not foreign and (
            not partner.vat or not partner.zip or not partner.l10n_mx_einvoice_regimen_fiscal
        ):
            problems.append(
                bilingual(
                    f"El cliente {partner.display_name} necesita RFC, código postal y régimen fiscal en su ficha.",
                    f"The customer {partner.display_name} needs its RFC, postal code and fiscal regime on the contact.",
                )
            )
        if (
            not self._l10n_mx_einvoice_payment_forma()
            or self._l10n_mx_einvoice_payment_forma() == "99"
        ):
            journal = self.origin_payment_id.journal_id
            problems.append(
                bilingual(
                    f"El diario {journal.name} (o su método de pago) no tiene forma de pago SAT: asígnela "
                    "(03 transferencia, 01 efectivo…) en la configuración del diario.",
                    f"The journal {journal.name} (or its payment method) has no SAT form of payment: set it "
                    "(03 transfer, 01 cash…) on the journal.",
                )
            )
        if not self._l10n_mx_einvoice_payment_allocations():
            problems.append(
                bilingual(
                    f"El pago {self.name} no está conciliado con facturas PPD timbradas: concílielo antes "
                    "de emitir el complemento de pago.",
                    f"The payment {self.name} is not reconciled with stamped PPD invoices: reconcile it "
                    "before issuing the payment complement.",
                )
            )
        return problems

    # --- collect: payment -> Comprobante type P ------------------------------------------

    def _l10n_mx_einvoice_payment_tipo_cambio(self):
        """TipoCambioP: MXN per unit of the payment currency, from the payment's own entry."""
        payment = self.origin_payment_id
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

    def _l10n_mx_einvoice_payment_bank_data(self, forma):
        """Optional bank data SAT accepts as is: NumOperacion and the receiving account."""
        payment = self.origin_payment_id
        data = {}
        if payment.payment_reference:
            data["num_operacion"] = payment.payment_reference.strip()[:100] or None
        account = payment.partner_bank_id or payment.journal_id.bank_account_id
        number = "".join((account.acc_number or "").split()).upper()
        if forma in BANK_FORMAS and 10 <= len(number) <= 50 and number.isalnum():
            data["cta_beneficiario"] = number
        return data

    def _l10n_mx_einvoice_payment_docto(self, invoice, allocation, pago_moneda):
        stamped = cfdi_xml.from_bytes(invoice._l10n_mx_einvoice_stamped_xml())
        moneda = stamped.moneda
        decimals = amounts.currency_decimals(moneda)
        paid_invoice_currency = sum(amount for amount, _own, _partial in allocation)
        paid_payment_currency = sum(own for _amount, own, _partial in allocation)
        partials = self.env["account.partial.reconcile"].union(*(p for _a, _o, p in allocation))
        imp_pagado = to_decimal(paid_invoice_currency, decimals)
        saldo = to_decimal(
            self._l10n_mx_einvoice_payment_saldo_anterior(invoice, partials), decimals
        )
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
            num_parcialidad=self._l10n_mx_einvoice_payment_num_parcialidad(invoice),
            imp_saldo_ant=saldo,
            imp_pagado=imp_pagado,
            imp_saldo_insoluto=saldo - imp_pagado,
            objeto_imp="02" if impuestos is not None else "01",
            impuestos=impuestos,
        )

    def _l10n_mx_einvoice_payment_pago(self):
        payment = self.origin_payment_id
        moneda = payment.currency_id.name
        forma = self._l10n_mx_einvoice_payment_forma()
        pago = Pago(
            fecha_pago=payment_fecha(payment.date),
            forma_de_pago=forma,
            moneda=moneda,
            tipo_cambio=self._l10n_mx_einvoice_payment_tipo_cambio(),
            monto=to_decimal(payment.amount, amounts.currency_decimals(moneda)),
            **self._l10n_mx_einvoice_payment_bank_data(forma),
        )
        pago.doctos = [
            self._l10n_mx_einvoice_payment_docto(invoice, allocation, moneda)
            for invoice, allocation in self._l10n_mx_einvoice_payment_allocations().items()
        ]
        return pago

    def _l10n_mx_einvoice_payment_comprobante(self, fecha=None):
        self.ensure_one()
        company = self.company_id
        serie, folio = self._l10n_mx_einvoice_serie_folio()
        receptor = self._l10n_mx_einvoice_receptor()
        receptor.uso_cfdi = PAGO_USO_CFDI
        comprobante = Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            moneda="XXX",
            tipo_de_comprobante="P",
            exportacion="01",
            lugar_expedicion=(company.zip or "").strip(),
            emisor=self._l10n_mx_einvoice_emisor(),
            receptor=receptor,
            conceptos=[
                Concepto(
                    clave_prod_serv=PAGO_CLAVE_PROD_SERV,
                    cantidad=Decimal(1),
                    clave_unidad=PAGO_CLAVE_UNIDAD,
                    descripcion="Pago",
                    valor_unitario=Decimal(0),
                    objeto_imp="01",
                )
            ],
            complemento=Complemento(pagos=Pagos(pagos=[self._l10n_mx_einvoice_payment_pago()])),
        )
        return amounts.fill(comprobante)

    def _l10n_mx_einvoice_emisor(self):
        company = self.company_id
        return Emisor(
            rfc=company.partner_id._l10n_mx_einvoice_rfc() if company.vat else "",
            nombre=(company.partner_id.name or "").strip(),
            regimen_fiscal=company.l10n_mx_einvoice_regimen_fiscal or "",
        )

    def _l10n_mx_einvoice_payment_pdf_pagos(self):
        """The Pago and DoctoRelacionado lines the printed receipt shows (from the stamped XML)."""
        self.ensure_one()
        data = self._l10n_mx_einvoice_stamped_xml()
        pagos = cfdi_xml.from_bytes(data).complemento.pagos if data else None
        return [
            {
                "fecha_pago": pago.fecha_pago.isoformat(),
                "forma": pago.forma_de_pago,
                "moneda": pago.moneda,
                "tipo_cambio": str(pago.tipo_cambio or ""),
                "monto": str(pago.monto),
                "doctos": [
                    {
                        "uuid": d.id_documento,
                        "serie_folio": f"{d.serie or ''}{d.folio or ''}",
                        "moneda": d.moneda,
                        "equivalencia": str(d.equivalencia or ""),
                        "parcialidad": d.num_parcialidad,
                        "saldo_ant": str(d.imp_saldo_ant),
                        "pagado": str(d.imp_pagado),
                        "insoluto": str(d.imp_saldo_insoluto),
                    }
                    for d in pago.doctos
                ],
            }
            for pago in (pagos.pagos if pagos else [])
        ]

    # --- the accountant's actions -----------------------------------------------------------

    def _l10n_mx_einvoice_payment_stamp(self):
        """Stamp the payment complement of this payment entry (again after a cancellation)."""
        self.ensure_one()
        if self.l10n_mx_einvoice_state == "cancelled":
            # a cancelled complement stays in the document history; a new one gets a new UUID
            self.with_context(l10n_mx_einvoice_storing=True).write(
                {
                    "l10n_mx_einvoice_state": False,
                    "l10n_mx_einvoice_uuid": False,
                    "l10n_mx_einvoice_attachment_id": False,
                    "l10n_mx_einvoice_message": False,
                }
            )
        if self.l10n_mx_einvoice_state in COMPLEMENT_LIVE_STATES:
            return
        self._l10n_mx_einvoice_stamp()

    def js_assign_outstanding_line(self, line_id):
        result = super().js_assign_outstanding_line(line_id)
        line = self.env["account.move.line"].browse(line_id)
        line.move_id.origin_payment_id._l10n_mx_einvoice_stamp_after_reconcile()
        return result

    def _l10n_mx_einvoice_payment_stale_complements(self):
        """Stamped complements whose payment no longer pays what the complement says."""
        return self.filtered(
            lambda move: (
                move.l10n_mx_einvoice_state in COMPLEMENT_LIVE_STATES
                and move._l10n_mx_einvoice_is_payment()
                and set(move._l10n_mx_einvoice_payment_allocations())
                != set(move.l10n_mx_einvoice_payment_invoice_ids)
            )
        )

    def _l10n_mx_einvoice_payment_cancel_stale(self):
        """Cancel (motive 02) the complements of payments unreconciled after stamping."""
        for move in self._l10n_mx_einvoice_payment_stale_complements():
            move.message_post(
                body=self.env._(
                    "The payment was unreconciled after its complement was stamped: the complement no "
                    "longer matches the payment and is cancelled with motive 02. / El pago se desconcilió "
                    "después de timbrar su complemento: se cancela con motivo 02."
                )
            )
            move._l10n_mx_einvoice_request_cancel("02")


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def unlink(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        complements = moves.filtered(
            lambda m: m.l10n_mx_einvoice_state in COMPLEMENT_LIVE_STATES and m.origin_payment_id
        )
        result = super().unlink()
        if complements and not self.env.context.get("l10n_mx_einvoice_keep_complement"):
            complements._l10n_mx_einvoice_payment_cancel_stale()
        return result
