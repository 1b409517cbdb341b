"""Rules of a CFDI with Carta Porte 3.1, after SAT's Anexo 20 guide for Carta Porte 3.1.

Codes: SAT's CFDI40xxx where the CFDI 4.0 matrix has the rule (``cfdi.rules``); the
Carta Porte matrix's own codes (CPxxx) were not available to this project for 3.1,
so its rules carry engine codes ``EINV-CP-*`` with SAT's rule in the message.
Checked here: the CFDI around it (T: Moneda XXX, ObjetoImp 01, receiver = issuer,
UsoCFDI S01; I: a freight service), international transport, the locations (IDs,
order of dates, distances, addresses), the goods (weights, count, hazardous
material, customs documents, CantidadTransporta), road transport (trailers,
environmental insurance for hazardous goods) and the transport figures.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from .. import catalogs
from ..rules import Finding
from ..sat import EXTRANJERO, USO_SIN_EFECTOS
from .carta_porte import (
    CartaPorte,
    Domicilio,
    Mercancia,
    Mercancias,
    TiposFigura,
    Ubicacion,
    expected_peso_bruto_total,
    expected_total_dist_rec,
)

if TYPE_CHECKING:
    from ..document import Comprobante

ROOT = "Complemento.CartaPorte"
OPERADOR = "01"
FIGURAS_CON_PARTES = ("02", "03", "04")  # propietario, arrendador, notificado
DOCUMENTO_PEDIMENTO = "01"


def check(c: "Comprobante", now: Optional[datetime] = None) -> list[Finding]:
    cp = c.complemento.carta_porte
    if cp is None:
        return []
    return _Checker(c, cp, now).run()


class _Checker:
    def __init__(self, c: "Comprobante", cp: CartaPorte, now: Optional[datetime]):
        self.c = c
        self.cp = cp
        self.now = now
        self.out: list[Finding] = []
        self.road = cp.mercancias is not None and cp.mercancias.autotransporte is not None

    def add(self, code: str, path: str, es: str, en: str, severity: str = "error") -> None:
        self.out.append(Finding(code, es, en, path, severity))

    def run(self) -> list[Finding]:
        self.comprobante()
        self.internacional()
        self.ubicaciones()
        if self.cp.mercancias is not None:
            self.mercancias(self.cp.mercancias)
        self.figuras()
        return self.out

    # --- the CFDI around the complement ---------------------------------------------

    def comprobante(self) -> None:
        c = self.c
        if c.tipo_de_comprobante not in ("T", "I"):
            self.add(
                "EINV-CP-TIPO",
                "TipoDeComprobante",
                f"La Carta Porte va en un CFDI de traslado (T) o de ingreso por el flete (I), "
                f"no en tipo «{c.tipo_de_comprobante}».",
                f"Carta Porte goes in a transfer CFDI (T) or an income CFDI for the freight (I), "
                f"not in type «{c.tipo_de_comprobante}».",
            )
        if c.tipo_de_comprobante == "T":
            self.traslado()
        elif c.tipo_de_comprobante == "I" and not any(
            (k.clave_prod_serv or "").startswith("78") for k in c.conceptos
        ):
            self.add(
                "EINV-CP-FLETE",
                "Conceptos",
                "Un CFDI de ingreso con Carta Porte ampara un servicio de transporte: use una "
                "ClaveProdServ de transporte de carga (familia 78, p. ej. 78101800).",
                "An income CFDI with Carta Porte covers a transport service: use a freight "
                "ClaveProdServ (family 78, e.g. 78101800).",
                "warning",
            )

    def traslado(self) -> None:
        c = self.c
        if c.moneda != "XXX":
            self.add(
                "EINV-CP-MONEDA",
                "Moneda",
                f"Un CFDI de traslado con Carta Porte usa Moneda «XXX», no «{c.moneda}».",
                f"A transfer CFDI with Carta Porte uses Moneda «XXX», not «{c.moneda}».",
            )
        for i, k in enumerate(c.conceptos):
            if k.objeto_imp != "01":
                self.add(
                    "EINV-CP-OBJETOIMP",
                    f"Conceptos[{i}].ObjetoImp",
                    "En un CFDI de traslado los conceptos no son objeto de impuesto: use "
                    "ObjetoImp «01».",
                    "In a transfer CFDI the concepts are not subject to tax: use ObjetoImp «01».",
                )
        foreign = self.cp.transp_internac == "Sí" and c.receptor.rfc == EXTRANJERO
        if c.receptor.rfc != c.emisor.rfc and not foreign:
            self.add(
                "EINV-CP-RECEPTOR",
                "Receptor.Rfc",
                f"En un traslado de mercancía propia el receptor es el propio emisor: Rfc "
                f"debe ser {c.emisor.rfc}, no {c.receptor.rfc} (o XEXX010101000 en un "
                "transporte internacional).",
                f"In a transfer of one's own goods the receiver is the issuer itself: Rfc must "
                f"be {c.emisor.rfc}, not {c.receptor.rfc} (or XEXX010101000 in international "
                "transport).",
            )
        if c.receptor.uso_cfdi != USO_SIN_EFECTOS:
            self.add(
                "EINV-CP-USOCFDI",
                "Receptor.UsoCFDI",
                f"Un CFDI de traslado no tiene efectos fiscales: UsoCFDI debe ser «S01», no "
                f"«{c.receptor.uso_cfdi}».",
                f"A transfer CFDI has no tax effects: UsoCFDI must be «S01», not "
                f"«{c.receptor.uso_cfdi}».",
            )

    # --- international transport ---------------------------------------------------------

    def internacional(self) -> None:
        cp = self.cp
        fields = {
            "EntradaSalidaMerc": cp.entrada_salida_merc,
            "PaisOrigenDestino": cp.pais_origen_destino,
            "ViaEntradaSalida": cp.via_entrada_salida,
        }
        if cp.transp_internac == "Sí":
            for name, value in fields.items():
                if value is None:
                    self.add(
                        "EINV-CP-INTERNACIONAL",
                        f"{ROOT}.{name}",
                        f"Con TranspInternac «Sí» registre {name}.",
                        f"With TranspInternac «Sí» enter {name}.",
                    )
            if not cp.regimenes_aduaneros:
                self.add(
                    "EINV-CP-INTERNACIONAL",
                    f"{ROOT}.RegimenesAduaneros",
                    "Con TranspInternac «Sí» registre el régimen aduanero (RegimenesAduaneros).",
                    "With TranspInternac «Sí» enter the customs regime (RegimenesAduaneros).",
                )
            if cp.pais_origen_destino == "MEX":
                self.add(
                    "EINV-CP-INTERNACIONAL",
                    f"{ROOT}.PaisOrigenDestino",
                    "PaisOrigenDestino es el país de origen o destino fuera de México; no "
                    "puede ser «MEX».",
                    "PaisOrigenDestino is the origin or destination country outside Mexico; it "
                    "cannot be «MEX».",
                )
            return
        present = [name for name, value in fields.items() if value is not None]
        if cp.regimenes_aduaneros:
            present.append("RegimenesAduaneros")
        for name in present:
            self.add(
                "EINV-CP-INTERNACIONAL",
                f"{ROOT}.{name}",
                f"{name} sólo se registra con TranspInternac «Sí»; elimínelo.",
                f"{name} is only for TranspInternac «Sí»; remove it.",
            )

    # --- Ubicaciones ------------------------------------------------------------------------

    def ubicaciones(self) -> None:
        ubicaciones = self.cp.ubicaciones
        kinds = {u.tipo_ubicacion for u in ubicaciones}
        if not {"Origen", "Destino"} <= kinds:
            self.add(
                "EINV-CP-UBICACIONES",
                f"{ROOT}.Ubicaciones",
                "Registre al menos una Ubicacion de Origen y una de Destino.",
                "Enter at least one Origen and one Destino Ubicacion.",
            )
        seen: set[str] = set()
        for i, u in enumerate(ubicaciones):
            path = f"{ROOT}.Ubicaciones.Ubicacion[{i}]"
            self.id_ubicacion(u, path, seen)
            self.remitente(u, path)
            self.distancia(u, path)
            if u.domicilio is not None:
                self.domicilio(u.domicilio, f"{path}.Domicilio")
            elif self.road:
                self.add(
                    "EINV-CP-DOMICILIO",
                    f"{path}.Domicilio",
                    "En autotransporte cada ubicación lleva su Domicilio.",
                    "In road transport every location carries its Domicilio.",
                )
        self.fechas()
        self.total_dist_rec()

    def id_ubicacion(self, u: Ubicacion, path: str, seen: set[str]) -> None:
        if u.id_ubicacion is None:
            return
        prefix = "OR" if u.tipo_ubicacion == "Origen" else "DE"
        if not u.id_ubicacion.startswith(prefix):
            self.add(
                "EINV-CP-IDUBICACION",
                f"{path}.IDUbicacion",
                f"Una ubicación de {u.tipo_ubicacion} se identifica con «{prefix}» y 6 dígitos, "
                f"no «{u.id_ubicacion}».",
                f"A {u.tipo_ubicacion} location is identified by «{prefix}» and 6 digits, not "
                f"«{u.id_ubicacion}».",
            )
        if u.id_ubicacion in seen:
            self.add(
                "EINV-CP-IDUBICACION",
                f"{path}.IDUbicacion",
                f"IDUbicacion «{u.id_ubicacion}» se repite; cada ubicación lleva el suyo.",
                f"IDUbicacion «{u.id_ubicacion}» is repeated; each location has its own.",
            )
        seen.add(u.id_ubicacion)

    def remitente(self, u: Ubicacion, path: str) -> None:
        foreign = u.rfc_remitente_destinatario == EXTRANJERO
        if foreign and (u.num_reg_id_trib is None or u.residencia_fiscal is None):
            self.add(
                "EINV-CP-REMITENTE",
                f"{path}.NumRegIdTrib",
                "Con RFC XEXX010101000 registre NumRegIdTrib y ResidenciaFiscal del remitente "
                "o destinatario extranjero.",
                "With RFC XEXX010101000 enter the foreign sender's or recipient's NumRegIdTrib "
                "and ResidenciaFiscal.",
            )
        if not foreign and (u.num_reg_id_trib is not None or u.residencia_fiscal is not None):
            self.add(
                "EINV-CP-REMITENTE",
                f"{path}.NumRegIdTrib",
                "NumRegIdTrib y ResidenciaFiscal sólo se registran con RFC XEXX010101000.",
                "NumRegIdTrib and ResidenciaFiscal are only for RFC XEXX010101000.",
            )

    def distancia(self, u: Ubicacion, path: str) -> None:
        if u.tipo_ubicacion == "Origen" and u.distancia_recorrida is not None:
            self.add(
                "EINV-CP-DISTANCIA",
                f"{path}.DistanciaRecorrida",
                "La distancia se registra en el destino, no en el origen; elimínela.",
                "The distance goes on the destination, not on the origin; remove it.",
            )
        if u.tipo_ubicacion == "Destino" and self.road and u.distancia_recorrida is None:
            self.add(
                "EINV-CP-DISTANCIA",
                f"{path}.DistanciaRecorrida",
                "En autotransporte cada destino lleva la DistanciaRecorrida en kilómetros desde "
                "la ubicación anterior.",
                "In road transport every destination carries DistanciaRecorrida in kilometres "
                "from the previous location.",
            )

    def fechas(self) -> None:
        salidas = [
            u.fecha_hora_salida_llegada
            for u in self.cp.ubicaciones
            if u.tipo_ubicacion == "Origen" and u.fecha_hora_salida_llegada is not None
        ]
        if not salidas:
            return
        first = min(salidas)
        for i, u in enumerate(self.cp.ubicaciones):
            when = u.fecha_hora_salida_llegada
            if u.tipo_ubicacion == "Destino" and when is not None and when <= first:
                self.add(
                    "EINV-CP-FECHA",
                    f"{ROOT}.Ubicaciones.Ubicacion[{i}].FechaHoraSalidaLlegada",
                    f"La llegada ({when.isoformat()}) debe ser posterior a la salida del origen "
                    f"({first.isoformat()}).",
                    f"The arrival ({when.isoformat()}) must come after the departure from the "
                    f"origin ({first.isoformat()}).",
                )

    def total_dist_rec(self) -> None:
        cp = self.cp
        expected = expected_total_dist_rec(cp)
        if self.road and cp.total_dist_rec is None:
            self.add(
                "EINV-CP-TOTALDISTREC",
                f"{ROOT}.TotalDistRec",
                "En autotransporte registre TotalDistRec (la suma de las distancias recorridas).",
                "In road transport enter TotalDistRec (the sum of the distances travelled).",
            )
        elif cp.total_dist_rec is not None and expected is not None:
            if cp.total_dist_rec != expected:
                self.add(
                    "EINV-CP-TOTALDISTREC",
                    f"{ROOT}.TotalDistRec",
                    f"TotalDistRec = {cp.total_dist_rec} pero la suma de DistanciaRecorrida de "
                    f"los destinos es {expected}; corríjalo.",
                    f"TotalDistRec = {cp.total_dist_rec} but the destinations' DistanciaRecorrida "
                    f"add up to {expected}; correct it.",
                )

    def domicilio(self, d: Domicilio, path: str) -> None:
        if d.pais not in ("MEX", "USA", "CAN"):
            return
        state = catalogs.row("c_Estado", d.estado or "")
        if state is None or state["country"] != d.pais:
            self.add(
                "EINV-CP-DOMICILIO",
                f"{path}.Estado",
                f"Estado «{d.estado}» no es una clave de c_Estado de {d.pais}.",
                f"Estado «{d.estado}» is not a c_Estado key of {d.pais}.",
            )
            return
        if d.pais != "MEX":
            return
        cp = catalogs.postal_code(d.codigo_postal or "")
        if cp is None or cp.state != d.estado:
            self.add(
                "EINV-CP-DOMICILIO",
                f"{path}.CodigoPostal",
                f"CodigoPostal «{d.codigo_postal}» no es un código postal de c_CodigoPostal del "
                f"estado {d.estado}.",
                f"CodigoPostal «{d.codigo_postal}» is not a c_CodigoPostal code of state "
                f"{d.estado}.",
            )
        for value, catalog, name in (
            (d.municipio, "c_Municipio", "Municipio"),
            (d.localidad, "c_Localidad", "Localidad"),
        ):
            if value is not None and not catalogs.in_state(catalog, value, d.estado or ""):
                self.add(
                    "EINV-CP-DOMICILIO",
                    f"{path}.{name}",
                    f"{name} «{value}» no es una clave de {catalog} del estado {d.estado}.",
                    f"{name} «{value}» is not a {catalog} key of state {d.estado}.",
                )
        if d.colonia is not None and d.colonia not in catalogs.codes("c_Colonia"):
            self.add(
                "EINV-CP-DOMICILIO",
                f"{path}.Colonia",
                f"Colonia «{d.colonia}» no es una clave de c_Colonia (4 dígitos).",
                f"Colonia «{d.colonia}» is not a c_Colonia key (4 digits).",
            )

    # --- Mercancias ------------------------------------------------------------------------

    def mercancias(self, m: Mercancias) -> None:
        path = f"{ROOT}.Mercancias"
        if m.num_total_mercancias is not None and m.num_total_mercancias != len(m.mercancias):
            self.add(
                "EINV-CP-NUMTOTAL",
                f"{path}.NumTotalMercancias",
                f"NumTotalMercancias = {m.num_total_mercancias} pero hay {len(m.mercancias)} "
                "nodos Mercancia.",
                f"NumTotalMercancias = {m.num_total_mercancias} but there are "
                f"{len(m.mercancias)} Mercancia nodes.",
            )
        expected = expected_peso_bruto_total(m)
        if expected is not None and m.peso_bruto_total is not None:
            if m.peso_bruto_total != expected:
                self.add(
                    "EINV-CP-PESOBRUTO",
                    f"{path}.PesoBrutoTotal",
                    f"PesoBrutoTotal = {m.peso_bruto_total} pero la suma de PesoEnKg es "
                    f"{expected} ({m.unidad_peso}); corríjalo.",
                    f"PesoBrutoTotal = {m.peso_bruto_total} but PesoEnKg adds up to {expected} "
                    f"({m.unidad_peso}); correct it.",
                )
        if not any(
            (m.autotransporte, m.transporte_maritimo, m.transporte_aereo, m.transporte_ferroviario)
        ):
            self.add(
                "EINV-CP-TRANSPORTE",
                path,
                "Registre el medio de transporte: Autotransporte, TransporteMaritimo, "
                "TransporteAereo o TransporteFerroviario.",
                "Enter the means of transport: Autotransporte, TransporteMaritimo, "
                "TransporteAereo or TransporteFerroviario.",
            )
        ids = {u.id_ubicacion for u in self.cp.ubicaciones if u.id_ubicacion}
        for i, mercancia in enumerate(m.mercancias):
            self.mercancia(mercancia, f"{path}.Mercancia[{i}]", ids)
        if m.autotransporte is not None:
            self.autotransporte(m)

    def mercancia(self, m: Mercancia, path: str, ids: set[str]) -> None:
        dangerous = m.material_peligroso == "Sí"
        if dangerous and (m.cve_material_peligroso is None or m.embalaje is None):
            self.add(
                "EINV-CP-PELIGROSO",
                f"{path}.CveMaterialPeligroso",
                "Con MaterialPeligroso «Sí» registre CveMaterialPeligroso (c_MaterialPeligroso) "
                "y Embalaje (c_TipoEmbalaje).",
                "With MaterialPeligroso «Sí» enter CveMaterialPeligroso (c_MaterialPeligroso) "
                "and Embalaje (c_TipoEmbalaje).",
            )
        if not dangerous and m.cve_material_peligroso is not None:
            self.add(
                "EINV-CP-PELIGROSO",
                f"{path}.CveMaterialPeligroso",
                "CveMaterialPeligroso sólo se registra con MaterialPeligroso «Sí».",
                "CveMaterialPeligroso is only for MaterialPeligroso «Sí».",
            )
        self.documentacion(m, path)
        for j, ct in enumerate(m.cantidad_transporta):
            for value, name in ((ct.id_origen, "IDOrigen"), (ct.id_destino, "IDDestino")):
                if value not in ids:
                    self.add(
                        "EINV-CP-CANTIDADTRANSPORTA",
                        f"{path}.CantidadTransporta[{j}].{name}",
                        f"{name} «{value}» no es el IDUbicacion de ninguna ubicación.",
                        f"{name} «{value}» is not the IDUbicacion of any location.",
                    )

    def documentacion(self, m: Mercancia, path: str) -> None:
        cp = self.cp
        if cp.transp_internac == "Sí" and not m.documentacion_aduanera:
            self.add(
                "EINV-CP-DOCADUANERA",
                f"{path}.DocumentacionAduanera",
                "En transporte internacional cada mercancía lleva su DocumentacionAduanera "
                "(pedimento u otro documento aduanero).",
                "In international transport every good carries its DocumentacionAduanera "
                "(pedimento or another customs document).",
                "error" if cp.entrada_salida_merc == "Entrada" else "warning",
            )
        for j, doc in enumerate(m.documentacion_aduanera):
            where = f"{path}.DocumentacionAduanera[{j}]"
            if doc.tipo_documento == DOCUMENTO_PEDIMENTO:
                if doc.num_pedimento is None or doc.ident_doc_aduanero is not None:
                    self.add(
                        "EINV-CP-DOCADUANERA",
                        f"{where}.NumPedimento",
                        "Con TipoDocumento «01» (pedimento) registre NumPedimento y no "
                        "IdentDocAduanero.",
                        "With TipoDocumento «01» (pedimento) enter NumPedimento, not "
                        "IdentDocAduanero.",
                    )
                if cp.entrada_salida_merc == "Entrada" and doc.rfc_impo is None:
                    self.add(
                        "EINV-CP-DOCADUANERA",
                        f"{where}.RFCImpo",
                        "Con un pedimento de importación registre el RFC del importador (RFCImpo).",
                        "With an import pedimento enter the importer's RFC (RFCImpo).",
                    )
            elif doc.ident_doc_aduanero is None or doc.num_pedimento is not None:
                self.add(
                    "EINV-CP-DOCADUANERA",
                    f"{where}.IdentDocAduanero",
                    "Con un documento aduanero distinto del pedimento registre IdentDocAduanero "
                    "y no NumPedimento.",
                    "With a customs document other than a pedimento enter IdentDocAduanero, not "
                    "NumPedimento.",
                )

    def autotransporte(self, m: Mercancias) -> None:
        auto = m.autotransporte
        assert auto is not None
        path = f"{ROOT}.Mercancias.Autotransporte"
        vehicle = auto.identificacion_vehicular
        if vehicle is not None:
            config = catalogs.row("c_ConfigAutotransporte", vehicle.config_vehicular or "")
            if config is not None and config.get("remolque") == "1" and not auto.remolques:
                self.add(
                    "EINV-CP-REMOLQUE",
                    f"{path}.Remolques",
                    f"La configuración vehicular {vehicle.config_vehicular} lleva remolque o "
                    "semirremolque: registre Remolques (SubTipoRem y Placa).",
                    f"Vehicle configuration {vehicle.config_vehicular} pulls a trailer or "
                    "semi-trailer: enter Remolques (SubTipoRem and Placa).",
                )
            if config is not None and config.get("remolque") == "0" and auto.remolques:
                self.add(
                    "EINV-CP-REMOLQUE",
                    f"{path}.Remolques",
                    f"La configuración vehicular {vehicle.config_vehicular} no lleva remolque; "
                    "elimine Remolques o corrija ConfigVehicular.",
                    f"Vehicle configuration {vehicle.config_vehicular} pulls no trailer; remove "
                    "Remolques or correct ConfigVehicular.",
                )
            self.anio(vehicle.anio_modelo_vm, f"{path}.IdentificacionVehicular.AnioModeloVM")
        dangerous = any(x.material_peligroso == "Sí" for x in m.mercancias)
        seguros = auto.seguros
        if (
            dangerous
            and seguros is not None
            and not (seguros.asegura_med_ambiente and seguros.poliza_med_ambiente)
        ):
            self.add(
                "EINV-CP-SEGUROS",
                f"{path}.Seguros.AseguraMedAmbiente",
                "Con material peligroso registre la aseguradora y la póliza de daños al medio "
                "ambiente (AseguraMedAmbiente, PolizaMedAmbiente).",
                "With hazardous material enter the environmental damage insurer and policy "
                "(AseguraMedAmbiente, PolizaMedAmbiente).",
            )

    def anio(self, anio: Optional[int], path: str) -> None:
        if anio is None or self.now is None or anio <= self.now.year + 1:
            return
        self.add(
            "EINV-CP-ANIO",
            path,
            f"AnioModeloVM {anio} es posterior al año modelo siguiente al actual.",
            f"AnioModeloVM {anio} is later than next year's model year.",
        )

    # --- FiguraTransporte -------------------------------------------------------------------

    def figuras(self) -> None:
        figuras = self.cp.figura_transporte
        if self.road and not any(f.tipo_figura == OPERADOR for f in figuras):
            self.add(
                "EINV-CP-FIGURA",
                f"{ROOT}.FiguraTransporte",
                "En autotransporte registre al operador del vehículo (TiposFigura con "
                "TipoFigura «01»).",
                "In road transport enter the vehicle's driver (TiposFigura with TipoFigura «01»).",
            )
        for i, f in enumerate(figuras):
            self.figura(f, f"{ROOT}.FiguraTransporte.TiposFigura[{i}]")

    def figura(self, f: TiposFigura, path: str) -> None:
        foreign = f.residencia_fiscal_figura is not None and f.residencia_fiscal_figura != "MEX"
        if foreign and f.num_reg_id_trib_figura is None:
            self.add(
                "EINV-CP-FIGURA",
                f"{path}.NumRegIdTribFigura",
                "Una figura residente en el extranjero lleva NumRegIdTribFigura.",
                "A figure resident abroad carries NumRegIdTribFigura.",
            )
        if not foreign and f.rfc_figura is None:
            self.add(
                "EINV-CP-FIGURA",
                f"{path}.RFCFigura",
                "Registre el RFC de la figura de transporte (RFCFigura); si reside en el "
                "extranjero registre ResidenciaFiscalFigura y NumRegIdTribFigura.",
                "Enter the transport figure's RFC (RFCFigura); for a foreign resident enter "
                "ResidenciaFiscalFigura and NumRegIdTribFigura.",
            )
        if f.tipo_figura == OPERADOR and f.num_licencia is None:
            self.add(
                "EINV-CP-OPERADOR",
                f"{path}.NumLicencia",
                "El operador (TipoFigura «01») lleva el número de su licencia federal de "
                "conducir (NumLicencia).",
                "The driver (TipoFigura «01») carries their federal driving licence number "
                "(NumLicencia).",
            )
        if f.tipo_figura in FIGURAS_CON_PARTES and not f.partes_transporte:
            self.add(
                "EINV-CP-PARTES",
                f"{path}.PartesTransporte",
                f"Una figura tipo {f.tipo_figura} (propietario, arrendador o notificado) indica "
                "las PartesTransporte que le corresponden.",
                f"A type {f.tipo_figura} figure (owner, lessor or notified party) lists its "
                "PartesTransporte.",
            )
        if f.domicilio is not None:
            self.domicilio(f.domicilio, f"{path}.Domicilio")
