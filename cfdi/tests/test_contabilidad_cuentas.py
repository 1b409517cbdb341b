"""The catálogo's account tree and the balanza over it, checked by an independent sum."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cfdi.contabilidad import AccountTotals, ContabilidadError, Cuenta, balanza, catalogo
from cfdi.tests.contabilidad_data import CUENTAS, LEAVES, account_totals, opening, polizas


def test_catalogo_adds_mayor_and_subcuenta_from_dotted_codes():
    by_number = {c.num_cta: c for c in CUENTAS}
    parents = {c.num_cta.rsplit(".", 1)[0] for c in LEAVES} | {c.num_cta[:3] for c in LEAVES}
    assert {c.num_cta for c in CUENTAS} == {c.num_cta for c in LEAVES} | parents
    assert by_number["171"].desc == "Depreciación acumulada de activos fijos"
    assert (by_number["171"].cod_agrup, by_number["171"].natur, by_number["171"].nivel) == (
        "171",
        "A",
        1,
    )
    assert (by_number["171.02"].sub_cta_de, by_number["171.02"].nivel) == ("171", 2)
    assert (by_number["171.02.01"].sub_cta_de, by_number["171.02.01"].nivel) == ("171.02", 3)
    assert [c.num_cta for c in CUENTAS][:3] == ["102", "102.01", "102.01.01"]


def test_catalogo_keeps_existing_parents_and_takes_group_names():
    accounts = [
        Cuenta("102.01.01", "BBVA", "102.01", "D"),
        Cuenta("102", "Bancos de la empresa", "102", "D"),
        Cuenta("999998", "Cash Discount Loss", "703.21", "D"),
        Cuenta("5000.01", "Gasto propio", "601.84", "D"),
    ]
    tree = {c.num_cta: c for c in catalogo(accounts, {"102.01": "Bancos MXN"})}
    assert tree["102"].desc == "Bancos de la empresa"
    assert tree["102.01"].desc == "Bancos MXN"
    assert (tree["999998"].nivel, tree["999998"].sub_cta_de) == (1, None)
    # a parent whose code is not an Anexo 24 code takes its child's agrupador
    assert (tree["5000"].cod_agrup, tree["5000"].desc, tree["5000"].natur) == (
        "601.84",
        "5000",
        "D",
    )


def expected_balanza() -> dict[str, tuple[D, D, D, D]]:
    """Independent computation: straight from the pólizas and the opening balances,
    summing every leaf whose code starts with the account's code."""
    natures = {c.num_cta: c.natur for c in CUENTAS}
    entries = polizas()
    out = {}
    for number, natur in natures.items():

        def under(code: str, number: str = number) -> bool:
            return code == number or code.startswith(number + ".")

        sign = 1 if natur == "D" else -1
        ini = sign * sum((v for k, v in opening().items() if under(k)), D(0))
        debe = sum((tr.debe for p in entries for tr in p.transacciones if under(tr.num_cta)), D(0))
        haber = sum(
            (tr.haber for p in entries for tr in p.transacciones if under(tr.num_cta)), D(0)
        )
        fin = ini + sign * (debe - haber)
        if any((ini, debe, haber, fin)):
            out[number] = (ini, debe, haber, fin)
    return out


def test_balanza_equals_an_independent_computation():
    got = {
        s.num_cta: (s.saldo_ini, s.debe, s.haber, s.saldo_fin)
        for s in balanza(CUENTAS, account_totals(polizas()))
    }
    assert got == expected_balanza()
    assert got["171.02.01"] == (D("3000.00"), D("0"), D("250.00"), D("3250.00"))
    assert got["102"][3] == D("50000.00") + D("1160.00") + D("20000.00") - D("1065.43")


def test_balanza_leaves_out_silent_accounts_unless_asked():
    totals = [AccountTotals("102.01.01", D("10"), D("0"), D("0"))]
    assert [s.num_cta for s in balanza(CUENTAS, totals)] == ["102", "102.01", "102.01.01"]
    assert len(balanza(CUENTAS, totals, include_zero=True)) == len(CUENTAS)


def test_balanza_refuses_journal_items_on_accounts_outside_the_catalogo():
    totals = [AccountTotals("999998", D("0"), D("5"), D("0"))]
    with pytest.raises(ContabilidadError) as error:
        balanza(CUENTAS, totals)
    assert error.value.code == "EINV-CE-CUENTA" and "999998" in error.value.message_es
