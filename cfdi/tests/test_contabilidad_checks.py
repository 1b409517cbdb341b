"""Checks before filing: each one fires on bad data and stays quiet on the good month."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from cfdi.contabilidad import (
    CompNal,
    Cuenta,
    CuentaAuxiliar,
    DetalleAux,
    Periodo,
    Poliza,
    SaldoCuenta,
    Solicitud,
    balanza,
    check_auxiliar_cuentas,
    check_balanza,
    check_catalogo,
    check_periodo,
    check_polizas,
    check_solicitud,
)
from cfdi.tests.contabilidad_data import (
    CUENTAS,
    PERIODO,
    UUID_BILL,
    UUID_SALE,
    account_totals,
    polizas,
    t,
)

NUMBERS = {c.num_cta for c in CUENTAS}
KNOWN_UUIDS = {UUID_SALE, UUID_BILL.upper()}


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_the_good_month_has_no_findings():
    saldos = balanza(CUENTAS, account_totals(polizas()))
    assert check_periodo(PERIODO) == []
    assert check_catalogo(CUENTAS) == []
    assert check_balanza(CUENTAS, saldos) == []
    assert check_polizas(polizas(), periodo=PERIODO, cuentas=NUMBERS, uuids=KNOWN_UUIDS) == []


@pytest.mark.parametrize(
    "periodo, balanza_file, code",
    [
        (Periodo("EKU9003173C", 2025, 1), False, "EINV-CE-RFC"),
        (Periodo("EKU9003173C9", 2014, 1), False, "EINV-CE-PERIODO"),
        (Periodo("EKU9003173C9", 2025, 13), False, "EINV-CE-PERIODO"),
        (Periodo("EKU9003173C9", 2025, 0), True, "EINV-CE-PERIODO"),
    ],
)
def test_periodo(periodo, balanza_file, code):
    assert codes(check_periodo(periodo, balanza=balanza_file)) == [code]


def test_month_13_is_allowed_for_the_balanza_only():
    assert check_periodo(Periodo("EKU9003173C9", 2025, 13), balanza=True) == []


@pytest.mark.parametrize(
    "solicitud, fields",
    [
        (Solicitud("AF", num_orden="ABC1234567/25"), []),
        (Solicitud("FC", num_orden="ABC1234567/25"), []),
        (Solicitud("DE", num_tramite="AB123456789012"), []),
        (Solicitud("CO", num_tramite="AB123456789012"), []),
        (Solicitud("AF"), ["NumOrden"]),
        (Solicitud("FC", num_orden="ABC123/25"), ["NumOrden"]),
        (Solicitud("DE"), ["NumTramite"]),
        (Solicitud("CO", num_tramite="AB12"), ["NumTramite"]),
        (Solicitud("XX"), ["TipoSolicitud"]),
    ],
)
def test_num_orden_and_num_tramite_follow_tipo_solicitud(solicitud, fields):
    found = check_solicitud(solicitud)
    assert [f.path for f in found] == fields
    assert all(f.code == "EINV-CE-SOLICITUD" and f.message_es and f.message_en for f in found)


def test_unmapped_and_wrong_accounts_are_listed_by_name():
    cuentas = [
        Cuenta("102", "Bancos", "102", "D"),
        Cuenta("102.01", "Banco BBVA", "", "D", nivel=2, sub_cta_de="102"),
        Cuenta("999998", "Cash Discount Loss", "999.99", "X"),
        Cuenta("105.01", "Clientes", "105.01", "D", nivel=3, sub_cta_de="105"),
        Cuenta("102", "Bancos otra vez", "102", "D"),
    ]
    found = check_catalogo(cuentas)
    assert sorted(codes(found)) == sorted(
        [
            "EINV-CE-AGRUPADOR",  # 102.01 without one
            "EINV-CE-AGRUPADOR",  # 999998 with a code outside Anexo 24
            "EINV-CE-NATURALEZA",  # 999998 with nature X
            "EINV-CE-NIVEL",  # 105.01: parent 105 missing
            "EINV-CE-CUENTA",  # 102 twice
        ]
    )
    unmapped = next(f for f in found if f.path == "Ctas[102.01]")
    assert (
        "102.01 «Banco BBVA»" in unmapped.message_es and "código agrupador" in unmapped.message_en
    )


def test_level_must_follow_the_parent():
    cuentas = [Cuenta("102", "Bancos", "102", "D", nivel=2), Cuenta("102.01", "B", "102.01", "D")]
    cuentas[1] = replace(cuentas[1], nivel=1, sub_cta_de="102")
    assert codes(check_catalogo(cuentas)) == ["EINV-CE-NIVEL", "EINV-CE-NIVEL"]


def test_balanza_saldo_fin_follows_nature():
    saldos = balanza(CUENTAS, account_totals(polizas()))
    wrong = [
        replace(s, saldo_fin=s.saldo_fin + 1) if s.num_cta == "171.02.01" else s for s in saldos
    ]
    found = check_balanza(CUENTAS, wrong)
    assert "EINV-CE-SALDO" in codes(found)
    assert any(f.path == "Ctas[171.02.01].SaldoFin" for f in found)
    # a credit-nature account computed as if it were a debit one is caught too
    iva = next(s for s in saldos if s.num_cta == "208.01.01")
    as_debit = iva.saldo_ini + iva.debe - iva.haber
    assert (iva.saldo_fin, as_debit) == (D("160.00"), D("-160.00"))
    found = check_balanza(CUENTAS, [replace(iva, saldo_fin=as_debit)])
    assert "EINV-CE-SALDO" in codes(found)


def test_balanza_totals_must_balance():
    saldos = balanza(CUENTAS, account_totals(polizas()))
    missing_one = [s for s in saldos if not s.num_cta.startswith("208")]
    found = check_balanza(CUENTAS, missing_one)
    assert codes(found) == ["EINV-CE-BALANZA", "EINV-CE-BALANZA"]  # movements, closing
    assert "160.00" in found[0].message_es  # the IVA left out is the difference
    assert "finales" in found[1].message_es and "160.00" in found[1].message_es


def test_balanza_parent_must_be_the_sum_of_children():
    saldos = balanza(CUENTAS, account_totals(polizas()))
    bumped = [
        replace(s, debe=s.debe + 5, saldo_fin=s.saldo_fin + 5) if s.num_cta == "102.01" else s
        for s in saldos
    ]
    assert "EINV-CE-SUBCUENTA" in codes(check_balanza(CUENTAS, bumped))


def test_balanza_accounts_must_be_in_the_catalogo_with_agrupador():
    stray = SaldoCuenta("999998", D(0), D(0), D(0), D(0))
    assert codes(check_balanza(CUENTAS, [stray])) == ["EINV-CE-CUENTA"]
    unmapped = [Cuenta("999998", "Cash Discount Loss", "", "D")]
    assert codes(check_balanza(unmapped, [stray])) == ["EINV-CE-AGRUPADOR"]


def test_balanza_complementaria_needs_fecha_mod_bal():
    assert codes(check_balanza(CUENTAS, [], tipo_envio="C")) == ["EINV-CE-ENVIO"]
    assert check_balanza(CUENTAS, [], tipo_envio="C", fecha_mod_bal=date(2025, 3, 1)) == []
    assert codes(check_balanza(CUENTAS, [], tipo_envio="Z")) == ["EINV-CE-ENVIO"]


def test_poliza_debits_must_equal_credits():
    entry = Poliza("P1", date(2025, 1, 3), "Ajuste", [t("102.01.01", "10.00", "0")])
    entry = replace(entry, transacciones=[*entry.transacciones, t("601.84.01", "0", "9.99")])
    found = check_polizas([entry])
    assert codes(found) == ["EINV-CE-POLIZA-CUADRE"]
    assert "10.00" in found[0].message_es and "9.99" in found[0].message_es


def test_repeated_empty_and_out_of_period_polizas():
    good = polizas()[0]
    entries = [
        good,
        good,
        Poliza("P2", date(2025, 2, 1), "", []),
    ]
    found = check_polizas(entries, periodo=PERIODO)
    assert sorted(codes(found)) == sorted(
        ["EINV-CE-POLIZA", "EINV-CE-POLIZA", "EINV-CE-TEXTO", "EINV-CE-PERIODO"]
    )


def test_transaction_account_must_be_in_the_catalogo():
    entry = Poliza(
        "P1",
        date(2025, 1, 3),
        "Ajuste",
        [t("102.01.01", "1", "0"), replace(t("102.01.01", "0", "1"), num_cta="999998")],
    )
    found = check_polizas([entry], cuentas=NUMBERS)
    assert codes(found) == ["EINV-CE-CUENTA"]
    assert found[0].path == "Poliza[P1].Transaccion[2].NumCta"


def test_uuid_shape_and_unknown_uuids():
    bad = CompNal("6F35D3B5-3651-5370-BC2C-14CDBE384CD", "MCI7306249Y1", D("1"))
    unknown = CompNal("00000000-0000-0000-0000-000000000000", "MCI7306249Y1", D("1"))
    lower = CompNal(UUID_SALE.lower(), "MCI7306249Y1", D("1"))
    entry = Poliza(
        "P1",
        date(2025, 1, 3),
        "Venta",
        [t("105.01.01", "1", "0", comp_nal=[bad, unknown, lower]), t("401.01.01", "0", "1")],
    )
    found = check_polizas([entry], uuids=KNOWN_UUIDS)
    assert [(f.code, f.severity) for f in found] == [
        ("EINV-CE-UUID", "error"),
        ("EINV-CE-UUID", "warning"),
    ]
    assert found[1].path == "Poliza[P1].Transaccion[1].CompNal[2].UUID_CFDI"
    assert not found[1].blocking


def test_vouchers_and_payments_rfc_currency_bank_and_method():
    entry = polizas()[3]  # the payment with a cheque and another method
    line = entry.transacciones[2]
    cheque = replace(line.cheque[0], ban_emis_nal="000", rfc="ICV06", tip_camb=None)
    other = replace(line.otr_metodo_pago[0], met_pago_pol="31", moneda="XYZ")
    broken = replace(entry, transacciones=[replace(line, cheque=[cheque], otr_metodo_pago=[other])])
    broken = replace(broken, transacciones=[*entry.transacciones[:2], broken.transacciones[0]])
    assert sorted(codes(check_polizas([broken]))) == sorted(
        ["EINV-CE-RFC", "EINV-CE-MONEDA", "EINV-CE-BANCO", "EINV-CE-MONEDA", "EINV-CE-METODO"]
    )


def test_auxiliar_saldo_fin_follows_the_details():
    details = [DetalleAux(date(2025, 1, 3), "P1", "Pago", D("0"), D("100.00"))]
    good = CuentaAuxiliar("201.01.01", "Proveedores", D("500"), D("600"), details)
    bad = CuentaAuxiliar("201.01.01", "Proveedores", D("500"), D("400"), iter(details))
    natures = {"201.01.01": "A"}
    assert check_auxiliar_cuentas([good], natures) == []
    assert codes(check_auxiliar_cuentas([bad], natures)) == ["EINV-CE-SALDO"]


def test_rfc_is_checked_as_written_upper_case_and_folio_method_against_c_metpagos():
    sale = CompNal(UUID_SALE, " mci7306249y1 ", D("1"), met_pago_aux="31")
    entry = Poliza(
        "P1",
        date(2025, 1, 3),
        "Venta",
        [t("105.01.01", "1", "0", comp_nal=[sale]), t("401.01.01", "0", "1")],
    )
    found = check_polizas([entry])
    assert [(f.code, f.path) for f in found] == [
        ("EINV-CE-METODO", "Poliza[P1].Transaccion[1].CompNal[1].MetPagoAux")
    ]
    assert check_periodo(Periodo("eku9003173c9", 2025, 1)) == []
