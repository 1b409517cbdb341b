"""DIOT batch file in SAT's 2025 layout (54 fields): exact positions, rounding, encoding."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest

from cfdi.contabilidad import diot
from cfdi.contabilidad.diot import Actos, OperacionTercero

# SAT's instructivo (see cfdi/contabilidad/DIOT.md), field number -> where the amount
# lives, written out here field by field rather than derived from the writer's order.
LAYOUT = {
    8: ("fronteriza_norte", "pagado"),
    9: ("fronteriza_norte", "devoluciones"),
    10: ("fronteriza_sur", "pagado"),
    11: ("fronteriza_sur", "devoluciones"),
    12: ("tasa_16", "pagado"),
    13: ("tasa_16", "devoluciones"),
    14: ("importacion_tangibles", "pagado"),
    15: ("importacion_tangibles", "devoluciones"),
    16: ("importacion_intangibles", "pagado"),
    17: ("importacion_intangibles", "devoluciones"),
    18: ("fronteriza_norte", "iva_acreditable"),
    19: ("fronteriza_norte", "iva_acreditable_proporcion"),
    20: ("fronteriza_sur", "iva_acreditable"),
    21: ("fronteriza_sur", "iva_acreditable_proporcion"),
    22: ("tasa_16", "iva_acreditable"),
    23: ("tasa_16", "iva_acreditable_proporcion"),
    24: ("importacion_tangibles", "iva_acreditable"),
    25: ("importacion_tangibles", "iva_acreditable_proporcion"),
    26: ("importacion_intangibles", "iva_acreditable"),
    27: ("importacion_intangibles", "iva_acreditable_proporcion"),
    28: ("fronteriza_norte", "iva_no_acreditable_proporcion"),
    29: ("fronteriza_norte", "iva_no_acreditable_requisitos"),
    30: ("fronteriza_norte", "iva_no_acreditable_exentas"),
    31: ("fronteriza_norte", "iva_no_acreditable_no_objeto"),
    32: ("fronteriza_sur", "iva_no_acreditable_proporcion"),
    33: ("fronteriza_sur", "iva_no_acreditable_requisitos"),
    34: ("fronteriza_sur", "iva_no_acreditable_exentas"),
    35: ("fronteriza_sur", "iva_no_acreditable_no_objeto"),
    36: ("tasa_16", "iva_no_acreditable_proporcion"),
    37: ("tasa_16", "iva_no_acreditable_requisitos"),
    38: ("tasa_16", "iva_no_acreditable_exentas"),
    39: ("tasa_16", "iva_no_acreditable_no_objeto"),
    40: ("importacion_tangibles", "iva_no_acreditable_proporcion"),
    41: ("importacion_tangibles", "iva_no_acreditable_requisitos"),
    42: ("importacion_tangibles", "iva_no_acreditable_exentas"),
    43: ("importacion_tangibles", "iva_no_acreditable_no_objeto"),
    44: ("importacion_intangibles", "iva_no_acreditable_proporcion"),
    45: ("importacion_intangibles", "iva_no_acreditable_requisitos"),
    46: ("importacion_intangibles", "iva_no_acreditable_exentas"),
    47: ("importacion_intangibles", "iva_no_acreditable_no_objeto"),
    48: (None, "iva_retenido"),
    49: (None, "importacion_exenta"),
    50: (None, "exento"),
    51: (None, "tasa_0"),
    52: (None, "no_objeto"),
    53: (None, "no_objeto_sin_establecimiento"),
}


def every_field_set() -> OperacionTercero:
    """A line where field n holds n thousand pesos and 40 cents (rounds down to n000)."""
    sections: dict[str, dict[str, D]] = {}
    extra: dict[str, D] = {}
    for number, (section, name) in LAYOUT.items():
        amount = D(number * 1000) + D("0.40")
        if section is None:
            extra[name] = amount
        else:
            sections.setdefault(section, {})[name] = amount
    return OperacionTercero(
        "04",
        "85",
        "MCI7306249Y1",
        **{s: Actos(**values) for s, values in sections.items()},
        **extra,
    )


def lines_of(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return [line.split("|") for line in text.split("\r\n")[:-1]]


def written(lines) -> bytes:
    out = io.BytesIO()
    diot.write_diot(lines, out)
    return out.getvalue()


def test_every_amount_lands_in_its_numbered_field():
    (fields,) = lines_of(written([every_field_set()]))
    assert len(fields) == 54
    assert fields[:7] == ["04", "85", "MCI7306249Y1", "", "", "", ""]
    for number in LAYOUT:
        assert fields[number - 1] == str(number * 1000), number
    assert fields[53] == "01"


def test_a_foreign_supplier_fills_fields_4_to_7_and_not_the_rfc():
    line = OperacionTercero(
        "05",
        "07",
        num_id_fiscal="98-7654321",
        nombre_extranjero="Ñandú Trading | LLC\n",
        pais="ZZZ",
        jurisdiccion="Isla de Man",
        importacion_tangibles=Actos(pagado=D("10000"), iva_acreditable=D("1600")),
        efectos_fiscales=False,
    )
    data = written([line])
    assert data.startswith(b"05|07||98-7654321|\xc3\x91and\xc3\xba Trading LLC|ZZZ|Isla de Man|")
    (fields,) = lines_of(data)
    assert (fields[13], fields[23], fields[53]) == ("10000", "1600", "02")


def test_jurisdiction_is_written_only_for_country_zzz():
    line = OperacionTercero(
        "05", "85", num_id_fiscal="X1", nombre_extranjero="ACME", pais="USA", jurisdiccion="Texas"
    )
    assert lines_of(written([line]))[0][3:7] == ["X1", "ACME", "USA", ""]


def test_utf8_without_bom_and_no_header():
    data = written([every_field_set(), every_field_set()])
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and data.count(b"|") == 2 * 53
    assert b" " not in data


@pytest.mark.parametrize(
    "amount, field",
    [
        ("100.49", "100"),
        ("100.50", "100"),  # CFF art. 20: 1 to 50 cents go down
        ("100.51", "101"),  # 51 to 99 cents go up
        ("100.505", "101"),  # cents first (100.51), then pesos
        ("0.50", ""),  # zero is an empty field
        ("0", ""),
        ("123456789.99", "123456790"),
    ],
)
def test_amounts_are_whole_pesos_rounded_as_cff_article_20(amount, field):
    line = OperacionTercero("04", "85", "MCI7306249Y1", tasa_16=Actos(pagado=D(amount)))
    assert lines_of(written([line]))[0][11] == field


def test_combine_adds_up_one_supplier_and_rounds_only_the_month():
    bills = [
        OperacionTercero(
            "04",
            "85",
            "mci7306249y1",
            tasa_16=Actos(pagado=D("0.30"), iva_acreditable=D("0.05")),
            iva_retenido=D("0.40"),
        )
        for _ in range(5)
    ]
    rent = OperacionTercero("04", "06", "MCI7306249Y1", tasa_16=Actos(pagado=D("8000")))
    other = OperacionTercero("04", "85", "ICV060329BY0", exento=D("99.99"), efectos_fiscales=False)
    combined = diot.combine([bills[0], rent, *bills[1:], other])
    assert [(c.rfc, c.tipo_operacion) for c in combined] == [
        ("mci7306249y1", "85"),
        ("MCI7306249Y1", "06"),
        ("ICV060329BY0", "85"),
    ]
    first = combined[0]
    assert (first.tasa_16.pagado, first.tasa_16.iva_acreditable, first.iva_retenido) == (
        D("1.50"),
        D("0.25"),
        D("2.00"),
    )
    rows = lines_of(written(combined))
    assert (rows[0][2], rows[0][11], rows[0][21], rows[0][47]) == ("MCI7306249Y1", "1", "", "2")
    assert rows[2][49] == "100" and rows[2][53] == "02"


def test_fields_of_never_writes_a_pipe_inside_a_field():
    line = OperacionTercero("05", "85", num_id_fiscal="A|B", nombre_extranjero="X|Y", pais="USA")
    assert len(diot.fields_of(line)) == 54
    assert all("|" not in f for f in diot.fields_of(line))


def test_matches_satcfdi_diot_v2_on_the_fields_it_fills():
    """Peer cross-check: satcfdi (MIT) also implements SAT's 2025 batch layout, for the
    16 % base, returns, IVA, non-creditable IVA, exempt, 0 % and not-subject fields."""
    from satcfdi.diotV2 import DIOT, ProveedorTercero, TipoOperacion, TipoTercero

    peer = io.BytesIO()
    DIOT(
        {
            "x": ProveedorTercero(
                TipoTercero.PROVEEDOR_NACIONAL,
                TipoOperacion.OTROS,
                "MCI7306249Y1",
                iva16base=D("1000"),
                iva0base=D("300"),
                iva16descuento=D("100"),
                iva16acreditable=D("144"),
                iva16noacreditable=D("7"),
                actividadesNoObjeto=D("20"),
                actividadesExentos=D("50"),
            )
        }
    ).export(peer)
    ours = OperacionTercero(
        "04",
        "85",
        "MCI7306249Y1",
        tasa_16=Actos(
            pagado=D("1000"),
            devoluciones=D("100"),
            iva_acreditable=D("144"),
            iva_no_acreditable_requisitos=D("7"),
        ),
        exento=D("50"),
        tasa_0=D("300"),
        no_objeto=D("20"),
    )
    assert written([ours]) == peer.getvalue()


def findings(*lines: OperacionTercero) -> list[str]:
    return [f.code for f in diot.check_diot(lines)]


def test_check_accepts_each_kind_of_third_party():
    assert (
        findings(
            OperacionTercero("04", "03", "MCI7306249Y1"),
            OperacionTercero("15", "87", "XAXX010101000"),
            OperacionTercero("05", "08", num_id_fiscal="X", nombre_extranjero="ACME", pais="USA"),
            OperacionTercero("05", "85", "XEXX010101000", "Z", "ACME", "ZZZ", "Isla de Man"),
        )
        == []
    )


@pytest.mark.parametrize(
    "line, code",
    [
        (OperacionTercero("06", "85", "MCI7306249Y1"), "EINV-DIOT-TERCERO"),
        (OperacionTercero("04", "87", "MCI7306249Y1"), "EINV-DIOT-OPERACION"),
        (OperacionTercero("15", "85", "XAXX010101000"), "EINV-DIOT-OPERACION"),
        (OperacionTercero("04", "07", "MCI7306249Y1"), "EINV-DIOT-OPERACION"),
        (OperacionTercero("04", "85", ""), "EINV-DIOT-RFC"),
        (OperacionTercero("04", "85", "MCI730624"), "EINV-DIOT-RFC"),
        (OperacionTercero("04", "85", "XAXX010101000"), "EINV-DIOT-RFC"),
        (
            OperacionTercero("05", "85", nombre_extranjero="ACME", pais="USA"),
            "EINV-DIOT-EXTRANJERO",
        ),
        (OperacionTercero("05", "85", num_id_fiscal="1", pais="US"), "EINV-DIOT-EXTRANJERO"),
        (
            OperacionTercero("05", "85", num_id_fiscal="1", nombre_extranjero="A", pais="ZZZ"),
            "EINV-DIOT-EXTRANJERO",
        ),
        (
            OperacionTercero("04", "85", "MCI7306249Y1", tasa_16=Actos(pagado=D("-0.60"))),
            "EINV-DIOT-IMPORTE",
        ),
    ],
)
def test_check_refuses(line, code):
    assert findings(line) == [code]


def test_check_names_the_missing_foreign_data_in_both_languages():
    (finding,) = diot.check_diot([OperacionTercero("05", "85", num_id_fiscal="1", pais="US")])
    assert "nombre" in finding.message_es and "c_Pais" in finding.message_es
    assert "name" in finding.message_en and "1" in finding.path


def test_check_flags_a_supplier_listed_twice_and_a_negative_field_by_number():
    line = OperacionTercero("04", "85", "MCI7306249Y1", iva_retenido=D("-5"))
    found = diot.check_diot([line, line])
    assert [f.code for f in found] == [
        "EINV-DIOT-IMPORTE",
        "EINV-DIOT-IMPORTE",
        "EINV-DIOT-DUPLICADO",
    ]
    assert "48" in found[0].message_es
