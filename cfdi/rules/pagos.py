"""Rules of a payment document (type P) and its Pagos 2.0 complement: the single concept,
each Pago, each DoctoRelacionado with its ImpuestosDR, ImpuestosP and Totales."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal

from .. import amounts
from ..document import Concepto, DoctoRelacionado, Pago, RetencionDR, TotalesPagos, TrasladoDR
from ..sat import CLAVE_UNIDAD_ACTIVIDAD, PAGO_CLAVE_PROD_SERV, PAGO_DESCRIPCION, UUID_RE
from .base import ZERO, Checker, fmt

PAGO_TOLERANCE = Decimal("0.01")


def check_pago_document(ck: Checker) -> None:
    c = ck.c
    pagos = c.complemento.pagos
    if c.tipo_de_comprobante != "P":
        if pagos is not None:
            ck.add(
                "EINV-PAGO",
                "Complemento.Pagos",
                "El complemento de pagos sólo va en comprobantes tipo P; emita un CFDI de pago aparte.",
                "The payments complement belongs only in type P documents; issue a separate payment CFDI.",
            )
        return
    if pagos is None or not pagos.pagos:
        ck.add(
            "EINV-PAGO",
            "Complemento.Pagos",
            "Un comprobante tipo P debe llevar el complemento de pagos 2.0 con al menos un Pago.",
            "A type P document must carry the Pagos 2.0 complement with at least one Pago.",
        )
        return
    if len(c.conceptos) != 1 or not _is_pago_concepto(c.conceptos[0]):
        ck.add(
            "EINV-PAGO-CONCEPTO",
            "Conceptos",
            "Un comprobante de pago lleva un solo concepto: ClaveProdServ 84111506, Cantidad 1, "
            "ClaveUnidad ACT, Descripcion «Pago», ValorUnitario 0, Importe 0, ObjetoImp 01.",
            "A payment document has a single concept: ClaveProdServ 84111506, Cantidad 1, "
            "ClaveUnidad ACT, Descripcion «Pago», ValorUnitario 0, Importe 0, ObjetoImp 01.",
        )
    for i, pago in enumerate(pagos.pagos):
        check_pago(ck, pago, f"Complemento.Pagos.Pago[{i}]")
    expected = amounts.totales_pagos(pagos.pagos)
    tolerance = PAGO_TOLERANCE * len(pagos.pagos)
    for name in vars(expected):
        want, got = getattr(expected, name), getattr(pagos.totales, name)
        if want is None and got is None:
            continue
        if want is None or got is None or abs(want - got) > tolerance:
            attr = _totales_attr(name)
            ck.add(
                "EINV-PAGO-TOTALES",
                f"Complemento.Pagos.Totales.{attr}",
                f"{attr} = {fmt(got)} pero los pagos suman {fmt(want)} (en MXN, × TipoCambioP); corríjalo.",
                f"{attr} = {fmt(got)} but the payments add up to {fmt(want)} (in MXN, × TipoCambioP); fix it.",
            )


def check_pago(ck: Checker, pago: Pago, path: str) -> None:
    if (
        ck.catalog(
            "c_FormaPago",
            pago.forma_de_pago,
            "EINV-PAGO-FORMA",
            f"{path}.FormaDePagoP",
            "FormaDePagoP",
        )
        and pago.forma_de_pago == "99"
    ):
        ck.add(
            "EINV-PAGO-FORMA",
            f"{path}.FormaDePagoP",
            "FormaDePagoP no puede ser «99»; registre cómo se recibió el pago (03 transferencia, 01 efectivo…).",
            "FormaDePagoP cannot be «99»; enter how the payment was received (03 transfer, 01 cash…).",
        )
    if (
        ck.catalog("c_Moneda", pago.moneda, "EINV-PAGO-MONEDA", f"{path}.MonedaP", "MonedaP")
        and pago.moneda == "XXX"
    ):
        ck.add(
            "EINV-PAGO-MONEDA",
            f"{path}.MonedaP",
            "MonedaP no puede ser XXX; use la moneda del pago.",
            "MonedaP cannot be XXX; use the payment's currency.",
        )
    if pago.moneda == "MXN" and pago.tipo_cambio not in (None, Decimal(1)):
        ck.add(
            "EINV-PAGO-TC",
            f"{path}.TipoCambioP",
            "Con MonedaP MXN el TipoCambioP debe ser 1.",
            "With MonedaP MXN, TipoCambioP must be 1.",
        )
    if pago.moneda != "MXN" and pago.tipo_cambio is None:
        ck.add(
            "EINV-PAGO-TC",
            f"{path}.TipoCambioP",
            f"Con MonedaP {pago.moneda} registre TipoCambioP (pesos por unidad) del día del pago.",
            f"With MonedaP {pago.moneda}, enter TipoCambioP (pesos per unit) of the payment date.",
        )
    decimals = amounts.currency_decimals(pago.moneda)
    if pago.monto <= 0 or amounts.exceeds_decimals(pago.monto, decimals):
        ck.add(
            "EINV-PAGO-MONTO",
            f"{path}.Monto",
            f"Monto {pago.monto} debe ser mayor que cero y con hasta {decimals} decimales ({pago.moneda}).",
            f"Monto {pago.monto} must be greater than zero with up to {decimals} decimals ({pago.moneda}).",
        )
    minimum = amounts.pago_monto_minimo(pago)
    if pago.monto < minimum - PAGO_TOLERANCE:
        ck.add(
            "EINV-PAGO-MONTO",
            f"{path}.Monto",
            f"Monto {pago.monto} es menor que la suma de ImpPagado / EquivalenciaDR de los documentos "
            f"({minimum}); corrija el monto o lo pagado.",
            f"Monto {pago.monto} is less than the documents' ImpPagado / EquivalenciaDR sum ({minimum}); "
            "fix the amount or the amounts paid.",
        )
    if not pago.doctos:
        ck.add(
            "EINV-PAGO-DOCTO",
            f"{path}.DoctoRelacionado",
            "El Pago debe relacionar al menos un documento (DoctoRelacionado) con su UUID.",
            "The Pago must relate at least one document (DoctoRelacionado) by its UUID.",
        )
    for j, docto in enumerate(pago.doctos):
        check_docto(ck, docto, pago, f"{path}.DoctoRelacionado[{j}]")
    check_impuestos_p(ck, pago, path)


def check_docto(ck: Checker, d: DoctoRelacionado, pago: Pago, path: str) -> None:
    if not UUID_RE.match(d.id_documento or ""):
        ck.add(
            "EINV-UUID",
            f"{path}.IdDocumento",
            f"IdDocumento «{fmt(d.id_documento)}» no es un UUID válido; cópielo de la factura pagada.",
            f"IdDocumento «{fmt(d.id_documento)}» is not a valid UUID; copy it from the paid invoice.",
        )
    ck.catalog("c_Moneda", d.moneda, "EINV-PAGO-MONEDA", f"{path}.MonedaDR", "MonedaDR")
    if d.moneda != pago.moneda and d.equivalencia is None:
        ck.add(
            "EINV-PAGO-EQUIV",
            f"{path}.EquivalenciaDR",
            f"El documento está en {d.moneda} y el pago en {pago.moneda}: registre EquivalenciaDR "
            f"(unidades de {d.moneda} por 1 {pago.moneda}).",
            f"The document is in {d.moneda} and the payment in {pago.moneda}: enter EquivalenciaDR "
            f"(units of {d.moneda} per 1 {pago.moneda}).",
        )
    if d.moneda == pago.moneda and d.equivalencia not in (None, Decimal(1)):
        ck.add(
            "EINV-PAGO-EQUIV",
            f"{path}.EquivalenciaDR",
            "Con MonedaDR igual a MonedaP la EquivalenciaDR debe ser 1.",
            "When MonedaDR equals MonedaP, EquivalenciaDR must be 1.",
        )
    if d.imp_pagado <= 0:
        ck.add(
            "EINV-PAGO-SALDO",
            f"{path}.ImpPagado",
            "ImpPagado debe ser mayor que cero.",
            "ImpPagado must be greater than zero.",
        )
    ck.equal(
        d.imp_saldo_insoluto,
        d.imp_saldo_ant - d.imp_pagado,
        "EINV-PAGO-SALDO",
        f"{path}.ImpSaldoInsoluto",
        "ImpSaldoInsoluto",
        "ImpSaldoAnt − ImpPagado",
        "ImpSaldoAnt − ImpPagado",
    )
    if d.imp_saldo_insoluto < 0:
        ck.add(
            "EINV-PAGO-SALDO",
            f"{path}.ImpPagado",
            f"Se paga más ({d.imp_pagado}) que el saldo anterior ({d.imp_saldo_ant}); corrija lo pagado.",
            f"More is paid ({d.imp_pagado}) than the previous balance ({d.imp_saldo_ant}); fix the amount.",
        )
    if ck.catalog(
        "c_ObjetoImp", d.objeto_imp, "EINV-PAGO-OBJETO", f"{path}.ObjetoImpDR", "ObjetoImpDR"
    ) and (d.objeto_imp == "02") != (d.impuestos is not None):
        ck.add(
            "EINV-PAGO-OBJETO",
            f"{path}.ImpuestosDR",
            "Con ObjetoImpDR «02» registre ImpuestosDR (impuestos en proporción a lo pagado); con otro "
            "valor no los registre.",
            "With ObjetoImpDR «02» enter ImpuestosDR (taxes in proportion to the amount paid); with any "
            "other value leave them out.",
        )
    if d.impuestos is None:
        return
    decimals = amounts.currency_decimals(d.moneda)
    taxes_by_kind: tuple[tuple[str, Sequence[TrasladoDR | RetencionDR]], ...] = (
        ("TrasladosDR", d.impuestos.traslados),
        ("RetencionesDR", d.impuestos.retenciones),
    )
    for kind, taxes in taxes_by_kind:
        for k, t in enumerate(taxes):
            tpath = f"{path}.ImpuestosDR.{kind}[{k}]"
            ck.catalog(
                "c_Impuesto", t.impuesto, "EINV-PAGO-IMPDR", f"{tpath}.ImpuestoDR", "ImpuestoDR"
            )
            ck.catalog(
                "c_TipoFactor",
                t.tipo_factor,
                "EINV-PAGO-IMPDR",
                f"{tpath}.TipoFactorDR",
                "TipoFactorDR",
            )
            if t.tipo_factor == "Exento" or t.tasa_o_cuota is None or t.importe is None:
                continue
            bounds = amounts.tax_bounds(
                t.base, t.tasa_o_cuota, max(decimals, amounts.decimals_of(t.importe))
            )
            if not amounts.within(t.importe, bounds):
                ck.add(
                    "EINV-PAGO-IMPDR",
                    f"{tpath}.ImporteDR",
                    f"ImporteDR {t.importe} no corresponde a BaseDR {t.base} × {t.tasa_o_cuota}; debe estar "
                    f"entre {bounds[0]} y {bounds[1]}.",
                    f"ImporteDR {t.importe} does not match BaseDR {t.base} × {t.tasa_o_cuota}; it must be "
                    f"between {bounds[0]} and {bounds[1]}.",
                )


def check_impuestos_p(ck: Checker, pago: Pago, path: str) -> None:
    expected = amounts.impuestos_p(pago)
    given = pago.impuestos
    if (expected is None) != (given is None):
        ck.add(
            "EINV-PAGO-IMPP",
            f"{path}.ImpuestosP",
            "ImpuestosP debe existir exactamente cuando los documentos pagados llevan ImpuestosDR; "
            "recalcúlelo sumando los impuestos de cada documento.",
            "ImpuestosP must exist exactly when the paid documents carry ImpuestosDR; recompute it "
            "by adding up each document's taxes.",
        )
        return
    if expected is None or given is None:
        return
    want = [(amounts.traslado_key(t), t.base, t.importe) for t in expected.traslados]
    got = [(amounts.traslado_key(t), t.base, t.importe) for t in given.traslados]
    want_r = {r.impuesto: r.importe for r in expected.retenciones}
    got_r = {r.impuesto: r.importe for r in given.retenciones}
    if not (
        _close(want, got)
        and want_r.keys() == got_r.keys()
        and all(abs(want_r[k] - got_r[k]) <= PAGO_TOLERANCE for k in want_r)
    ):
        ck.add(
            "EINV-PAGO-IMPP",
            f"{path}.ImpuestosP",
            "ImpuestosP no corresponde a la suma de los ImpuestosDR / EquivalenciaDR de los documentos "
            "de este pago; recalcúlelo.",
            "ImpuestosP does not match the sum of the documents' ImpuestosDR / EquivalenciaDR for this "
            "payment; recompute it.",
        )


def _is_pago_concepto(k: Concepto) -> bool:
    return (
        k.clave_prod_serv == PAGO_CLAVE_PROD_SERV
        and k.cantidad == 1
        and k.clave_unidad == CLAVE_UNIDAD_ACTIVIDAD
        and k.descripcion == PAGO_DESCRIPCION
        and k.valor_unitario == 0
        and (k.importe or ZERO) == 0
        and k.objeto_imp == "01"
        and k.impuestos is None
        and k.descuento is None
    )


def _totales_attr(name: str) -> str:
    return next(f.metadata["xml"] for f in fields(TotalesPagos) if f.name == name)


def _close(want: list[tuple], got: list[tuple]) -> bool:
    if sorted(k for k, _, _ in want) != sorted(k for k, _, _ in got):
        return False
    got_by_key = {k: (b, i) for k, b, i in got}
    for key, base, importe in want:
        gb, gi = got_by_key[key]
        if abs(base - gb) > PAGO_TOLERANCE:
            return False
        if (importe is None) != (gi is None) or (
            importe is not None and abs(importe - gi) > PAGO_TOLERANCE
        ):
            return False
    return True
