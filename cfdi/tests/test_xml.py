"""xml.py: serialization, parsing, round trips, escaping and hostile input."""

from __future__ import annotations

import dataclasses
import http.server
import threading
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cfdi import cadena, xml
from cfdi import document as d
from cfdi.testing import FIXTURES

NS = {"cfdi": d.NS_CFDI, "pago20": d.NS_PAGO20, "implocal": d.NS_IMPLOCAL, "tfd": d.NS_TFD}
SAMPLES = FIXTURES / "samples"
LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def _minimal(**kw) -> d.Comprobante:
    values = dict(
        fecha=datetime(2026, 1, 2, 3, 4, 5),
        subtotal=Decimal("1.00"),
        total=Decimal("1.00"),
        lugar_expedicion="01000",
        metodo_pago="PUE",
        forma_pago="01",
        emisor=d.Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        receptor=d.Receptor(
            "XAXX010101000", "PUBLICO EN GENERAL", "01000", regimen_fiscal="616", uso_cfdi="S01"
        ),
        conceptos=[
            d.Concepto(
                "01010101",
                None,
                Decimal("1"),
                "H87",
                None,
                "Bien",
                Decimal("1.00"),
                Decimal("1.00"),
                None,
                "01",
            )
        ],
    )
    values.update(kw)
    return d.Comprobante(**values)


# --- samples -----------------------------------------------------------------


def test_sample_round_trip_keeps_data_and_cadena(sample_path, sat_cadena, assert_sat_valid):
    original = sample_path.read_bytes()
    parsed = xml.from_bytes(original)
    again = xml.to_bytes(parsed)
    assert xml.from_bytes(again) == parsed
    assert sat_cadena(again) == sat_cadena(original)
    assert_sat_valid(again)


def test_sample_values_are_typed():
    c = xml.from_bytes((SAMPLES / "P_pagos20_sealed_unstamped.xml").read_bytes())
    assert c.fecha == datetime(2023, 6, 13, 14, 15, 16)
    docto = c.complemento.pagos.pagos[0].doctos[0]
    assert docto.num_parcialidad == 2 and isinstance(docto.num_parcialidad, int)
    assert c.complemento.pagos.pagos[0].impuestos.traslados[0].base == Decimal("12931.040000")
    assert str(c.complemento.pagos.pagos[0].impuestos.traslados[0].base) == "12931.040000"
    stamped = xml.from_bytes((SAMPLES / "I_PUE_stamped_testpac.xml").read_bytes())
    assert stamped.complemento.timbre.uuid == "6F35D3B5-3651-5370-BC2C-14CDBE384CD7"
    assert stamped.complemento.timbre.fecha_timbrado == datetime(2025, 2, 19, 8, 37, 30)
    assert stamped.conceptos[0].descripcion == "Portable tetris gamepad pro++ \u23fb"


# --- built documents -----------------------------------------------------------


def test_built_document_is_valid_and_round_trips(built_document, assert_sat_valid):
    _, c = built_document
    data = xml.to_bytes(c)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<cfdi:Comprobante ')
    # Seal attributes are required by the XSD; test_seal validates really sealed ones.
    assert_sat_valid(
        xml.to_bytes(
            dataclasses.replace(
                c, no_certificado="30001000000500003416", certificado="AAAA", sello="AAAA"
            )
        )
    )
    assert xml.from_bytes(data) == c
    assert xml.to_bytes(xml.from_bytes(data)) == data


def test_writer_output_is_what_lxml_writes(built_document):
    """The direct writer produces exactly lxml's serialization of the same document."""
    _, c = built_document
    data = xml.to_bytes(c)
    header, body = data.split(b"\n", 1)
    assert header == b'<?xml version="1.0" encoding="UTF-8"?>'
    assert etree.tostring(etree.fromstring(data), encoding="UTF-8", xml_declaration=False) == body
    assert etree.tostring(xml.to_tree(c), encoding="UTF-8", xml_declaration=False) == body


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_text_round_trips_or_is_refused(text):
    c = _minimal()
    c.conceptos[0].descripcion = text
    c.emisor.nombre = text
    try:
        data = xml.to_bytes(c)
    except xml.XmlError:
        assert any(
            ch in text
            for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
            "\x1e\x1f\ufffe\uffff"
        )
        return
    parsed = xml.from_bytes(data)
    assert parsed.conceptos[0].descripcion == (text or None)
    assert (
        etree.tostring(etree.fromstring(data), encoding="UTF-8", xml_declaration=False)
        == data.split(b"\n", 1)[1]
    )


