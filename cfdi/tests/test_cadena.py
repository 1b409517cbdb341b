"""cadena.py against SAT's own XSLT (cadenaoriginal_4_0.xslt, TFD 1.1), byte for byte."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from cfdi import cadena, xml
from cfdi import document as d


def test_sample_cadena_equals_sat_xslt(sample_path, sat_cadena):
    data = sample_path.read_bytes()
    assert cadena.cadena_original(xml.from_bytes(data)) == sat_cadena(data)


def test_sample_tfd_cadena_equals_sat_xslt(sample_path, sat_cadena_tfd):
    data = sample_path.read_bytes()
    timbre = xml.from_bytes(data).complemento.timbre
    if timbre is None:
        assert b"TimbreFiscalDigital" not in data
        return
    assert cadena.cadena_tfd(timbre) == sat_cadena_tfd(data)


def test_built_document_cadena_equals_sat_xslt(built_document, sat_cadena):
    _, c = built_document
    assert cadena.cadena_original(c) == sat_cadena(xml.to_bytes(c))


def test_cadena_framing_and_order():
    c = d.Comprobante(
        fecha=None,
        subtotal=Decimal("10"),
        total=Decimal("10"),
        lugar_expedicion="01000",
        emisor=d.Emisor("EKU9003173C9", "E", "601"),
        receptor=d.Receptor("XAXX010101000", "R", "01000", regimen_fiscal="616"),
        impuestos=d.Impuestos(
            total_retenidos=Decimal("1.00"),
            total_trasladados=Decimal("2.00"),
            retenciones=[d.Retencion(impuesto="001", importe=Decimal("1.00"))],
            traslados=[
                d.Traslado(Decimal("10"), "002", "Tasa", Decimal("0.200000"), Decimal("2.00"))
            ],
        ),
    )
    # Required but absent (Fecha, NoCertificado) still take a field; summary
    # Retenciones and their total come before the Traslados.
    assert cadena.cadena_original(c) == (
        "||4.0|||10|MXN|10|I|01|01000|EKU9003173C9|E|601|XAXX010101000|R|01000|616|G03"
        "|001|1.00|1.00|10|002|Tasa|0.200000|2.00|2.00||"
    )


@pytest.mark.parametrize(
    "text",
    [
        "  leading",
        "trailing  ",
        "many    inner   spaces",
        "tab\there",
        "new\nline\r\nx",
        "\t \n",
        "non\u00a0breaking\u2003space stays",
        "pipe | inside",
        "Ñandú & <pingüino> \"'",
    ],
)
def test_whitespace_is_normalized_like_xslt(text, sat_cadena):
    c = d.Comprobante(
        fecha=None,
        subtotal=Decimal("1"),
        total=Decimal("1"),
        lugar_expedicion="01000",
        emisor=d.Emisor("EKU9003173C9", text, "601"),
        receptor=d.Receptor("XAXX010101000", "R", "01000", regimen_fiscal="616"),
        conceptos=[
            d.Concepto(
                "01010101",
                None,
                Decimal("1"),
                "H87",
                text,
                text,
                Decimal("1"),
                Decimal("1"),
                None,
                "01",
            )
        ],
    )
    ours = cadena.cadena_original(c)
    assert ours == sat_cadena(xml.to_bytes(c))
    assert "  " not in ours and "\t" not in ours and "\n" not in ours


def test_optional_empty_string_is_skipped_like_absent(sat_cadena):
    base = d.Comprobante(
        subtotal=Decimal("1"),
        total=Decimal("1"),
        lugar_expedicion="01000",
        emisor=d.Emisor("EKU9003173C9", "E", "601"),
        receptor=d.Receptor("XAXX010101000", "R", "01000", regimen_fiscal="616"),
    )
    with_empty = dataclasses.replace(base, serie="", folio="", condiciones_de_pago="")
    assert cadena.cadena_original(with_empty) == cadena.cadena_original(base)
    assert cadena.cadena_original(with_empty) == sat_cadena(xml.to_bytes(with_empty))


def test_decimal_text_is_kept(sat_cadena):
    """Exponents never appear; trailing zeros stay; odd but valid XSD text is kept."""
    c = d.Comprobante(
        subtotal=Decimal("1E+2"),
        total=Decimal("100.000"),
        tipo_cambio=Decimal("1E-7"),
        lugar_expedicion="01000",
        emisor=d.Emisor("EKU9003173C9", "E", "601"),
        receptor=d.Receptor("XAXX010101000", "R", "01000", regimen_fiscal="616"),
    )
    text = cadena.cadena_original(c)
    assert "|100|MXN|0.0000001|100.000|" in text
    assert text == sat_cadena(xml.to_bytes(c))
    odd = xml.to_bytes(c).replace(b'SubTotal="100"', b'SubTotal="+0100.0"')
    assert cadena.cadena_original(xml.from_bytes(odd)) == sat_cadena(odd)


def test_unknown_complement_goes_through_sats_xslt(sat_cadena):
    """A complement SAT's XSLT has no template for adds nothing, as in SAT's own check."""
    c = d.Comprobante(
        complemento=d.Complemento(others=[b'<x:Otro xmlns:x="urn:example" A="1"/>']),
        emisor=d.Emisor("EKU9003173C9", "E", "601"),
        receptor=d.Receptor("XAXX010101000", "R", "01000", regimen_fiscal="616"),
    )
    assert cadena.cadena_original(c) == sat_cadena(xml.to_bytes(c))
    assert "|A|" not in cadena.cadena_original(c) and "|1|" not in cadena.cadena_original(c)


def test_tfd_leyenda_is_optional(sat_cadena_tfd):
    timbre = d.TimbreFiscalDigital(
        uuid="0A1B2C3D-0000-4000-8000-000000000001",
        fecha_timbrado=d.datetime(2026, 11, 20, 10, 0, 1),
        rfc_prov_certif="SPR190613I52",
        sello_cfd="abc=",
        no_certificado_sat="30001000000500003456",
        sello_sat="def=",
    )
    c = d.Comprobante(complemento=d.Complemento(timbre=timbre))
    assert cadena.cadena_tfd(timbre) == sat_cadena_tfd(xml.to_bytes(c))
    assert cadena.cadena_tfd(timbre) == (
        "||1.1|0A1B2C3D-0000-4000-8000-000000000001|2026-11-20T10:00:01|SPR190613I52"
        "|abc=|30001000000500003456||"
    )
    timbre.leyenda = "  Prueba   de  leyenda "
    assert cadena.cadena_tfd(timbre) == sat_cadena_tfd(xml.to_bytes(c))
    assert "|SPR190613I52|Prueba de leyenda|abc=|" in cadena.cadena_tfd(timbre)
