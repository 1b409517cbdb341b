"""cfdi.books: the books' figures fitted into SAT's ranges, every total kept."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cfdi import amounts, books, rules
from cfdi.document import Concepto, ConceptoImpuestos, Retencion, Traslado
from cfdi.errors import CfdiError

IVA16 = D("0.160000")
RET_ISR = D("0.100000")


def concepto(cantidad, valor, importe, descuento=None, iva=None, ret=None, name="x"):
    """A concept with the books' figures: IVA 16 % (base, importe) and ISR (base, importe)."""
    traslados = [Traslado(base=D(iva[0]), tasa_o_cuota=IVA16, importe=D(iva[1]))] if iva else []
    retenciones = (
        [Retencion(base=D(ret[0]), impuesto="001", tasa_o_cuota=RET_ISR, importe=D(ret[1]))]
        if ret
        else []
    )
    return Concepto(
        clave_prod_serv="01010101",
        cantidad=D(cantidad),
        clave_unidad="H87",
        descripcion=name,
        valor_unitario=D(valor),
        importe=D(importe),
        descuento=None if descuento is None else D(descuento),
        impuestos=ConceptoImpuestos(traslados, retenciones),
    )


def net(conceptos):
    return sum((k.importe - (k.descuento or 0) for k in conceptos), D(0))


def tax_sum(conceptos, retention=False):
    return sum(
        (
            t.importe
            for k in conceptos
            for t in (k.impuestos.retenciones if retention else k.impuestos.traslados)
        ),
        D(0),
    )


def assert_in_ranges(conceptos):
    for k in conceptos:
        assert amounts.within(k.importe, amounts.importe_bounds(k.cantidad, k.valor_unitario, 2))
        assert k.descuento is None or D(0) < k.descuento <= k.importe
        for t in [*k.impuestos.traslados, *k.impuestos.retenciones]:
            assert amounts.within(t.importe, amounts.tax_bounds(t.base, t.tasa_o_cuota, 2)), t


def test_global_rounding_cent_raises_importe_within_range():
    """Odoo, round globally: 3 x 10.004 + IVA 16 % -> untaxed 30.01, the cent on line 1."""
    lines = [
        concepto("1.00", "10.004000", "10.00", "-0.01", iva=("10.01", "1.60")),
        concepto("1.00", "10.004000", "10.00", iva=("10.00", "1.60")),
        concepto("1.00", "10.004000", "10.00", iva=("10.00", "1.60")),
    ]
    fitted = books.fit(lines, 2)
    assert fitted[0].importe == D("10.01") and fitted[0].descuento is None
    assert net(fitted) == D("30.01") and tax_sum(fitted) == D("4.80")
    assert_in_ranges(fitted)


def test_cent_beyond_range_moves_to_a_line_with_room():
    """1 000 x 0.010000 allows at most 10.01: the second extra cent goes to another line."""
    lines = [
        concepto("1000.00", "0.010000", "10.00", "-0.02", iva=("10.02", "1.60")),
        concepto("2.00", "50.000000", "100.00", "5.00", iva=("95.00", "15.20")),
    ]
    fitted = books.fit(lines, 2)
    assert fitted[0].importe == D("10.01") and fitted[0].descuento is None
    assert fitted[1].descuento == D("4.99")
    assert net(fitted) == D("105.02")
    assert_in_ranges(fitted)


def test_withholding_out_of_range_is_moved_keeping_the_total():
    """Global rounding put 2 cents of ISR on a small line (CFDI40186): they move."""
    lines = [
        concepto("1.00", "0.500000", "0.50", ret=("0.50", "0.07")),  # 0.05 allowed
        concepto("1.00", "100.000000", "100.00", ret=("100.00", "9.98")),
        concepto("1.00", "100.000000", "100.00", ret=("100.00", "10.00")),
    ]
    fitted = books.fit(lines, 2)
    assert tax_sum(fitted, retention=True) == D("20.05")
    assert [k.impuestos.retenciones[0].importe for k in fitted] == [
        D("0.06"),
        D("9.99"),
        D("10.00"),
    ]
    assert_in_ranges(fitted)


def test_negative_line_becomes_descuento_of_lines_with_its_taxes():
    lines = [
        concepto("1", "300.00", "300.00", iva=("300.00", "48.00"), name="a"),
        concepto("1", "100.00", "100.00", iva=("100.00", "16.00"), name="b"),
        concepto("1", "50.00", "50.00", name="no tax"),
        concepto("1", "40.00", "-40.00", iva=("-40.00", "-6.40"), name="promo"),
    ]
    fitted = books.fit(lines, 2)
    assert [k.descripcion for k in fitted] == ["a", "b", "no tax"]
    assert [k.descuento for k in fitted] == [D("30.00"), D("10.00"), None]
    assert [k.impuestos.traslados[0].base for k in fitted[:2]] == [D("270.00"), D("90.00")]
    assert [k.impuestos.traslados[0].importe for k in fitted[:2]] == [D("43.20"), D("14.40")]
    assert net(fitted) == D("410.00") and tax_sum(fitted) == D("57.60")
    assert_in_ranges(fitted)


def test_negative_line_shares_add_up_exactly():
    lines = [concepto("1", "1.00", "1.00", iva=("1.00", "0.16")) for _ in range(3)]
    lines.append(concepto("1", "1.00", "-1.00", iva=("-1.00", "-0.16"), name="rebate"))
    fitted = books.fit(lines, 2)
    assert sum((k.descuento for k in fitted), D(0)) == D("1.00")
    assert tax_sum(fitted) == D("0.32")
    assert_in_ranges(fitted)


@pytest.mark.parametrize(
    "others, words",
    [
        ([concepto("1", "100.00", "100.00", name="a")], "no positive line has exactly its taxes"),
        ([concepto("1", "30.00", "30.00", iva=("30.00", "4.80"))], "is not smaller"),
    ],
)
def test_negative_line_that_cannot_be_absorbed_is_named(others, words):
    promo = concepto("1", "40.00", "-40.00", iva=("-40.00", "-6.40"), name="Promo verano")
    with pytest.raises(CfdiError) as error:
        books.fit([*others, promo], 2)
    assert "Promo verano" in error.value.message_en and words in error.value.message_en
    assert "Promo verano" in error.value.message_es


def test_allocate_is_exact_and_proportional():
    shares = books.allocate(D("0.10"), [D("1"), D("1"), D("1")], 2)
    assert sum(shares, D(0)) == D("0.10") and sorted(shares) == [D("0.03"), D("0.03"), D("0.04")]


def test_fitted_document_passes_the_rules():
    from corpus import invoice

    c = invoice([])
    c.conceptos = books.fit(
        [
            concepto("1.00", "10.004000", "10.00", "-0.01", iva=("10.01", "1.60")),
            concepto("1.00", "10.004000", "10.00", iva=("10.00", "1.60")),
            concepto("1.00", "10.004000", "10.00", iva=("10.00", "1.60")),
        ],
        2,
    )
    c.subtotal = c.descuento = c.impuestos = c.total = None
    amounts.fill(c)
    assert c.total == D("34.81")
    assert [f for f in rules.check(c) if f.blocking and f.path.startswith("Conceptos")] == []
