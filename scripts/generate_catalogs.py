#!/usr/bin/env python3
"""Regenerate ``cfdi/catalogs/*.csv`` from SAT's catCFDI.

Codes come from SAT's ``catCFDI.xsd`` (the schema SAT validates with), so a
code is in our CSV exactly when SAT's XSD accepts it. Descriptions and extra
columns come from SAT's catalog spreadsheet as exported in
``/work/shared/sat/catalogs/*.csv`` when present, otherwise from the
``catalogs.db`` shipped in the ``satcfdi`` package (same public SAT data).
The few columns neither export carries (régimen per person type, the régimes
each UsoCFDI accepts, c_TasaOCuota) are transcribed below from SAT's
``catCFDI.xls`` (Anexo 20 4.0).

Usage: python3 scripts/generate_catalogs.py [--out cfdi/catalogs]
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import sqlite3
from pathlib import Path

from babel.core import get_global
from lxml import etree

SHARED = Path("/work/shared/sat")
XS = "{http://www.w3.org/2001/XMLSchema}"

SIMPLE = [
    "c_Exportacion",
    "c_FormaPago",
    "c_Impuesto",
    "c_Meses",
    "c_MetodoPago",
    "c_ObjetoImp",
    "c_Periodicidad",
    "c_TipoDeComprobante",
    "c_TipoFactor",
    "c_TipoRelacion",
    "c_ClaveProdServ",
    "c_ClaveUnidad",
]

# catCFDI.xls, sheet c_RegimenFiscal: columns "Física" and "Moral".
REGIMEN_PERSONA = {
    "601": "M",
    "603": "M",
    "605": "F",
    "606": "F",
    "607": "F",
    "608": "F",
    "609": "M",
    "610": "FM",
    "611": "F",
    "612": "F",
    "614": "F",
    "615": "F",
    "616": "F",
    "620": "M",
    "621": "F",
    "622": "M",
    "623": "M",
    "624": "M",
    "625": "F",
    "626": "FM",
    "628": "M",
    "629": "F",
    "630": "F",
}

# catCFDI.xls, sheet c_UsoCFDI: "Aplica para tipo persona" and "Régimen Fiscal Receptor".
_EMPRESARIAL = "601 603 606 612 620 621 622 623 624 625 626"
_DEDUCCION = "605 606 607 608 611 612 614 615 625"
_SIN_EFECTOS = "601 603 605 606 607 608 610 611 612 614 615 616 620 621 622 623 624 625 626"
USO_CFDI = {
    "G01": ("FM", _EMPRESARIAL),
    "G02": ("FM", "601 603 606 612 616 620 621 622 623 624 625 626"),
    "G03": ("FM", _EMPRESARIAL),
    **{f"I0{n}": ("FM", _EMPRESARIAL) for n in range(1, 9)},
    **{f"D{n:02d}": ("F", _DEDUCCION) for n in range(1, 11)},
    "P01": ("FM", ""),
    "S01": ("FM", _SIN_EFECTOS),
    "CP01": ("FM", _SIN_EFECTOS),
    "CN01": ("F", "605"),
}

TIPO_FACTOR = {"Tasa": "Tasa", "Cuota": "Cuota", "Exento": "Exento"}

# catCFDI.xls, sheet c_TasaOCuota: (impuesto, factor, min, max, traslado, retención).
TASA_O_CUOTA = [
    ("002", "Tasa", "0.000000", "0.000000", "1", "0"),
    ("002", "Tasa", "0.160000", "0.160000", "1", "0"),
    ("002", "Tasa", "0.080000", "0.080000", "1", "0"),
    ("002", "Tasa", "0.000000", "0.160000", "0", "1"),
    *[
        ("003", "Tasa", t, t, "1", "1")
        for t in (
            "0.265000",
            "0.300000",
            "0.530000",
            "0.500000",
            "1.600000",
            "0.304000",
            "0.250000",
            "0.090000",
            "0.080000",
            "0.070000",
            "0.060000",
        )
    ],
    ("003", "Tasa", "0.030000", "0.030000", "1", "0"),
    ("003", "Tasa", "0.000000", "0.000000", "1", "0"),
    ("003", "Cuota", "0.000000", "59.144900", "1", "1"),
    ("001", "Tasa", "0.000000", "0.350000", "0", "1"),
]


def xsd_path() -> Path:
    shared = SHARED / "www.sat.gob.mx/sitio_internet/cfd/catalogos/catCFDI.xsd"
    if shared.exists():
        return shared
    import satcfdi

    return Path(os.path.dirname(satcfdi.__file__)) / (
        "transform/schemas/www.sat.gob.mx/sitio_internet/cfd/catalogos/catCFDI.xsd"
    )


def xsd_codes() -> dict[str, list[str]]:
    tree = etree.parse(str(xsd_path()), etree.XMLParser(no_network=True, huge_tree=True))
    # dict.fromkeys: SAT's c_CodigoPostal enumeration repeats "00000"; keep each code once.
    return {
        st.get("name"): list(dict.fromkeys(e.get("value") for e in st.iter(f"{XS}enumeration")))
        for st in tree.getroot().iter(f"{XS}simpleType")
    }


class Descriptions:
    """Extra SAT columns per code: the shared CSV export, completed by satcfdi's db."""

    def __init__(self) -> None:
        import satcfdi

        db = Path(os.path.dirname(satcfdi.__file__)) / "catalogs" / "catalogs.db"
        self._db = sqlite3.connect(str(db))

    def table(self, name: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        try:
            raw = self._db.execute(f"SELECT key, value FROM C756_{name}").fetchall()
        except sqlite3.OperationalError:
            raw = []
        for key, value in raw:
            value = pickle.loads(value)
            out[str(pickle.loads(key))] = (
                [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        shared = SHARED / "catalogs" / f"{name}.csv"
        if shared.exists():
            with shared.open(encoding="utf-8", newline="") as fh:
                out.update({row[0]: row[1:] for row in csv.reader(fh) if row})
        return out


def write(out: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    codes = xsd_codes()
    extra = Descriptions()

    def first(table: dict[str, list[str]], code: str, index: int = 0) -> str:
        values = table.get(code) or []
        return values[index].strip() if len(values) > index else ""

    for name in SIMPLE:
        table = extra.table(name)
        if name == "c_TipoFactor":
            table = {k: [v] for k, v in TIPO_FACTOR.items()}
        write(out, name, ["code", "description"], [[c, first(table, c)] for c in codes[name]])

    # c_Pais is ISO 3166-1 alpha-3; the alpha-2 code (what Odoo's countries carry) comes
    # from CLDR's territory aliases as shipped by Babel.
    aliases = get_global("territory_aliases")
    table = extra.table("c_Pais")
    write(
        out,
        "c_Pais",
        ["code", "description", "alpha2"],
        [[c, first(table, c), (aliases.get(c) or [""])[0]] for c in codes["c_Pais"]],
    )

    table = extra.table("c_Moneda")
    write(
        out,
        "c_Moneda",
        ["code", "description", "decimals"],
        [[c, first(table, c), first(table, c, 1) or "2"] for c in codes["c_Moneda"]],
    )

    table = extra.table("c_Estado")
    write(
        out,
        "c_Estado",
        ["code", "country", "description"],
        [[c, first(table, c), first(table, c, 1)] for c in codes["c_Estado"]],
    )

    table = extra.table("c_RegimenFiscal")
    write(
        out,
        "c_RegimenFiscal",
        ["code", "description", "fisica", "moral"],
        [
            [
                c,
                first(table, c),
                str(int("F" in REGIMEN_PERSONA[c])),
                str(int("M" in REGIMEN_PERSONA[c])),
            ]
            for c in codes["c_RegimenFiscal"]
        ],
    )

    table = extra.table("c_UsoCFDI")
    write(
        out,
        "c_UsoCFDI",
        ["code", "description", "fisica", "moral", "regimenes_receptor"],
        [
            [
                c,
                first(table, c),
                str(int("F" in USO_CFDI[c][0])),
                str(int("M" in USO_CFDI[c][0])),
                USO_CFDI[c][1],
            ]
            for c in codes["c_UsoCFDI"]
        ],
    )

    table = extra.table("c_CodigoPostal")
    # SAT's export: code, state, municipality, locality, border flag, time zone.
    write(
        out,
        "c_CodigoPostal",
        ["code", "state", "time_zone"],
        [[c, first(table, c), first(table, c, 4)] for c in codes["c_CodigoPostal"]],
    )

    write(
        out,
        "c_TasaOCuota",
        ["impuesto", "tipo_factor", "minimo", "maximo", "traslado", "retencion"],
        [list(r) for r in TASA_O_CUOTA],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "cfdi" / "catalogs")
    )
    generate(Path(parser.parse_args().out))


if __name__ == "__main__":
    main()
