#!/usr/bin/env python3
"""Regenerate the catalogs of Comercio Exterior 2.0 and Carta Porte 3.1 in ``cfdi/catalogs``.

Codes come from SAT's XSD catalogs (the schemas SAT validates with), as shipped in
the ``satcfdi`` package: ``catalogos/ComExt/catComExt.xsd``,
``catalogos/CartaPorte/catCartaPorte.xsd`` and, for the address keys of the CCE's
Emisor (c_Colonia, c_Municipio, c_Localidad), ``catalogos/catCFDI.xsd``. Descriptions
come from the ``catalogs.db`` satcfdi ships (the same public SAT data). Same file
format as ``scripts/generate_catalogs.py`` (one home: ``cfdi/catalogs``).

Kept whole, with descriptions: every ComExt catalog (c_FraccionArancelaria: 26,045
tariff items; not c_TipoOperacion, which only CCE 1.1 used) and every Carta Porte
catalog. Kept smaller:
``c_ClaveProdServCP`` holds codes only (all of them are c_ClaveProdServ codes, whose
file has the descriptions); ``c_Colonia`` holds codes only (SAT's 145,366 colonia /
postal code pairs are not kept: the key is checked, not its postal code);
``c_Municipio`` and ``c_Localidad`` hold (code, state) pairs, since a key means a
place only within its state. ``c_ConfigAutotransporte`` gains ``remolque`` (1: the
configuration pulls a trailer or semi-trailer), read from the key's SCT NOM-012
nomenclature: an ``R`` (remolque) or ``S`` (semirremolque) followed by its axles.

Usage: python3 scripts/generate_complement_catalogs.py [--out cfdi/catalogs]
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import re
import sqlite3
from pathlib import Path

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
CATALOGOS = "transform/schemas/www.sat.gob.mx/sitio_internet/cfd/catalogos"
CODES_ONLY = {"c_ClaveProdServCP", "c_Colonia"}
SKIPPED = {"c_TipoOperacion"}  # Comercio Exterior 1.1 only
PER_STATE = ("c_Municipio", "c_Localidad")
TRAILER = re.compile(r"[RS][0-9]")


def satcfdi_dir() -> Path:
    import satcfdi

    return Path(os.path.dirname(satcfdi.__file__))


def xsd_codes(path: Path) -> dict[str, list[str]]:
    tree = etree.parse(str(path), etree.XMLParser(no_network=True, huge_tree=True))
    return {
        st.get("name"): list(dict.fromkeys(e.get("value") for e in st.iter(f"{XS}enumeration")))
        for st in tree.getroot().iter(f"{XS}simpleType")
    }


class Descriptions:
    def __init__(self) -> None:
        self._db = sqlite3.connect(str(satcfdi_dir() / "catalogs" / "catalogs.db"))
        self._tables = {
            row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }

    def table(self, name: str) -> dict:
        for prefix in ("C592_", "C5bc_", "C756_"):
            if prefix + name in self._tables:
                rows = self._db.execute(f"SELECT key, value FROM {prefix}{name}").fetchall()
                return {pickle.loads(k): pickle.loads(v) for k, v in rows}
        return {}


def write(out: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _text(value: object) -> str:
    return (value[-1] if isinstance(value, list) else str(value or "")).strip()


def generate(out: Path) -> None:
    base = satcfdi_dir() / CATALOGOS
    descriptions = Descriptions()
    for xsd in (base / "ComExt" / "catComExt.xsd", base / "CartaPorte" / "catCartaPorte.xsd"):
        for name, codes in xsd_codes(xsd).items():
            if name in SKIPPED:
                continue
            if name in CODES_ONLY:
                write(out, name, ["code"], [[c] for c in codes])
                continue
            table = descriptions.table(name)
            rows = [[c, _text(table.get(c, ""))] for c in codes]
            header = ["code", "description"]
            if name == "c_ConfigAutotransporte":
                header.append("remolque")
                rows = [r + [str(int(bool(TRAILER.search(r[0]))))] for r in rows]
            write(out, name, header, rows)
    cfdi_codes = xsd_codes(base / "catCFDI.xsd")
    write(out, "c_Colonia", ["code"], [[c] for c in cfdi_codes["c_Colonia"]])
    for name in PER_STATE:
        allowed = set(cfdi_codes[name])
        pairs = descriptions.table(name)
        write(
            out,
            name,
            ["code", "state", "description"],
            sorted(
                [code, state, _text(text)]
                for (code, state), text in pairs.items()
                if code in allowed
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "cfdi" / "catalogs")
    )
    generate(Path(parser.parse_args().out))


if __name__ == "__main__":
    main()
