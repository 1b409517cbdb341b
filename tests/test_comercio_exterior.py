import datetime as dt
from decimal import Decimal

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestComercioExterior(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.company.partner_id.write(
            {"street": "Av. Juárez 10", "state_id": cls.env.ref("base.state_mx_hgo").id}
        )
        us, texas = cls.env.ref("base.us"), cls.env.ref("base.state_us_44")
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "ACME TRADING LLC",
                "is_company": True,
                "country_id": us.id,
                "state_id": texas.id,
                "city": "Laredo",
                "street": "500 Main St",
                "zip": "78040",
                "vat": "123456789",
            }
        )
        cls.warehouse = cls.env["res.partner"].create(
            {
                "name": "ACME WAREHOUSE",
                "type": "delivery",
                "parent_id": cls.buyer.id,
                "country_id": us.id,
                "state_id": texas.id,
                "street": "Industrial Blvd 7",
                "zip": "78045",
            }
        )
        cls.laptop = cls.env["product.product"].create(
            {
                "name": "Laptop 14",
                "default_code": "LAP-14",
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
                "weight": 1.5,
                "l10n_mx_einvoice_clave_prod_serv_id": cls.sat_code("43211507").id,
                "l10n_mx_einvoice_tariff_id": cls.sat_code("84713001", "tariff").id,
                "l10n_mx_einvoice_umt": "06",  # PIEZA
            }
        )
        cls.desk = cls.env["product.product"].create(
            {
                "name": "Escritorio",
                "default_code": "ESC-1",
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
                "weight": 20.0,
                "l10n_mx_einvoice_clave_prod_serv_id": cls.sat_code("43211507").id,
                "l10n_mx_einvoice_tariff_id": cls.sat_code("9403300100", "tariff").id,
                "l10n_mx_einvoice_umt": "01",  # KILO: weight x quantity
            }
        )
        cls.env["res.currency.rate"].create(
            {
                "name": dt.date.today(),
                "rate": 1 / 17.5,
                "currency_id": cls.env.ref("base.USD").id,
                "company_id": cls.company.id,
            }
        )

    def export_invoice(self, lines, **vals):
        return self.make_invoice(
            [{"tax_ids": [Command.set(self.tax_0.ids)], **line} for line in lines],
            **{
                "partner_id": self.buyer.id,
                "partner_shipping_id": self.warehouse.id,
                "invoice_date": dt.date.today(),
                "l10n_mx_einvoice_exportacion": "02",
                "invoice_incoterm_id": self.env.ref("account.incoterm_FCA").id,
                **vals,
            },
        )

    def test_export_invoice_is_stamped_with_comercio_exterior(self):
        move = self.export_invoice(
            [
                {"product_id": self.laptop.id, "quantity": 10.0, "price_unit": 8750.0},
                {"product_id": self.desk.id, "quantity": 2.0, "price_unit": 3500.0},
                {"product_id": self.laptop.id, "quantity": 2.0, "price_unit": 8750.0},
            ],
            l10n_mx_einvoice_certificado_origen=True,
            l10n_mx_einvoice_num_certificado_origen="CO-2026-0001",
        )
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        xml = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)  # SAT's XSD with cce20, SAT's XSLT cadena, engine's rules
        self.assertCliValid(xml)
        cce = cfdi_xml.from_bytes(xml).complemento.comercio_exterior
        self.assertEqual(
            (cce.incoterm, cce.certificado_origen, cce.num_certificado_origen),
            ("FCA", 1, "CO-2026-0001"),
        )
        self.assertEqual(cce.tipo_cambio_usd, Decimal("17.500000"))
        self.assertEqual(
            [
                (m.no_identificacion, m.fraccion_arancelaria, m.unidad_aduana)
                for m in cce.mercancias
            ],
            [("LAP-14", "84713001", "06"), ("ESC-1", "9403300100", "01")],
        )
        laptop, desk = cce.mercancias
        self.assertEqual((laptop.cantidad_aduana, desk.cantidad_aduana), (12, 40))
        # 12 x 8,750 MXN = 105,000 MXN = 6,000 USD; 2 x 3,500 MXN = 7,000 MXN = 400 USD
        self.assertEqual((laptop.valor_dolares, desk.valor_dolares), (6000, 400))
        self.assertEqual(cce.total_usd, Decimal("6400"))
        self.assertEqual(cce.emisor.domicilio.estado, "HID")
        self.assertEqual(
            (cce.receptor.domicilio.estado, cce.receptor.domicilio.pais), ("TX", "USA")
        )
        self.assertEqual(cce.destinatarios[0].nombre, "ACME WAREHOUSE")
        self.assertEqual(cce.destinatarios[0].domicilios[0].codigo_postal, "78045")

    def test_invoice_in_usd_takes_its_own_rate(self):
        move = self.export_invoice(
            [{"product_id": self.laptop.id, "quantity": 1.0, "price_unit": 500.0}],
            currency=self.env.ref("base.USD"),
        )
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        xml = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        c = cfdi_xml.from_bytes(xml)
        cce = c.complemento.comercio_exterior
        self.assertEqual(cce.tipo_cambio_usd, c.tipo_cambio)
        self.assertEqual(cce.total_usd, Decimal("500"))

    def test_missing_tariff_item_is_refused_naming_the_product(self):
        self.desk.l10n_mx_einvoice_tariff_id = False
        move = self.export_invoice(
            [{"product_id": self.desk.id, "quantity": 1.0, "price_unit": 3500.0}]
        )
        with self.assertRaises(UserError) as caught:
            move.action_l10n_mx_einvoice_stamp()
        self.assertIn("[ESC-1] Escritorio", str(caught.exception))
        self.assertIn("tariff item", str(caught.exception))
        self.assertFalse(move.l10n_mx_einvoice_uuid)
        self.assertFalse(move.l10n_mx_einvoice_document_ids)

    def test_missing_incoterm_is_refused(self):
        move = self.export_invoice(
            [{"product_id": self.laptop.id, "quantity": 1.0, "price_unit": 100.0}],
            invoice_incoterm_id=False,
        )
        with self.assertRaises(UserError) as caught:
            move.action_l10n_mx_einvoice_stamp()
        self.assertIn("Incoterm", str(caught.exception))

    def test_domestic_invoice_has_no_complement(self):
        move = self.make_invoice()
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        c = cfdi_xml.from_bytes(move.l10n_mx_einvoice_attachment_id.raw)
        self.assertIsNone(c.complemento.comercio_exterior)
