"""The complements' structure check agrees with SAT's XSD (the oracle), case by case.

Each case breaks one facet of one node of a valid document. SAT's XSD (cfdv40 + the
complement's schema and catalogs, from satcfdi) must refuse the bytes, and
``rules.check`` must report ``EINV-XSD`` at that node, so the sandbox PAC refuses
what a real PAC refuses and says where. The valid documents carry no such finding
(``test_complements``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from lxml import etree

from cfdi import rules, seal
from cfdi.complements import carta_porte as cp
from cfdi.complements.registry import XSD_CODE
from cfdi.testing.complement_documents import export_invoice, national_transfer

CE = "Complemento.ComercioExterior"
CP = "Complemento.CartaPorte"
MERC = f"{CE}.Mercancias.Mercancia[0]"
UB = f"{CP}.Ubicaciones.Ubicacion"
AUTO = f"{CP}.Mercancias.Autotransporte"


def _ce(c):
    return c.complemento.comercio_exterior


def _cp(c):
    return c.complemento.carta_porte


def _set(getter: Callable[[Any], Any], **values: Any) -> Callable[[Any], None]:
    def mutate(c: Any) -> None:
        target = getter(c)
        for name, value in values.items():
            setattr(target, name, value)

    return mutate


CASES = {
    # Comercio Exterior 2.0
    "TotalUSD 7 decimals": (export_invoice, _set(_ce, total_usd=D("12.1234567")), f"{CE}.TotalUSD"),
    "CertificadoOrigen 2": (
        export_invoice,
        _set(_ce, certificado_origen=2),
        f"{CE}.CertificadoOrigen",
    ),
    "ClaveDePedimento B1": (
        export_invoice,
        _set(_ce, clave_de_pedimento="B1"),
        f"{CE}.ClaveDePedimento",
    ),
    "Incoterm unknown": (export_invoice, _set(_ce, incoterm="XYZ"), f"{CE}.Incoterm"),
    "Observaciones with pipe": (
        export_invoice,
        _set(_ce, observaciones="a|b"),
        f"{CE}.Observaciones",
    ),
    "NumCertificadoOrigen short": (
        export_invoice,
        _set(_ce, certificado_origen=1, num_certificado_origen="12345"),
        f"{CE}.NumCertificadoOrigen",
    ),
    "Version 1.1": (export_invoice, _set(_ce, version="1.1"), f"{CE}.Version"),
    "FraccionArancelaria unknown": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], fraccion_arancelaria="12345678"),
        f"{MERC}.FraccionArancelaria",
    ),
    "UnidadAduana unknown": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], unidad_aduana="77"),
        f"{MERC}.UnidadAduana",
    ),
    "CantidadAduana zero": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], cantidad_aduana=D("0")),
        f"{MERC}.CantidadAduana",
    ),
    "ValorDolares missing": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], valor_dolares=None),
        f"{MERC}.ValorDolares",
    ),
    "Marca missing": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0].descripciones[0], marca=None),
        f"{MERC}.DescripcionesEspecificas[0].Marca",
    ),
    "Curp malformed": (
        export_invoice,
        _set(lambda c: _ce(c).emisor, curp="ABCD800101"),
        f"{CE}.Emisor.Curp",
    ),
    "Emisor without Domicilio": (
        export_invoice,
        _set(lambda c: _ce(c).emisor, domicilio=None),
        f"{CE}.Emisor.Domicilio",
    ),
    "Emisor Estado unknown": (
        export_invoice,
        _set(lambda c: _ce(c).emisor.domicilio, estado="ZZZ"),
        f"{CE}.Emisor.Domicilio.Estado",
    ),
    "Emisor Municipio unknown": (
        export_invoice,
        _set(lambda c: _ce(c).emisor.domicilio, municipio="9999"),
        f"{CE}.Emisor.Domicilio.Municipio",
    ),
    "Receptor CodigoPostal long": (
        export_invoice,
        _set(lambda c: _ce(c).receptor.domicilio, codigo_postal="1234567890123"),
        f"{CE}.Receptor.Domicilio.CodigoPostal",
    ),
    "Destinatario without Domicilio": (
        export_invoice,
        _set(lambda c: _ce(c).destinatarios[0], domicilios=[]),
        f"{CE}.Destinatario[0].Domicilio",
    ),
    "no Mercancia": (export_invoice, _set(_ce, mercancias=[]), f"{CE}.Mercancias"),
    # Carta Porte 3.1
    "IdCCP malformed": (national_transfer, _set(_cp, id_ccp="CCD" + "0" * 33), f"{CP}.IdCCP"),
    "TranspInternac without accent": (
        national_transfer,
        _set(_cp, transp_internac="Si"),
        f"{CP}.TranspInternac",
    ),
    "one Ubicacion": (
        national_transfer,
        lambda c: setattr(_cp(c), "ubicaciones", _cp(c).ubicaciones[:1]),
        f"{CP}.Ubicaciones",
    ),
    "IDUbicacion malformed": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[0], id_ubicacion="XX000001"),
        f"{UB}[0].IDUbicacion",
    ),
    "RFCRemitenteDestinatario malformed": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1], rfc_remitente_destinatario="ABC"),
        f"{UB}[1].RFCRemitenteDestinatario",
    ),
    "FechaHoraSalidaLlegada before 2010": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[0], fecha_hora_salida_llegada=datetime(2009, 1, 1)),
        f"{UB}[0].FechaHoraSalidaLlegada",
    ),
    "DistanciaRecorrida too long": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1], distancia_recorrida=D("100000")),
        f"{UB}[1].DistanciaRecorrida",
    ),
    "DistanciaRecorrida zero": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1], distancia_recorrida=D("0.001")),
        f"{UB}[1].DistanciaRecorrida",
    ),
    "Domicilio without Estado": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1].domicilio, estado=None),
        f"{UB}[1].Domicilio.Estado",
    ),
    "PesoEnKg zero": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[0], peso_en_kg=D("0")),
        f"{CP}.Mercancias.Mercancia[0].PesoEnKg",
    ),
    "Cantidad 7 decimals": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[0], cantidad=D("1.1234567")),
        f"{CP}.Mercancias.Mercancia[0].Cantidad",
    ),
    "BienesTransp unknown": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[0], bienes_transp="99999999"),
        f"{CP}.Mercancias.Mercancia[0].BienesTransp",
    ),
    "MaterialPeligroso without accent": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[1], material_peligroso="Si"),
        f"{CP}.Mercancias.Mercancia[1].MaterialPeligroso",
    ),
    "CveMaterialPeligroso unknown": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[1], cve_material_peligroso="XXXX"),
        f"{CP}.Mercancias.Mercancia[1].CveMaterialPeligroso",
    ),
    "Dimensiones in mm": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[0], dimensiones="10/20/30mm"),
        f"{CP}.Mercancias.Mercancia[0].Dimensiones",
    ),
    "NumPedimento single spaces": (
        national_transfer,
        lambda c: (
            _cp(c)
            .mercancias.mercancias[0]
            .documentacion_aduanera.append(
                cp.DocumentacionAduanera(tipo_documento="01", num_pedimento="26 24 3807 6000123")
            )
        ),
        f"{CP}.Mercancias.Mercancia[0].DocumentacionAduanera[0].NumPedimento",
    ),
    "NumTotalMercancias zero": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias, num_total_mercancias=0),
        f"{CP}.Mercancias.NumTotalMercancias",
    ),
    "no Mercancia in Carta Porte": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias, mercancias=[]),
        f"{CP}.Mercancias.Mercancia",
    ),
    "ConfigVehicular unknown": (
        national_transfer,
        _set(
            lambda c: _cp(c).mercancias.autotransporte.identificacion_vehicular,
            config_vehicular="XX",
        ),
        f"{AUTO}.IdentificacionVehicular.ConfigVehicular",
    ),
    "PlacaVM with a space": (
        national_transfer,
        _set(
            lambda c: _cp(c).mercancias.autotransporte.identificacion_vehicular, placa_vm="AB 123"
        ),
        f"{AUTO}.IdentificacionVehicular.PlacaVM",
    ),
    "AnioModeloVM 1899": (
        national_transfer,
        _set(
            lambda c: _cp(c).mercancias.autotransporte.identificacion_vehicular, anio_modelo_vm=1899
        ),
        f"{AUTO}.IdentificacionVehicular.AnioModeloVM",
    ),
    "no Seguros": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.autotransporte, seguros=None),
        f"{AUTO}.Seguros",
    ),
    "three Remolques": (
        national_transfer,
        lambda c: _cp(c).mercancias.autotransporte.remolques.extend(
            [cp.Remolque("CTR002", "11AA22"), cp.Remolque("CTR002", "11AA23")]
        ),
        f"{AUTO}.Remolques",
    ),
    "NumLicencia short": (
        national_transfer,
        _set(lambda c: _cp(c).figura_transporte[0], num_licencia="12345"),
        f"{CP}.FiguraTransporte.TiposFigura[0].NumLicencia",
    ),
    "TipoFigura unknown": (
        national_transfer,
        _set(lambda c: _cp(c).figura_transporte[0], tipo_figura="09"),
        f"{CP}.FiguraTransporte.TiposFigura[0].TipoFigura",
    ),
    "RegimenAduanero unknown": (
        national_transfer,
        _set(_cp, regimenes_aduaneros=[cp.RegimenAduaneroCCP("XXX")]),
        f"{CP}.RegimenesAduaneros.RegimenAduaneroCCP[0].RegimenAduanero",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_sat_xsd_and_the_structure_check_refuse_the_same(case, credential, sat_schema):
    builder, mutate, path = CASES[case]
    c = builder()
    mutate(c)
    data = seal.seal_bytes(c, credential, c.fecha)
    assert not sat_schema.validate(etree.fromstring(data)), "SAT's XSD accepted the case"
    found = [f for f in rules.check(c) if f.code == XSD_CODE]
    assert path in {f.path for f in found}, [f.one_line() for f in found]


VALID_VARIANTS = {
    "NumPedimento with its two spaces": lambda c: (
        _cp(c)
        .mercancias.mercancias[0]
        .documentacion_aduanera.append(
            cp.DocumentacionAduanera(tipo_documento="01", num_pedimento="26  24  3807  6000123")
        )
    ),
    "decimal with trailing zeros": _set(
        lambda c: _cp(c).ubicaciones[1], distancia_recorrida=D("912.50")
    ),
    "PlacaVM of 7 characters": _set(
        lambda c: _cp(c).mercancias.autotransporte.identificacion_vehicular, placa_vm="ABC1234"
    ),
    "Dimensiones in inches": _set(
        lambda c: _cp(c).mercancias.mercancias[0], dimensiones="40/48/50plg"
    ),
}


@pytest.mark.parametrize("case", sorted(VALID_VARIANTS))
def test_valid_variants_pass_both(case, credential, sat_schema):
    c = national_transfer()
    VALID_VARIANTS[case](c)
    data = seal.seal_bytes(c, credential, c.fecha)
    assert sat_schema.validate(etree.fromstring(data)), str(sat_schema.error_log)
    assert [f.one_line() for f in rules.check(c) if f.code == XSD_CODE] == []


def test_placa_with_a_dash_is_refused_as_the_xsd_spec_reads_sat_pattern(credential, sat_schema):
    """SAT's PlacaVM pattern [^(?!.*\\s)-]{5,7} excludes "-" (XSD 1.0 reads a final "-" in a
    character group as the character itself; SAT's guide: plates without dashes or spaces).
    libxml2 lets the dash through, so here the engine is the stricter of the two."""
    c = national_transfer()
    c.complemento.carta_porte.mercancias.autotransporte.identificacion_vehicular.placa_vm = "AB-123"
    data = seal.seal_bytes(c, credential, c.fecha)
    assert sat_schema.validate(etree.fromstring(data))  # libxml2's leniency
    assert f"{AUTO}.IdentificacionVehicular.PlacaVM" in {
        f.path for f in rules.check(c) if f.code == XSD_CODE
    }


def test_a_received_complement_keeps_the_text_sat_saw(credential, sat_cadena):
    """A decimal written "+0912.50" (valid XSD) reads back with that text in the cadena."""
    from cfdi import cadena
    from cfdi import xml as cfdi_xml

    c = national_transfer()
    data = seal.seal_bytes(c, credential, c.fecha)
    odd = data.replace(b'DistanciaRecorrida="912.5"', b'DistanciaRecorrida="+0912.50"')
    odd = odd.replace(b'TotalDistRec="912.5"', b'TotalDistRec=" 912.5 "')
    assert odd != data
    parsed = cfdi_xml.from_bytes(odd)
    assert parsed.complemento.carta_porte.ubicaciones[1].distancia_recorrida == D("912.5")
    assert cadena.cadena_original(parsed) == sat_cadena(odd)
    assert cfdi_xml.to_bytes(parsed) == odd


def test_unknown_attribute_or_node_is_refused_when_read(credential):
    from cfdi import xml as cfdi_xml

    c = export_invoice()
    data = seal.seal_bytes(c, credential, c.fecha)
    with pytest.raises(cfdi_xml.XmlError) as excinfo:
        cfdi_xml.from_bytes(data.replace(b'Incoterm="FCA"', b'Incoterm="FCA" Extra="1"'))
    assert excinfo.value.code == "XML-UNSUPPORTED"
    with pytest.raises(cfdi_xml.XmlError):
        cfdi_xml.from_bytes(data.replace(b"<cce20:Mercancias>", b"<cce20:Mercancias><cce20:Otro/>"))
