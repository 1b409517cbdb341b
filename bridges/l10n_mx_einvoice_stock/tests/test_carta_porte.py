"""Carta Porte 3.1 on transfer CFDI (tipo T) from outgoing pickings, stamped by the
sandbox PAC and held against SAT's XSD (cartaporte31), SAT's XSLT cadena and
``python -m cfdi validate`` (issue 18)."""

from datetime import timedelta

from lxml import etree
from odoo import Command, fields
from odoo.addons.l10n_mx_einvoice.tests.common import (
    CartaPorteFixtures,
    CfdiOracleMixin,
    L10nMxEinvoiceCommon,
)
from odoo.exceptions import UserError
from odoo.tests import tagged

NS = {"cartaporte31": "http://www.sat.gob.mx/CartaPorte31"}


@tagged("post_install", "-at_install")
class TestCartaPorte(CartaPorteFixtures, CfdiOracleMixin, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company.partner_id.write(
            {"street": "Av. Juárez 100", "state_id": cls.env.ref("base.state_mx_hgo").id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.destination = cls.env["res.partner"].create(
            {
                "name": "XENON INDUSTRIAL ARTICLES, Monterrey",
                "country_id": cls.env.ref("base.mx").id,
                "state_id": cls.env.ref("base.state_mx_nl").id,
                "street": "Av. Constitución 400",
                "zip": "64000",
                "vat": "XIA190128J61",
            }
        )
        cls.setup_carta_porte()
        cls.product_a.write({"weight": 2.5, "default_code": "LAP-14"})
        cls.product_a.l10n_mx_einvoice_clave_prod_serv_cp = "43211507"
        cls.gasoline = cls.env["product.product"].create(
            {
                "name": "Gasolina en tambores",
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
                "weight": 160.0,
                "l10n_mx_einvoice_clave_prod_serv_id": cls.sat_code("15101514").id,
                "l10n_mx_einvoice_clave_prod_serv_cp": "15101514",
                "l10n_mx_einvoice_hazardous": True,
                "l10n_mx_einvoice_material_peligroso": "1203",
                "l10n_mx_einvoice_embalaje": "1A1",
            }
        )

    def picking(self, partner, lines, **values):
        picking_type = self.warehouse.out_type_id
        source = picking_type.default_location_src_id
        customers = self.env.ref("stock.stock_location_customers")
        scheduled = fields.Datetime.now() + timedelta(hours=1)
        return self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": customers.id,
                "scheduled_date": scheduled,
                "l10n_mx_einvoice_vehicle_id": self.vehicle.id,
                "l10n_mx_einvoice_driver_id": self.driver.id,
                "l10n_mx_einvoice_distance": 912.5,
                "l10n_mx_einvoice_arrival": scheduled + timedelta(hours=14),
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": customers.id,
                        }
                    )
                    for product, quantity in lines
                ],
                **values,
            }
        )

    def stamp(self, picking):
        picking.action_l10n_mx_einvoice_stamp_carta_porte()
        document = picking.l10n_mx_einvoice_document_ids
        self.assertEqual(document.state, "stamped", document.message)
        self.assertEqual(document.document_type, "picking")
        self.assertEqual(picking.l10n_mx_einvoice_cp_uuid, document.uuid)
        data = document.attachment_id.raw
        self.assertEqual(document.attachment_id.res_model, "stock.picking")
        self.assertSatValid(data)
        self.assertCliValid(data)
        return etree.fromstring(data)

    def test_national_road_shipment(self):
        picking = self.picking(self.destination, [(self.product_a, 4), (self.gasoline, 2)])
        root = self.stamp(picking)
        self.assertEqual(root.get("TipoDeComprobante"), "T")
        self.assertEqual(root.get("Total"), "0")
        carta = root.find(".//cartaporte31:CartaPorte", NS)
        self.assertEqual(carta.get("TranspInternac"), "No")
        self.assertRegex(carta.get("IdCCP"), r"^CCC[0-9a-f]{5}-")
        self.assertEqual(carta.get("TotalDistRec"), "912.50")
        origin, destination = carta.findall(".//cartaporte31:Ubicacion", NS)
        self.assertEqual(origin.get("IDUbicacion"), f"OR{self.warehouse.id:06d}")
        self.assertEqual(destination.get("IDUbicacion"), f"DE{self.destination.id:06d}")
        self.assertEqual(destination.get("RFCRemitenteDestinatario"), "XIA190128J61")
        self.assertEqual(destination.find("cartaporte31:Domicilio", NS).get("Estado"), "NLE")
        mercancias = carta.find("cartaporte31:Mercancias", NS)
        self.assertEqual(mercancias.get("PesoBrutoTotal"), "330.000")
        self.assertEqual(mercancias.get("NumTotalMercancias"), "2")
        laptop, gasoline = mercancias.findall("cartaporte31:Mercancia", NS)
        self.assertEqual(laptop.get("BienesTransp"), "43211507")
        self.assertEqual(laptop.get("PesoEnKg"), "10.000")
        self.assertEqual(gasoline.get("MaterialPeligroso"), "Sí")
        self.assertEqual(gasoline.get("CveMaterialPeligroso"), "1203")
        self.assertEqual(gasoline.get("Embalaje"), "1A1")
        vehicle = mercancias.find(".//cartaporte31:IdentificacionVehicular", NS)
        self.assertEqual(vehicle.get("PlacaVM"), "501AA3")
        self.assertEqual(vehicle.get("ConfigVehicular"), "T3S2")
        self.assertEqual(
            mercancias.find(".//cartaporte31:Remolque", NS).get("SubTipoRem"), "CTR004"
        )
        figura = carta.find(".//cartaporte31:TiposFigura", NS)
        self.assertEqual(figura.get("TipoFigura"), "01")
        self.assertEqual(figura.get("RFCFigura"), "CACX7605101P8")
        self.assertEqual(figura.get("NumLicencia"), "LFC0123456")

    def test_international_shipment(self):
        picking = self.picking(
            self.foreign,
            [(self.product_a, 10)],
            l10n_mx_einvoice_international=True,
            l10n_mx_einvoice_regimen_aduanero="EXD",
            l10n_mx_einvoice_pedimento="26  24  3807  6000123",
        )
        carta = self.stamp(picking).find(".//cartaporte31:CartaPorte", NS)
        self.assertEqual(carta.get("TranspInternac"), "Sí")
        self.assertEqual(carta.get("EntradaSalidaMerc"), "Salida")
        self.assertEqual(carta.get("PaisOrigenDestino"), "USA")
        self.assertEqual(carta.get("ViaEntradaSalida"), "01")
        regime = carta.find(".//cartaporte31:RegimenAduaneroCCP", NS)
        self.assertEqual(regime.get("RegimenAduanero"), "EXD")
        destination = carta.findall(".//cartaporte31:Ubicacion", NS)[1]
        self.assertEqual(destination.get("RFCRemitenteDestinatario"), "XEXX010101000")
        self.assertEqual(destination.get("ResidenciaFiscal"), "USA")
        self.assertEqual(destination.get("NumRegIdTrib"), "123456789")
        self.assertEqual(destination.find("cartaporte31:Domicilio", NS).get("Estado"), "TX")
        document = carta.find(".//cartaporte31:DocumentacionAduanera", NS)
        self.assertEqual(document.get("NumPedimento"), "26  24  3807  6000123")

    def test_product_without_sat_goods_code_or_weight_is_refused(self):
        bare = self.env["product.product"].create(
            {
                "name": "Refacción sin datos",
                "uom_id": self.unit.id,
                "uom_po_id": self.unit.id,
                "l10n_mx_einvoice_clave_prod_serv_id": self.sat_code("43211507").id,
            }
        )
        picking = self.picking(self.destination, [(self.product_a, 1), (bare, 3)])
        balance = self.stamp_account.balance
        with self.assertRaises(UserError) as refused:
            picking.action_l10n_mx_einvoice_stamp_carta_porte()
        message = str(refused.exception)
        self.assertIn("Refacción sin datos", message)
        self.assertIn("c_ClaveProdServCP", message)
        self.assertIn("PesoEnKg", message)
        self.assertNotIn(self.product_a.display_name, message)
        self.assertFalse(picking.l10n_mx_einvoice_document_ids)
        self.assertEqual(self.stamp_account.balance, balance)

    def test_stock_user_without_cfdi_rights_reads_the_transfer(self):
        picking = self.picking(self.destination, [(self.product_a, 1)])
        clerk = self.env["res.users"].create(
            {
                "name": "Almacenista",
                "login": "almacenista_cp",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(self.env.ref("stock.group_stock_user").ids)],
            }
        )
        form = picking.with_user(clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("l10n_mx_einvoice_document_ids", form)
        self.assertFalse(picking.with_user(clerk).l10n_mx_einvoice_cp_uuid)
