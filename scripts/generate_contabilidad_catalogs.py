#!/usr/bin/env python3
"""Regenerate ``cfdi/contabilidad/catalogs/*.csv`` from SAT's Anexo 24 schema.

Codes come from SAT's ``CatalogosParaEsqContE.xsd`` (contabilidad electrónica 1.3,
the schema SAT validates the files with), so a code is in our CSV exactly when
SAT's XSD accepts it. Descriptions:

* ``c_CodAgrup``: SAT's Anexo 24 text as exported in the ``catalogs.db`` of the
  ``satcfdi`` package. That export cuts long names (about 90 characters) and
  lacks four codes (401.39-401.41, 402.05); those names are completed from the
  account groups of Odoo's ``l10n_mx`` chart (``account.group-mx.csv``, the same
  Anexo 24 text in full) when Odoo's name extends satcfdi's, or fills a gap.
  ``level`` is Anexo 24's "Nivel" (1 = cuenta de mayor, 2 = subcuenta: the
  codes with a dot). ``nature`` is the usual nature of accounts of that code
  (D deudora, A acreedora): it is not in SAT's catalog; it is derived below
  (``nature_of``) and only proposes a default for an account.
* ``c_Banco``: satcfdi's ``c_Banco`` (the nómina bank catalog, same codes).
* ``c_MetPagos``: transcribed below from Anexo 24, "Catálogo de métodos de pago".
* ``c_Moneda``: the codes only (names are in ``cfdi/catalogs/c_Moneda.csv``).

``c_CodAgrupH`` (the grouping codes for hydrocarbon contractors) is not used by
any 1.3 file schema and is not generated.

Usage: python3 scripts/generate_contabilidad_catalogs.py [--out cfdi/contabilidad/catalogs]
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import sqlite3
from pathlib import Path

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
XSD = "transform/schemas/www.sat.gob.mx/esquemas/ContabilidadE/1_3/CatalogosParaEsqContE/CatalogosParaEsqContE.xsd"
ODOO_GROUPS = "addons/l10n_mx/data/template/account.group-mx.csv"

# Anexo 24, "H. Catálogo de métodos de pago" (c_MetPagos).
MET_PAGOS = {
    "01": "Efectivo",
    "02": "Cheque",
    "03": "Transferencia",
    "04": "Tarjetas de crédito",
    "05": "Monederos electrónicos",
    "06": "Dinero electrónico",
    "07": "Tarjetas digitales",
    "08": "Vales de despensa",
    "09": "Bienes",
    "10": "Servicio",
    "11": "Por cuenta de tercero",
    "12": "Dación en pago",
    "13": "Pago por subrogación",
    "14": "Pago por consignación",
    "15": "Condonación",
    "16": "Cancelación",
    "17": "Compensación",
    "98": "NA",
    "99": "Otros",
}

# Código agrupador accounts whose usual nature is the opposite of their class:
# contra-assets (estimaciones, depreciación/amortización/deterioro acumulados),
# returns on sales (debit within income) and on purchases (credit within costs).
CONTRA = {"108", "116", "171", "172", "183", "189", "402", "503"}


def nature_of(code: str, description: str) -> str:
    """Usual nature (D/A) of the accounts grouped under an Anexo 24 code."""
    major = code.split(".")[0]
    if major[0] == "8":  # cuentas de orden: the "contra cuenta" is the credit side
        return "A" if description.lower().startswith("contra cuenta") else "D"
    if major[0] == "7":  # 701 gastos / 703 otros gastos; 702 productos / 704 otros productos
        usual = "D" if major in ("700", "701", "703") else "A"
    else:
        usual = "D" if major[0] in "0156" else "A"
    if major in CONTRA:
        return "A" if usual == "D" else "D"
    return usual


def satcfdi_dir() -> Path:
    import satcfdi

    return Path(os.path.dirname(satcfdi.__file__))


def xsd_codes() -> dict[str, list[str]]:
    tree = etree.parse(str(satcfdi_dir() / XSD), etree.XMLParser(no_network=True))
    return {
        st.get("name"): [e.get("value") for e in st.iter(f"{XS}enumeration")]
        for st in tree.getroot().iter(f"{XS}simpleType")
    }


def satcfdi_table(name: str) -> dict[str, str]:
    db = sqlite3.connect(str(satcfdi_dir() / "catalogs" / "catalogs.db"))
    rows = db.execute(f"SELECT key, value FROM {name}").fetchall()
    return {str(pickle.loads(k)): str(pickle.loads(v)).strip() for k, v in rows}


def odoo_group_names() -> dict[str, str]:
    """Spanish names of the l10n_mx account groups (code prefix -> name), if Odoo is here."""
    import importlib.util

    spec = importlib.util.find_spec("odoo")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / ODOO_GROUPS
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                return {r["code_prefix_start"]: r["name@es"].strip() for r in csv.DictReader(fh)}
    raise SystemExit("Odoo's l10n_mx chart was not found: install Odoo 18 to regenerate.")


def agrupador_description(code: str, sat: dict[str, str], odoo: dict[str, str]) -> str:
    text = sat.get(code, "")
    full = odoo.get(code, "")
    if not text or (full.startswith(text.rstrip(" ,")) and len(full) > len(text)):
        return full
    return text


def write(out: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    codes = xsd_codes()
    sat, odoo = satcfdi_table("Cb9f_c_CodAgrup"), odoo_group_names()
    rows = []
    for code in codes["c_CodAgrup"]:
        description = agrupador_description(code, sat, odoo)
        if not description:
            raise SystemExit(f"No description for código agrupador {code}.")
        level = "2" if "." in code else "1"
        rows.append([code, level, nature_of(code, description), description])
    write(out, "c_CodAgrup", ["code", "level", "nature", "description"], rows)

    banks = satcfdi_table("C75b_c_Banco")
    write(out, "c_Banco", ["code", "description"], [[c, banks[c]] for c in codes["c_Banco"]])
    write(
        out,
        "c_MetPagos",
        ["code", "description"],
        [[c, MET_PAGOS[c]] for c in codes["c_MetPagos"]],
    )
    write(out, "c_Moneda", ["code"], [[c] for c in codes["c_Moneda"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "cfdi" / "contabilidad" / "catalogs"
    parser.add_argument("--out", default=str(default))
    generate(Path(parser.parse_args().out))


if __name__ == "__main__":
    main()
