import base64
import datetime as dt

from lxml import etree
from odoo.addons.l10n_mx_einvoice.cfdi import rules
from odoo.addons.l10n_mx_einvoice.cfdi.complements import addenda
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon

NS_DETALLISTA = "http://www.sat.gob.mx/detallista"


@tagged("post_install", "-at_install")
class TestCustomerAddenda(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.product.barcode = "7501031311309"
        cls.company.partner_id.l10n_mx_einvoice_gln = "7501031300007"
        cls.customer.write(
            {
                "l10n_mx_einvoice_gln": "7504000000017",
                "l10n_mx_einvoice_supplier_number": "102345",
                "l10n_mx_einvoice_store": "5537",
            }
        )

    def stamped_invoice(self, kind):
        self.customer.l10n_mx_einvoice_addenda = kind
        move = self.make_invoice(
            [{"price_unit": 500.0, "quantity": 2.0}],
            l10n_mx_einvoice_addenda_order="4500123456",
            l10n_mx_einvoice_addenda_order_date=dt.date(2026, 11, 28),
        )
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        return move

    def assert_appended_outside_the_seal(self, move):
        stamped = move.l10n_mx_einvoice_attachment_id.raw
        result = move.l10n_mx_einvoice_addenda_attachment_id.raw
        self.assertNotIn(b"Addenda>", stamped)  # SAT's XML stays as stamped
        start, end = result.index(b"<cfdi:Addenda>"), result.index(b"</cfdi:Addenda>") + 15
        self.assertEqual(result[:start] + result[end:], stamped)
        self.assertEqual(rules.validate(result), [])  # Sello and TFD still verify
        (content,) = addenda.addenda_of(result)
        return etree.fromstring(content)

    def test_liverpool_detallista_fits_sats_xsd(self):
        move = self.stamped_invoice("liverpool")
        move.action_l10n_mx_einvoice_add_addenda()
        root = self.assert_appended_outside_the_seal(move)
        xsd = addenda.BUILT_IN["liverpool"].xsd
        self.assertEqual(addenda.validate(etree.tostring(root), xsd), [])
        ns = {"d": NS_DETALLISTA}
        self.assertEqual(
            root.xpath("d:orderIdentification/d:referenceIdentification/text()", namespaces=ns),
            ["4500123456"],
        )
        self.assertEqual(root.xpath("d:buyer/d:gln/text()", namespaces=ns), ["7504000000017"])
        self.assertEqual(
            root.xpath("d:lineItem/d:tradeItemIdentification/d:gtin/text()", namespaces=ns),
            ["7501031311309"],
        )
        self.assertEqual(root.xpath("d:totalAmount/d:Amount/text()", namespaces=ns), ["1160.00"])

    def test_liverpool_refuses_an_addenda_outside_its_xsd(self):
        self.customer.l10n_mx_einvoice_gln = "750400000001"  # 12 digits: not a GLN
        move = self.stamped_invoice("liverpool")
        with self.assertRaises(UserError) as caught:
            move.action_l10n_mx_einvoice_add_addenda()
        self.assertIn(move.name, str(caught.exception))
        self.assertIn("XSD", str(caught.exception))
        self.assertFalse(move.l10n_mx_einvoice_addenda_attachment_id)

    def test_soriana_remision(self):
        move = self.stamped_invoice("soriana")
        move.action_l10n_mx_einvoice_add_addenda()
        root = self.assert_appended_outside_the_seal(move)
        self.assertEqual(root.tag, "DSCargaRemisionProv")
        self.assertEqual([el.tag for el in root], ["Remision", "Pedidos", "Articulos"])
        remision = root.find("Remision")
        self.assertEqual(
            (remision.findtext("Proveedor"), remision.findtext("Tienda")), ("102345", "5537")
        )
        self.assertEqual(remision.findtext("Total"), "1160.00")
        self.assertEqual(root.find("Pedidos").findtext("FolioPedido"), "4500123456")
        self.assertEqual(root.find("Articulos").findtext("Codigo"), "7501031311309")

    def test_custom_template_with_its_xsd(self):
        view = self.env["ir.ui.view"].create(
            {
                "name": "Addenda ACME",
                "type": "qweb",
                "arch": '<acme:pedido xmlns:acme="urn:acme" numero="{{ order.number }}" '
                'total="{{ cfdi.Total }}"/>',
            }
        )
        xsd = (
            b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:acme">'
            b'<xs:element name="pedido"><xs:complexType>'
            b'<xs:attribute name="numero" type="xs:integer" use="required"/>'
            b'<xs:attribute name="total" type="xs:decimal" use="required"/>'
            b"</xs:complexType></xs:element></xs:schema>"
        )
        self.customer.write(
            {
                "l10n_mx_einvoice_addenda_view_id": view.id,
                "l10n_mx_einvoice_addenda_xsd": base64.b64encode(xsd),
            }
        )
        move = self.stamped_invoice("custom")
        move.action_l10n_mx_einvoice_add_addenda()
        root = self.assert_appended_outside_the_seal(move)
        self.assertEqual((root.get("numero"), root.get("total")), ("4500123456", "1160.00"))
