"""Anexo 24 catalogs equal SAT's XSD; the código agrupador proposed for Odoo's l10n_mx chart."""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from cfdi.contabilidad import catalogs, propose_agrupador, propose_nature
from cfdi.tests.contabilidad_data import CONTE

ROOT = Path(__file__).resolve().parents[2]
XS = "{http://www.w3.org/2001/XMLSchema}"


def xsd_enumerations() -> dict[str, list[str]]:
    tree = etree.parse(str(CONTE / "CatalogosParaEsqContE" / "CatalogosParaEsqContE.xsd"))
    return {
        st.get("name"): [e.get("value") for e in st.iter(f"{XS}enumeration")]
        for st in tree.getroot().iter(f"{XS}simpleType")
    }


def l10n_mx_file(name: str) -> Path:
    """A data file of Odoo's l10n_mx chart template, found without importing odoo."""
    spec = importlib.util.find_spec("odoo")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "addons" / "l10n_mx" / "data" / "template" / name
        if path.is_file():
            return path
    pytest.fail("Odoo 18 (with l10n_mx) is needed for the chart-mapping tests: install it.")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["c_CodAgrup", "c_Banco", "c_MetPagos", "c_Moneda"])
def test_codes_equal_sat_schema(name):
    assert sorted(catalogs.codes(name)) == sorted(xsd_enumerations()[name])


def test_every_agrupador_has_level_nature_and_a_full_description():
    rows = catalogs.agrupadores()
    assert len(rows) == 1080
    for row in rows:
        assert row.level == (2 if "." in row.code else 1)
        assert row.nature in ("D", "A")
        assert row.description and not row.description.endswith((",", " de", " o"))
    assert catalogs.agrupador("168").description.endswith("cogeneración de electricidad eficiente")
    assert catalogs.agrupador("402.05").description.startswith("Devoluciones")


@pytest.mark.parametrize(
    "code, nature",
    [
        ("102.01", "D"),
        ("171.02", "A"),  # depreciación acumulada: contra-asset
        ("108.01", "A"),  # estimación de cuentas incobrables
        ("201.01", "A"),
        ("402.01", "D"),  # returns on sales
        ("503.01", "A"),  # returns on purchases
        ("601.84", "D"),
        ("701.01", "D"),
        ("702.01", "A"),
        ("899.01", "D"),
        ("899.02", "A"),  # contra cuenta de orden
    ],
)
def test_nature_of_agrupador(code, nature):
    assert catalogs.agrupador(code).nature == nature


def test_banks_and_payment_methods_have_names():
    assert catalogs.description("c_Banco", "012") == "BBVA BANCOMER"
    assert catalogs.description("c_MetPagos", "03") == "Transferencia"
    assert all(catalogs.description("c_Banco", c) for c in catalogs.codes("c_Banco"))


def test_generator_reproduces_the_committed_files(tmp_path):
    script = ROOT / "scripts" / "generate_contabilidad_catalogs.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    committed = ROOT / "cfdi" / "contabilidad" / "catalogs"
    names = sorted(p.name for p in committed.glob("*.csv"))
    _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


# --- Odoo's l10n_mx chart ----------------------------------------------------


def test_every_l10n_mx_account_maps_to_its_own_account_group():
    """Independent oracle: l10n_mx files each account under the account group with the
    longest code prefix; those groups are Anexo 24 codes. The proposal must be that group."""
    groups = [r["code_prefix_start"] for r in read_csv(l10n_mx_file("account.group-mx.csv"))]
    accounts = read_csv(l10n_mx_file("account.account-mx.csv"))
    mapped, unmapped = {}, []
    for account in accounts:
        code = account["code"]
        proposal = propose_agrupador(code)
        if proposal is None:
            unmapped.append(code)
            continue
        mapped[code] = proposal
        group = max((g for g in groups if code.startswith(g + ".")), key=len)
        assert proposal == group, code
    assert len(accounts) == 74 and unmapped == []
    assert mapped["102.02.01"] == "102.02" and mapped["899.01.99"] == "899.01"


def test_nature_proposed_for_l10n_mx_agrees_with_its_debit_credit_tags():
    """l10n_mx tags each account debit- or credit-balanced; the proposal agrees for all of
    them but the two its own naive rule gets wrong (estimaciones de cuentas incobrables)."""
    disagree = []
    for account in read_csv(l10n_mx_file("account.account-mx.csv")):
        tagged = "D" if "debit_balance" in account["tag_ids"] else "A"
        proposed = propose_nature(propose_agrupador(account["code"]), account["account_type"])
        if proposed != tagged:
            disagree.append(account["code"])
    assert disagree == ["108.01.01", "108.02.01"]


@pytest.mark.parametrize(
    "code, agrupador",
    [
        ("102.01.01", "102.01"),  # bank journals' accounts (bank_account_code_prefix 102.01.0)
        ("102.01.07", "102.01"),
        ("101.01.01", "101.01"),  # cash journals (101.01.0)
        ("403.01.01", "403.01"),  # cash difference gain, created by l10n_mx
        ("601.84.02", "601.84"),  # cash difference loss
        ("118.99.01", "118"),  # unknown subcuenta: falls back to the cuenta de mayor
        ("102", "102"),
        ("999998", None),  # Odoo's early-payment discount accounts: listed for the user
        ("999997", None),
        ("1020101", None),  # undotted company codes
        ("", None),
        ("ABC.01", None),
    ],
)
def test_propose_agrupador(code, agrupador):
    assert propose_agrupador(code) == agrupador


def test_propose_nature_without_agrupador_follows_odoo_account_type():
    assert propose_nature(None, "asset_receivable") == "D"
    assert propose_nature(None, "expense_depreciation") == "D"
    assert propose_nature(None, "liability_payable") == "A"
    assert propose_nature(None, "income_other") == "A"
    assert propose_nature("171.01", "asset_fixed") == "A"
