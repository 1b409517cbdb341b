"""Complemento para Comercio Exterior 2.0 (namespace cce20): model and amounts.

One dataclass per node of SAT's ComercioExterior20.xsd, fields in XSD order with
the facets of their XSD types (``nodes``). The amounts SAT's rules tie together:

- ``ValorDolares`` of a Mercancia = CantidadAduana x ValorUnitarioAduana, rounded to
  2 decimals (0 when UnidadAduana is 99, 1 when FraccionArancelaria is 98010001);
- ``TotalUSD`` = the sum of ValorDolares, rounded to 2 decimals;
- a Mercancia belongs to the Conceptos with its NoIdentificacion: their Importe,
  in dollars (x TipoCambio of the CFDI / TipoCambioUSD), is what it is worth;
- ``TipoCambioUSD`` equals the CFDI's TipoCambio when the CFDI is in USD.

``fill`` computes what was left out; ``rules_comercio_exterior`` checks the rest.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Optional

from .fields import NO_PIPE, amount, attr, child, children, choice, code, text

if TYPE_CHECKING:
    from ..document import Comprobante, Concepto

NAMESPACE = "http://www.sat.gob.mx/ComercioExterior20"
SCHEMA_LOCATION = (
    "http://www.sat.gob.mx/sitio_internet/cfd/ComercioExterior20/ComercioExterior20.xsd"
)
CURP = (
    r"[A-Z][AEIOUX][A-Z]{2}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[MHX]"
    r"([ABCMTZ]S|[BCJMOT]C|[CNPST]L|[GNQ]T|[GQS]R|C[MH]|[MY]N|[DH]G|NE|VZ|DF|SP)"
    r"[BCDFGHJ-NP-TV-Z]{3}[0-9A-Z][0-9]"
)
UNIDAD_SIN_VALOR = "99"  # c_UnidadAduana 99: ValorDolares 0
FRACCION_VALOR_UNO = "98010001"  # c_FraccionArancelaria 98010001: ValorDolares 1
CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass
class DomicilioNacional:
    """Emisor/Domicilio: a Mexican address with SAT's catalog keys."""

    calle: Optional[str] = text("Calle", 1, 100, required=True)
    numero_exterior: Optional[str] = text("NumeroExterior", 1, 55)
    numero_interior: Optional[str] = text("NumeroInterior", 1, 55)
    colonia: Optional[str] = code("Colonia", "c_Colonia")
    localidad: Optional[str] = code("Localidad", "c_Localidad")
    referencia: Optional[str] = text("Referencia", 1, 250)
    municipio: Optional[str] = code("Municipio", "c_Municipio")
    estado: Optional[str] = code("Estado", "c_Estado", required=True)
    pais: Optional[str] = code("Pais", "c_Pais", required=True)
    codigo_postal: Optional[str] = code("CodigoPostal", "c_CodigoPostal", required=True)


@dataclass
class Domicilio:
    """Receptor/Destinatario address: free text, catalog keys where the country has them."""

    calle: Optional[str] = text("Calle", 1, 100, required=True)
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
class Emisor:
    curp: Optional[str] = attr("Curp", length=(18, 18), pattern=CURP)
    domicilio: Optional[DomicilioNacional] = child("Domicilio", required=True)


@dataclass
class Propietario:
    num_reg_id_trib: Optional[str] = attr("NumRegIdTrib", required=True, length=(6, 40))
    residencia_fiscal: Optional[str] = code("ResidenciaFiscal", "c_Pais", required=True)


@dataclass
class Receptor:
    num_reg_id_trib: Optional[str] = attr("NumRegIdTrib", length=(6, 40))
    domicilio: Optional[Domicilio] = child("Domicilio")


@dataclass
class Destinatario:
    num_reg_id_trib: Optional[str] = attr("NumRegIdTrib", length=(6, 40))
    nombre: Optional[str] = text("Nombre", 1, 300)
    domicilios: list[Domicilio] = children("Domicilio", min_occurs=1)


@dataclass
class DescripcionesEspecificas:
    marca: Optional[str] = text("Marca", 1, 35, required=True)
    modelo: Optional[str] = text("Modelo", 1, 80)
    sub_modelo: Optional[str] = text("SubModelo", 1, 50)
    numero_serie: Optional[str] = text("NumeroSerie", 1, 40)


@dataclass
class Mercancia:
    no_identificacion: Optional[str] = text("NoIdentificacion", 1, 100, required=True)
    fraccion_arancelaria: Optional[str] = code("FraccionArancelaria", "c_FraccionArancelaria")
    cantidad_aduana: Optional[Decimal] = amount("CantidadAduana", 14, 3, minimum="0.001")
    unidad_aduana: Optional[str] = code("UnidadAduana", "c_UnidadAduana")
    valor_unitario_aduana: Optional[Decimal] = amount("ValorUnitarioAduana", 16, 6)
    valor_dolares: Optional[Decimal] = amount("ValorDolares", 16, 4, required=True)
    descripciones: list[DescripcionesEspecificas] = children("DescripcionesEspecificas")


