"""The books' figures in a CFDI: every concept within SAT's ranges, every total kept.

An accounting system decides a document's amounts before the CFDI exists: its untaxed
amount per line and its tax per line and tax (Odoo's *round globally* spreads the
document's rounding difference over the lines, so a line's figures are not its own
rounded ones). The CFDI must carry those totals to the cent (Total = the books' total)
and still pass SAT's per-concept checks. The caller builds each ``Concepto`` with the
books' figures: ``Importe - Descuento`` = the line's untaxed amount, each tax's Base and
Importe = the line's; then:

* ``absorb_negative_conceptos``: a negative concept (a promotion, a global discount
  product, a rebate) becomes ``Descuento`` of the positive concepts with the same taxes,
  in proportion to their amounts, with its tax bases and amounts (SAT's *Guía de llenado*:
  a CFDI has no negative concepts).
* ``settle_descuentos``: a concept whose untaxed amount exceeds Cantidad x ValorUnitario
  (a rounding cent added by the books) gets its Importe raised within SAT's range
  (CFDI40167); what does not fit is moved to concepts with room (their Descuento or their
  Importe), so SubTotal - Descuento stays the books' untaxed total.
* ``settle_tax_importes``: a tax Importe outside SAT's range for its Base (CFDI40180,
  CFDI40186) is brought inside, and the cents it loses or gains are moved to other
  concepts of the same tax with room, so every tax's total stays the books' one.

Amounts are in the document currency, rounded to its decimals; moves are whole units of
that rounding, largest concepts first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from . import amounts
from .document import Concepto, ConceptoImpuestos, Retencion, Traslado
from .errors import CfdiError

ZERO = Decimal("0")

TaxKey = tuple[bool, str, str | None, Decimal | None]  # (retention, impuesto, factor, rate)


class NegativeConceptoError(CfdiError):
    code = "EINV-NEGATIVO"


def tax_key(tax: Traslado | Retencion) -> TaxKey:
    rate = tax.tasa_o_cuota
    return (
        isinstance(tax, Retencion),
        tax.impuesto,
        tax.tipo_factor,
        None if rate is None else rate.normalize(),
    )


def _taxes(concepto: Concepto) -> list[Traslado | Retencion]:
    impuestos = concepto.impuestos or ConceptoImpuestos()
    return [*impuestos.traslados, *impuestos.retenciones]


def _net(concepto: Concepto) -> Decimal:
    return (concepto.importe or ZERO) - (concepto.descuento or ZERO)


def _signature(concepto: Concepto) -> frozenset[TaxKey]:
    return frozenset(tax_key(t) for t in _taxes(concepto))


# --- negative concepts -------------------------------------------------------------


def absorb_negative_conceptos(conceptos: list[Concepto], decimals: int) -> list[Concepto]:
    """The concepts without negative ones: each negative concept (``Importe -
    Descuento`` < 0) is spread as Descuento over the positive concepts with exactly the
    same taxes, in proportion to their amounts, and its tax Base/Importe are taken from
    theirs the same way. ``NegativeConceptoError`` names a negative concept that those
    concepts cannot absorb (none has its taxes, or they add up to less)."""
    negatives = [k for k in conceptos if _net(k) < 0]
    positives = [k for k in conceptos if _net(k) >= 0]
    for negative in negatives:
        signature = _signature(negative)
        group = [k for k in positives if _signature(k) == signature and _net(k) > 0]
        amount = -_net(negative)
        available = sum((_net(k) for k in group), ZERO)
        if amount >= available:
            raise _cannot_absorb(negative, amount, available)
        weights = [_net(k) for k in group]
        for concepto, share in zip(group, allocate(amount, weights, decimals), strict=True):
            concepto.descuento = (concepto.descuento or ZERO) + share
        for tax in _taxes(negative):
            _absorb_tax(tax, group, weights, decimals)
    return positives


def _absorb_tax(
    negative: Traslado | Retencion, group: list[Concepto], weights: list[Decimal], decimals: int
) -> None:
    key = tax_key(negative)
    targets = [next(t for t in _taxes(k) if tax_key(t) == key) for k in group]
    if negative.tipo_factor != "Cuota":  # a Cuota's Base is the Cantidad of units
        bases = allocate(-(negative.base or ZERO), weights, decimals)
        for tax, share in zip(targets, bases, strict=True):
            tax.base = (tax.base or ZERO) - share
    if negative.importe is not None:
        importes = allocate(-negative.importe, weights, decimals)
        for tax, share in zip(targets, importes, strict=True):
            tax.importe = (tax.importe or ZERO) - share


def _cannot_absorb(negative: Concepto, amount: Decimal, available: Decimal) -> CfdiError:
    line = negative.descripcion
    if not available:
        return NegativeConceptoError(
            f"La línea negativa «{line}» ({-amount}) no puede aplicarse como descuento: ninguna "
            "línea positiva tiene exactamente sus mismos impuestos. Dé a la línea los impuestos "
            "de los productos a los que descuenta, o use la columna de descuento.",
            f"The negative line «{line}» ({-amount}) cannot be applied as a discount: no "
            "positive line has exactly its taxes. Give the line the taxes of the products it "
            "discounts, or use the discount column.",
        )
    return NegativeConceptoError(
        f"La línea negativa «{line}» ({-amount}) es mayor o igual que las líneas positivas con "
        f"sus mismos impuestos ({available}); un CFDI no puede tener conceptos en cero o "
        "negativos. Reduzca el descuento o emita una nota de crédito.",
        f"The negative line «{line}» ({-amount}) is not smaller than the positive lines with "
        f"its taxes ({available}); a CFDI cannot have zero or negative concepts. Reduce the "
        "discount or issue a credit note.",
    )


def allocate(amount: Decimal, weights: list[Decimal], decimals: int) -> list[Decimal]:
    """``amount`` split in proportion to ``weights``, rounded to ``decimals``, adding up
    exactly to ``amount`` (largest remainders get the leftover units)."""
    unit = Decimal(1).scaleb(-decimals)
    total = sum(weights, ZERO)
    if not total:
        return [amount] + [ZERO] * (len(weights) - 1) if weights else []
    raw = [amount * w / total for w in weights]
    shares = [amounts.quantize(r, decimals, "ROUND_DOWN") for r in raw]
    leftover = int((amount - sum(shares, ZERO)) / unit)
    step = unit if leftover > 0 else -unit
    order = sorted(range(len(raw)), key=lambda i: abs(raw[i] - shares[i]), reverse=True)
    for i in order[: abs(leftover)]:
        shares[i] += step
    return shares


# --- moving rounding units within SAT's ranges -------------------------------------


def _spread(
    excess: Decimal,
    rooms: Iterable[tuple[Decimal, Callable[[Decimal], None]]],
) -> Decimal:
    """Hands ``excess`` (> 0) to the ``(room, take)`` pairs in order, each taking at most
    its room; returns what none could take."""
    for room, take in rooms:
        if excess <= 0:
            break
        if room > 0:
            part = min(room, excess)
            take(part)
            excess -= part
    return excess


def settle_descuentos(conceptos: list[Concepto], decimals: int) -> None:
    """Every concept's Descuento >= 0 and Importe within SAT's range, keeping the sum of
    ``Importe - Descuento``: a concept whose books' amount exceeds its Importe gets its
    Importe raised within range, and the rest is moved to concepts with room."""
    bounds = {
        id(k): amounts.importe_bounds(k.cantidad, k.valor_unitario, decimals) for k in conceptos
    }
    excess = ZERO
    for concepto in conceptos:
        descuento = concepto.descuento or ZERO
        if descuento >= 0:
            continue
        importe = concepto.importe or ZERO
        raised = min(bounds[id(concepto)][1], importe - descuento)
        concepto.importe = raised
        concepto.descuento = None
        excess += importe - descuento - raised
    if excess <= 0:
        return
    by_size = sorted(conceptos, key=_net, reverse=True)

    def reduce_descuento(concepto: Concepto) -> Callable[[Decimal], None]:
        def take(part: Decimal) -> None:
            concepto.descuento = (concepto.descuento or ZERO) - part

        return take

    def raise_importe(concepto: Concepto) -> Callable[[Decimal], None]:
        def take(part: Decimal) -> None:
            concepto.importe = (concepto.importe or ZERO) + part

        return take

    excess = _spread(excess, ((k.descuento or ZERO, reduce_descuento(k)) for k in by_size))
    excess = _spread(
        excess,
        ((bounds[id(k)][1] - (k.importe or ZERO), raise_importe(k)) for k in by_size),
    )
    if excess > 0:
        raise CfdiError(
            f"Los importes de los conceptos no alcanzan a reflejar {excess} del subtotal "
            "dentro del margen del SAT; revise cantidades y precios unitarios.",
            f"The concepts' amounts cannot carry {excess} of the subtotal within SAT's "
            "range; check the quantities and unit prices.",
            "CFDI40167",
        )
    for concepto in conceptos:
        if concepto.descuento is not None and not concepto.descuento:
            concepto.descuento = None


def _tax_range(
    concepto: Concepto, tax: Traslado | Retencion, decimals: int
) -> tuple[Decimal, Decimal]:
    base = concepto.cantidad if tax.tipo_factor == "Cuota" else tax.base
    return amounts.tax_bounds(base or ZERO, tax.tasa_o_cuota or ZERO, decimals)


def settle_tax_importes(conceptos: list[Concepto], decimals: int) -> None:
    """Every concept tax Importe within SAT's range for its Base, keeping each tax's
    total: an Importe out of range is brought to its nearest limit and the difference
    moved to the same tax on other concepts, within their ranges. Left as given when
    the concepts cannot carry the total (SAT's rules then name the concept)."""
    groups: dict[TaxKey, list[tuple[Traslado | Retencion, tuple[Decimal, Decimal]]]] = {}
    for concepto in sorted(conceptos, key=_net, reverse=True):
        for tax in _taxes(concepto):
            if tax.importe is None or tax.tasa_o_cuota is None or not tax.base or tax.base <= 0:
                continue
            groups.setdefault(tax_key(tax), []).append((tax, _tax_range(concepto, tax, decimals)))
    for members in groups.values():
        _settle_group(members)


def _settle_group(members: list[tuple[Traslado | Retencion, tuple[Decimal, Decimal]]]) -> None:
    given = [tax.importe or ZERO for tax, _ in members]
    clamped = [min(max(v, low), high) for v, (_, (low, high)) in zip(given, members, strict=True)]
    excess = sum(given, ZERO) - sum(clamped, ZERO)  # > 0: to add elsewhere; < 0: to remove
    values = list(clamped)

    def shift(i: int, sign: int) -> Callable[[Decimal], None]:
        def take(part: Decimal) -> None:
            values[i] += sign * part

        return take

    if excess > 0:
        rooms = ((members[i][1][1] - values[i], shift(i, 1)) for i in range(len(values)))
    else:
        rooms = ((values[i] - members[i][1][0], shift(i, -1)) for i in range(len(values)))
    if excess and _spread(abs(excess), rooms):
        return
    for (tax, _), value in zip(members, values, strict=True):
        tax.importe = value


def fit(conceptos: list[Concepto], decimals: int) -> list[Concepto]:
    """The concepts of the books' figures, fitted: negative ones absorbed, Descuento and
    tax Importe within SAT's ranges, every total kept."""
    kept = absorb_negative_conceptos(conceptos, decimals)
    settle_descuentos(kept, decimals)
    settle_tax_importes(kept, decimals)
    return kept
