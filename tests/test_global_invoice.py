import datetime as dt
from decimal import Decimal as D
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..cfdi import xml as cfdi_xml
from ..cfdi.pac import Unavailable
from .common import CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestGlobalInvoice(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.publico = cls.env["res.partner"].create(
            {
                "name": "PUBLICO EN GENERAL",
                "country_id": cls.env.ref("base.mx").id,
                "vat": "XAXX010101000",
                "zip": "42501",
                "l10n_mx_einvoice_regimen_fiscal": "616",
            }
        )
        cls.today = dt.date.today()

    def sale(self, price, taxes=None, partner=None, day=None):
        return self.make_invoice(
            [{"price_unit": price, "tax_ids": [Command.set((taxes or self.tax_16).ids)]}],
            partner_id=(partner or self.publico).id,
            invoice_date=day or self.today,
        )

    def wizard(self, **vals):
        return self.env["l10n_mx_einvoice.global.invoice"].create(
            {
                "date_from": self.today.replace(day=1),
                "date_to": self.today,
                "periodicidad": "04",
                **vals,
            }
        )

    def global_invoice(self, **vals):
        action = self.wizard(**vals).action_create_global_invoice()
        return self.env["l10n_mx_einvoice.document"].browse(action["res_id"])

    def global_documents(self):
        return self.env["l10n_mx_einvoice.document"].search([("document_type", "=", "global")])

    def test_global_invoice_of_the_month(self):
        first = self.sale(100.0)
        second = self.sale(250.0, self.tax_0)
        third = self.sale(80.0, self.tax_16 | self.tax_ieps_8)
        customer_sale = self.sale(999.0, partner=self.customer)  # not público en general
        wizard = self.wizard()
        self.assertEqual(wizard.sale_ids, first | second | third)
        self.assertEqual((wizard.meses, wizard.anio), (f"{self.today.month:02d}", self.today.year))
        action = wizard.action_create_global_invoice()
        self.assertEqual(action["res_model"], "l10n_mx_einvoice.document")
        holder = self.env["l10n_mx_einvoice.document"].browse(action["res_id"])
        self.assertEqual(
            (holder.document_type, holder.move_id), ("global", self.env["account.move"])
        )
        self.assertEqual(holder.state, "stamped", holder.message)
        self.assertEqual(holder.sale_ids, first | second | third)
        xml = holder.attachment_id.raw
        self.assertSatValid(xml)
        self.assertCliValid(xml)
        c = cfdi_xml.from_bytes(xml)
        self.assertEqual(
            (
                c.informacion_global.periodicidad,
                c.informacion_global.meses,
                c.informacion_global.anio,
            ),
            ("04", f"{self.today.month:02d}", self.today.year),
        )
        self.assertEqual(
            (
                c.receptor.rfc,
                c.receptor.nombre,
                c.receptor.regimen_fiscal,
                c.receptor.uso_cfdi,
                c.receptor.domicilio_fiscal,
            ),
            ("XAXX010101000", "PUBLICO EN GENERAL", "616", "S01", "42501"),
        )
        self.assertEqual((c.tipo_de_comprobante, c.metodo_pago), ("I", "PUE"))
        self.assertEqual(
            [k.no_identificacion for k in c.conceptos], [first.name, second.name, third.name]
        )
        self.assertTrue(
            all(
                (k.clave_prod_serv, k.clave_unidad, k.cantidad) == ("01010101", "ACT", D(1))
                for k in c.conceptos
            )
        )
        self.assertEqual(c.conceptos[1].impuestos.traslados[0].tasa_o_cuota, D("0.000000"))
        self.assertEqual(len(c.conceptos[2].impuestos.traslados), 2)  # IVA and IEPS
        expected = sum(D(str(s.amount_total)).quantize(D("0.01")) for s in first | second | third)
        self.assertEqual(c.total, expected)
        self.assertEqual((first | second | third).l10n_mx_einvoice_global_document_id, holder)
        self.assertFalse(customer_sale.l10n_mx_einvoice_global_document_id)
        self.assertFalse(first._l10n_mx_einvoice_document_type())  # never stamped on its own
        self.assertFalse(first.l10n_mx_einvoice_state)
        # included once: a second run finds nothing, a direct attempt is refused
        with self.assertRaises(UserError):
            self.wizard().action_create_global_invoice()
        with self.assertRaises(UserError):
            self.wizard(sale_ids=[Command.set(first.ids)]).action_create_global_invoice()
        with self.assertRaises(UserError):
            first.l10n_mx_einvoice_global_document_ids = False
        with self.assertRaises(AccessError):
            holder.sale_ids = False

    def test_cancelled_global_invoice_frees_its_sales(self):
        sale = self.sale(100.0)
        holder = self.global_invoice()
        request = holder._cancel("02")
        self.assertEqual((holder.state, request.state), ("cancelled", "cancelled"))
        self.assertFalse(sale.l10n_mx_einvoice_global_document_id)
        again = self.global_invoice()
        self.assertEqual(again.state, "stamped")
        self.assertEqual(sale.l10n_mx_einvoice_global_document_id, again)

    def test_pac_unavailable_then_the_cron_stamps_it(self):
        sale = self.sale(100.0)
        connector = self.stamp_account._get_connector()
        down = Unavailable("Servicio no disponible (prueba).", "Service unavailable (test).")
        with (
            patch.object(connector, "stamp", side_effect=down),
            patch.object(connector, "find_stamped", return_value=None),
        ):
            holder = self.global_invoice()
        self.assertEqual(holder.state, "pending")
        self.assertIn("Service unavailable", holder.message)
        self.assertEqual(
            sale.l10n_mx_einvoice_global_document_id, holder
        )  # kept: the signed XML waits for the PAC
        self.env["l10n_mx_einvoice.document"]._cron_stamp()
        self.assertEqual(holder.state, "stamped", holder.message)
        self.assertEqual(self.global_documents(), holder)  # the same signed XML, not sealed again

    def test_no_sales_in_period(self):
        self.sale(100.0, day=self.today - dt.timedelta(days=70))
        with self.assertRaises(UserError):
            self.wizard().action_create_global_invoice()
        self.assertFalse(self.global_documents())

    def test_a_global_invoice_covers_only_sales_to_the_general_public(self):
        customer_sale = self.sale(999.0, partner=self.customer)
        draft = self.make_invoice(
            [{"price_unit": 10.0}], partner_id=self.publico.id, invoice_date=self.today, post=False
        )
        for sales in (customer_sale, draft):
            with self.subTest(sale=sales.display_name), self.assertRaises(UserError) as caught:
                self.global_invoice(sale_ids=[Command.set(sales.ids)])
            self.assertIn("público en general", str(caught.exception.args[0]))
        self.assertFalse(self.global_documents())
