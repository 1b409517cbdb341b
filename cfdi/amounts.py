"""Money of a CFDI: Anexo 20 rounding, computed attributes and SAT tolerances.

``compute`` fills every computed attribute left as ``None`` in a copy and keeps values
the caller gave (the Odoo layer passes Odoo's own figures; ``cfdi.rules`` then checks
them against SAT's tolerances, which live here too). ``fill`` does the same in place,
for a document the caller has just built.

Decisions where Anexo 20 leaves a choice:

* Amounts are rounded ROUND_HALF_UP to the decimals of the currency (c_Moneda).
* Concept tax Base = Importe - Descuento. For ``TipoFactor="Cuota"`` (IEPS per
  unit, e.g. litres or cigarettes) the Base is the Cantidad of units, so that
  Importe = Base x Cuota = Cantidad x Cuota, the product SAT's range check uses.
* Summary taxes are sums of the concept values (already rounded), grouped by
  (Impuesto, TipoFactor, TasaOCuota) for traslados and by Impuesto for retenciones.
* Type P: Moneda is forced to XXX, SubTotal/Total to 0 (Anexo 20 allows nothing else).
* Pagos 2.0: ``docto_impuestos`` builds a DoctoRelacionado's ImpuestosDR from the paid
  invoice in proportion ImpPagado / Total; BaseDR/ImporteDR in the currency of the paid document, rounded to its
  decimals; BaseP/ImporteP = sum(xDR / EquivalenciaDR) with 6 decimals; Totales and
  MontoTotalPagos in MXN (x TipoCambioP) with 2 decimals, as SAT's guide shows.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Any

from . import catalogs
from .complements import registry as complement_registry
from .document import (
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    DoctoRelacionado,
    Impuestos,
    ImpuestosDR,
    ImpuestosLocales,
    ImpuestosP,
    Pago,
    Pagos,
    Retencion,
    RetencionDR,
    RetencionP,
    TotalesPagos,
    Traslado,
    TrasladoDR,
    TrasladoP,
)
from .sat import IEPS, ISR, IVA

ZERO = Decimal("0")
PAGO_DECIMALS = 6  # BaseP / ImporteP
MXN_DECIMALS = 2


def currency_decimals(code: str) -> int:
    """Decimals SAT allows in amounts of a currency (c_Moneda)."""
    return catalogs.currency_decimals(code)


# Intermediate products and sums keep 60 digits: far more than any CFDI amount needs,
# so only ``quantize`` rounds. One shared context (instead of a ``localcontext`` per
# operation) makes these calls several times cheaper; it is never made current.
_CONTEXT = Context(prec=60)
_mul = _CONTEXT.multiply
_div = _CONTEXT.divide
_UNITS = tuple(Decimal(1).scaleb(-n) for n in range(13))  # 10^-n, the quantize exponent
_HALF_UNITS = tuple(unit / 2 for unit in _UNITS)


def quantize(value: Decimal, decimals: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    unit = _UNITS[decimals] if 0 <= decimals < len(_UNITS) else Decimal(1).scaleb(-decimals)
    return value.quantize(unit, rounding, _CONTEXT)  # positional: keywords cost 2x here


def decimals_of(value: Decimal) -> int:
    """Decimals written in ``value`` (2 for 1.50, 0 for 15 or 1E+1)."""
    text = str(value)  # about 3x faster than value.as_tuple()
    if "E" in text:
        exponent = value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def _half_unit(value: Decimal) -> Decimal:
    decimals = decimals_of(value)
    return (
        _HALF_UNITS[decimals] if decimals < len(_HALF_UNITS) else Decimal(1).scaleb(-decimals) / 2
    )


# --- SAT tolerances (Anexo 20, "Validaciones adicionales") ----------------


def importe_bounds(
    cantidad: Decimal, valor_unitario: Decimal, decimals: int
) -> tuple[Decimal, Decimal]:
    """Concepto Importe limits: (Cantidad -/+ 10^-dC/2) x (ValorUnitario -/+ 10^-dVU/2),
    the lower one rounded down and the upper one rounded up to ``decimals``."""
    hc, hv = _half_unit(cantidad), _half_unit(valor_unitario)
    low = _mul(cantidad - hc, valor_unitario - hv)
    high = _mul(cantidad + hc, valor_unitario + hv)
    return quantize(low, decimals, ROUND_FLOOR), quantize(high, decimals, ROUND_CEILING)


def tax_bounds(base: Decimal, tasa_o_cuota: Decimal, decimals: int) -> tuple[Decimal, Decimal]:
    """Tax Importe limits: (Base -/+ 10^-dBase/2) x TasaOCuota, rounded down / up."""
    half = _half_unit(base)
    low = _mul(base - half, tasa_o_cuota)
    high = _mul(base + half, tasa_o_cuota)
    return quantize(low, decimals, ROUND_FLOOR), quantize(high, decimals, ROUND_CEILING)


def within(value: Decimal, bounds: tuple[Decimal, Decimal]) -> bool:
    return bounds[0] <= value <= bounds[1]


def exceeds_decimals(value: Decimal | None, decimals: int) -> bool:
    return value is not None and decimals_of(value) > decimals


# --- concept level --------------------------------------------------------


def concepto_base(concepto: Concepto, tipo_factor: str | None, decimals: int) -> Decimal:
    if tipo_factor == "Cuota":
        return concepto.cantidad
    importe = (
        concepto.importe if concepto.importe is not None else concepto_importe(concepto, decimals)
    )
    return importe - (concepto.descuento or ZERO)


def concepto_importe(concepto: Concepto, decimals: int) -> Decimal:
    return quantize(_mul(concepto.cantidad, concepto.valor_unitario), decimals)


def tax_importe(base: Decimal, tasa_o_cuota: Decimal, decimals: int) -> Decimal:
    return quantize(_mul(base, tasa_o_cuota), decimals)


def _fill_concepto(concepto: Concepto, decimals: int) -> None:
    if concepto.importe is None:
        concepto.importe = concepto_importe(concepto, decimals)
    impuestos = concepto.impuestos
    if impuestos is None:
        return
    for taxes in (impuestos.traslados, impuestos.retenciones):
        for tax in taxes:
            if tax.base is None:
                tax.base = concepto_base(concepto, tax.tipo_factor, decimals)
            if tax.importe is None and tax.tipo_factor != "Exento" and tax.tasa_o_cuota is not None:
                tax.importe = tax_importe(tax.base, tax.tasa_o_cuota, decimals)


# --- comprobante level ----------------------------------------------------


def traslado_key(t: Traslado | TrasladoDR | TrasladoP) -> tuple[str, str, Decimal | None]:
    tasa = t.tasa_o_cuota
    return (t.impuesto, t.tipo_factor, None if tasa is None else tasa.normalize())


def summary_traslados(conceptos: Iterable[Concepto], decimals: int) -> list[Traslado]:
    # key -> [first traslado of the group, sum of Base, sum of Importe (None: exempt)]
    groups: dict[tuple[str, str, Decimal | None], tuple[Traslado, list[Decimal], list[Decimal]]]
    groups = {}
    for concepto in conceptos:
        for t in concepto.impuestos.traslados if concepto.impuestos else ():
            # Decimal equality is numeric (0.16 == 0.160000, same hash): the raw rate
            # groups as traslado_key's normalized one does.
            key = (t.impuesto, t.tipo_factor, t.tasa_o_cuota)
            group = groups.get(key)
            if group is None:
                group = groups[key] = (t, [], [])
            group[1].append(t.base or ZERO)
            if t.tipo_factor != "Exento":
                group[2].append(t.importe or ZERO)
    return [
        Traslado(
            base=quantize(sum(bases, ZERO), decimals),
            impuesto=first.impuesto,
            tipo_factor=first.tipo_factor,
            tasa_o_cuota=first.tasa_o_cuota,
            importe=None
            if first.tipo_factor == "Exento"
            else quantize(sum(importes, ZERO), decimals),
        )
        for first, bases, importes in groups.values()
    ]


def merge_concepto_impuestos(impuestos: Iterable[ConceptoImpuestos]) -> ConceptoImpuestos:
    """Several concepts' taxes as one concept's: Base and Importe added per (Impuesto,
    TipoFactor, TasaOCuota), for transfers and withholdings alike, without rounding (the
    inputs are rounded already). The global invoice's concept for one sale carries the
    taxes of that sale's lines this way."""
    traslados: dict[tuple[str, str | None, Decimal | None], Traslado] = {}
    retenciones: dict[tuple[str, str | None, Decimal | None], Retencion] = {}
    for item in impuestos:
        for t in item.traslados:
            _merge_into(traslados, t, Traslado)
        for r in item.retenciones:
            _merge_into(retenciones, r, Retencion)
    return ConceptoImpuestos(list(traslados.values()), list(retenciones.values()))


