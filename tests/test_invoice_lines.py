"""Ordinary invoice lines that must stamp (issue 13, items 2, 4 and 5): negative lines as
Descuento, local taxes in the implocal complement, and the defaults an accountant expects
(credit note G02 and the original's FormaPago, RFC check digit, sales withholdings, unit
price decimals)."""

from decimal import Decimal

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestInvoiceLines(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()

    def stamp(self, move):
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        xml = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        c = cfdi_xml.from_bytes(xml)
        self.assertEqual(c.total, Decimal(str(move.amount_total)).quantize(Decimal("0.01")))
        return c

    def local_tax(self, name, amount):
        return self.env["account.tax"].create(
            {
                "name": name,
                "amount": amount,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "l10n_mx_einvoice_local_tax": True,
                "l10n_mx_einvoice_local_tax_name": name.split(" ")[0],
                "tax_group_id": self.tax_16.tax_group_id.id,
            }
        )

    # --- negative lines (item 2) -----------------------------------------------------

    def test_negative_line_is_descuento_of_the_lines_with_its_taxes(self):
        move = self.make_invoice(
            [
                {"price_unit": 1000.0, "quantity": 1.0},
                {"price_unit": 500.0, "quantity": 1.0},
                {"price_unit": 200.0, "quantity": 1.0, "tax_ids": [Command.set(self.tax_0.ids)]},
                {"price_unit": -150.0, "quantity": 1.0, "name": "Promoción"},
            ]
        )
        self.assertAlmostEqual(move.amount_total, 1766.0)  # 1350 + 16 % + 200 at 0 %
        c = self.stamp(move)
        self.assertEqual(len(c.conceptos), 3)
        self.assertNotIn("Promoción", [k.descripcion for k in c.conceptos])
        self.assertEqual(
            [k.descuento for k in c.conceptos], [Decimal("100.00"), Decimal("50.00"), None]
        )
        self.assertEqual(c.descuento, Decimal("150.00"))
        iva16 = c.impuestos.traslados[0]
        self.assertEqual((iva16.base, iva16.importe), (Decimal("1350.00"), Decimal("216.00")))

    def test_negative_line_without_a_line_of_its_taxes_is_refused_by_name(self):
        move = self.make_invoice(
            [
                {"price_unit": 1000.0, "quantity": 1.0},
                {
                    "price_unit": -100.0,
                    "quantity": 1.0,
                    "name": "Bonificación especial",
                    "tax_ids": [Command.set(self.tax_0.ids)],
                },
            ]
        )
        with self.assertRaises(UserError) as error:
            move.action_l10n_mx_einvoice_stamp()
        self.assertIn("Bonificación especial", str(error.exception))
        self.assertIn("no positive line has exactly its taxes", str(error.exception))
        self.assertFalse(move.l10n_mx_einvoice_uuid)

    # --- local taxes (item 4) --------------------------------------------------------

    def test_local_taxes_go_to_implocal(self):
        ish = self.local_tax("ISH 3%", 3.0)
        millar = self.local_tax("MILLAR 0.5%", -0.5)
        move = self.make_invoice(
            [{"price_unit": 1000.0, "tax_ids": [Command.set((self.tax_16 | ish | millar).ids)]}]
        )
        self.assertAlmostEqual(move.amount_total, 1185.0)  # 1000 + 160 + 30 - 5
        c = self.stamp(move)
        self.assertEqual([t.impuesto for t in c.conceptos[0].impuestos.traslados], ["002"])
        self.assertEqual(c.impuestos.total_trasladados, Decimal("160.00"))
        locales = c.complemento.impuestos_locales
        self.assertEqual(
            [(t.nombre, t.tasa, t.importe) for t in locales.traslados],
            [("ISH", Decimal("3.00"), Decimal("30.00"))],
        )
        self.assertEqual(
            [(r.nombre, r.tasa, r.importe) for r in locales.retenciones],
            [("MILLAR", Decimal("0.50"), Decimal("5.00"))],
        )
        self.assertEqual((locales.total_traslados, locales.total_retenciones), (30, 5))

    def test_only_local_taxes_make_the_line_not_subject_to_federal_tax(self):
        ish = self.local_tax("ISH 3%", 3.0)
        move = self.make_invoice([{"price_unit": 1000.0, "tax_ids": [Command.set(ish.ids)]}])
        c = self.stamp(move)
        self.assertEqual(c.conceptos[0].objeto_imp, "01")
        self.assertIsNone(c.impuestos)
        self.assertEqual(c.total, Decimal("1030.00"))

    # --- defaults (item 5) -----------------------------------------------------------

    def test_credit_note_is_g02_with_the_original_forma_pago(self):
        invoice = self.make_invoice(post=False)
        invoice.l10n_mx_einvoice_forma_pago = "04"
        invoice.action_post()
        self.stamp(invoice)
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "devolución"})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        self.assertEqual(refund.l10n_mx_einvoice_uso_cfdi, "G02")
        self.assertEqual(refund.l10n_mx_einvoice_forma_pago, "04")
        refund.action_post()
        c = self.stamp(refund)
        self.assertEqual((c.receptor.uso_cfdi, c.forma_pago), ("G02", "04"))

    def test_rfc_check_digit_is_a_warning(self):
        partner = self.customer.copy({"vat": "XIA190128J62"})  # saved: SAT issued such RFC
        self.assertIn("XIA190128J62", partner.l10n_mx_einvoice_rfc_warning)
        partner.vat = "XIA190128J61"
        self.assertFalse(partner.l10n_mx_einvoice_rfc_warning)

    def test_sales_withholdings_exist_once(self):
        taxes = self.env["account.tax"].search(
            [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "<", 0),
            ]
        )
        by_type = {(tax.l10n_mx_tax_type, round(tax.amount, 4)) for tax in taxes}
        self.assertIn(("isr", -10.0), by_type)
        self.assertIn(("iva", -10.6667), by_type)
        chart = self.env["account.chart.template"].with_company(self.company)
        self.assertFalse(chart._l10n_mx_einvoice_sale_withholdings())
        isr = taxes.filtered(lambda tax: tax.l10n_mx_tax_type == "isr" and tax.amount == -10.0)[:1]
        self.assertEqual(
            isr._l10n_mx_einvoice_tax_values(),
            {
                "impuesto": "001",
                "tipo_factor": "Tasa",
                "tasa_o_cuota": Decimal("0.100000"),
                "retention": True,
            },
        )
        self.assertTrue(isr.invoice_repartition_line_ids.account_id)

    def test_settings_offer_six_price_decimals(self):
        precision = self.env.ref("product.decimal_price")
        precision.digits = 2
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.l10n_mx_einvoice_price_digits, 2)
        settings.action_l10n_mx_einvoice_price_6_decimals()
        self.assertEqual(precision.digits, 6)

    def test_price_with_more_decimals_than_odoo_keeps_is_flagged(self):
        self.env.ref("product.decimal_price").digits = 2
        with self.assertRaises(UserError) as error:
            self.make_invoice([{"price_unit": 10.004, "name": "Tornillo"}], post=False)
        self.assertIn("10.004", str(error.exception))
        self.assertIn("Tornillo", str(error.exception))
        move = self.make_invoice([{"price_unit": 10.0}], post=False)
        line = move.invoice_line_ids
        with self.assertRaises(UserError):  # as the form saves it
            move.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": 10.125})]})
        self.env.ref("product.decimal_price").digits = 6
        move.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": 10.125})]})
        self.assertEqual(move.invoice_line_ids.price_unit, 10.125)
