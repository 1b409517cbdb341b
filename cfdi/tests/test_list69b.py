"""SAT's 69-B list parsed from a small file in the published layout: legend, title and
header lines, 20 columns, Windows' Latin encoding, CRLF (fictitious taxpayers)."""

from __future__ import annotations

import datetime as dt

import pytest

from cfdi.list69b import List69BError, Situation, parse
from cfdi.testing import FIXTURES

SAMPLE = FIXTURES / "list69b" / "Listado_completo_69-B_muestra.csv"


@pytest.fixture(scope="module")
def listed():
    return parse(SAMPLE.read_bytes())


def test_rfc_to_situation(listed):
    assert listed.situations() == {
        "AAA100303L51": Situation.DEFINITIVO,
        "BBB1106115T1": Situation.DEFINITIVO,  # listed twice: the most severe wins
        "CCC120505AB2": Situation.DESVIRTUADO,
        "D&D130707QW3": Situation.SENTENCIA_FAVORABLE,
        "EEE1402026H7": Situation.PRESUNTO,
    }
    assert listed.situation(" aaa100303l51 ") == Situation.DEFINITIVO
    assert listed.situation("XIA190128J61") is None
    assert len(listed) == 5


def test_the_legend_date_and_each_row_as_published(listed):
    assert listed.as_of == dt.date(2026, 10, 31)
    first = listed.entries["AAA100303L51"]
    assert first.name == "COMERCIALIZADORA PEÑA Y ASOCIADOS, S.A. DE C.V."  # cp1252 Ñ, comma
    assert (first.presumed_on, first.definitive_on) == (dt.date(2025, 3, 14), dt.date(2025, 9, 19))
    assert first.number == "1"
    assert listed.entries["D&D130707QW3"].name == 'D&D CONSTRUCCIONES "EL ÁGUILA", S.A. DE C.V.'
    assert listed.entries["CCC120505AB2"].name == "JOSÉ MARÍA NÚÑEZ IBÁÑEZ"
    assert dict(first.columns)["Situación del contribuyente"] == "Definitivo"
    assert len(first.columns) == 20


def test_which_situations_flag_a_supplier(listed):
    flagged = {rfc for rfc, situation in listed.situations().items() if situation.flagged}
    assert flagged == {"AAA100303L51", "BBB1106115T1", "EEE1402026H7"}


def test_the_same_list_in_utf8_with_another_preamble():
    text = SAMPLE.read_bytes().decode("cp1252").split("\r\n", 2)[2]  # no legend, no title
    listed = parse(("\ufeffAviso\n" + text.replace("\r\n", "\n")).encode("utf-8"))
    assert listed.as_of is None
    assert listed.situation("EEE1402026H7") == Situation.PRESUNTO
    assert listed.entries["EEE1402026H7"].name == "OPERADORA ÑANDÚ"


def test_a_file_that_is_not_the_list():
    with pytest.raises(List69BError) as error:
        parse(b"RFC;Nombre\nAAA100303L51;X\n")
    assert "Listado completo 69-B" in error.value.message_es


def test_an_unknown_situation_names_its_line():
    data = SAMPLE.read_bytes().replace(
        b",Presunto,500-05-2026-2222", b",Sospechoso,500-05-2026-2222"
    )
    with pytest.raises(List69BError) as error:
        parse(data)
    assert "línea 9" in error.value.message_es and "Sospechoso" in error.value.message_es


def test_a_huge_file_is_refused_unread():
    with pytest.raises(List69BError):
        parse(b"x" * (64 * 1024 * 1024 + 1))
