"""Complemento Carta Porte 3.1 (namespace cartaporte31): model and amounts.

One dataclass per node of SAT's CartaPorte31.xsd, fields in XSD order with the
facets of their XSD types (``nodes``); every transport mode is modelled so a
received Carta Porte reads whole, while the rules and the Odoo side concentrate on
road transport (Autotransporte). The amounts SAT's rules tie together:

- ``TotalDistRec`` = the sum of DistanciaRecorrida of the Destino locations;
- ``PesoBrutoTotal`` = the sum of PesoEnKg of the Mercancia nodes (UnidadPeso KGM,
  or that sum in tonnes with UnidadPeso Tu);
- ``NumTotalMercancias`` = the number of Mercancia nodes;
- ``IdCCP`` = "CCC" followed by the last 33 characters of a version 4 UUID.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from .fields import (
    FECHA,
    FECHA_H,
    PLACA,
    RFC,
    amount,
    attr,
    child,
    children,
    choice,
    code,
    measure,
    text,
)

NAMESPACE = "http://www.sat.gob.mx/CartaPorte31"
SCHEMA_LOCATION = "http://www.sat.gob.mx/sitio_internet/cfd/CartaPorte/CartaPorte31.xsd"
ID_CCP = r"[C]{3}[a-f0-9A-F]{5}-[a-f0-9A-F]{4}-[a-f0-9A-F]{4}-[a-f0-9A-F]{4}-[a-f0-9A-F]{12}"
SI_NO = ("Sí", "No")
ANIO = r"(19[0-9]{2}|20[0-9]{2})"
PEDIMENTO = r"[0-9]{2}  [0-9]{2}  [0-9]{4}  [0-9]{7}"
UUID = r"[a-f0-9A-F]{8}-[a-f0-9A-F]{4}-[a-f0-9A-F]{4}-[a-f0-9A-F]{4}-[a-f0-9A-F]{12}"
KILOMETRES = (Decimal("0.01"), Decimal("99999"))  # any number of decimals
KILOGRAM = "KGM"
TONNE = "Tu"


def _rfc(name: str, *, required: bool = False) -> Any:
    return attr(name, required=required, length=(12, 13), pattern=RFC)


# --- RegimenesAduaneros, Ubicaciones --------------------------------------------------


@dataclass
class RegimenAduaneroCCP:
    regimen_aduanero: Optional[str] = code("RegimenAduanero", "c_RegimenAduanero", required=True)


@dataclass
class Domicilio:
    calle: Optional[str] = text("Calle", 1, 100)
    numero_exterior: Optional[str] = text("NumeroExterior", 1, 55)
    numero_interior: Optional[str] = text("NumeroInterior", 1, 55)
    colonia: Optional[str] = text("Colonia", 1, 120)
    localidad: Optional[str] = text("Localidad", 1, 120)
    referencia: Optional[str] = text("Referencia", 1, 250)
    municipio: Optional[str] = text("Municipio", 1, 120)
    estado: Optional[str] = text("Estado", 1, 30, required=True)
    pais: Optional[str] = code("Pais", "c_Pais", required=True)
    codigo_postal: Optional[str] = attr("CodigoPostal", required=True, length=(1, 12))


@dataclass
class Ubicacion:
    tipo_ubicacion: Optional[str] = choice("TipoUbicacion", ("Origen", "Destino"), required=True)
    id_ubicacion: Optional[str] = attr("IDUbicacion", pattern=r"(OR|DE)[0-9]{6}")
    rfc_remitente_destinatario: Optional[str] = _rfc("RFCRemitenteDestinatario", required=True)
    nombre_remitente_destinatario: Optional[str] = text("NombreRemitenteDestinatario", 1, 254)
    num_reg_id_trib: Optional[str] = text("NumRegIdTrib", 6, 40)
    residencia_fiscal: Optional[str] = code("ResidenciaFiscal", "c_Pais")
    num_estacion: Optional[str] = code("NumEstacion", "c_Estaciones")
    nombre_estacion: Optional[str] = text("NombreEstacion", 1, 50)
    navegacion_trafico: Optional[str] = choice("NavegacionTrafico", ("Altura", "Cabotaje"))
    fecha_hora_salida_llegada: Optional[datetime] = attr(
        "FechaHoraSalidaLlegada", required=True, pattern=FECHA_H
    )
    tipo_estacion: Optional[str] = code("TipoEstacion", "c_TipoEstacion")
    distancia_recorrida: Optional[Decimal] = attr(
        "DistanciaRecorrida", minimum=KILOMETRES[0], maximum=KILOMETRES[1]
    )
    domicilio: Optional[Domicilio] = child("Domicilio")


# --- Mercancias -------------------------------------------------------------------------


@dataclass
class DocumentacionAduanera:
    tipo_documento: Optional[str] = code("TipoDocumento", "c_DocumentoAduanero", required=True)
    num_pedimento: Optional[str] = attr(
        "NumPedimento", length=(0, 21), pattern=PEDIMENTO, collapse=False
    )
    ident_doc_aduanero: Optional[str] = text("IdentDocAduanero", 1, 150)
    rfc_impo: Optional[str] = _rfc("RFCImpo")


@dataclass
class GuiasIdentificacion:
    numero_guia_identificacion: Optional[str] = text(
        "NumeroGuiaIdentificacion", 10, 30, required=True
    )
    descrip_guia_identificacion: Optional[str] = text(
        "DescripGuiaIdentificacion", 1, 1000, required=True
    )
    peso_guia_identificacion: Optional[Decimal] = measure(
        "PesoGuiaIdentificacion", 3, required=True, minimum="0.001"
    )


@dataclass
class CantidadTransporta:
    cantidad: Optional[Decimal] = measure("Cantidad", 6, required=True, minimum="0.000001")
    id_origen: Optional[str] = attr("IDOrigen", required=True, pattern=r"OR[0-9]{6}")
    id_destino: Optional[str] = attr("IDDestino", required=True, pattern=r"DE[0-9]{6}")
    cves_transporte: Optional[str] = code("CvesTransporte", "c_CveTransporte")


@dataclass
class DetalleMercancia:
    unidad_peso_merc: Optional[str] = code("UnidadPesoMerc", "c_ClaveUnidadPeso", required=True)
    peso_bruto: Optional[Decimal] = measure("PesoBruto", 3, required=True, minimum="0.001")
    peso_neto: Optional[Decimal] = measure("PesoNeto", 3, required=True, minimum="0.001")
    peso_tara: Optional[Decimal] = measure("PesoTara", 3, required=True, minimum="0.001")
    num_piezas: Optional[int] = attr("NumPiezas", minimum=Decimal("1"))


@dataclass
class Mercancia:
    bienes_transp: Optional[str] = code("BienesTransp", "c_ClaveProdServCP", required=True)
    clave_stcc: Optional[str] = attr("ClaveSTCC", length=(6, 7), pattern=r"[0-9|]{6,7}")
    descripcion: Optional[str] = text("Descripcion", 1, 1000, required=True)
    cantidad: Optional[Decimal] = measure("Cantidad", 6, required=True, minimum="0.000001")
    clave_unidad: Optional[str] = code("ClaveUnidad", "c_ClaveUnidad", required=True)
    unidad: Optional[str] = text("Unidad", 1, 20)
    dimensiones: Optional[str] = attr(
        "Dimensiones", pattern=r"([0-9]{1,3}[/]){2}([0-9]{1,3})(cm|plg)", collapse=False
    )
    material_peligroso: Optional[str] = choice("MaterialPeligroso", SI_NO)
    cve_material_peligroso: Optional[str] = code("CveMaterialPeligroso", "c_MaterialPeligroso")
    embalaje: Optional[str] = code("Embalaje", "c_TipoEmbalaje")
    descrip_embalaje: Optional[str] = text("DescripEmbalaje", 1, 100)
    sector_cofepris: Optional[str] = code("SectorCOFEPRIS", "c_SectorCOFEPRIS")
    nombre_ingrediente_activo: Optional[str] = text("NombreIngredienteActivo", 1, 1000)
    nom_quimico: Optional[str] = text("NomQuimico", 1, 150)
    denominacion_generica_prod: Optional[str] = text("DenominacionGenericaProd", 1, 50)
    denominacion_distintiva_prod: Optional[str] = text("DenominacionDistintivaProd", 1, 50)
    fabricante: Optional[str] = text("Fabricante", 1, 240)
    fecha_caducidad: Optional[str] = attr("FechaCaducidad", pattern=FECHA)
    lote_medicamento: Optional[str] = text("LoteMedicamento", 1, 10)
    forma_farmaceutica: Optional[str] = code("FormaFarmaceutica", "c_FormaFarmaceutica")
    condiciones_esp_transp: Optional[str] = code("CondicionesEspTransp", "c_CondicionesEspeciales")
    registro_sanitario_folio_autorizacion: Optional[str] = text(
        "RegistroSanitarioFolioAutorizacion", 1, 15
    )
    permiso_importacion: Optional[str] = text("PermisoImportacion", 1, 6)
    folio_impo_vucem: Optional[str] = text("FolioImpoVUCEM", 1, 25)
    num_cas: Optional[str] = text("NumCAS", 1, 15)
    razon_social_emp_imp: Optional[str] = text("RazonSocialEmpImp", 1, 80)
    num_reg_san_plag_cofepris: Optional[str] = text("NumRegSanPlagCOFEPRIS", 1, 60)
    datos_fabricante: Optional[str] = text("DatosFabricante", 1, 600)
    datos_formulador: Optional[str] = text("DatosFormulador", 1, 600)
    datos_maquilador: Optional[str] = text("DatosMaquilador", 1, 600)
    uso_autorizado: Optional[str] = text("UsoAutorizado", 1, 1000)
    peso_en_kg: Optional[Decimal] = measure("PesoEnKg", 3, required=True, minimum="0.001")
    valor_mercancia: Optional[Decimal] = amount("ValorMercancia", 18, 6)
    moneda: Optional[str] = code("Moneda", "c_Moneda")
    fraccion_arancelaria: Optional[str] = code("FraccionArancelaria", "c_FraccionArancelaria")
    uuid_comercio_ext: Optional[str] = attr("UUIDComercioExt", pattern=UUID, collapse=False)
    tipo_materia: Optional[str] = code("TipoMateria", "c_TipoMateria")
    descripcion_materia: Optional[str] = text("DescripcionMateria", 1, 50)
    documentacion_aduanera: list[DocumentacionAduanera] = children("DocumentacionAduanera")
    guias_identificacion: list[GuiasIdentificacion] = children("GuiasIdentificacion")
    cantidad_transporta: list[CantidadTransporta] = children("CantidadTransporta")
    detalle_mercancia: Optional[DetalleMercancia] = child("DetalleMercancia")


# --- Autotransporte ----------------------------------------------------------------------


@dataclass
class IdentificacionVehicular:
    config_vehicular: Optional[str] = code(
        "ConfigVehicular", "c_ConfigAutotransporte", required=True
    )
    peso_bruto_vehicular: Optional[Decimal] = measure(
        "PesoBrutoVehicular", 2, required=True, minimum="0.01"
    )
    placa_vm: Optional[str] = attr("PlacaVM", required=True, pattern=PLACA)
    anio_modelo_vm: Optional[int] = attr("AnioModeloVM", required=True, pattern=ANIO)


@dataclass
class Seguros:
    asegura_resp_civil: Optional[str] = text("AseguraRespCivil", 3, 50, required=True)
    poliza_resp_civil: Optional[str] = text("PolizaRespCivil", 3, 30, required=True)
    asegura_med_ambiente: Optional[str] = text("AseguraMedAmbiente", 3, 50)
    poliza_med_ambiente: Optional[str] = text("PolizaMedAmbiente", 3, 30)
    asegura_carga: Optional[str] = text("AseguraCarga", 3, 50)
    poliza_carga: Optional[str] = text("PolizaCarga", 3, 30)
    prima_seguro: Optional[Decimal] = amount("PrimaSeguro", 18, 6)


@dataclass
class Remolque:
    sub_tipo_rem: Optional[str] = code("SubTipoRem", "c_SubTipoRem", required=True)
    placa: Optional[str] = attr("Placa", required=True, pattern=PLACA)


@dataclass
class Autotransporte:
    perm_sct: Optional[str] = code("PermSCT", "c_TipoPermiso", required=True)
    num_permiso_sct: Optional[str] = text("NumPermisoSCT", 1, 50, required=True)
    identificacion_vehicular: Optional[IdentificacionVehicular] = child(
        "IdentificacionVehicular", required=True
    )
    seguros: Optional[Seguros] = child("Seguros", required=True)
    remolques: list[Remolque] = children("Remolques", item="Remolque", min_occurs=1, max_occurs=2)


# --- other transport modes (read and written whole; rules cover the XSD) ----------------


@dataclass
class RemolqueCCP:
    sub_tipo_rem_ccp: Optional[str] = code("SubTipoRemCCP", "c_SubTipoRem", required=True)
    placa_ccp: Optional[str] = attr("PlacaCCP", required=True, pattern=PLACA)


@dataclass
class ContenedorMaritimo:
    tipo_contenedor: Optional[str] = code("TipoContenedor", "c_ContenedorMaritimo", required=True)
    matricula_contenedor: Optional[str] = text("MatriculaContenedor", 11, 15)
    num_precinto: Optional[str] = text("NumPrecinto", 5, 20)
    id_ccp_relacionado: Optional[str] = attr("IdCCPRelacionado", length=(36, 36), pattern=ID_CCP)
    placa_vm_ccp: Optional[str] = attr("PlacaVMCCP", pattern=PLACA)
    fecha_certificacion_ccp: Optional[datetime] = attr("FechaCertificacionCCP", pattern=FECHA_H)
    remolques_ccp: list[RemolqueCCP] = children(
        "RemolquesCCP", item="RemolqueCCP", min_occurs=1, max_occurs=2
    )


@dataclass
class TransporteMaritimo:
    perm_sct: Optional[str] = code("PermSCT", "c_TipoPermiso")
    num_permiso_sct: Optional[str] = text("NumPermisoSCT", 1, 30)
    nombre_aseg: Optional[str] = text("NombreAseg", 3, 50)
    num_poliza_seguro: Optional[str] = text("NumPolizaSeguro", 3, 30)
    tipo_embarcacion: Optional[str] = code("TipoEmbarcacion", "c_ConfigMaritima", required=True)
    matricula: Optional[str] = text("Matricula", 7, 30, required=True)
    numero_omi: Optional[str] = attr("NumeroOMI", required=True, pattern=r"IMO[0-9]{7}")
    anio_embarcacion: Optional[int] = attr("AnioEmbarcacion", pattern=ANIO)
    nombre_embarc: Optional[str] = attr(
        "NombreEmbarc", length=(1, 50), pattern=r"[^|]{1,50}", collapse=False
    )
    nacionalidad_embarc: Optional[str] = code("NacionalidadEmbarc", "c_Pais", required=True)
    unidades_de_arq_bruto: Optional[Decimal] = measure(
        "UnidadesDeArqBruto", 3, required=True, minimum="0.001"
    )
    tipo_carga: Optional[str] = code("TipoCarga", "c_ClaveTipoCarga", required=True)
    eslora: Optional[Decimal] = measure("Eslora", 2, minimum="0.01")
    manga: Optional[Decimal] = measure("Manga", 2, minimum="0.01")
    calado: Optional[Decimal] = measure("Calado", 2, minimum="0.01")
    puntal: Optional[Decimal] = measure("Puntal", 2, minimum="0.01")
    linea_naviera: Optional[str] = text("LineaNaviera", 3, 50)
    nombre_agente_naviero: Optional[str] = text("NombreAgenteNaviero", 1, 100, required=True)
    num_autorizacion_naviero: Optional[str] = code(
        "NumAutorizacionNaviero", "c_NumAutorizacionNaviero", required=True
    )
    num_viaje: Optional[str] = text("NumViaje", 1, 30)
    num_conoc_embarc: Optional[str] = text("NumConocEmbarc", 1, 30)
    permiso_temp_navegacion: Optional[str] = text("PermisoTempNavegacion", 1, 19)
    contenedores: list[ContenedorMaritimo] = children("Contenedor")


@dataclass
class TransporteAereo:
    perm_sct: Optional[str] = code("PermSCT", "c_TipoPermiso", required=True)
    num_permiso_sct: Optional[str] = text("NumPermisoSCT", 1, 50, required=True)
    matricula_aeronave: Optional[str] = attr(
        "MatriculaAeronave", length=(5, 11), pattern=r"([A-Z]|[0-9]|-){5,11}"
    )
    nombre_aseg: Optional[str] = text("NombreAseg", 3, 50)
    num_poliza_seguro: Optional[str] = text("NumPolizaSeguro", 3, 30)
    numero_guia: Optional[str] = text("NumeroGuia", 12, 15, required=True)
    lugar_contrato: Optional[str] = text("LugarContrato", 1, 120)
    codigo_transportista: Optional[str] = code(
        "CodigoTransportista", "c_CodigoTransporteAereo", required=True
    )
    rfc_embarcador: Optional[str] = _rfc("RFCEmbarcador")
    num_reg_id_trib_embarc: Optional[str] = text("NumRegIdTribEmbarc", 6, 40)
    residencia_fiscal_embarc: Optional[str] = code("ResidenciaFiscalEmbarc", "c_Pais")
    nombre_embarcador: Optional[str] = text("NombreEmbarcador", 1, 254)


@dataclass
class DerechosDePaso:
    tipo_derecho_de_paso: Optional[str] = code(
        "TipoDerechoDePaso", "c_DerechosDePaso", required=True
    )
    kilometraje_pagado: Optional[Decimal] = measure(
        "KilometrajePagado", 2, required=True, minimum="0.01"
    )


@dataclass
class ContenedorFerroviario:
    tipo_contenedor: Optional[str] = code("TipoContenedor", "c_Contenedor", required=True)
    peso_contenedor_vacio: Optional[Decimal] = measure(
        "PesoContenedorVacio", 3, required=True, minimum="0.001"
    )
    peso_neto_mercancia: Optional[Decimal] = measure(
        "PesoNetoMercancia", 3, required=True, minimum="0.001"
    )


@dataclass
class Carro:
    tipo_carro: Optional[str] = code("TipoCarro", "c_TipoCarro", required=True)
    matricula_carro: Optional[str] = text("MatriculaCarro", 6, 15, required=True)
    guia_carro: Optional[str] = text("GuiaCarro", 1, 15, required=True)
    toneladas_netas_carro: Optional[Decimal] = measure(
        "ToneladasNetasCarro", 3, required=True, minimum="0.001"
    )
    contenedores: list[ContenedorFerroviario] = children("Contenedor")


@dataclass
class TransporteFerroviario:
    tipo_de_servicio: Optional[str] = code("TipoDeServicio", "c_TipoDeServicio", required=True)
    tipo_de_trafico: Optional[str] = code("TipoDeTrafico", "c_TipoDeTrafico", required=True)
    nombre_aseg: Optional[str] = text("NombreAseg", 3, 50)
    num_poliza_seguro: Optional[str] = text("NumPolizaSeguro", 3, 30)
    derechos_de_paso: list[DerechosDePaso] = children("DerechosDePaso")
    carros: list[Carro] = children("Carro", min_occurs=1)


@dataclass
class Mercancias:
    peso_bruto_total: Optional[Decimal] = measure(
        "PesoBrutoTotal", 3, required=True, minimum="0.001"
    )
    unidad_peso: Optional[str] = code("UnidadPeso", "c_ClaveUnidadPeso", required=True)
    peso_neto_total: Optional[Decimal] = measure("PesoNetoTotal", 3, minimum="0.001")
    num_total_mercancias: Optional[int] = attr(
        "NumTotalMercancias", required=True, minimum=Decimal("1")
    )
    cargo_por_tasacion: Optional[Decimal] = amount("CargoPorTasacion", 18, 6)
    logistica_inversa: Optional[str] = attr(
        "LogisticaInversaRecoleccionDevolucion", enum=("Sí",), collapse=False
    )
    mercancias: list[Mercancia] = children("Mercancia", min_occurs=1)
    autotransporte: Optional[Autotransporte] = child("Autotransporte")
    transporte_maritimo: Optional[TransporteMaritimo] = child("TransporteMaritimo")
    transporte_aereo: Optional[TransporteAereo] = child("TransporteAereo")
    transporte_ferroviario: Optional[TransporteFerroviario] = child("TransporteFerroviario")


# --- FiguraTransporte ---------------------------------------------------------------------


@dataclass
class PartesTransporte:
    parte_transporte: Optional[str] = code("ParteTransporte", "c_ParteTransporte", required=True)


@dataclass
class TiposFigura:
    tipo_figura: Optional[str] = code("TipoFigura", "c_FiguraTransporte", required=True)
    rfc_figura: Optional[str] = _rfc("RFCFigura")
    num_licencia: Optional[str] = text("NumLicencia", 6, 16)
    nombre_figura: Optional[str] = text("NombreFigura", 1, 254, required=True)
    num_reg_id_trib_figura: Optional[str] = text("NumRegIdTribFigura", 6, 40)
    residencia_fiscal_figura: Optional[str] = code("ResidenciaFiscalFigura", "c_Pais")
    partes_transporte: list[PartesTransporte] = children("PartesTransporte")
    domicilio: Optional[Domicilio] = child("Domicilio")


@dataclass
class CartaPorte:
    version: Optional[str] = choice("Version", ("3.1",), required=True)
    id_ccp: Optional[str] = attr("IdCCP", required=True, length=(36, 36), pattern=ID_CCP)
    transp_internac: Optional[str] = choice("TranspInternac", SI_NO, required=True)
    entrada_salida_merc: Optional[str] = choice("EntradaSalidaMerc", ("Entrada", "Salida"))
    pais_origen_destino: Optional[str] = code("PaisOrigenDestino", "c_Pais")
    via_entrada_salida: Optional[str] = code("ViaEntradaSalida", "c_CveTransporte")
    total_dist_rec: Optional[Decimal] = attr(
        "TotalDistRec", minimum=KILOMETRES[0], maximum=KILOMETRES[1]
    )
    registro_istmo: Optional[str] = attr("RegistroISTMO", enum=("Sí",), collapse=False)
    ubicacion_polo_origen: Optional[str] = code("UbicacionPoloOrigen", "c_RegistroISTMO")
    ubicacion_polo_destino: Optional[str] = code("UbicacionPoloDestino", "c_RegistroISTMO")
    regimenes_aduaneros: list[RegimenAduaneroCCP] = children(
        "RegimenesAduaneros", item="RegimenAduaneroCCP", min_occurs=1, max_occurs=10
    )
    ubicaciones: list[Ubicacion] = children(
        "Ubicaciones", item="Ubicacion", min_occurs=2, required=True
    )
    mercancias: Optional[Mercancias] = child("Mercancias", required=True)
    figura_transporte: list[TiposFigura] = children(
        "FiguraTransporte", item="TiposFigura", min_occurs=1
    )


# --- amounts ------------------------------------------------------------------------------


def new_id_ccp() -> str:
    """A fresh IdCCP: "CCC" and the last 33 characters of a random (version 4) UUID."""
    return "CCC" + str(uuid.uuid4())[3:]


def destinos(cp: CartaPorte) -> list[Ubicacion]:
    return [u for u in cp.ubicaciones if u.tipo_ubicacion == "Destino"]


def expected_total_dist_rec(cp: CartaPorte) -> Optional[Decimal]:
    distances = [u.distancia_recorrida for u in destinos(cp) if u.distancia_recorrida is not None]
    return sum(distances, Decimal("0")) if distances else None


def expected_peso_bruto_total(mercancias: Mercancias) -> Optional[Decimal]:
    """Sum of PesoEnKg in UnidadPeso (kilograms, or tonnes); None for other units."""
    total = sum((m.peso_en_kg or Decimal("0") for m in mercancias.mercancias), Decimal("0"))
    if mercancias.unidad_peso == KILOGRAM:
        return total.quantize(Decimal("0.001"), ROUND_HALF_UP)
    if mercancias.unidad_peso == TONNE:
        return (total / 1000).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return None


def fill(cp: CartaPorte) -> None:
    """Fill Version, IdCCP, TotalDistRec, PesoBrutoTotal and NumTotalMercancias when left out."""
    if cp.version is None:
        cp.version = "3.1"
    if cp.id_ccp is None:
        cp.id_ccp = new_id_ccp()
    if cp.total_dist_rec is None:
        cp.total_dist_rec = expected_total_dist_rec(cp)
    m = cp.mercancias
    if m is None:
        return
    if m.unidad_peso is None:
        m.unidad_peso = KILOGRAM
    if m.peso_bruto_total is None:
        m.peso_bruto_total = expected_peso_bruto_total(m)
    if m.num_total_mercancias is None:
        m.num_total_mercancias = len(m.mercancias)
