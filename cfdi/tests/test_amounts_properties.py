"""Property tests: random invoices and payments computed by cfdi.amounts obey every
arithmetic rule of Anexo 20 and pass cfdi.rules with zero findings."""

from __future__ import annotations

from decimal import Decimal as D

from corpus import TAXES, invoice, line, payment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfdi import amounts, rules

TAX_SETS = [
    (),
    ("iva16",),
    ("iva8",),
    ("iva0",),
    ("iva_exento",),
    ("ieps26.5", "iva16"),
    ("ieps8", "iva16"),
    ("ieps_cuota", "iva16"),
    ("iva16", "ret_isr10", "ret_iva2/3"),
    ("iva16", "ret_iva4"),
    ("iva16", "ret_isr1.25"),
    ("ieps26.5", "ret_ieps26.5", "iva16"),
]
CURRENCIES = [
    ("MXN", None),
    ("USD", "17.2345"),
    ("EUR", "19.5"),
    ("JPY", "0.115"),
    ("BHD", "45.123"),
]

quantities = st.decimals(
    min_value=D("1"), max_value=D("1000"), places=6, allow_nan=False, allow_infinity=False
).map(lambda q: q.normalize() if q == q.to_integral() else q)
prices = st.decimals(
    min_value=D("1.00"), max_value=D("99999.99"), places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def line_inputs(draw, decimals: int):
    qty, price = draw(quantities), draw(prices)
    taxes = draw(st.sampled_from(TAX_SETS))
    importe = amounts.quantize(qty * price, decimals)
    share = draw(st.sampled_from([None, D("0"), D("0.05"), D("0.5"), D("0.9")]))
    discount = amounts.quantize(importe * share, decimals) if share else None
    if discount is not None and discount >= importe:  # a 100 % discount leaves no tax base
        discount = None
    return line(str(qty), str(price), *taxes, discount=str(discount) if discount else None)


@st.composite
def invoices(draw):
    moneda, rate = draw(st.sampled_from(CURRENCIES))
    decimals = amounts.currency_decimals(moneda)
    lines = draw(st.lists(line_inputs(decimals), min_size=1, max_size=8))
    metodo = draw(st.sampled_from(["PUE", "PPD"]))
    return invoice(lines, moneda=moneda, tipo_cambio=rate, metodo=metodo)


def assert_arithmetic(c) -> None:
    dec = amounts.currency_decimals(c.moneda)
    for k in c.conceptos:
        assert amounts.within(k.importe, amounts.importe_bounds(k.cantidad, k.valor_unitario, dec))
        for t in [
            *(k.impuestos.traslados if k.impuestos else []),
            *(k.impuestos.retenciones if k.impuestos else []),
        ]:
            if t.tipo_factor == "Cuota":
                assert t.base == k.cantidad
            else:
                assert t.base == k.importe - (k.descuento or 0)
            if t.tipo_factor == "Exento":
                assert t.importe is None and t.tasa_o_cuota is None
            else:
                assert amounts.within(t.importe, amounts.tax_bounds(t.base, t.tasa_o_cuota, dec))
    assert c.subtotal == sum(k.importe for k in c.conceptos)
    discounts = [k.descuento for k in c.conceptos if k.descuento is not None]
    assert c.descuento == (sum(discounts) if discounts else None)
    trasladados = c.impuestos.total_trasladados or 0 if c.impuestos else 0
    retenidos = c.impuestos.total_retenidos or 0 if c.impuestos else 0
    assert c.total == c.subtotal - (c.descuento or 0) + trasladados - retenidos
    if c.impuestos:
        concept_ret = sum(
            r.importe for k in c.conceptos if k.impuestos for r in k.impuestos.retenciones
        )
        concept_tra = sum(
            t.importe
            for k in c.conceptos
            if k.impuestos
            for t in k.impuestos.traslados
            if t.tipo_factor != "Exento"
        )
        assert retenidos == concept_ret and trasladados == concept_tra
        assert len({amounts.traslado_key(t) for t in c.impuestos.traslados}) == len(
            c.impuestos.traslados
        )
    for value in (c.subtotal, c.descuento, c.total):
        assert value is None or amounts.decimals_of(value) <= dec


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(invoices())
def test_random_invoices_obey_anexo20_and_rules(c):
    assert_arithmetic(c)
    assert rules.check(c) == []
    assert amounts.compute(c) == c  # idempotent: computed values are kept


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(invoices(), st.sampled_from([D("0.1"), D("0.37"), D("0.5"), D("1")]))
def test_random_payments_pass_rules(inv, share):
    dec = amounts.currency_decimals(inv.moneda)
    pagado = max(amounts.quantize(inv.total * share, dec), D(1).scaleb(-dec) * 100)
    pagado = min(pagado, inv.total)
    p = payment(
        [(inv, str(inv.total), str(pagado), 1)],
        moneda=inv.moneda,
        tipo_cambio=None if inv.moneda == "MXN" else "17.5",
    )
    pago = p.complemento.pagos.pagos[0]
    docto = pago.doctos[0]
    assert docto.imp_saldo_insoluto == docto.imp_saldo_ant - docto.imp_pagado
    assert pago.monto >= amounts.pago_monto_minimo(pago)
    assert p.complemento.pagos.totales.monto_total_pagos == amounts.quantize(
        pago.monto * (pago.tipo_cambio or 1), 2
    )
    assert rules.check(p) == []


def test_tax_table_covers_each_kind():
    kinds = {(v[0], v[2]) for v in TAXES.values()}
    assert {(True, "Tasa"), (True, "Cuota"), (True, "Exento"), (False, "Tasa")} <= kinds
