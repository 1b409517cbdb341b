"""Carta Porte 3.1 on a carrier's income CFDI (tipo I) for a road freight service: the
trip, goods, vehicle and driver entered on the invoice, stamped by the sandbox PAC and
held against SAT's XSD (cartaporte31), SAT's XSLT cadena and ``python -m cfdi validate``
(issue 18). The carrier needs no Inventory: vehicles live in this addon."""

import datetime as dt

from lxml import etree
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CartaPorteFixtures, CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon

NS = {"cartaporte31": "http://www.sat.gob.mx/CartaPorte31"}
PEDIMENTO = "26  24  3807  6000123"


@tagged("post_install", "-at_install")
class TestFreightCartaPorte(
    CartaPorteFixtures, CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        mx = cls.env.ref("base.mx")
        cls.customer.write(
            {"street": "Av. Industrias 20", "state_id": cls.env.ref("base.state_mx_qro").id}
        )
        cls.consignee = cls.env["res.partner"].create(
            {
                "name": "CASAS CHAVEZ DISTRIBUCIÓN, Monterrey",
                "country_id": mx.id,
                "state_id": cls.env.ref("base.state_mx_nl").id,
                "street": "Av. Constitución 400",
                "zip": "64000",
                "vat": "CACX7605101P8",
            }
        )
        cls.setup_carta_porte()
        cls.freight = cls.env["product.product"].create(
            {
                "name": "Flete por carretera",
                "type": "service",
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
                "l10n_mx_einvoice_clave_prod_serv_id": cls.sat_code("78101802").id,
            }
        )

    def freight_invoice(self, destination, goods, **trip):
        departure = fields.Datetime.now().replace(microsecond=0) + dt.timedelta(hours=2)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": dt.date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.freight.id,
                            "name": f"Flete Querétaro - {destination.name}",
                            "quantity": 1.0,
                            "price_unit": 18500.0,
                            "tax_ids": [Command.set(self.tax_16.ids)],
                        }
                    )
                ],
                "l10n_mx_einvoice_carta_porte": True,
                "l10n_mx_einvoice_cp_origin_id": self.customer.id,
                "l10n_mx_einvoice_cp_departure": departure,
                "l10n_mx_einvoice_cp_destination_id": destination.id,
                "l10n_mx_einvoice_cp_arrival": departure + dt.timedelta(hours=11),
                "l10n_mx_einvoice_cp_distance": 745.3,
                "l10n_mx_einvoice_cp_vehicle_id": self.vehicle.id,
                "l10n_mx_einvoice_cp_driver_id": self.driver.id,
                "l10n_mx_einvoice_cp_goods_ids": [Command.create(line) for line in goods],
                **trip,
            }
        )
        move.action_post()
        return move

    def goods(self, **values):
        return {
            "bienes_transp": "43211507",
            "name": "Computadoras portátiles",
            "quantity": 120,
            "uom_id": self.unit.id,
            "weight": 300.0,
            "value": 1_050_000.0,
            **values,
        }

    def stamp(self, move):
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        data = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(data)  # SAT's XSD with cartaporte31, SAT's XSLT, engine's rules
        self.assertCliValid(data)
        return etree.fromstring(data)

    def test_national_road_freight_invoice(self):
        gasoline = self.goods(
            bienes_transp="15101514",
            name="Gasolina en tambores",
            quantity=20,
            weight=3200.0,
            value=96_000.0,
            hazardous=True,
            material_peligroso="1203",
            embalaje="1A1",
        )
        move = self.freight_invoice(self.consignee, [self.goods(), gasoline])
        root = self.stamp(move)
        self.assertEqual(root.get("TipoDeComprobante"), "I")
        self.assertEqual(root.get("SubTotal"), "18500.00")
        concepto = root.find("{http://www.sat.gob.mx/cfd/4}Conceptos/")
        self.assertEqual(concepto.get("ClaveProdServ"), "78101802")
        carta = root.find(".//cartaporte31:CartaPorte", NS)
        self.assertEqual(carta.get("TranspInternac"), "No")
        self.assertRegex(carta.get("IdCCP"), r"^CCC[0-9a-f]{5}-")
        self.assertEqual(carta.get("TotalDistRec"), "745.30")
        origin, destination = carta.findall(".//cartaporte31:Ubicacion", NS)
        self.assertEqual(origin.get("RFCRemitenteDestinatario"), "XIA190128J61")
        self.assertEqual(origin.find("cartaporte31:Domicilio", NS).get("Estado"), "QUE")
        self.assertEqual(destination.get("RFCRemitenteDestinatario"), "CACX7605101P8")
        self.assertEqual(destination.get("IDUbicacion"), f"DE{self.consignee.id:06d}")
        mercancias = carta.find("cartaporte31:Mercancias", NS)
        self.assertEqual(mercancias.get("PesoBrutoTotal"), "3500.000")
        self.assertEqual(mercancias.get("NumTotalMercancias"), "2")
        laptops, fuel = mercancias.findall("cartaporte31:Mercancia", NS)
        self.assertEqual(
            (laptops.get("BienesTransp"), laptops.get("ValorMercancia"), laptops.get("Moneda")),
            ("43211507", "1050000.00", "MXN"),
        )
        self.assertEqual(
            (fuel.get("MaterialPeligroso"), fuel.get("CveMaterialPeligroso")), ("Sí", "1203")
        )
        plate = mercancias.find(".//cartaporte31:IdentificacionVehicular", NS).get("PlacaVM")
        self.assertEqual(plate, "501AA3")
        figura = carta.find(".//cartaporte31:TiposFigura", NS)
        self.assertEqual(
            (figura.get("RFCFigura"), figura.get("NumLicencia")), ("CACX7605101P8", "LFC0123456")
        )

    def test_international_road_freight_invoice(self):
        move = self.freight_invoice(
            self.foreign,
            [self.goods()],
            l10n_mx_einvoice_cp_international=True,
            l10n_mx_einvoice_cp_entrada_salida="Salida",
            l10n_mx_einvoice_cp_regimen_aduanero="EXD",
            l10n_mx_einvoice_cp_pedimento=PEDIMENTO,
        )
        carta = self.stamp(move).find(".//cartaporte31:CartaPorte", NS)
        self.assertEqual(
            [carta.get(a) for a in ("TranspInternac", "EntradaSalidaMerc", "PaisOrigenDestino")],
            ["Sí", "Salida", "USA"],
        )
        regime = carta.find(".//cartaporte31:RegimenAduaneroCCP", NS)
        self.assertEqual(regime.get("RegimenAduanero"), "EXD")
        destination = carta.findall(".//cartaporte31:Ubicacion", NS)[1]
        self.assertEqual(
            [destination.get(a) for a in ("RFCRemitenteDestinatario", "NumRegIdTrib")],
            ["XEXX010101000", "123456789"],
        )
        document = carta.find(".//cartaporte31:DocumentacionAduanera", NS)
        self.assertEqual(document.get("NumPedimento"), PEDIMENTO)

    def test_incomplete_trip_is_refused_before_stamping(self):
        move = self.freight_invoice(
            self.consignee,
            [self.goods(weight=0.0)],
            l10n_mx_einvoice_cp_vehicle_id=False,
            l10n_mx_einvoice_cp_international=True,
        )
        balance = self.stamp_account.balance
        with self.assertRaises(UserError) as refused:
            move.action_l10n_mx_einvoice_stamp()
        message = str(refused.exception)
        self.assertIn("Choose the vehicle of the freight invoice", message)
        self.assertIn("PesoEnKg", message)
        self.assertIn("pedimento", message)
        self.assertNotIn("driver", message)
        self.assertFalse(move.l10n_mx_einvoice_uuid)
        self.assertEqual(self.stamp_account.balance, balance)

    def test_goods_need_a_carta_porte_goods_key(self):
        with self.assertRaises(UserError):
            self.freight_invoice(self.consignee, [self.goods(bienes_transp="99999999")])

    def test_hazardous_goods_need_the_vehicles_environmental_insurance(self):
        self.vehicle.write({"environment_insurer": False, "environment_policy": False})
        hazardous = self.goods(hazardous=True, material_peligroso="1203", embalaje="1A1")
        move = self.freight_invoice(self.consignee, [hazardous])
        with self.assertRaises(UserError) as refused:
            move.action_l10n_mx_einvoice_stamp()
        self.assertIn("Tractocamión 7 carries hazardous material", str(refused.exception))
        self.assertFalse(move.l10n_mx_einvoice_uuid)
