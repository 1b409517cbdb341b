"""Anexo 24 (1.3) writers: every file validates against SAT's XSD (shipped in satcfdi)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from cfdi.contabilidad import (
    CompNal,
    ContabilidadError,
    Cuenta,
    CuentaAuxiliar,
    DetalleAux,
    Poliza,
    SaldoCuenta,
    Solicitud,
    balanza,
    folios_de_poliza,
    write_auxiliar_cuentas,
    write_auxiliar_folios,
    write_balanza,
    write_catalogo,
    write_polizas,
)
from cfdi.tests.contabilidad_data import (
    AUDIT,
    CUENTAS,
    PERIODO,
    UUID_BILL,
    UUID_SALE,
    account_totals,
    assert_valid,
    many_polizas,
    parse,
    polizas,
    schema,
    t,
)

NS_PLZ = "{http://www.sat.gob.mx/esquemas/ContabilidadE/1_3/PolizasPeriodo}"


def written(writer, *args, **kwargs) -> bytes:
    out = io.BytesIO()
    writer(*args, out, **kwargs)
    return out.getvalue()


def test_catalogo_validates_and_keeps_every_account():
    doc = assert_valid(written(write_catalogo, PERIODO, CUENTAS), "Catalogo")
    assert doc.get("Version") == "1.3"
    assert (doc.get("RFC"), doc.get("Mes"), doc.get("Anio")) == ("EKU9003173C9", "01", "2025")
    rows = {c.get("NumCta"): c for c in doc}
    assert set(rows) == {c.num_cta for c in CUENTAS}
    bank = rows["102.01.01"]
    assert (bank.get("CodAgrup"), bank.get("Nivel"), bank.get("SubCtaDe")) == (
        "102.01",
        "3",
        "102.01",
    )
    assert rows["102"].get("SubCtaDe") is None and rows["102"].get("Nivel") == "1"
    assert rows["171.02.01"].get("Natur") == "A"


def test_catalogo_refused_by_the_oracle_with_an_unknown_agrupador():
    """The oracle can fail: an account with a code outside Anexo 24 is rejected by SAT's XSD."""
    bad = [Cuenta("102.01.01", "Banco", "102.99", "D")]
    doc = parse(written(write_catalogo, PERIODO, bad))
    assert not schema("Catalogo").validate(doc)


@pytest.mark.parametrize("tipo_envio, fecha", [("N", None), ("C", date(2025, 2, 14))])
def test_balanza_normal_and_complementaria_validate(tipo_envio, fecha):
    saldos = balanza(CUENTAS, account_totals(polizas()))
    data = written(write_balanza, PERIODO, saldos, tipo_envio=tipo_envio, fecha_mod_bal=fecha)
    doc = assert_valid(data, "Balanza")
    assert doc.get("TipoEnvio") == tipo_envio
    assert doc.get("FechaModBal") == (fecha.isoformat() if fecha else None)
    lines = {c.get("NumCta"): c for c in doc}
    assert lines["102.01.01"].attrib["SaldoFin"] == "51160.00"
    assert lines["171.02.01"].attrib["SaldoIni"] == "3000.00"  # credit nature: positive


def test_balanza_of_the_closing_month_13():
    saldos = balanza(CUENTAS, account_totals(polizas()))
    data = written(write_balanza, replace(PERIODO, mes=13), saldos)
    assert assert_valid(data, "Balanza").get("Mes") == "13"


def test_balanza_refuses_an_unknown_tipo_envio():
    with pytest.raises(ContabilidadError):
        written(write_balanza, PERIODO, [], tipo_envio="X")


def test_amounts_have_two_decimals_rounded_half_up():
    saldo = SaldoCuenta("102.01.01", D("0.005"), D("10"), D("-0.004"), D("-0.001"))
    doc = parse(written(write_balanza, PERIODO, [saldo]))
    line = doc[0]
    assert [line.get(a) for a in ("SaldoIni", "Debe", "Haber", "SaldoFin")] == [
        "0.01",
        "10.00",
        "0.00",
        "0.00",
    ]


def test_polizas_validate_with_every_kind_of_voucher_and_payment():
    doc = assert_valid(written(write_polizas, PERIODO, AUDIT, polizas()), "Polizas")
    assert (doc.get("TipoSolicitud"), doc.get("NumOrden")) == ("AF", "ABC1234567/25")
    assert doc.get("NumTramite") is None
    tags = {etree_local(e) for e in doc.iter()}
    assert {
        "CompNal",
        "CompNalOtr",
        "CompExt",
        "Cheque",
        "Transferencia",
        "OtrMetodoPago",
    } <= tags
    first = doc.find(f"{NS_PLZ}Poliza")
    assert first.get("Concepto") == "Factura a cliente & <socio>"
    uuids = {c.get("UUID_CFDI") for c in doc.iter(f"{NS_PLZ}CompNal")}
    assert uuids == {UUID_SALE, UUID_BILL.upper()}
    cheque = next(doc.iter(f"{NS_PLZ}Cheque"))
    assert cheque.get("TipCamb") == "17.25431"  # five decimals at most
    assert cheque.get("BanEmisExt") == "Bank of America"
    # MetPagoAux belongs to the auxiliar de folios only
    assert all(c.get("MetPagoAux") is None for c in doc.iter(f"{NS_PLZ}CompNal"))


