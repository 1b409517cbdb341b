"""Rules of the totals: SubTotal, Descuento, Total, and the summary Impuestos node
(Retenciones by Impuesto, Traslados by Impuesto, TipoFactor and TasaOCuota)."""

from __future__ import annotations

from .. import amounts
from ..document import ConceptoImpuestos, Impuestos, Retencion, Traslado
from .base import ZERO, Checker, fmt, tasa_valid


def check_totales(ck: Checker) -> None:
    c = ck.c
    if c.tipo_de_comprobante in ("T", "P"):
        if c.subtotal is None or c.subtotal != 0:
            ck.add(
                "CFDI40109",
                "SubTotal",
                f"En un comprobante tipo {c.tipo_de_comprobante} el SubTotal debe ser 0, no {fmt(c.subtotal)}.",
                f"In a type {c.tipo_de_comprobante} document SubTotal must be 0, not {fmt(c.subtotal)}.",
            )
        if c.total is None or c.total != 0:
            ck.add(
                "CFDI40119",
                "Total",
                f"En un comprobante tipo {c.tipo_de_comprobante} el Total debe ser 0, no {fmt(c.total)}.",
                f"In a type {c.tipo_de_comprobante} document Total must be 0, not {fmt(c.total)}.",
            )
        if c.descuento is not None or any(k.descuento is not None for k in c.conceptos):
            ck.add(
                "CFDI40111",
                "Descuento",
                f"Un comprobante tipo {c.tipo_de_comprobante} no lleva descuentos; elimínelos.",
                f"A type {c.tipo_de_comprobante} document has no discounts; remove them.",
            )
        if c.impuestos is not None:
            ck.add(
                "CFDI40201",
                "Impuestos",
                f"Un comprobante tipo {c.tipo_de_comprobante} no lleva el nodo Impuestos; elimínelo.",
                f"A type {c.tipo_de_comprobante} document has no Impuestos node; remove it.",
            )
        return
    importes = [k.importe for k in c.conceptos if k.importe is not None]
    if ck.decimals_ok(c.subtotal, "CFDI40107", "SubTotal", "SubTotal") and len(importes) == len(
        c.conceptos
    ):
        expected = amounts.quantize(sum(importes, ZERO), ck.decimals)
        ck.equal(
            c.subtotal,
            expected,
            "CFDI40108",
            "SubTotal",
            "SubTotal",
            "la suma de los Importe de los conceptos",
            "the sum of the concepts' Importe",
        )
    discounts = [k.descuento for k in c.conceptos if k.descuento is not None]
    if c.descuento is not None:
        ck.decimals_ok(c.descuento, "CFDI40112", "Descuento", "Descuento")
        if c.subtotal is not None and c.descuento > c.subtotal:
            ck.add(
                "CFDI40110",
                "Descuento",
                f"Descuento {c.descuento} es mayor que el SubTotal {c.subtotal}; revise los descuentos.",
                f"Descuento {c.descuento} exceeds SubTotal {c.subtotal}; check the discounts.",
            )
    if c.descuento is not None and not discounts:
        ck.add(
            "CFDI40111",
            "Descuento",
            "Ningún concepto tiene Descuento, así que el comprobante no lleva Descuento; elimínelo.",
            "No concept has a Descuento, so the document has no Descuento; remove it.",
        )
    elif discounts:
        expected = amounts.quantize(sum(discounts, ZERO), ck.decimals)
        ck.equal(
            c.descuento,
            expected,
            "CFDI40111",
            "Descuento",
            "Descuento",
            "la suma de los Descuento de los conceptos",
            "the sum of the concepts' Descuento",
        )
    check_impuestos(ck)
    ck.equal(
        c.total,
        amounts.expected_total(c),
        "CFDI40119",
        "Total",
        "Total",
        "SubTotal − Descuento + impuestos trasladados − retenidos (+ locales)",
        "SubTotal − Descuento + transferred − withheld taxes (+ local taxes)",
    )