def test_informacion_global_year_is_int(built_document):
    name, c = built_document
    parsed = xml.from_bytes(xml.to_bytes(c))
    if c.informacion_global is not None:
        assert parsed.informacion_global.anio == 2026
        assert type(parsed.informacion_global.anio) is int


def test_namespaces_and_schema_location_follow_complements():
    plain = etree.fromstring(xml.to_bytes(_minimal()))
    assert plain.nsmap == {"cfdi": d.NS_CFDI, "xsi": d.NS_XSI}
    assert plain.get(LOCATION) == f"{d.NS_CFDI} {d.SCHEMA_LOCATIONS[d.NS_CFDI]}"
    assert plain.find("cfdi:Complemento", NS) is None

    full = _minimal(
        complemento=d.Complemento(
            pagos=d.Pagos(pagos=[d.Pago()]),
            impuestos_locales=d.ImpuestosLocales(),
            timbre=d.TimbreFiscalDigital(uuid="X"),
        )
    )
    root = etree.fromstring(xml.to_bytes(full))
    assert set(root.nsmap) == {"cfdi", "xsi", "pago20", "implocal", "tfd"}
    words = root.get(LOCATION).split()
    assert words == [
        d.NS_CFDI,
        d.SCHEMA_LOCATIONS[d.NS_CFDI],
        d.NS_PAGO20,
        d.SCHEMA_LOCATIONS[d.NS_PAGO20],
        d.NS_IMPLOCAL,
        d.SCHEMA_LOCATIONS[d.NS_IMPLOCAL],
        d.NS_TFD,
        d.SCHEMA_LOCATIONS[d.NS_TFD],
    ]
    names = [etree.QName(e).localname for e in root.find("cfdi:Complemento", NS)]
    assert names == ["Pagos", "ImpuestosLocales", "TimbreFiscalDigital"]

    only_implocal = etree.fromstring(
        xml.to_bytes(_minimal(complemento=d.Complemento(impuestos_locales=d.ImpuestosLocales())))
    )
    assert set(only_implocal.nsmap) == {"cfdi", "xsi", "implocal"}
    assert d.NS_PAGO20 not in only_implocal.get(LOCATION)


def test_special_shapes():
    c = _minimal(cfdi_relacionados=[d.CfdiRelacionados("01", ["U-1", "U-2"])])
    c.conceptos[0].impuestos = d.ConceptoImpuestos()  # empty: not written
    c.impuestos = d.Impuestos()  # empty: not written
    root = etree.fromstring(xml.to_bytes(c))
    rel = root.find("cfdi:CfdiRelacionados", NS)
    assert rel.get("TipoRelacion") == "01"
    assert [e.get("UUID") for e in rel.findall("cfdi:CfdiRelacionado", NS)] == ["U-1", "U-2"]
    assert root.find("cfdi:Conceptos/cfdi:Concepto/cfdi:Impuestos", NS) is None
    assert root.find("cfdi:Impuestos", NS) is None
    assert [etree.QName(e).localname for e in root] == [
        "CfdiRelacionados",
        "Emisor",
        "Receptor",
        "Conceptos",
    ]


def test_summary_retencion_carries_only_impuesto_and_importe():
    c = _minimal(
        impuestos=d.Impuestos(
            total_retenidos=Decimal("1.00"),
            retenciones=[
                d.Retencion(
                    base=Decimal("10"),
                    impuesto="001",
                    tipo_factor="Tasa",
                    tasa_o_cuota=Decimal("0.100000"),
                    importe=Decimal("1.00"),
                )
            ],
        )
    )
    root = etree.fromstring(xml.to_bytes(c))
    summary = root.find("cfdi:Impuestos/cfdi:Retenciones/cfdi:Retencion", NS)
    assert dict(summary.attrib) == {"Impuesto": "001", "Importe": "1.00"}
    parsed = xml.from_bytes(xml.to_bytes(c)).impuestos.retenciones[0]
    assert parsed == d.Retencion(
        base=None, impuesto="001", tipo_factor=None, tasa_o_cuota=None, importe=Decimal("1.00")
    )


