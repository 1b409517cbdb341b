"""CFDI 4.0 document model: plain dataclasses, one per Anexo 20 node.

Field order is the XSD order, which is also the order of the cadena original.
Each field carries the Anexo 20 name in its metadata (``xml``): attributes are
scalars (``str``, ``Decimal``, ``datetime``), child nodes are dataclasses or lists.
Money and quantities are ``Decimal`` and keep the text SAT saw (``Decimal``
preserves trailing zeros), so parse -> serialize round-trips byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

# Comercio Exterior and Carta Porte: their dataclasses import nothing of the engine.
from .complements.carta_porte import CartaPorte
from .complements.comercio_exterior import ComercioExterior

NS_CFDI = "http://www.sat.gob.mx/cfd/4"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"
NS_PAGO20 = "http://www.sat.gob.mx/Pagos20"
NS_IMPLOCAL = "http://www.sat.gob.mx/implocal"

SCHEMA_LOCATIONS = {
    NS_CFDI: "http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd",
    NS_PAGO20: "http://www.sat.gob.mx/sitio_internet/cfd/Pagos/Pagos20.xsd",
    NS_IMPLOCAL: "http://www.sat.gob.mx/sitio_internet/cfd/implocal/implocal.xsd",
    NS_TFD: "http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd",
}


def attr(name: str, default: Any = None) -> Any:
    """An XML attribute field; ``name`` is its Anexo 20 spelling."""
    return field(default=default, metadata={"xml": name})


def node(name: str, factory: Any = None) -> Any:
    """A child node field (one dataclass, or a list of them)."""
    if factory is None:
        return field(default=None, metadata={"xml": name, "node": True})
    return field(default_factory=factory, metadata={"xml": name, "node": True})


# --- Concepto level -------------------------------------------------------


@dataclass
class Traslado:
    """A transferred tax (Concepto or summary level)."""

    base: Optional[Decimal] = attr("Base")
    impuesto: str = attr("Impuesto", "002")  # c_Impuesto: 001 ISR, 002 IVA, 003 IEPS
    tipo_factor: str = attr("TipoFactor", "Tasa")  # Tasa, Cuota, Exento
    tasa_o_cuota: Optional[Decimal] = attr("TasaOCuota")
    importe: Optional[Decimal] = attr("Importe")


@dataclass
class Retencion:
    """A withheld tax. At summary level only Impuesto and Importe are used."""

    base: Optional[Decimal] = attr("Base")
    impuesto: str = attr("Impuesto", "002")
    tipo_factor: Optional[str] = attr("TipoFactor", "Tasa")
    tasa_o_cuota: Optional[Decimal] = attr("TasaOCuota")
    importe: Optional[Decimal] = attr("Importe")


@dataclass
class ConceptoImpuestos:
    traslados: list[Traslado] = node("Traslados", list)
    retenciones: list[Retencion] = node("Retenciones", list)


@dataclass
class ACuentaTerceros:
    rfc: str = attr("RfcACuentaTerceros", "")
    nombre: str = attr("NombreACuentaTerceros", "")
    regimen_fiscal: str = attr("RegimenFiscalACuentaTerceros", "")
    domicilio_fiscal: str = attr("DomicilioFiscalACuentaTerceros", "")


@dataclass
class InformacionAduanera:
    numero_pedimento: str = attr("NumeroPedimento", "")


@dataclass
class CuentaPredial:
    numero: str = attr("Numero", "")


@dataclass
class Concepto:
    clave_prod_serv: str = attr("ClaveProdServ", "")
    no_identificacion: Optional[str] = attr("NoIdentificacion")
    cantidad: Decimal = attr("Cantidad", Decimal("1"))
    clave_unidad: str = attr("ClaveUnidad", "")
    unidad: Optional[str] = attr("Unidad")
    descripcion: str = attr("Descripcion", "")
    valor_unitario: Decimal = attr("ValorUnitario", Decimal("0"))
    importe: Optional[Decimal] = attr("Importe")
    descuento: Optional[Decimal] = attr("Descuento")
    objeto_imp: str = attr("ObjetoImp", "02")  # c_ObjetoImp
    impuestos: Optional[ConceptoImpuestos] = node("Impuestos")
    a_cuenta_terceros: Optional[ACuentaTerceros] = node("ACuentaTerceros")
    informacion_aduanera: list[InformacionAduanera] = node("InformacionAduanera", list)
    cuenta_predial: list[CuentaPredial] = node("CuentaPredial", list)


# --- Comprobante level ----------------------------------------------------


@dataclass
class InformacionGlobal:
    periodicidad: str = attr("Periodicidad", "04")  # c_Periodicidad
    meses: str = attr("Meses", "01")  # c_Meses
    anio: int = attr("Año", 2000)


@dataclass
class CfdiRelacionados:
    tipo_relacion: str = attr("TipoRelacion", "01")  # c_TipoRelacion
    uuids: list[str] = node("CfdiRelacionado", list)  # each -> <CfdiRelacionado UUID=.../>


@dataclass
class Emisor:
    rfc: str = attr("Rfc", "")
    nombre: str = attr("Nombre", "")
    regimen_fiscal: str = attr("RegimenFiscal", "")
    fac_atr_adquirente: Optional[str] = attr("FacAtrAdquirente")


@dataclass
class Receptor:
    rfc: str = attr("Rfc", "")
    nombre: str = attr("Nombre", "")
    domicilio_fiscal: str = attr("DomicilioFiscalReceptor", "")
    residencia_fiscal: Optional[str] = attr("ResidenciaFiscal")
    num_reg_id_trib: Optional[str] = attr("NumRegIdTrib")
    regimen_fiscal: str = attr("RegimenFiscalReceptor", "")
    uso_cfdi: str = attr("UsoCFDI", "G03")


@dataclass
class Impuestos:
    """Summary taxes of the Comprobante, grouped by impuesto/tipo factor/tasa."""

    total_retenidos: Optional[Decimal] = attr("TotalImpuestosRetenidos")
    total_trasladados: Optional[Decimal] = attr("TotalImpuestosTrasladados")
    retenciones: list[Retencion] = node("Retenciones", list)
    traslados: list[Traslado] = node("Traslados", list)


# --- Pagos 2.0 ------------------------------------------------------------


@dataclass
class TrasladoDR:
    base: Decimal = attr("BaseDR", Decimal("0"))
    impuesto: str = attr("ImpuestoDR", "002")
    tipo_factor: str = attr("TipoFactorDR", "Tasa")
    tasa_o_cuota: Optional[Decimal] = attr("TasaOCuotaDR")
    importe: Optional[Decimal] = attr("ImporteDR")


@dataclass
class RetencionDR:
    base: Decimal = attr("BaseDR", Decimal("0"))
    impuesto: str = attr("ImpuestoDR", "002")
    tipo_factor: str = attr("TipoFactorDR", "Tasa")
    tasa_o_cuota: Decimal = attr("TasaOCuotaDR", Decimal("0"))
    importe: Decimal = attr("ImporteDR", Decimal("0"))


@dataclass
class ImpuestosDR:
    retenciones: list[RetencionDR] = node("RetencionesDR", list)
    traslados: list[TrasladoDR] = node("TrasladosDR", list)


@dataclass
class DoctoRelacionado:
    id_documento: str = attr("IdDocumento", "")
    serie: Optional[str] = attr("Serie")
    folio: Optional[str] = attr("Folio")
    moneda: str = attr("MonedaDR", "MXN")
    equivalencia: Optional[Decimal] = attr("EquivalenciaDR")
    num_parcialidad: int = attr("NumParcialidad", 1)
    imp_saldo_ant: Decimal = attr("ImpSaldoAnt", Decimal("0"))
    imp_pagado: Decimal = attr("ImpPagado", Decimal("0"))
    imp_saldo_insoluto: Decimal = attr("ImpSaldoInsoluto", Decimal("0"))
    objeto_imp: str = attr("ObjetoImpDR", "02")
    impuestos: Optional[ImpuestosDR] = node("ImpuestosDR")


@dataclass
class RetencionP:
    impuesto: str = attr("ImpuestoP", "002")
    importe: Decimal = attr("ImporteP", Decimal("0"))


@dataclass
class TrasladoP:
    base: Decimal = attr("BaseP", Decimal("0"))
    impuesto: str = attr("ImpuestoP", "002")
    tipo_factor: str = attr("TipoFactorP", "Tasa")
    tasa_o_cuota: Optional[Decimal] = attr("TasaOCuotaP")
    importe: Optional[Decimal] = attr("ImporteP")


@dataclass
class ImpuestosP:
    retenciones: list[RetencionP] = node("RetencionesP", list)
    traslados: list[TrasladoP] = node("TrasladosP", list)


@dataclass
class Pago:
    fecha_pago: datetime = attr("FechaPago", datetime(2000, 1, 1))
    forma_de_pago: str = attr("FormaDePagoP", "03")
    moneda: str = attr("MonedaP", "MXN")
    tipo_cambio: Optional[Decimal] = attr("TipoCambioP")
    monto: Decimal = attr("Monto", Decimal("0"))
    num_operacion: Optional[str] = attr("NumOperacion")
    rfc_emisor_cta_ord: Optional[str] = attr("RfcEmisorCtaOrd")
    nom_banco_ord_ext: Optional[str] = attr("NomBancoOrdExt")
    cta_ordenante: Optional[str] = attr("CtaOrdenante")
    rfc_emisor_cta_ben: Optional[str] = attr("RfcEmisorCtaBen")
    cta_beneficiario: Optional[str] = attr("CtaBeneficiario")
    tipo_cad_pago: Optional[str] = attr("TipoCadPago")
    cert_pago: Optional[str] = attr("CertPago")
    cad_pago: Optional[str] = attr("CadPago")
    sello_pago: Optional[str] = attr("SelloPago")
    doctos: list[DoctoRelacionado] = node("DoctoRelacionado", list)
    impuestos: Optional[ImpuestosP] = node("ImpuestosP")


@dataclass
class TotalesPagos:
    retenciones_iva: Optional[Decimal] = attr("TotalRetencionesIVA")
    retenciones_isr: Optional[Decimal] = attr("TotalRetencionesISR")
    retenciones_ieps: Optional[Decimal] = attr("TotalRetencionesIEPS")
    traslados_base_iva16: Optional[Decimal] = attr("TotalTrasladosBaseIVA16")
    traslados_impuesto_iva16: Optional[Decimal] = attr("TotalTrasladosImpuestoIVA16")
    traslados_base_iva8: Optional[Decimal] = attr("TotalTrasladosBaseIVA8")
    traslados_impuesto_iva8: Optional[Decimal] = attr("TotalTrasladosImpuestoIVA8")
    traslados_base_iva0: Optional[Decimal] = attr("TotalTrasladosBaseIVA0")
    traslados_impuesto_iva0: Optional[Decimal] = attr("TotalTrasladosImpuestoIVA0")
    traslados_base_iva_exento: Optional[Decimal] = attr("TotalTrasladosBaseIVAExento")
    monto_total_pagos: Decimal = attr("MontoTotalPagos", Decimal("0"))


@dataclass
class Pagos:
    """Complemento para recepción de pagos 2.0 (namespace pago20)."""

    version: str = attr("Version", "2.0")
    totales: TotalesPagos = node("Totales", TotalesPagos)
    pagos: list[Pago] = node("Pago", list)


# --- Impuestos locales (implocal 1.0) -------------------------------------


@dataclass
class RetencionLocal:
    nombre: str = attr("ImpLocRetenido", "")
    tasa: Decimal = attr("TasadeRetencion", Decimal("0"))
    importe: Decimal = attr("Importe", Decimal("0"))


@dataclass
class TrasladoLocal:
    nombre: str = attr("ImpLocTrasladado", "")
    tasa: Decimal = attr("TasadeTraslado", Decimal("0"))
    importe: Decimal = attr("Importe", Decimal("0"))


@dataclass
class ImpuestosLocales:
    version: str = attr("version", "1.0")
    total_retenciones: Decimal = attr("TotaldeRetenciones", Decimal("0"))
    total_traslados: Decimal = attr("TotaldeTraslados", Decimal("0"))
    retenciones: list[RetencionLocal] = node("RetencionesLocales", list)
    traslados: list[TrasladoLocal] = node("TrasladosLocales", list)


# --- TimbreFiscalDigital 1.1 ---------------------------------------------


@dataclass
class TimbreFiscalDigital:
    version: str = attr("Version", "1.1")
    uuid: str = attr("UUID", "")
    fecha_timbrado: datetime = attr("FechaTimbrado", datetime(2000, 1, 1))
    rfc_prov_certif: str = attr("RfcProvCertif", "")
    leyenda: Optional[str] = attr("Leyenda")
    sello_cfd: str = attr("SelloCFD", "")
    no_certificado_sat: str = attr("NoCertificadoSAT", "")
    sello_sat: str = attr("SelloSAT", "")


@dataclass
class Complemento:
    """Complements this engine knows; ``others`` keeps unknown ones as raw XML.

    Comercio Exterior 2.0 and Carta Porte 3.1 live in ``cfdi.complements``.
    """

    pagos: Optional[Pagos] = None
    impuestos_locales: Optional[ImpuestosLocales] = None
    comercio_exterior: Optional[ComercioExterior] = None
    carta_porte: Optional[CartaPorte] = None
    timbre: Optional[TimbreFiscalDigital] = None
    others: list[bytes] = field(default_factory=list)


# --- Comprobante ----------------------------------------------------------


@dataclass
class Comprobante:
    version: str = attr("Version", "4.0")
    serie: Optional[str] = attr("Serie")
    folio: Optional[str] = attr("Folio")
    fecha: Optional[datetime] = attr("Fecha")
    sello: Optional[str] = attr("Sello")
    forma_pago: Optional[str] = attr("FormaPago")
    no_certificado: Optional[str] = attr("NoCertificado")
    certificado: Optional[str] = attr("Certificado")
    condiciones_de_pago: Optional[str] = attr("CondicionesDePago")
    subtotal: Optional[Decimal] = attr("SubTotal")
    descuento: Optional[Decimal] = attr("Descuento")
    moneda: str = attr("Moneda", "MXN")
    tipo_cambio: Optional[Decimal] = attr("TipoCambio")
    total: Optional[Decimal] = attr("Total")
    tipo_de_comprobante: str = attr("TipoDeComprobante", "I")  # I, E, P (T, N unused)
    exportacion: str = attr("Exportacion", "01")
    metodo_pago: Optional[str] = attr("MetodoPago")
    lugar_expedicion: str = attr("LugarExpedicion", "")
    confirmacion: Optional[str] = attr("Confirmacion")
    informacion_global: Optional[InformacionGlobal] = node("InformacionGlobal")
    cfdi_relacionados: list[CfdiRelacionados] = node("CfdiRelacionados", list)
    emisor: Emisor = node("Emisor", Emisor)
    receptor: Receptor = node("Receptor", Receptor)
    conceptos: list[Concepto] = node("Conceptos", list)
    impuestos: Optional[Impuestos] = node("Impuestos")
    complemento: Complemento = field(default_factory=Complemento)
