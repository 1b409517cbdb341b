"""Down payments (anticipos) from the sale flow, as SAT's Guía de llenado, apéndice 6,
asks (issue 13, item 3): the anticipo invoice; by default the full final invoice related
07 and the credit note that applies the anticipo (FormaPago 30, UsoCFDI G02, related 07);
the company may choose the remaining-amount method."""

from decimal import Decimal

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
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

    def test_remaining_amount_method_stamps_the_deducting_final_invoice(self):
        """SAT's other method (Guía de llenado, apéndice 6, second case): the final invoice
        is only for the remaining amount; sale's deduction line (negative) becomes
        Descuento over the positive lines with the same taxes, and the CFDI is related 07
        to the anticipo."""
        self.company.l10n_mx_einvoice_anticipo_method = "remanente"
        order = self.order()
        anticipo = self.down_payment(order)
        self.stamp(anticipo)
        final = self.final_invoice(order, deduct=True)
        self.assertAlmostEqual(final.amount_total, 11600.0 - 1160.0)
        self.assertEqual(final.l10n_mx_einvoice_anticipo_ids, anticipo)
        self.assertTrue(self.env["l10n_mx_einvoice.anticipo"]._deduction_lines(final))
        c = self.stamp(final)
        self.assertEqual(c.total, Decimal("10440.00"))
        self.assertEqual(self.relations(c), {"07": {anticipo.l10n_mx_einvoice_uuid}})
        [concepto] = c.conceptos  # the deduction line is not a concept of its own
        self.assertEqual(concepto.clave_prod_serv, self.product._l10n_mx_einvoice_clave_prod_serv())
        self.assertEqual(
            (concepto.importe, concepto.descuento), (Decimal("10000.00"), Decimal("1000.00"))
        )
        [traslado] = concepto.impuestos.traslados
        self.assertEqual(
            (traslado.base, traslado.importe), (Decimal("9000.00"), Decimal("1440.00"))
        )
        self.assertEqual((c.subtotal, c.descuento), (Decimal("10000.00"), Decimal("1000.00")))
        self.assertEqual(c.impuestos.total_trasladados, Decimal("1440.00"))
        self.assertCliValid(final.l10n_mx_einvoice_attachment_id.raw)

    def test_remaining_amount_method_with_two_products_and_an_odd_down_payment(self):
        """The deduction is spread over several lines in proportion, to the cent."""
        self.company.l10n_mx_einvoice_anticipo_method = "remanente"
        order = self.order(price=333.33)
        order.order_line = [
            Command.create(
                {
                    "product_id": self.product.id,
                    "product_uom_qty": 3.0,
                    "price_unit": 71.17,
                    "tax_id": [Command.set(self.tax_16.ids)],
                }
            )
        ]
        anticipo = self.down_payment(order, amount=100.01)
        self.stamp(anticipo)
        final = self.final_invoice(order, deduct=True)
        c = self.stamp(final)
        self.assertEqual(len(c.conceptos), 2)
        self.assertTrue(all(k.descuento for k in c.conceptos))
        self.assertEqual(c.subtotal - c.descuento, Decimal(str(final.amount_untaxed)))
        self.assertEqual(self.relations(c), {"07": {anticipo.l10n_mx_einvoice_uuid}})

    def test_spanish_name_in_the_apps_screen(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(
            ["l10n_mx_einvoice_sale"], ["es_419"], overwrite=True
        )
        module = self.env.ref("base.module_l10n_mx_einvoice_sale").with_context(lang="es_419")
        self.assertEqual(module.shortdesc, "México - CFDI 4.0: anticipos de ventas")