def test_optional_none_and_empty_are_omitted():
    c = _minimal(serie=None, folio="", condiciones_de_pago="", confirmacion=None)
    c.conceptos[0].unidad = ""
    root = etree.fromstring(xml.to_bytes(c))
    for name in (
        "Serie",
        "Folio",
        "CondicionesDePago",
        "Confirmacion",
        "Sello",
        "NoCertificado",
        "Certificado",
        "Descuento",
        "TipoCambio",
    ):
        assert name not in root.attrib
    assert "Unidad" not in root.find("cfdi:Conceptos/cfdi:Concepto", NS).attrib
    assert list(root.attrib)[:3] == [LOCATION, "Version", "Fecha"]


def test_values_are_formatted():
    c = _minimal(
        subtotal=Decimal("1E+3"),
        tipo_cambio=Decimal("0.1E-5"),
        total=Decimal("1000.50"),
        fecha=datetime(2026, 3, 4, 5, 6, 7, 891011),
    )
    root = etree.fromstring(xml.to_bytes(c))
    assert root.get("SubTotal") == "1000"
    assert root.get("TipoCambio") == "0.000001"
    assert root.get("Total") == "1000.50"
    assert root.get("Fecha") == "2026-03-04T05:06:07"


def test_escaping_and_utf8():
    text = "A & B < C > D \"quoted\" 'single' áéíóú ñÑ ü"
    c = _minimal()
    c.conceptos[0].descripcion = text
    c.emisor.nombre = "  leading, trailing  and   multiple  "
    data = xml.to_bytes(c)
    assert b"A &amp; B &lt; C &gt; D &quot;quoted&quot; 'single' " in data
    assert "áéíóú ñÑ ü".encode() in data
    parsed = xml.from_bytes(data)
    assert parsed.conceptos[0].descripcion == text
    assert parsed.emisor.nombre == "  leading, trailing  and   multiple  "


def test_float_and_control_characters_are_refused():
    with pytest.raises(xml.XmlError):
        xml.to_bytes(_minimal(total=1.5))
    bad = _minimal()
    bad.conceptos[0].descripcion = "bell\x07"
    with pytest.raises(xml.XmlError):
        xml.to_bytes(bad)


def test_odd_decimal_text_is_preserved():
    data = xml.to_bytes(_minimal()).replace(b'Total="1.00"', b'Total="+001.00"')
    c = xml.from_bytes(data)
    assert c.total == Decimal("1.00")
    assert b'Total="+001.00"' in xml.to_bytes(c)
    assert c.total + 1 == Decimal("2.00")


def test_unknown_complement_is_kept_raw_with_its_schema_location():
    leyenda_ns = "http://www.sat.gob.mx/leyendasFiscales"
    location = "http://www.sat.gob.mx/sitio_internet/cfd/leyendasFiscales/leyendasFisc.xsd"
    data = (
        xml.to_bytes(_minimal())
        .replace(
            f'{d.SCHEMA_LOCATIONS[d.NS_CFDI]}"'.encode(),
            f'{d.SCHEMA_LOCATIONS[d.NS_CFDI]} {leyenda_ns} {location}"'.encode(),
        )
        .replace(
            b"</cfdi:Comprobante>",
            f'<cfdi:Complemento><leyendasFisc:LeyendasFiscales xmlns:leyendasFisc="{leyenda_ns}" '
            f'version="1.0"><leyendasFisc:Leyenda textoLeyenda="Hola"/>'
            f"</leyendasFisc:LeyendasFiscales></cfdi:Complemento></cfdi:Comprobante>".encode(),
        )
    )
    c = xml.from_bytes(data)
    assert len(c.complemento.others) == 1
    again = etree.fromstring(xml.to_bytes(c))
    (other,) = again.find("cfdi:Complemento", NS)
    assert etree.QName(other).namespace == leyenda_ns
    assert other.get(LOCATION) == f"{leyenda_ns} {location}"
    assert other[0].get("textoLeyenda") == "Hola"
    assert xml.from_bytes(xml.to_bytes(c)) == c