def _merge_into(groups: dict[Any, Any], tax: Traslado | Retencion, cls: type) -> None:
    key = (tax.impuesto, tax.tipo_factor, tax.tasa_o_cuota)  # 0.16 == 0.160000: one group
    group = groups.get(key)
    if group is None:
        groups[key] = cls(
            base=tax.base,
            impuesto=tax.impuesto,
            tipo_factor=tax.tipo_factor,
            tasa_o_cuota=tax.tasa_o_cuota,
            importe=tax.importe,
        )
        return
    group.base = (group.base or ZERO) + (tax.base or ZERO)
    if tax.importe is not None:
        group.importe = (group.importe or ZERO) + tax.importe


def summary_retenciones(conceptos: Iterable[Concepto], decimals: int) -> list[Retencion]:
    groups: dict[str, Decimal] = {}
    for concepto in conceptos:
        for r in concepto.impuestos.retenciones if concepto.impuestos else []:
            groups[r.impuesto] = groups.get(r.impuesto, ZERO) + (r.importe or ZERO)
    return [
        Retencion(
            base=None,
            impuesto=k,
            tipo_factor=None,
            tasa_o_cuota=None,
            importe=quantize(v, decimals),
        )
        for k, v in groups.items()
    ]


def summary_impuestos(conceptos: list[Concepto], decimals: int) -> Impuestos | None:
    traslados = summary_traslados(conceptos, decimals)
    retenciones = summary_retenciones(conceptos, decimals)
    if not traslados and not retenciones:
        return None
    taxed = [t.importe for t in traslados if t.tipo_factor != "Exento" and t.importe is not None]
    return Impuestos(
        total_retenidos=quantize(sum((r.importe or ZERO for r in retenciones), ZERO), decimals)
        if retenciones
        else None,
        total_trasladados=quantize(sum(taxed, ZERO), decimals) if taxed else None,
        retenciones=retenciones,
        traslados=traslados,
    )