def check_impuestos(ck: Checker) -> None:
    c = ck.c
    given = c.impuestos
    expected = (
        amounts.summary_impuestos(c.conceptos, ck.decimals)
        if all(
            t.base is not None and (t.importe is not None or t.tipo_factor == "Exento")
            for k in c.conceptos
            if k.impuestos
            for t in _taxes(k.impuestos)
        )
        else None
    )
    if given is None:
        if expected is not None:
            ck.add(
                "CFDI40205" if expected.traslados else "CFDI40203",
                "Impuestos",
                "Los conceptos llevan impuestos pero falta el nodo Impuestos del comprobante con sus "
                "totales; agréguelo (suma por impuesto, tipo factor y tasa).",
                "The concepts carry taxes but the document's Impuestos node with the totals is "
                "missing; add it (sums by tax, factor type and rate).",
            )
        return
    check_retenciones_summary(ck, given, expected)
    check_traslados_summary(ck, given, expected)


def check_retenciones_summary(ck: Checker, given: Impuestos, expected: Impuestos | None) -> None:
    if given.retenciones and given.total_retenidos is None:
        ck.add(
            "CFDI40206",
            "Impuestos.TotalImpuestosRetenidos",
            "Hay Retenciones pero falta TotalImpuestosRetenidos; registre la suma de sus Importe.",
            "There are Retenciones but TotalImpuestosRetenidos is missing; enter the sum of their Importe.",
        )
    if given.total_retenidos is not None and ck.decimals_ok(
        given.total_retenidos,
        "CFDI40202",
        "Impuestos.TotalImpuestosRetenidos",
        "TotalImpuestosRetenidos",
    ):
        total = amounts.quantize(
            sum((r.importe or ZERO for r in given.retenciones), ZERO), ck.decimals
        )
        ck.equal(
            given.total_retenidos,
            total,
            "CFDI40203",
            "Impuestos.TotalImpuestosRetenidos",
            "TotalImpuestosRetenidos",
            "la suma de los Importe de las Retenciones",
            "the sum of the Retenciones' Importe",
        )
    want = {r.impuesto: r.importe for r in (expected.retenciones if expected else [])}
    seen: set[str] = set()
    for j, r in enumerate(given.retenciones):
        path = f"Impuestos.Retenciones[{j}]"
        ck.catalog("c_Impuesto", r.impuesto, "CFDI40207", f"{path}.Impuesto", "Impuesto")
        if r.impuesto in seen:
            ck.add(
                "CFDI40208",
                f"{path}.Impuesto",
                f"Hay más de una Retención del impuesto {r.impuesto}; súmelas en una sola.",
                f"There is more than one Retencion of tax {r.impuesto}; merge them into one.",
            )
        seen.add(r.impuesto)
        if (
            ck.decimals_ok(r.importe, "CFDI40210", f"{path}.Importe", "Importe")
            and expected is not None
        ):
            ck.equal(
                r.importe,
                want.get(r.impuesto) or ZERO,
                "CFDI40211",
                f"{path}.Importe",
                "Importe",
                f"la suma de las retenciones {r.impuesto} de los conceptos",
                f"the sum of the concepts' {r.impuesto} withholdings",
            )
    for impuesto, importe in want.items():
        if impuesto not in seen:
            ck.add(
                "CFDI40211",
                "Impuestos.Retenciones",
                f"Falta la Retención del impuesto {impuesto} por {importe} que suman los conceptos.",
                f"The Retencion of tax {impuesto} ({importe}, the concepts' sum) is missing.",
            )