def test_addenda_is_dropped_and_comments_ignored():
    data = xml.to_bytes(_minimal()).replace(
        b"</cfdi:Comprobante>",
        b"<!-- note --><cfdi:Addenda><x:Any xmlns:x='urn:x'/></cfdi:Addenda></cfdi:Comprobante>",
    )
    assert xml.from_bytes(data) == _minimal()


@pytest.mark.parametrize(
    "bad, code",
    [
        (b"", "XML"),
        (b"not xml", "XML"),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'>", "XML"),
        (
            b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/3' Version='3.3'/>",
            "XML-NOT-CFDI40",
        ),
        (
            b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'>"
            b"<cfdi:Conceptos><cfdi:Concepto><cfdi:ComplementoConcepto/></cfdi:Concepto>"
            b"</cfdi:Conceptos></cfdi:Comprobante>",
            "XML-UNSUPPORTED",
        ),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Total='abc'/>", "XML"),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Total='NaN'/>", "XML"),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Fecha='2026-01-01'/>", "XML"),
        ("<a/>".encode("utf-16"), "XML"),
    ],
)
def test_malformed_input_raises_xml_error(bad, code):
    with pytest.raises(xml.XmlError) as info:
        xml.from_bytes(bad)
    assert info.value.code == code
    assert info.value.message_es and info.value.message_en


# --- hostile input -------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Serie="&lol9;">&lol9;</cfdi:Comprobante>
"""


@pytest.fixture
def trap_server():
    """A local HTTP server that records every request made to it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            body = b'<!ENTITY x "PWNED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _hostile_documents(url: str) -> list[bytes]:
    root = '<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"'
    return [
        BILLION_LAUGHS,
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "expanded">]>{root} Serie="&e;"/>'.encode(),
        f'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>{root}>&e;</cfdi:Comprobante>'.encode(),
        f'<!DOCTYPE r [<!ENTITY e SYSTEM "{url}/entity">]>{root} Serie="x">&e;'
        f"</cfdi:Comprobante>".encode(),
        f'<!DOCTYPE r SYSTEM "{url}/external.dtd">{root} Serie="&x;"/>'.encode(),
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/param.dtd"> %p;]>{root}/>'.encode(),
        f'<?xml version="1.0" encoding="UTF-8"?>\n  <!DOCTYPE r>{root}/>'.encode(),
        b"\xef\xbb\xbf" + f'<!DOCTYPE r [<!ENTITY e "x">]>{root}/>'.encode(),
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e "x">]>{root}/>'.encode(
            "utf-16"
        ),
    ]


def test_hostile_xml_is_refused_and_nothing_is_fetched(trap_server):
    url, hits = trap_server
    for data in _hostile_documents(url):
        with pytest.raises(xml.XmlError):
            xml.parse(data)
        with pytest.raises(xml.XmlError):
            xml.from_bytes(data)
    assert hits == []


def test_schema_location_and_xinclude_are_not_followed(trap_server):
    url, hits = trap_server
    data = (
        xml.to_bytes(_minimal())
        .replace(f'{d.SCHEMA_LOCATIONS[d.NS_CFDI]}"'.encode(), f'{url}/cfdv40.xsd"'.encode())
        .replace(
            b"</cfdi:Comprobante>",
            f'<cfdi:Addenda><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
            f'href="{url}/inc.xml"/></cfdi:Addenda></cfdi:Comprobante>'.encode(),
        )
    )
    assert xml.from_bytes(data) == _minimal()
    assert hits == []


def test_entity_expansion_never_reaches_cadena():
    data = f'<!DOCTYPE r [<!ENTITY e "{"A" * 1000}">]>'.encode() + xml.to_bytes(_minimal())
    with pytest.raises(xml.XmlError) as info:
        xml.from_bytes(data)
    assert info.value.code == "XML-HOSTILE"
    # The same document without the DOCTYPE is fine.
    assert cadena.cadena_original(xml.from_bytes(xml.to_bytes(_minimal()))).startswith("||4.0|")