def _fill_impuestos_totals(impuestos: Impuestos, decimals: int) -> None:
    """Totals of a summary the caller gave without them."""
    taxed = [
        t.importe
        for t in impuestos.traslados
        if t.tipo_factor != "Exento" and t.importe is not None
    ]
    if impuestos.total_trasladados is None and taxed:
        impuestos.total_trasladados = quantize(sum(taxed, ZERO), decimals)
    if impuestos.total_retenidos is None and impuestos.retenciones:
        impuestos.total_retenidos = quantize(
            sum((r.importe or ZERO for r in impuestos.retenciones), ZERO), decimals
        )


def _fill_impuestos_locales(locales: ImpuestosLocales, decimals: int) -> None:
    if not locales.total_traslados and locales.traslados:
        locales.total_traslados = quantize(
            sum((t.importe for t in locales.traslados), ZERO), decimals
        )
    if not locales.total_retenciones and locales.retenciones:
        locales.total_retenciones = quantize(
            sum((r.importe for r in locales.retenciones), ZERO), decimals
        )


def expected_total(c: Comprobante) -> Decimal:
    """SubTotal - Descuento + traslados - retenciones + local traslados - local retenciones."""
    decimals = currency_decimals(c.moneda)
    total = (c.subtotal or ZERO) - (c.descuento or ZERO)
    if c.impuestos is not None:
        total += (c.impuestos.total_trasladados or ZERO) - (c.impuestos.total_retenidos or ZERO)
    locales = c.complemento.impuestos_locales
    if locales is not None:
        total += locales.total_traslados - locales.total_retenciones
    return quantize(total, decimals)


# --- copying a document ----------------------------------------------------
#
# ``compute`` works on a copy. ``copy.deepcopy`` cost more than the computation
# itself; ``_copy`` builds the same result (new dataclass nodes and new lists all the
# way down) but shares the immutable attribute values instead of copying them.

_IMMUTABLE = frozenset({str, Decimal, datetime, date, int, bool, float, bytes, type(None)})
_NODE_CLASSES: set[type] = set()  # dataclasses seen so far whose fields live in __dict__


def _is_node_class(kind: type) -> bool:
    if dataclasses.is_dataclass(kind) and "__slots__" not in vars(kind):
        _NODE_CLASSES.add(kind)
        return True
    return False