@dataclass
class ComercioExterior:
    version: Optional[str] = choice("Version", ("2.0",), required=True)
    motivo_traslado: Optional[str] = code("MotivoTraslado", "c_MotivoTraslado")
    clave_de_pedimento: Optional[str] = code("ClaveDePedimento", "c_ClavePedimento", required=True)
    certificado_origen: Optional[int] = choice("CertificadoOrigen", ("0", "1"), required=True)
    num_certificado_origen: Optional[str] = text("NumCertificadoOrigen", 6, 40, pattern=NO_PIPE)
    numero_exportador_confiable: Optional[str] = text("NumeroExportadorConfiable", 1, 50)
    incoterm: Optional[str] = code("Incoterm", "c_INCOTERM")
    observaciones: Optional[str] = text("Observaciones", 1, 300)
    tipo_cambio_usd: Optional[Decimal] = amount("TipoCambioUSD", 18, 6, required=True)
    total_usd: Optional[Decimal] = amount("TotalUSD", 18, 6, required=True)
    emisor: Optional[Emisor] = child("Emisor")
    propietarios: list[Propietario] = children("Propietario")
    receptor: Optional[Receptor] = child("Receptor")
    destinatarios: list[Destinatario] = children("Destinatario")
    mercancias: list[Mercancia] = children(
        "Mercancias", item="Mercancia", min_occurs=1, required=True
    )


# --- amounts ----------------------------------------------------------------------


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def expected_valor_dolares(m: Mercancia) -> Optional[Decimal]:
    """ValorDolares SAT expects from the Mercancia alone; None when it depends on Conceptos."""
    if m.unidad_aduana == UNIDAD_SIN_VALOR:
        return ZERO
    if m.fraccion_arancelaria == FRACCION_VALOR_UNO:
        return Decimal("1")
    if m.cantidad_aduana is None or m.valor_unitario_aduana is None:
        return None
    return cents(m.cantidad_aduana * m.valor_unitario_aduana)


def expected_total_usd(cce: ComercioExterior) -> Decimal:
    return cents(sum((m.valor_dolares or ZERO for m in cce.mercancias), ZERO))


def pesos_per_unit(c: "Comprobante") -> Decimal:
    """Pesos per unit of the CFDI's currency (1 for MXN)."""
    return Decimal("1") if c.moneda == "MXN" else (c.tipo_cambio or Decimal("1"))


def conceptos_of(c: "Comprobante", no_identificacion: Optional[str]) -> list["Concepto"]:
    return [k for k in c.conceptos if k.no_identificacion == no_identificacion]


def to_usd(c: "Comprobante", cce: ComercioExterior, value: Decimal) -> Decimal:
    """``value`` in the CFDI's currency, in US dollars (unrounded)."""
    return value * pesos_per_unit(c) / (cce.tipo_cambio_usd or Decimal("1"))


def fill(c: "Comprobante", cce: ComercioExterior) -> None:
    """Fill TipoCambioUSD (CFDI in USD), ValorUnitarioAduana, ValorDolares and TotalUSD.

    A Mercancia alone under its NoIdentificacion takes its value from the Importe of
    those Conceptos, in dollars; with CantidadAduana its ValorUnitarioAduana is that
    value per customs unit (6 decimals) and ValorDolares their product in cents.
    """
    if cce.version is None:
        cce.version = "2.0"
    if cce.tipo_cambio_usd is None and c.moneda == "USD":
        cce.tipo_cambio_usd = c.tipo_cambio
    for m in cce.mercancias:
        _fill_mercancia(c, cce, m)
    if cce.total_usd is None and all(m.valor_dolares is not None for m in cce.mercancias):
        cce.total_usd = expected_total_usd(cce)


def _fill_mercancia(c: "Comprobante", cce: ComercioExterior, m: Mercancia) -> None:
    if m.valor_dolares is not None or cce.tipo_cambio_usd is None:
        return
    alone = sum(1 for other in cce.mercancias if other.no_identificacion == m.no_identificacion)
    conceptos = conceptos_of(c, m.no_identificacion)
    if (
        m.valor_unitario_aduana is None
        and m.cantidad_aduana
        and alone == 1
        and conceptos
        and all(k.importe is not None for k in conceptos)
    ):
        usd = to_usd(c, cce, sum((k.importe or ZERO for k in conceptos), ZERO))
        m.valor_unitario_aduana = (usd / m.cantidad_aduana).quantize(
            Decimal("0.000001"), ROUND_HALF_UP
        )
    expected = expected_valor_dolares(m)
    if expected is None and m.cantidad_aduana is None and alone == 1 and conceptos:
        if all(k.importe is not None for k in conceptos):
            expected = cents(to_usd(c, cce, sum((k.importe or ZERO for k in conceptos), ZERO)))
    m.valor_dolares = expected
