"""Catalog data files: complete against SAT's catCFDI.xsd, well formed, loaded once."""

from __future__ import annotations

import csv
import os
from decimal import Decimal

import pytest
import satcfdi
from lxml import etree

from cfdi import catalogs

CAT_XSD = os.path.join(
    os.path.dirname(satcfdi.__file__),
    "transform",
    "schemas",
    "www.sat.gob.mx",
    "sitio_internet",
    "cfd",
    "catalogos",
    "catCFDI.xsd",
)
XS = "{http://www.w3.org/2001/XMLSchema}"
CODED = [
    "c_RegimenFiscal",
    "c_UsoCFDI",
    "c_FormaPago",
    "c_MetodoPago",
    "c_Moneda",
    "c_Exportacion",
    "c_ObjetoImp",
    "c_TipoRelacion",
    "c_Impuesto",
    "c_TipoFactor",
    "c_Periodicidad",
    "c_Meses",
    "c_TipoDeComprobante",
    "c_Pais",
    "c_Estado",
    "c_ClaveProdServ",
    "c_ClaveUnidad",
    "c_CodigoPostal",
]


@pytest.fixture(scope="module")
def xsd_codes() -> dict[str, frozenset[str]]:
    tree = etree.parse(CAT_XSD, etree.XMLParser(no_network=True, huge_tree=True))
    return {
        st.get("name"): frozenset(e.get("value") for e in st.iter(f"{XS}enumeration"))
        for st in tree.getroot().iter(f"{XS}simpleType")
    }


@pytest.mark.parametrize("name", CODED)
def test_codes_equal_sat_schema(name, xsd_codes):
    assert catalogs.codes(name) == xsd_codes[name]


@pytest.mark.parametrize("name", CODED + ["c_TasaOCuota"])
def test_files_have_header_and_consistent_columns(name):
    path = catalogs.CATALOG_DIR / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        widths = {len(r) for r in reader}
    assert widths == {len(header)}
    if name != "c_TasaOCuota":
        assert header[0] == "code"
    assert b"\r" not in path.read_bytes()


def test_total_size_is_reasonable():
    total = sum(p.stat().st_size for p in catalogs.CATALOG_DIR.glob("*.csv"))
    assert total < 8 * 1024 * 1024


def test_descriptions_and_lookups():
    assert catalogs.description("c_UsoCFDI", "G03") == "Gastos en general"
    assert catalogs.description("c_FormaPago", "03") == "Transferencia electrónica de fondos"
    assert catalogs.description("c_UsoCFDI", "ZZZ") is None
    assert catalogs.row("c_Moneda", "USD")["decimals"] == "2"
    assert catalogs.names()[0].startswith("c_")


@pytest.mark.parametrize(
    "code, decimals",
    [
        ("MXN", 2),
        ("USD", 2),
        ("JPY", 0),
        ("CLP", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("XXX", 0),
        ("NOPE", 2),
    ],
)
def test_currency_decimals(code, decimals):
    assert catalogs.currency_decimals(code) == decimals


def test_postal_code_state_and_time_zone():
    cp = catalogs.postal_code("42501")
    assert cp.state == "HID" and cp.time_zone == "Tiempo del Centro"
    assert cp.iana_zone == "America/Mexico_City"
    assert catalogs.postal_code("22000").iana_zone == "America/Tijuana"  # Tijuana
    assert catalogs.postal_code("00001") is None
    assert catalogs.postal_code("4250") is None


def test_every_postal_code_has_state_and_known_time_zone():
    for r in catalogs.rows("c_CodigoPostal"):
        assert r["state"] in catalogs.codes("c_Estado"), r
        assert r["time_zone"] in catalogs.TIME_ZONES, r


def test_regimen_person_type():
    assert catalogs.regimen_applies("601", moral=True)
    assert not catalogs.regimen_applies("601", moral=False)
    assert catalogs.regimen_applies("612", moral=False)
    assert catalogs.regimen_applies("626", moral=True) and catalogs.regimen_applies(
        "626", moral=False
    )
    assert not catalogs.regimen_applies("999", moral=True)


def test_uso_cfdi_rules():
    assert catalogs.uso_cfdi_applies("G03", moral=True)
    assert not catalogs.uso_cfdi_applies("D01", moral=True)
    assert "616" not in catalogs.uso_cfdi_regimenes("G03")
    assert "616" in catalogs.uso_cfdi_regimenes("S01")
    assert catalogs.uso_cfdi_regimenes("CN01") == {"605"}
    assert catalogs.uso_cfdi_regimenes("P01") == frozenset()


def test_tasa_o_cuota():
    assert catalogs.tasa_o_cuota_valid("002", "Tasa", Decimal("0.160000"), retencion=False)
    assert catalogs.tasa_o_cuota_valid("002", "Tasa", Decimal("0.08"), retencion=False)
    assert not catalogs.tasa_o_cuota_valid("002", "Tasa", Decimal("0.15"), retencion=False)
    assert catalogs.tasa_o_cuota_valid("002", "Tasa", Decimal("0.106667"), retencion=True)
    assert catalogs.tasa_o_cuota_valid("001", "Tasa", Decimal("0.10"), retencion=True)
    assert not catalogs.tasa_o_cuota_valid("001", "Tasa", Decimal("0.10"), retencion=False)
    assert catalogs.tasa_o_cuota_valid("003", "Cuota", Decimal("1.5"), retencion=False)


def test_loaded_once():
    catalogs.codes("c_Moneda")
    before = catalogs._rows.cache_info().hits
    catalogs.codes("c_Moneda")
    catalogs.currency_decimals("USD")
    assert catalogs._rows.cache_info().hits >= before


def test_unknown_catalog_is_a_clear_error():
    with pytest.raises(catalogs.UnknownCatalog) as err:
        catalogs.rows("c_Nope")
    assert "generate_catalogs" in err.value.message_en


def test_every_country_of_c_pais_has_its_alpha2_code():
    rows = catalogs.rows("c_Pais")
    assert all(len(r["alpha2"]) == 2 for r in rows)
    assert len({r["alpha2"] for r in rows}) == len(rows)  # one c_Pais per alpha-2 code
    assert catalogs.pais_of_alpha2("us") == "USA"
    assert catalogs.pais_of_alpha2("MX") == "MEX"
    assert catalogs.pais_of_alpha2(None) is None


def test_time_zone_of_a_postal_code_is_the_clock_of_fecha():
    from datetime import datetime, timezone

    moment = datetime(2026, 1, 15, 18, 0, 30, 123456, tzinfo=timezone.utc)
    assert catalogs.local_time(moment, "42501") == datetime(2026, 1, 15, 12, 0, 30)  # central
    assert catalogs.local_time(moment, "22000") == datetime(2026, 1, 15, 10, 0, 30)  # Tijuana
    assert catalogs.local_time(moment, "77500") == datetime(2026, 1, 15, 13, 0, 30)  # Cancún
    assert catalogs.local_time(moment) == datetime(2026, 1, 15, 12, 0, 30)  # SAT's clock
    assert catalogs.time_zone("00000") is catalogs.mexico_city()  # unknown: Mexico City
    assert catalogs.iana_zone("Tiempo del Noroeste") == "America/Tijuana"
    assert catalogs.iana_zone(None) == catalogs.DEFAULT_ZONE
    naive = datetime(2026, 1, 15, 9, 30, 5, 999)
    assert catalogs.local_time(naive, "22000") == datetime(2026, 1, 15, 9, 30, 5)