def _copy(value: Any) -> Any:
    """``copy.deepcopy(value)`` for document values, several times faster."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is list:
        return list(map(_copy, value)) if value else []
    if kind in _NODE_CLASSES or _is_node_class(kind):
        values = value.__dict__.copy()
        # One C-level pass decides for a leaf node (only immutable attribute values).
        if not _IMMUTABLE.issuperset(map(type, values.values())):
            for name, v in values.items():
                if type(v) not in _IMMUTABLE:
                    values[name] = _copy(v)
        new = object.__new__(kind)
        new.__dict__ = values
        return new
    return copy.deepcopy(value)


def compute(c: Comprobante) -> Comprobante:
    """A copy of ``c`` with every computed attribute that was ``None`` filled in."""
    return fill(_copy(c))


def fill(c: Comprobante) -> Comprobante:
    """``compute`` in place: fills ``c`` itself and returns it.

    For a document the caller has just built and nobody else holds (the Odoo layer,
    the CLI): it spares the copy, which costs as much as the computation.
    """
    if c.tipo_de_comprobante == "P":
        return _compute_pago(c)
    decimals = currency_decimals(c.moneda)
    for concepto in c.conceptos:
        _fill_concepto(concepto, decimals)
    if c.subtotal is None and c.tipo_de_comprobante == "T":
        # CFDI40109: a transfer's SubTotal is 0 even when its concepts carry the goods'
        # value (a transfer with Comercio Exterior declares it for ValorDolares)
        c.subtotal = ZERO
    if c.subtotal is None:
        c.subtotal = quantize(sum((k.importe or ZERO for k in c.conceptos), ZERO), decimals)
    discounts = [k.descuento for k in c.conceptos if k.descuento is not None]
    if c.descuento is None and discounts:
        c.descuento = quantize(sum(discounts, ZERO), decimals)
    if c.impuestos is None:
        c.impuestos = summary_impuestos(c.conceptos, decimals)
    else:
        _fill_impuestos_totals(c.impuestos, decimals)
    if c.complemento.impuestos_locales is not None:
        _fill_impuestos_locales(c.complemento.impuestos_locales, decimals)
    if c.total is None:
        c.total = expected_total(c)
    complement_registry.fill(c)
    return c


# --- Pagos 2.0 ------------------------------------------------------------


def docto_impuestos(invoice: Comprobante, imp_pagado: Decimal) -> ImpuestosDR | None:
    """ImpuestosDR of a payment: the invoice's concept taxes in proportion ImpPagado / Total.

    ``invoice`` is the paid document (computed); amounts stay in its currency.
    """
    decimals = currency_decimals(invoice.moneda)
    if not invoice.total:
        return None
    factor = _div(imp_pagado, invoice.total)
    traslados = [
        TrasladoDR(
            base=quantize(_mul(t.base or ZERO, factor), decimals),
            impuesto=t.impuesto,
            tipo_factor=t.tipo_factor,
            tasa_o_cuota=t.tasa_o_cuota,
        )
        for t in summary_traslados(invoice.conceptos, PAGO_DECIMALS)
    ]
    retenciones = [
        _retencion_dr(key, quantize(_mul(base, factor), decimals), tasa, decimals)
        for key, (base, tasa) in _retention_bases(invoice.conceptos).items()
    ]
    if not traslados and not retenciones:
        return None
    result = ImpuestosDR(retenciones=retenciones, traslados=traslados)
    _fill_impuestos_dr(result, decimals)
    return result


def _retencion_dr(
    key: tuple[str, str, Decimal], base: Decimal, tasa: Decimal, decimals: int
) -> RetencionDR:
    return RetencionDR(
        base=base,
        impuesto=key[0],
        tipo_factor=key[1],
        tasa_o_cuota=tasa,
        importe=tax_importe(base, tasa, decimals),
    )


def _retention_bases(
    conceptos: list[Concepto],
) -> dict[tuple[str, str, Decimal], tuple[Decimal, Decimal]]:
    """(Impuesto, TipoFactor, rate) -> (sum of the concepts' Base, rate as written)."""
    groups: dict[tuple[str, str, Decimal], tuple[Decimal, Decimal]] = {}
    for concepto in conceptos:
        for r in concepto.impuestos.retenciones if concepto.impuestos else []:
            tasa = r.tasa_o_cuota or ZERO
            key = (r.impuesto, r.tipo_factor or "", tasa.normalize())
            base, _ = groups.get(key, (ZERO, tasa))
            groups[key] = (base + (r.base or ZERO), tasa)
    return groups


def _fill_impuestos_dr(impuestos: ImpuestosDR, decimals: int) -> None:
    taxes: list[TrasladoDR | RetencionDR] = [*impuestos.traslados, *impuestos.retenciones]
    for tax in taxes:
        if tax.tipo_factor != "Exento" and tax.importe is None and tax.tasa_o_cuota is not None:
            tax.importe = tax_importe(tax.base, tax.tasa_o_cuota, decimals)


def _equivalencia(docto: DoctoRelacionado) -> Decimal:
    return docto.equivalencia or Decimal(1)


def impuestos_p(pago: Pago) -> ImpuestosP | None:
    """ImpuestosP of one Pago: its DoctoRelacionado taxes summed in the payment currency."""
    traslados: dict[tuple, TrasladoP] = {}
    retenciones: dict[str, Decimal] = {}
    for docto in pago.doctos:
        if docto.impuestos is None:
            continue
        eq = _equivalencia(docto)
        for t in docto.impuestos.traslados:
            g = traslados.setdefault(
                traslado_key(t),
                TrasladoP(
                    base=ZERO,
                    impuesto=t.impuesto,
                    tipo_factor=t.tipo_factor,
                    tasa_o_cuota=t.tasa_o_cuota,
                    importe=None if t.tipo_factor == "Exento" else ZERO,
                ),
            )
            g.base += _div(t.base, eq)
            if g.importe is not None:
                g.importe += _div(t.importe or ZERO, eq)
        for r in docto.impuestos.retenciones:
            retenciones[r.impuesto] = retenciones.get(r.impuesto, ZERO) + _div(r.importe, eq)
    if not traslados and not retenciones:
        return None
    for g in traslados.values():
        g.base = quantize(g.base, PAGO_DECIMALS)
        g.importe = None if g.importe is None else quantize(g.importe, PAGO_DECIMALS)
    return ImpuestosP(
        retenciones=[
            RetencionP(impuesto=k, importe=quantize(v, PAGO_DECIMALS))
            for k, v in retenciones.items()
        ],
        traslados=list(traslados.values()),
    )


def pago_monto_minimo(pago: Pago) -> Decimal:
    """Sum of ImpPagado / EquivalenciaDR in the payment currency, rounded to its decimals."""
    decimals = currency_decimals(pago.moneda)
    return quantize(
        sum((_div(d.imp_pagado, _equivalencia(d)) for d in pago.doctos), ZERO), decimals
    )


_IVA_SUFFIX = {Decimal("0.16"): "iva16", Decimal("0.08"): "iva8", ZERO: "iva0"}


def totales_pagos(pagos: list[Pago]) -> TotalesPagos:
    """Totales in MXN: each Pago's ImpuestosP x TipoCambioP, 2 decimals."""
    sums: dict[str, Decimal] = {}
    monto = ZERO

    def add(key: str, value: Decimal | None, rate: Decimal) -> None:
        sums[key] = sums.get(key, ZERO) + _mul(value or ZERO, rate)

    for pago in pagos:
        rate = pago.tipo_cambio or Decimal(1)
        monto += _mul(pago.monto, rate)
        if pago.impuestos is None:
            continue
        for r in pago.impuestos.retenciones:
            add(
                {ISR: "retenciones_isr", IVA: "retenciones_iva", IEPS: "retenciones_ieps"}[
                    r.impuesto
                ],
                r.importe,
                rate,
            )
        for t in pago.impuestos.traslados:
            if t.impuesto != IVA:
                continue
            if t.tipo_factor == "Exento":
                add("traslados_base_iva_exento", t.base, rate)
                continue
            suffix = None if t.tasa_o_cuota is None else _IVA_SUFFIX.get(t.tasa_o_cuota.normalize())
            if suffix:
                add(f"traslados_base_{suffix}", t.base, rate)
                add(f"traslados_impuesto_{suffix}", t.importe, rate)
    totales = TotalesPagos(monto_total_pagos=quantize(monto, MXN_DECIMALS))
    for key, value in sums.items():
        setattr(totales, key, quantize(value, MXN_DECIMALS))
    return totales


def _fill_pago(pago: Pago) -> None:
    for docto in pago.doctos:
        if not docto.imp_saldo_insoluto and docto.imp_saldo_ant != docto.imp_pagado:
            docto.imp_saldo_insoluto = docto.imp_saldo_ant - docto.imp_pagado
        if docto.impuestos is not None:
            _fill_impuestos_dr(docto.impuestos, currency_decimals(docto.moneda))
    if not pago.monto and pago.doctos:
        pago.monto = pago_monto_minimo(pago)
    if pago.impuestos is None:
        pago.impuestos = impuestos_p(pago)


def _compute_pago(c: Comprobante) -> Comprobante:
    c.moneda = "XXX"
    c.tipo_cambio = None
    for concepto in c.conceptos:
        _fill_concepto(concepto, 0)
    if c.subtotal is None:
        c.subtotal = ZERO
    if c.total is None:
        c.total = ZERO
    pagos: Pagos | None = c.complemento.pagos
    if pagos is not None:
        for pago in pagos.pagos:
            _fill_pago(pago)
        if _totales_empty(pagos.totales):
            pagos.totales = totales_pagos(pagos.pagos)
    return c


def _totales_empty(totales: TotalesPagos | None) -> bool:
    return totales is None or (
        not totales.monto_total_pagos
        and all(getattr(totales, f) is None for f in vars(totales) if f != "monto_total_pagos")
    )