def etree_local(element) -> str:
    return element.tag.split("}")[-1]


def test_polizas_for_a_refund_carry_num_tramite():
    solicitud = Solicitud("DE", num_tramite="AB123456789012")
    doc = assert_valid(written(write_polizas, PERIODO, solicitud, polizas()[:1]), "Polizas")
    assert (doc.get("TipoSolicitud"), doc.get("NumTramite")) == ("DE", "AB123456789012")


def test_long_texts_are_cut_to_sat_limits_and_control_characters_dropped():
    long_name = replace(t("102.01.01", "1", "0", "x" * 250 + "\x07"), des_cta="Banco " * 30)
    poliza = Poliza("P\n1", date(2025, 1, 2), "c" * 400, [long_name, t("102.02.01", "0", "1")])
    doc = assert_valid(written(write_polizas, PERIODO, AUDIT, [poliza]), "Polizas")
    first = doc.find(f"{NS_PLZ}Poliza")
    assert first.get("NumUnIdenPol") == "P 1"
    assert len(first.get("Concepto")) == 300
    transaccion = first[0]
    assert len(transaccion.get("Concepto")) == 200 and "\x07" not in transaccion.get("Concepto")
    assert len(transaccion.get("DesCta")) <= 100


def test_an_empty_concept_is_refused_before_it_reaches_the_file():
    poliza = Poliza("P1", date(2025, 1, 2), "  ", [t("102.01.01", "1", "0")])
    with pytest.raises(ContabilidadError) as error:
        written(write_polizas, PERIODO, AUDIT, [poliza])
    assert "P1" in error.value.message_es


def test_auxiliar_de_cuentas_validates_and_reads_details_lazily():
    consumed = []

    def details():
        for p in polizas():
            for tr in p.transacciones:
                if tr.num_cta == "201.01.01":
                    consumed.append(p.num_un_iden_pol)
                    yield DetalleAux(p.fecha, p.num_un_iden_pol, tr.concepto, tr.debe, tr.haber)

    cuentas = [CuentaAuxiliar("201.01.01", "Proveedores nacionales", D("0"), D("0"), details())]
    doc = assert_valid(written(write_auxiliar_cuentas, PERIODO, AUDIT, cuentas), "AuxiliarCtas")
    assert len(doc[0]) == len(consumed) == 3
    assert doc[0].get("SaldoFin") == "0.00"


def test_auxiliar_de_folios_validates_with_each_voucher_once():
    detalles = [folios_de_poliza(p) for p in polizas()]
    doc = assert_valid(written(write_auxiliar_folios, PERIODO, AUDIT, detalles), "RepAuxFol")
    assert doc.get("TipoSolicitud") == "AF"
    by_poliza = {d.get("NumUnIdenPol"): d for d in doc}
    bill = [etree_local(e) for e in by_poliza["BILL/2025/00001"]]
    assert bill == ["ComprNal", "ComprNalOtr", "ComprExt"]
    assert len(by_poliza["INV/2025/00001"]) == 1  # the sale's CFDI, once


def test_auxiliar_de_folios_writes_the_payment_method():
    detalle = folios_de_poliza(polizas()[0])
    paid = replace(detalle, compr_nal=[replace(detalle.compr_nal[0], met_pago_aux="03")])
    data = written(write_auxiliar_folios, PERIODO, AUDIT, [paid])
    doc = assert_valid(data, "RepAuxFol")
    assert doc[0][0].get("MetPagoAux") == "03"


def test_polizas_stream_50000_journal_items_into_one_valid_file():
    """5,000 pólizas of 10 lines, made by a generator: the file is written while the
    generator runs (bytes are out before the last póliza exists) and validates."""
    out = io.BytesIO()
    written_before_end = []

    def watched():
        for i, p in enumerate(many_polizas(5000)):
            if i == 4999:
                written_before_end.append(out.tell())
            yield p

    write_polizas(PERIODO, AUDIT, watched(), out)
    assert written_before_end[0] > len(out.getvalue()) // 2
    doc = assert_valid(out.getvalue(), "Polizas")
    assert sum(1 for _ in doc.iter(f"{NS_PLZ}Transaccion")) == 50000


def test_rfcs_are_written_upper_case_without_spaces():
    sale = CompNal(UUID_SALE, " mci7306249y1", D("1160.00"))
    entry = Poliza(
        "P1",
        date(2025, 1, 3),
        "Venta",
        [t("105.01.01", "1160", "0", comp_nal=[sale]), t("401.01.01", "0", "1160")],
    )
    periodo = replace(PERIODO, rfc="eku9003173c9")
    doc = assert_valid(written(write_polizas, periodo, AUDIT, [entry]), "Polizas")
    assert doc.get("RFC") == "EKU9003173C9"
    assert next(doc.iter(f"{NS_PLZ}CompNal")).get("RFC") == "MCI7306249Y1"
