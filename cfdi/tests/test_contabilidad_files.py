"""SAT's file names (RFC + year + month + key) and one ZIP per XML."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from cfdi.contabilidad import (
    ContabilidadError,
    Periodo,
    balanza,
    file_name,
    files,
    sat_zip,
    write_balanza,
    write_catalogo,
    write_polizas,
)
from cfdi.tests.contabilidad_data import (
    AUDIT,
    CUENTAS,
    PERIODO,
    account_totals,
    assert_valid,
    polizas,
)


@pytest.mark.parametrize(
    "periodo, kind, name",
    [
        (Periodo("AAA010101AAA", 2015, 1), files.CATALOGO, "AAA010101AAA201501CT"),
        (PERIODO, files.BALANZA_NORMAL, "EKU9003173C9202501BN"),
        (PERIODO, files.BALANZA_COMPLEMENTARIA, "EKU9003173C9202501BC"),
        (replace(PERIODO, mes=13), files.BALANZA_NORMAL, "EKU9003173C9202513BN"),
        (PERIODO, files.POLIZAS, "EKU9003173C9202501PL"),
        (PERIODO, files.AUXILIAR_CUENTAS, "EKU9003173C9202501XC"),
        (Periodo("CACX7605101P8", 2025, 11), files.AUXILIAR_FOLIOS, "CACX7605101P8202511XF"),
    ],
)
def test_file_names(periodo, kind, name):
    assert file_name(periodo, kind) == name


def test_unknown_kind_is_refused():
    with pytest.raises(ContabilidadError):
        file_name(PERIODO, "XX")


def test_balanza_kind_follows_tipo_envio():
    assert files.BALANZA_KIND == {"N": "BN", "C": "BC"}


def zipped(kind: str, write) -> tuple[list[str], bytes]:
    out = io.BytesIO()
    with sat_zip(out, PERIODO, kind) as xml:
        write(xml)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        info = archive.getinfo(names[0])
        assert info.compress_type == zipfile.ZIP_DEFLATED
        return names, archive.read(names[0])


def test_each_file_is_alone_in_its_zip_with_the_same_name():
    names, data = zipped(files.CATALOGO, lambda fh: write_catalogo(PERIODO, CUENTAS, fh))
    assert names == ["EKU9003173C9202501CT.xml"]
    assert_valid(data, "Catalogo")

    saldos = balanza(CUENTAS, account_totals(polizas()))
    names, data = zipped(files.BALANZA_NORMAL, lambda fh: write_balanza(PERIODO, saldos, fh))
    assert names == ["EKU9003173C9202501BN.xml"]
    assert_valid(data, "Balanza")

    names, data = zipped(files.POLIZAS, lambda fh: write_polizas(PERIODO, AUDIT, polizas(), fh))
    assert names == ["EKU9003173C9202501PL.xml"]
    assert_valid(data, "Polizas")


def test_zip_written_to_a_real_file(tmp_path):
    target = tmp_path / f"{file_name(PERIODO, files.CATALOGO)}.zip"
    with target.open("wb") as fh, sat_zip(fh, PERIODO, files.CATALOGO) as xml:
        write_catalogo(PERIODO, CUENTAS, xml)
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["EKU9003173C9202501CT.xml"]
        assert_valid(archive.read("EKU9003173C9202501CT.xml"), "Catalogo")
