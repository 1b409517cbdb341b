import datetime as dt
from decimal import Decimal as D

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nMxEinvoiceCommon, PaymentFixtures


@tagged("post_install", "-at_install")
class TestPaymentComplement(PaymentFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_payments()

    def test_one_partial_payment(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 400.0,
                "journal_id": self.bank.id,
                "payment_reference": "TRF-12345",
            }
        )
        payment.action_post()
        self.reconcile(payment, invoice)
        self.assertEqual(payment.l10n_mx_einvoice_state, False)  # company option off
        comprobante, pago = self.stamp_payment(payment)
        self.assertEqual(pago.forma_de_pago, "03")
        self.assertEqual((pago.moneda, pago.tipo_cambio, pago.monto), ("MXN", D("1"), D("400.00")))
        self.assertEqual(pago.fecha_pago, dt.datetime.combine(dt.date.today(), dt.time(12, 0)))
        self.assertEqual(pago.num_operacion, "TRF-12345")
        (docto,) = pago.doctos
        self.assertEqual(docto.id_documento, invoice.l10n_mx_einvoice_uuid)
        self.assertEqual(
            (
                docto.num_parcialidad,
                docto.imp_saldo_ant,
                docto.imp_pagado,
                docto.imp_saldo_insoluto,
            ),
            (1, D("1160.00"), D("400.00"), D("760.00")),
        )
        self.assertEqual(
            (docto.moneda, docto.equivalencia, docto.objeto_imp), ("MXN", D("1"), "02")
        )
        (traslado,) = docto.impuestos.traslados
        self.assertEqual((traslado.base, traslado.importe), (D("344.83"), D("55.17")))
        self.assertEqual(pago.impuestos.traslados[0].base, D("344.830000"))
        totales = comprobante.complemento.pagos.totales
        self.assertEqual(
            (
                totales.traslados_base_iva16,
                totales.traslados_impuesto_iva16,
                totales.monto_total_pagos,
            ),
            (D("344.83"), D("55.17"), D("400.00")),
        )
        self.assertEqual(payment.move_id.l10n_mx_einvoice_payment_invoice_ids, invoice)
        self.assertCliValid(payment.move_id.l10n_mx_einvoice_attachment_id.raw)
        document = payment.move_id.l10n_mx_einvoice_document_ids
        self.assertEqual((document.kind, document.state), ("stamp", "stamped"))
        # a second press stamps nothing twice
        payment.action_l10n_mx_einvoice_stamp_payment()
        self.assertEqual(len(payment.move_id.l10n_mx_einvoice_document_ids), 1)

    def test_several_partial_payments_one_invoice(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        chain = []
        for amount in (300.0, 500.0, 360.0):
            _comprobante, pago = self.stamp_payment(self.pay(invoice, amount))
            (docto,) = pago.doctos
            chain.append(
                (
                    docto.num_parcialidad,
                    docto.imp_saldo_ant,
                    docto.imp_pagado,
                    docto.imp_saldo_insoluto,
                )
            )
        self.assertEqual(
            chain,
            [
                (1, D("1160.00"), D("300.00"), D("860.00")),
                (2, D("860.00"), D("500.00"), D("360.00")),
                (3, D("360.00"), D("360.00"), D("0.00")),
            ],
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(len(invoice.l10n_mx_einvoice_complement_document_ids), 3)

    def test_one_payment_several_invoices(self):
        first = self.ppd_invoice([{"price_unit": 1000.0}])
        second = self.ppd_invoice([{"price_unit": 500.0, "tax_ids": [Command.set(self.tax_0.ids)]}])
        payment = self.pay(first | second, 1660.0)
        comprobante, pago = self.stamp_payment(payment)
        self.assertEqual(pago.monto, D("1660.00"))
        by_uuid = {d.id_documento: d for d in pago.doctos}
        self.assertEqual(set(by_uuid), {first.l10n_mx_einvoice_uuid, second.l10n_mx_einvoice_uuid})
        one, two = by_uuid[first.l10n_mx_einvoice_uuid], by_uuid[second.l10n_mx_einvoice_uuid]
        self.assertEqual((one.imp_pagado, one.imp_saldo_insoluto), (D("1160.00"), D("0.00")))
        self.assertEqual((two.imp_pagado, two.imp_saldo_insoluto), (D("500.00"), D("0.00")))
        self.assertEqual(two.impuestos.traslados[0].tasa_o_cuota, D("0.000000"))
        totales = comprobante.complemento.pagos.totales
        self.assertEqual(
            (totales.traslados_base_iva16, totales.traslados_base_iva0), (D("1000.00"), D("500.00"))
        )

    def test_usd_payment_of_mxn_invoice(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])  # 1160 MXN
        payment = self.pay(invoice, 40.0, currency=self.usd)  # 40 USD x 17.5 = 700 MXN
        _comprobante, pago = self.stamp_payment(payment)
        self.assertEqual(
            (pago.moneda, pago.tipo_cambio, pago.monto), ("USD", D("17.500000"), D("40.00"))
        )
        (docto,) = pago.doctos
        self.assertEqual(
            (docto.moneda, docto.imp_pagado, docto.imp_saldo_insoluto),
            ("MXN", D("700.00"), D("460.00")),
        )
        self.assertEqual(docto.equivalencia, D("17.5000000000"))
        # ImpuestosP in USD: BaseDR / EquivalenciaDR
        self.assertEqual(
            pago.impuestos.traslados[0].base,
            (docto.impuestos.traslados[0].base / D("17.5")).quantize(D("0.000001")),
        )

    def test_mxn_payment_of_usd_invoice(self):
        invoice = self.ppd_invoice([{"price_unit": 100.0}], currency=self.usd)  # 116 USD
        payment = self.pay(invoice, 1015.0, currency=self.mxn)  # 58 USD at 17.5
        _comprobante, pago = self.stamp_payment(payment)
        self.assertEqual((pago.moneda, pago.tipo_cambio, pago.monto), ("MXN", D("1"), D("1015.00")))
        (docto,) = pago.doctos
        self.assertEqual(
            (docto.moneda, docto.imp_saldo_ant, docto.imp_pagado, docto.imp_saldo_insoluto),
            ("USD", D("116.00"), D("58.00"), D("58.00")),
        )
        self.assertEqual(
            docto.equivalencia, (D("58.00") / D("1015.00")).quantize(D("0.0000000001"))
        )

    def test_usd_payment_of_usd_invoice(self):
        invoice = self.ppd_invoice([{"price_unit": 100.0}], currency=self.usd)  # 116 USD
        comprobante, pago = self.stamp_payment(self.pay(invoice, 50.0, currency=self.usd))
        self.assertEqual(
            (pago.moneda, pago.tipo_cambio, pago.monto), ("USD", D("17.500000"), D("50.00"))
        )
        (docto,) = pago.doctos
        self.assertEqual(
            (docto.moneda, docto.equivalencia, docto.imp_saldo_insoluto),
            ("USD", D("1"), D("66.00")),
        )
        # Totales are in MXN: 50 USD x 17.5
        self.assertEqual(comprobante.complemento.pagos.totales.monto_total_pagos, D("875.00"))

    def test_saldo_after_a_credit_note(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])  # 1160
        refund = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "descuento", "journal_id": invoice.journal_id.id})
            .refund_moves()
        )
        credit_note = self.env["account.move"].browse(refund["res_id"])
        credit_note.invoice_line_ids.price_unit = 100.0  # 116 with IVA
        credit_note.action_post()
        (credit_note.line_ids | invoice.line_ids).filtered(
            lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
        ).reconcile()
        _comprobante, pago = self.stamp_payment(self.pay(invoice, 500.0))
        (docto,) = pago.doctos
        self.assertEqual(
            (
                docto.num_parcialidad,
                docto.imp_saldo_ant,
                docto.imp_pagado,
                docto.imp_saldo_insoluto,
            ),
            (1, D("1044.00"), D("500.00"), D("544.00")),
        )

    def test_invoice_with_withholdings(self):
        taxes = self.tax_16 | self.tax_ret_iva | self.tax_ret_isr
        invoice = self.ppd_invoice([{"price_unit": 1000.0, "tax_ids": [Command.set(taxes.ids)]}])
        self.assertAlmostEqual(invoice.amount_total, 953.33)  # 1000 + 160 - 106.67 - 100
        payment = self.pay(invoice, 476.67)
        comprobante, pago = self.stamp_payment(payment)
        (docto,) = pago.doctos
        self.assertEqual(
            (docto.imp_saldo_ant, docto.imp_pagado, docto.imp_saldo_insoluto),
            (D("953.33"), D("476.67"), D("476.66")),
        )
        retenciones = {r.impuesto: r for r in docto.impuestos.retenciones}
        self.assertEqual(set(retenciones), {"001", "002"})
        # in proportion ImpPagado / Total: 1000 x 476.67 / 953.33
        self.assertEqual(retenciones["001"].base, D("500.01"))
        self.assertEqual(retenciones["001"].importe, D("50.00"))
        totales = comprobante.complemento.pagos.totales
        self.assertEqual(totales.retenciones_isr, D("50.00"))
        self.assertEqual(totales.retenciones_iva, retenciones["002"].importe)
        self.assertCliValid(payment.move_id.l10n_mx_einvoice_attachment_id.raw)

    def test_unreconciled_after_stamping_is_cancelled(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 400.0)
        self.stamp_payment(payment)
        uuid = payment.l10n_mx_einvoice_uuid
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(payment.l10n_mx_einvoice_state, "cancelled")
        cancel = payment.move_id.l10n_mx_einvoice_document_ids.filtered(
            lambda d: d.kind == "cancel"
        )
        self.assertEqual((cancel.state, cancel.motive, cancel.uuid), ("cancelled", "02", uuid))
        self.assertEqual(
            payment.state, "in_process"
        )  # the payment itself stays; only its CFDI goes
        status = payment.move_id.l10n_mx_einvoice_document_id._sat_status_query()
        self.assertEqual(status.estado, "Cancelado")
        # reconciled again: a new complement with a new UUID, NumParcialidad 1 again
        self.reconcile(payment, invoice)
        _comprobante, pago = self.stamp_payment(payment)
        self.assertNotEqual(payment.l10n_mx_einvoice_uuid, uuid)
        self.assertEqual(pago.doctos[0].num_parcialidad, 1)

    def test_stamp_on_post_option(self):
        self.company.l10n_mx_einvoice_stamp_payments_on_post = True
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 1160.0)
        self.assertEqual(
            payment.l10n_mx_einvoice_state, "stamped", payment.l10n_mx_einvoice_message
        )
        self.assertSatValid(payment.move_id.l10n_mx_einvoice_attachment_id.raw)

    def test_outstanding_payment_assigned_on_the_invoice(self):
        self.company.l10n_mx_einvoice_stamp_payments_on_post = True
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 580.0,
                "journal_id": self.bank.id,
            }
        )
        payment.action_post()
        self.assertFalse(payment.l10n_mx_einvoice_state)  # nothing paid yet: no complement
        line = payment.move_id.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        invoice.js_assign_outstanding_line(line.id)
        self.assertEqual(
            payment.l10n_mx_einvoice_state, "stamped", payment.l10n_mx_einvoice_message
        )
        _comprobante, pago = self.stamp_payment(payment)
        self.assertEqual(
            (pago.doctos[0].imp_pagado, pago.doctos[0].imp_saldo_insoluto),
            (D("580.00"), D("580.00")),
        )

    def test_pue_invoice_needs_no_complement(self):
        invoice = self.make_invoice([{"price_unit": 100.0}])
        invoice.action_l10n_mx_einvoice_stamp()
        payment = self.pay(invoice, 116.0)
        with self.assertRaises(UserError):
            payment.action_l10n_mx_einvoice_stamp_payment()
        self.assertFalse(payment.l10n_mx_einvoice_uuid)

    def test_receipt_pdf_and_mail(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 400.0)
        self.stamp_payment(payment)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.action_report_payment_receipt", payment.ids)[0]
            .decode()
        )
        self.assertIn(payment.l10n_mx_einvoice_uuid, html)
        self.assertIn("data:image/png;base64,", html)  # SAT's QR
        self.assertIn(payment.move_id._l10n_mx_einvoice_pdf_values()["sello_sat"], html)
        self.assertIn("representación impresa de un CFDI 4.0 con complemento de pagos 2.0", html)
        self.assertIn(invoice.l10n_mx_einvoice_uuid, html)  # the DoctoRelacionado table
        composer = (
            self.env["mail.compose.message"]
            .with_context(
                default_model="account.payment",
                default_res_ids=payment.ids,
                default_composition_mode="comment",
                default_template_id=self.env.ref("account.mail_template_data_payment_receipt").id,
            )
            .create({})
        )
        names = composer.attachment_ids.mapped("name")
        self.assertIn(payment.move_id.l10n_mx_einvoice_attachment_id.name, names)
        self.assertEqual(
            len(names), 2, names
        )  # the receipt (PDF; HTML under the test runner) + XML
