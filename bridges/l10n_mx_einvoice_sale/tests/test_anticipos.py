"""Down payments (anticipos) from the sale flow, as SAT's Guía de llenado, apéndice 6,
asks (issue 13, item 3): the anticipo invoice; by default the full final invoice related
07 and the credit note that applies the anticipo (FormaPago 30, UsoCFDI G02, related 07);
the company may choose the remaining-amount method."""

from decimal import Decimal

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.cfdi.document import Comprobante
from odoo.addons.l10n_mx_einvoice.tests.common import (
    CfdiOracleMixin,
    FlowFixtures,
    L10nMxEinvoiceCommon,
)
from odoo.exceptions import UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAnticipos(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.product.invoice_policy = "order"

    def order(self, price=10000.0):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1.0,
                            "price_unit": price,
                            "tax_id": [Command.set(self.tax_16.ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def down_payment(self, order, amount=1160.0):
        """The sale's down payment invoice (fixed amount, taxes included), posted."""
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "fixed", "fixed_amount": amount}).create_invoices()
        invoice = order.invoice_ids.filtered(lambda m: m.state == "draft")
        invoice.action_post()
        return invoice

    def final_invoice(self, order, deduct):
        invoice = order._create_invoices(final=deduct)
        invoice.action_post()
        return invoice

    def stamp(self, move):
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        data = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(data)
        c = cfdi_xml.from_bytes(data)
        self.assertEqual(c.total, Decimal(str(move.amount_total)).quantize(Decimal("0.01")))
        return c

    def relations(self, c):
        return {node.tipo_relacion: set(node.uuids) for node in c.cfdi_relacionados}

    def test_anticipo_invoice_carries_sats_anticipo_concept(self):
        anticipo = self.down_payment(self.order())
        self.assertTrue(anticipo._is_downpayment())
        c = self.stamp(anticipo)
        [concepto] = c.conceptos
        self.assertEqual(
            (concepto.clave_prod_serv, concepto.clave_unidad, concepto.cantidad),
            ("84111506", "ACT", Decimal(1)),
        )
        self.assertEqual(concepto.descripcion, "Anticipo del bien o servicio")
        self.assertEqual((concepto.valor_unitario, concepto.importe), (Decimal("1000.00"),) * 2)
        self.assertEqual(concepto.impuestos.traslados[0].importe, Decimal("160.00"))
        self.assertEqual(c.total, Decimal("1160.00"))

    def test_default_method_full_invoice_and_credit_note(self):
        self.assertEqual(self.company.l10n_mx_einvoice_anticipo_method, "egreso")
        order = self.order()
        anticipo = self.down_payment(order)
        self.stamp(anticipo)
        final = self.final_invoice(order, deduct=False)
        self.assertAlmostEqual(final.amount_total, 11600.0)
        final.l10n_mx_einvoice_anticipo_ids = anticipo
        c = self.stamp(final)
        self.assertEqual(c.total, Decimal("11600.00"))
        self.assertEqual(self.relations(c), {"07": {anticipo.l10n_mx_einvoice_uuid}})

        action = final.action_l10n_mx_einvoice_apply_anticipo()
        refund = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((refund.move_type, refund.state), ("out_refund", "posted"))
        e = self.stamp(refund)
        self.assertEqual(e.tipo_de_comprobante, "E")
        self.assertEqual((e.forma_pago, e.metodo_pago, e.receptor.uso_cfdi), ("30", "PUE", "G02"))
        [concepto] = e.conceptos
        self.assertEqual(
            (concepto.clave_prod_serv, concepto.clave_unidad, concepto.descripcion),
            ("84111506", "ACT", "Aplicación de anticipo"),
        )
        self.assertEqual(e.total, Decimal("1160.00"))
        self.assertEqual(
            self.relations(e),
            {"07": {anticipo.l10n_mx_einvoice_uuid, final.l10n_mx_einvoice_uuid}},
        )
        # the credit note settles the anticipo's part of the final invoice
        self.assertAlmostEqual(final.amount_residual, 11600.0 - 1160.0)
        self.assertEqual(refund.payment_state, "paid")

    def test_default_method_refuses_a_deducting_final_invoice_before_sealing(self):
        order = self.order()
        anticipo = self.down_payment(order)
        self.stamp(anticipo)
        final = self.final_invoice(order, deduct=True)
        self.assertEqual(final.l10n_mx_einvoice_anticipo_ids, anticipo)  # from the deduction line
        with self.assertRaises(UserError) as caught:
            final.action_l10n_mx_einvoice_stamp()
        self.assertIn("credit note", str(caught.exception))
        self.assertFalse(final.l10n_mx_einvoice_document_ids)

    def test_unstamped_anticipo_is_refused(self):
        order = self.order()
        anticipo = self.down_payment(order)
        final = self.final_invoice(order, deduct=False)
        final.l10n_mx_einvoice_anticipo_ids = anticipo
        with self.assertRaises(UserError) as caught:
            final.action_l10n_mx_einvoice_stamp()
        self.assertIn(anticipo.name, str(caught.exception))

    def test_remaining_amount_method_relates_the_deducting_final_invoice(self):
        """SAT's other method: the final invoice deducts the anticipo and is related 07 to
        it. (The deduction line becomes Descuento through the negative-line distribution of
        issue 13, item 2.)"""
        self.company.l10n_mx_einvoice_anticipo_method = "remanente"
        order = self.order()
        anticipo = self.down_payment(order)
        self.stamp(anticipo)
        final = self.final_invoice(order, deduct=True)
        self.assertAlmostEqual(final.amount_total, 11600.0 - 1160.0)
        self.assertEqual(final.l10n_mx_einvoice_anticipo_ids, anticipo)
        self.assertEqual(self.env["l10n_mx_einvoice.anticipo"]._problems(final), [])
        c = Comprobante()
        self.env["l10n_mx_einvoice.anticipo"]._relate(final, c)
        self.assertEqual(self.relations(c), {"07": {anticipo.l10n_mx_einvoice_uuid}})
