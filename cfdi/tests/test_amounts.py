"""Anexo 20 arithmetic of cfdi.amounts: rounding edge cases, taxes, totals, Pagos 2.0."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from corpus import XIA, invoice, line, payment

from cfdi import amounts
from cfdi.document import Comprobante, Concepto, ImpuestosLocales, TrasladoLocal


def only_traslado(c: Comprobante, i: int = 0, j: int = 0):
    return c.conceptos[i].impuestos.traslados[j]


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        ("2.675", 2, "2.68"),
        ("0.125", 2, "0.13"),
        ("0.124999", 2, "0.12"),
        ("1.005", 2, "1.01"),
        ("-0.125", 2, "-0.13"),
        ("12.5", 0, "13"),
        ("0.0005", 3, "0.001"),
        ("7", 2, "7.00"),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert str(amounts.quantize(D(value), decimals)) == expected


def test_importe_half_up_at_x_xx5():
    c = invoice(
        [line("1", "0.125", "iva16"), line("3", "0.335", "iva16"), line("1", "10.005", "iva16")]
    )
    assert [str(k.importe) for k in c.conceptos] == ["0.13", "1.01", "10.01"]
    assert c.subtotal == D("11.15")


def test_six_decimal_quantity():
    c = invoice([line("1.234567", "987.654321", "iva16")])
    assert c.conceptos[0].importe == D("1219.33")  # 1219.325432... rounds up
    t = only_traslado(c)
    assert t.base == D("1219.33") and t.importe == D("195.09")  # 195.0928
    assert c.total == D("1414.42")


def test_discount_reduces_tax_base_and_total():
    c = invoice([line("4", "250.00", "iva16", discount="100.00")])
    assert c.conceptos[0].importe == D("1000.00")
    assert only_traslado(c).base == D("900.00") and only_traslado(c).importe == D("144.00")
    assert c.descuento == D("100.00") and c.total == D("1044.00")


def test_descuento_omitted_without_discounts():
    assert invoice([line("1", "10.00", "iva16")]).descuento is None


def test_iva8_and_iva0():
    c = invoice([line("5", "120.00", "iva8"), line("1", "50.00", "iva0")])
    assert only_traslado(c, 0).importe == D("48.00")
    assert only_traslado(c, 1).importe == D("0.00")
    assert [t.tasa_o_cuota for t in c.impuestos.traslados] == [D("0.080000"), D("0.000000")]
    assert c.impuestos.total_trasladados == D("48.00")
    assert c.total == D("698.00")


def test_exento_has_base_only_and_no_total_trasladados():
    c = invoice([line("1", "8500.00", "iva_exento")])
    t = only_traslado(c)
    assert t.base == D("8500.00") and t.tasa_o_cuota is None and t.importe is None
    summary = c.impuestos.traslados[0]
    assert (
        summary.tipo_factor == "Exento" and summary.base == D("8500.00") and summary.importe is None
    )
    assert c.impuestos.total_trasladados is None
    assert c.total == D("8500.00")


def test_exento_excluded_from_total_trasladados():
    c = invoice([line("1", "100.00", "iva_exento"), line("1", "100.00", "iva16")])
    assert c.impuestos.total_trasladados == D("16.00")
    assert len(c.impuestos.traslados) == 2


def test_ieps_tasa_then_iva():
    c = invoice([line("12", "45.00", "ieps26.5", "iva16")])
    ieps, iva = c.conceptos[0].impuestos.traslados
    assert ieps.importe == D("143.10")  # 540 x 0.265
    assert iva.base == D("540.00") and iva.importe == D("86.40")
    assert c.total == D("769.50")


def test_ieps_cuota_is_per_unit():
    c = invoice([line("20", "65.00", "ieps_cuota", "iva16")])
    cuota = only_traslado(c)
    assert cuota.tipo_factor == "Cuota" and cuota.base == D("20")
    assert cuota.importe == D("7.10")  # 20 units x 0.3548 = 7.096
    assert c.impuestos.total_trasladados == D("7.10") + D("208.00")


def test_retention_two_thirds_of_iva():
    c = invoice([line("1", "10000.00", "iva16", "ret_isr10", "ret_iva2/3")])
    isr, iva = c.conceptos[0].impuestos.retenciones
    assert isr.importe == D("1000.00")
    assert iva.importe == D("1066.67")  # 10000 x 0.106667
    assert c.impuestos.total_retenidos == D("2066.67")
    assert [(r.impuesto, r.importe) for r in c.impuestos.retenciones] == [
        ("001", D("1000.00")),
        ("002", D("1066.67")),
    ]
    assert c.total == D("10000.00") + D("1600.00") - D("2066.67")


def test_retenciones_grouped_by_impuesto_only():
    c = invoice(
        [line("1", "100.00", "iva16", "ret_iva2/3"), line("1", "100.00", "iva16", "ret_iva4")]
    )
    assert [(r.impuesto, r.importe) for r in c.impuestos.retenciones] == [("002", D("14.67"))]
    assert c.impuestos.retenciones[0].tasa_o_cuota is None


def test_summary_groups_by_rate():
    c = invoice(
        [line("1", "100.00", "iva16"), line("2", "50.00", "iva16"), line("1", "10.00", "iva8")]
    )
    groups = [(t.tasa_o_cuota, t.base, t.importe) for t in c.impuestos.traslados]
    assert groups == [
        (D("0.160000"), D("200.00"), D("32.00")),
        (D("0.080000"), D("10.00"), D("0.80")),
    ]


def test_summary_is_sum_of_rounded_concept_taxes():
    # 3 x 0.05 x 0.16 = 0.024 -> 0.01 each; the summary adds the rounded values.
    c = invoice([line("1", "0.05", "iva16") for _ in range(3)])
    assert c.impuestos.traslados[0].importe == D("0.03")
    assert c.impuestos.total_trasladados == D("0.03")


@pytest.mark.parametrize(
    "moneda, price, expected",
    [("JPY", "333", "333"), ("BHD", "0.505", "0.505"), ("USD", "1.005", "1.01")],
)
def test_currency_decimals(moneda, price, expected):
    c = invoice([line("1", price, "iva16")], moneda=moneda, tipo_cambio="1.5")
    assert str(c.conceptos[0].importe) == expected
    assert amounts.decimals_of(c.total) == amounts.currency_decimals(moneda)


def test_jpy_tax_rounds_to_whole_units():
    c = invoice([line("1", "333", "iva16")], moneda="JPY", tipo_cambio="0.115")
    assert only_traslado(c).importe == D("53")  # 53.28
    assert c.total == D("386")


def test_objeto_imp_01_has_no_taxes():
    c = invoice([line("1", "500.00")])
    assert c.conceptos[0].impuestos is None and c.impuestos is None and c.total == D("500.00")


def test_given_values_are_kept():
    k = line("1", "100.00", "iva16")
    k.importe = D("100.00")
    k.impuestos.traslados[0].importe = D("16.01")
    c = invoice([k], total=D("116.01"))
    assert c.conceptos[0].impuestos.traslados[0].importe == D("16.01")
    assert c.impuestos.total_trasladados == D("16.01") and c.total == D("116.01")


def test_compute_does_not_change_its_input():
    c = Comprobante(conceptos=[line("1", "10.00", "iva16")])
    amounts.compute(c)
    assert c.conceptos[0].importe is None and c.total is None


def test_fill_computes_in_place_what_compute_returns():
    built = Comprobante(conceptos=[line("3", "33.333", "iva16"), line("1", "10.00", "iva16")])
    expected = amounts.compute(built)
    assert amounts.fill(built) is built
    assert built == expected and built.total == D("127.60")


def test_implocal_totals_enter_total():
    c = invoice([line("2", "1800.00", "iva16")])
    local = ImpuestosLocales(traslados=[TrasladoLocal("ISH", D("3.00"), D("108.00"))])
    c2 = Comprobante(**{**c.__dict__, "total": None})
    c2.complemento.impuestos_locales = local
    c2 = amounts.compute(c2)
    assert c2.complemento.impuestos_locales.total_traslados == D("108.00")
    assert c2.total == D("3600.00") + D("576.00") + D("108.00")


def test_importe_bounds_anexo20():
    low, high = amounts.importe_bounds(D("1.234567"), D("987.654321"), 2)
    assert (low, high) == (D("1219.32"), D("1219.33"))
    # Anexo 20 widens by half a unit of the last decimal written: an integer Cantidad is +/- 0.5.
    assert amounts.importe_bounds(D("3"), D("0.335"), 2) == (D("0.83"), D("1.18"))
    assert amounts.importe_bounds(D("3.000"), D("0.335"), 2) == (D("1.00"), D("1.01"))


def test_tax_bounds_anexo20():
    assert amounts.tax_bounds(D("1000.00"), D("0.160000"), 2) == (D("159.99"), D("160.01"))
    assert amounts.within(D("160.00"), amounts.tax_bounds(D("1000.00"), D("0.16"), 2))
    assert not amounts.within(D("160.02"), amounts.tax_bounds(D("1000.00"), D("0.16"), 2))


def test_no_float_anywhere_in_a_computed_document():
    c = invoice([line("1.5", "3.33", "iva16", "ret_isr10")], moneda="USD", tipo_cambio="17.1")

    def walk(obj):
        assert not isinstance(obj, float)
        if hasattr(obj, "__dict__"):
            for v in vars(obj).values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(c)


# --- Pagos 2.0 ------------------------------------------------------------


def test_payment_document_has_zero_totals_and_xxx():
    inv = invoice([line("1", "12000.00", "iva16")], metodo="PPD")
    p = payment([(inv, "13920.00", "13920.00", 1)])
    assert p.moneda == "XXX" and p.subtotal == 0 and p.total == 0 and p.tipo_cambio is None
    assert str(p.subtotal) == "0" and str(p.conceptos[0].importe) == "0"


def test_docto_impuestos_are_proportional_to_payment():
    inv = invoice([line("1", "10000.00", "iva16")], metodo="PPD")  # total 11600
    dr = amounts.docto_impuestos(inv, D("3000.00"))
    t = dr.traslados[0]
    assert t.base == D("2586.21") and t.importe == D("413.79")  # as SAT's own sample
    full = amounts.docto_impuestos(inv, D("11600.00"))
    assert full.traslados[0].base == D("10000.00") and full.traslados[0].importe == D("1600.00")


def test_docto_impuestos_with_withholdings():
    inv = invoice([line("1", "20000.00", "iva16", "ret_isr10", "ret_iva2/3")], metodo="PPD")
    dr = amounts.docto_impuestos(inv, inv.total)
    assert [(r.impuesto, r.base, r.importe) for r in dr.retenciones] == [
        ("001", D("20000.00"), D("2000.00")),
        ("002", D("20000.00"), D("2133.34")),
    ]


def test_saldo_insoluto_impuestos_p_and_totales():
    a = invoice([line("1", "12000.00", "iva16")], metodo="PPD")
    b = invoice([line("1", "10000.00", "iva16")], metodo="PPD")
    p = payment([(a, "13920.00", "5000.00", 1), (b, "11600.00", "11600.00", 1)])
    pago = p.complemento.pagos.pagos[0]
    assert [d.imp_saldo_insoluto for d in pago.doctos] == [D("8920.00"), D("0")]
    assert pago.monto == D("16600.00")
    tp = pago.impuestos.traslados[0]
    bases = sum(d.impuestos.traslados[0].base for d in pago.doctos)
    assert tp.base == bases.quantize(D("0.000001"))
    totales = p.complemento.pagos.totales
    assert totales.monto_total_pagos == D("16600.00")
    assert totales.traslados_base_iva16 == tp.base.quantize(D("0.01"))
    assert totales.traslados_impuesto_iva16 == tp.importe.quantize(D("0.01"))


def test_usd_payment_of_mxn_document_uses_equivalencia_and_tipo_cambio():
    inv = invoice([line("1", "12000.00", "iva16")], metodo="PPD")
    p = payment(
        [(inv, "13920.00", "1725.00", 1)], moneda="USD", tipo_cambio="17.25", equivalencia="17.25"
    )
    pago = p.complemento.pagos.pagos[0]
    assert pago.monto == D("100.00")  # 1725 MXN / 17.25
    assert pago.impuestos.traslados[0].base == D("86.206957")  # 1487.07 / 17.25
    assert p.complemento.pagos.totales.monto_total_pagos == D("1725.00")
    assert p.complemento.pagos.totales.traslados_base_iva16 == D("1487.07")


def test_payment_retention_totals():
    inv = invoice(
        [line("1", "20000.00", "iva16", "ret_isr10", "ret_iva2/3")], metodo="PPD", party=XIA
    )
    p = payment([(inv, str(inv.total), "10000.00", 1)])
    totales = p.complemento.pagos.totales
    assert totales.retenciones_isr is not None and totales.retenciones_iva is not None
    assert totales.retenciones_isr < totales.retenciones_iva


def test_concept_base_for_cuota_is_quantity():
    k = Concepto(cantidad=D("7.5"), valor_unitario=D("20.00"))
    assert amounts.concepto_base(k, "Cuota", 2) == D("7.5")
    assert amounts.concepto_base(k, "Tasa", 2) == D("150.00")


def test_given_summary_without_totals_gets_totals():
    full = invoice([line("1", "10000.00", "iva16", "ret_isr10")])
    partial = Comprobante(**{**full.__dict__, "total": None})
    partial.impuestos.total_trasladados = None
    partial.impuestos.total_retenidos = None
    done = amounts.compute(partial)
    assert done.impuestos.total_trasladados == D("1600.00") and done.impuestos.total_retenidos == D(
        "1000.00"
    )
    assert done.total == full.total


def test_merge_concepto_impuestos_sums_per_tax_factor_and_rate():
    from cfdi.document import ConceptoImpuestos, Retencion, Traslado

    def iva(base, importe, tasa="0.160000"):
        return Traslado(base=D(base), tasa_o_cuota=D(tasa), importe=D(importe))

    exento = Traslado(base=D("50.00"), tipo_factor="Exento")
    isr = Retencion(
        base=D("100.00"), impuesto="001", tasa_o_cuota=D("0.100000"), importe=D("10.00")
    )
    merged = amounts.merge_concepto_impuestos(
        [
            ConceptoImpuestos([iva("100.00", "16.00"), exento], [isr]),
            ConceptoImpuestos([iva("33.33", "5.33", "0.16"), iva("10.00", "0.80", "0.080000")]),
            ConceptoImpuestos([Traslado(base=D("7.50"), tipo_factor="Exento")], [isr]),
        ]
    )
    assert [
        (t.impuesto, t.tipo_factor, t.tasa_o_cuota, t.base, t.importe) for t in merged.traslados
    ] == [
        ("002", "Tasa", D("0.160000"), D("133.33"), D("21.33")),
        ("002", "Exento", None, D("57.50"), None),
        ("002", "Tasa", D("0.080000"), D("10.00"), D("0.80")),
    ]
    assert [(r.impuesto, r.base, r.importe) for r in merged.retenciones] == [
        ("001", D("200.00"), D("20.00"))
    ]
    assert isr.base == D("100.00")  # the inputs are left as they were
    assert amounts.merge_concepto_impuestos([]) == ConceptoImpuestos()