def check_traslados_summary(ck: Checker, given: Impuestos, expected: Impuestos | None) -> None:
    taxed = [t for t in given.traslados if t.tipo_factor != "Exento"]
    if taxed and given.total_trasladados is None:
        ck.add(
            "CFDI40212",
            "Impuestos.TotalImpuestosTrasladados",
            "Hay Traslados pero falta TotalImpuestosTrasladados; registre la suma de sus Importe.",
            "There are Traslados but TotalImpuestosTrasladados is missing; enter the sum of their Importe.",
        )
    if given.total_trasladados is not None and ck.decimals_ok(
        given.total_trasladados,
        "CFDI40204",
        "Impuestos.TotalImpuestosTrasladados",
        "TotalImpuestosTrasladados",
    ):
        total = amounts.quantize(sum((t.importe or ZERO for t in taxed), ZERO), ck.decimals)
        ck.equal(
            given.total_trasladados,
            total,
            "CFDI40205",
            "Impuestos.TotalImpuestosTrasladados",
            "TotalImpuestosTrasladados",
            "la suma de los Importe de los Traslados (sin exentos)",
            "the sum of the Traslados' Importe (exempt excluded)",
        )
    want = {amounts.traslado_key(t): t for t in (expected.traslados if expected else [])}
    seen: set[tuple] = set()
    for j, t in enumerate(given.traslados):
        path = f"Impuestos.Traslados[{j}]"
        key = amounts.traslado_key(t)
        ck.catalog("c_Impuesto", t.impuesto, "CFDI40217", f"{path}.Impuesto", "Impuesto")
        if key in seen:
            ck.add(
                "CFDI40218",
                path,
                f"Hay más de un Traslado con impuesto {t.impuesto}, {t.tipo_factor} y tasa "
                f"{fmt(t.tasa_o_cuota)}; súmelos en uno solo.",
                f"There is more than one Traslado with tax {t.impuesto}, {t.tipo_factor} and rate "
                f"{fmt(t.tasa_o_cuota)}; merge them into one.",
            )
        seen.add(key)
        if (
            t.tipo_factor != "Exento"
            and t.tasa_o_cuota is not None
            and not tasa_valid(t.impuesto, t.tipo_factor, t.tasa_o_cuota, retencion=False)
        ):
            ck.add(
                "CFDI40219",
                f"{path}.TasaOCuota",
                f"TasaOCuota {t.tasa_o_cuota} no es válida para el impuesto {t.impuesto} ({t.tipo_factor}).",
                f"TasaOCuota {t.tasa_o_cuota} is not valid for tax {t.impuesto} ({t.tipo_factor}).",
            )
        if expected is None:
            continue
        ref = want.get(key)
        if ck.decimals_ok(t.base, "CFDI40214", f"{path}.Base", "Base"):
            ck.equal(
                t.base,
                ref.base if ref is not None and ref.base is not None else ZERO,
                "CFDI40215",
                f"{path}.Base",
                "Base",
                "la suma de las Base de los conceptos con ese impuesto y tasa",
                "the sum of the concepts' Base with that tax and rate",
            )
        if t.tipo_factor != "Exento" and ck.decimals_ok(
            t.importe, "CFDI40220", f"{path}.Importe", "Importe"
        ):
            ck.equal(
                t.importe,
                ref.importe if ref and ref.importe is not None else ZERO,
                "CFDI40221",
                f"{path}.Importe",
                "Importe",
                "la suma de los Importe de los conceptos con ese impuesto y tasa",
                "the sum of the concepts' Importe with that tax and rate",
            )
    for key, t in want.items():
        if key not in seen:
            ck.add(
                "CFDI40221",
                "Impuestos.Traslados",
                f"Falta el Traslado resumen del impuesto {t.impuesto} {t.tipo_factor} "
                f"{fmt(t.tasa_o_cuota)} (Base {t.base}) que llevan los conceptos; agréguelo.",
                f"The summary Traslado for tax {t.impuesto} {t.tipo_factor} {fmt(t.tasa_o_cuota)} "
                f"(Base {t.base}) carried by the concepts is missing; add it.",
            )


def _taxes(impuestos: ConceptoImpuestos) -> list[Traslado | Retencion]:
    return [*impuestos.traslados, *impuestos.retenciones]
