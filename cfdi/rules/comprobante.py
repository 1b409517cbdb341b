"""Rules of the Comprobante node itself: type, Fecha (and its 72-hour window when ``now``
is given), FormaPago / MetodoPago, Moneda / TipoCambio, Exportacion, LugarExpedicion,
InformacionGlobal (the global invoice) and CfdiRelacionados."""

from __future__ import annotations

from datetime import datetime, timedelta

from .. import amounts, catalogs
from ..sat import (
    GLOBAL_CLAVE_PROD_SERV,
    GLOBAL_CLAVE_UNIDAD,
    GLOBAL_EGRESO_CLAVE_PROD_SERV,
    PUBLICO_EN_GENERAL,
    PUBLICO_NOMBRE,
    UUID_RE,
)
from .base import Checker, fmt, has_comercio_exterior

MAX_AGE = timedelta(hours=72)
FUTURE_SLACK = timedelta(minutes=5)


def check_comprobante(ck: Checker) -> None:
    c = ck.c
    ck.catalog(
        "c_TipoDeComprobante",
        c.tipo_de_comprobante,
        "CFDI40121",
        "TipoDeComprobante",
        "TipoDeComprobante",
    )
    check_fecha(ck)
    check_forma_y_metodo(ck)
    check_moneda(ck)
    ck.catalog("c_Exportacion", c.exportacion, "CFDI40123", "Exportacion", "Exportacion")
    if c.exportacion == "02" and not has_comercio_exterior(c):
        ck.add(
            "CFDI40122",
            "Exportacion",
            "Exportacion «02» (definitiva A1) exige el complemento de Comercio Exterior; "
            "agréguelo o use Exportacion «01».",
            "Exportacion «02» (definitive, A1) requires the Comercio Exterior complement; "
            "add it or use Exportacion «01».",
        )
    if catalogs.postal_code(c.lugar_expedicion) is None:
        ck.add(
            "CFDI40126",
            "LugarExpedicion",
            f"LugarExpedicion «{fmt(c.lugar_expedicion)}» no está en el catálogo c_CodigoPostal; "
            "registre el código postal de 5 dígitos del domicilio donde se expide.",
            f"LugarExpedicion «{fmt(c.lugar_expedicion)}» is not in catalog c_CodigoPostal; "
            "enter the 5-digit postal code of the place of issue.",
        )


def check_fecha(ck: Checker) -> None:
    c = ck.c
    if c.fecha is None or c.fecha.tzinfo is not None or c.fecha.microsecond:
        ck.add(
            "CFDI40101",
            "Fecha",
            "Fecha debe tener el formato AAAA-MM-DDThh:mm:ss en hora local del lugar de expedición, "
            "sin zona horaria ni fracciones de segundo.",
            "Fecha must be YYYY-MM-DDThh:mm:ss in local time at the place of issue, "
            "with no time zone and no fractions of a second.",
        )
        return
    if ck.now is None:
        return
    now = ck.now
    if now.tzinfo is not None:
        now = now.astimezone(catalogs.time_zone(c.lugar_expedicion)).replace(tzinfo=None)
    if c.fecha > now + FUTURE_SLACK:
        ck.add(
            "EINV-FECHA",
            "Fecha",
            f"Fecha {c.fecha.isoformat()} está en el futuro (ahora es {now.isoformat(timespec='seconds')} "
            "en el lugar de expedición); use la fecha y hora actuales.",
            f"Fecha {c.fecha.isoformat()} is in the future (it is {now.isoformat(timespec='seconds')} "
            "at the place of issue); use the current date and time.",
        )
    elif now - c.fecha > MAX_AGE:
        ck.add(
            "EINV-FECHA",
            "Fecha",
            f"Fecha {c.fecha.isoformat()} tiene más de 72 horas; el PAC la rechazaría. "
            "Vuelva a sellar con la fecha actual.",
            f"Fecha {c.fecha.isoformat()} is more than 72 hours old; the PAC would reject it. "
            "Seal it again with the current date.",
        )


def check_forma_y_metodo(ck: Checker) -> None:
    c = ck.c
    tipo = c.tipo_de_comprobante
    if tipo in ("T", "N", "P"):
        if c.forma_pago is not None:
            ck.add(
                "CFDI40103",
                "FormaPago",
                f"Un comprobante tipo {tipo} no lleva FormaPago; elimine el atributo.",
                f"A type {tipo} document has no FormaPago; remove the attribute.",
            )
        if c.metodo_pago is not None:
            ck.add(
                "CFDI40125",
                "MetodoPago",
                f"Un comprobante tipo {tipo} no lleva MetodoPago; elimine el atributo.",
                f"A type {tipo} document has no MetodoPago; remove the attribute.",
            )
        return
    if c.forma_pago is None:
        ck.add(
            "CFDI40104",
            "FormaPago",
            "Falta FormaPago; registre la clave de c_FormaPago (99 «Por definir» si el pago es "
            "en parcialidades o diferido).",
            "FormaPago is missing; enter a c_FormaPago code (99 «to be defined» for "
            "instalment or deferred payment).",
        )
    else:
        ck.catalog("c_FormaPago", c.forma_pago, "CFDI40104", "FormaPago", "FormaPago")
    if c.metodo_pago is not None:
        ck.catalog("c_MetodoPago", c.metodo_pago, "CFDI40124", "MetodoPago", "MetodoPago")
    if c.metodo_pago == "PPD" and c.forma_pago not in (None, "99"):
        ck.add(
            "CFDI40105",
            "FormaPago",
            f"Con MetodoPago PPD la FormaPago debe ser «99» (Por definir), no «{c.forma_pago}»; "
            "la forma real se informa en el complemento de pago.",
            f"With MetodoPago PPD, FormaPago must be «99» (to be defined), not «{c.forma_pago}»; "
            "the actual form goes in the payment complement.",
        )
    if c.metodo_pago == "PUE" and c.forma_pago == "99":
        ck.add(
            "EINV-FP99",
            "FormaPago",
            "Con MetodoPago PUE (pago en una exhibición) indique la forma de pago real, no «99»; "
            "si el pago aún no se recibe use MetodoPago PPD.",
            "With MetodoPago PUE (paid in full) enter the actual form of payment, not «99»; "
            "if payment is still pending use MetodoPago PPD.",
        )


def check_moneda(ck: Checker) -> None:
    c = ck.c
    if not ck.catalog("c_Moneda", c.moneda, "CFDI40113", "Moneda", "Moneda"):
        return
    if c.tipo_de_comprobante == "P" and c.moneda != "XXX":
        ck.add(
            "CFDI40113",
            "Moneda",
            f"Un comprobante de pago (P) usa Moneda «XXX», no «{c.moneda}»; la moneda del pago "
            "va en MonedaP del complemento.",
            f"A payment document (P) uses Moneda «XXX», not «{c.moneda}»; the payment currency "
            "goes in MonedaP of the complement.",
        )
    rate = c.tipo_cambio
    if c.moneda == "MXN" and rate is not None and rate != 1:
        ck.add(
            "CFDI40114",
            "TipoCambio",
            f"Con Moneda MXN el TipoCambio debe ser 1 u omitirse, no {rate}.",
            f"With Moneda MXN, TipoCambio must be 1 or omitted, not {rate}.",
        )
    elif c.moneda not in ("MXN", "XXX") and rate is None:
        ck.add(
            "CFDI40115",
            "TipoCambio",
            f"Con Moneda {c.moneda} registre el TipoCambio (pesos por unidad de {c.moneda}) del día.",
            f"With Moneda {c.moneda}, enter the day's TipoCambio (pesos per {c.moneda}).",
        )
    elif c.moneda == "XXX" and rate is not None:
        ck.add(
            "CFDI40116",
            "TipoCambio",
            "Con Moneda XXX no se registra TipoCambio; elimínelo.",
            "With Moneda XXX there is no TipoCambio; remove it.",
        )
    if rate is not None and (rate <= 0 or amounts.decimals_of(rate) > 6):
        ck.add(
            "CFDI40117",
            "TipoCambio",
            f"TipoCambio {rate} debe ser mayor que cero y con hasta 6 decimales.",
            f"TipoCambio {rate} must be greater than zero with up to 6 decimals.",
        )


def check_informacion_global(ck: Checker) -> None:
    c = ck.c
    r = c.receptor
    publico = r.rfc == PUBLICO_EN_GENERAL and r.nombre == PUBLICO_NOMBRE
    ig = c.informacion_global
    if publico and ig is None and c.tipo_de_comprobante == "I":
        ck.add(
            "CFDI40130",
            "InformacionGlobal",
            "Una factura a «PUBLICO EN GENERAL» (RFC XAXX010101000) es una factura global: agregue "
            "InformacionGlobal con Periodicidad, Meses y Año de las operaciones que ampara.",
            "An invoice to «PUBLICO EN GENERAL» (RFC XAXX010101000) is a global invoice: add "
            "InformacionGlobal with the Periodicidad, Meses and Año of the sales it covers.",
        )
    if r.nombre == PUBLICO_NOMBRE and r.rfc != PUBLICO_EN_GENERAL:
        ck.add(
            "CFDI40146",
            "Receptor.Rfc",
            f"El Nombre «PUBLICO EN GENERAL» sólo se usa con el RFC XAXX010101000, no con {r.rfc}.",
            f"Nombre «PUBLICO EN GENERAL» is used only with RFC XAXX010101000, not with {r.rfc}.",
        )
    if ig is None:
        return
    if r.rfc != PUBLICO_EN_GENERAL:
        ck.add(
            "EINV-GLOBAL",
            "InformacionGlobal",
            "InformacionGlobal sólo se usa en facturas globales a XAXX010101000 «PUBLICO EN GENERAL»; "
            "elimínela o cambie el receptor.",
            "InformacionGlobal is only for global invoices to XAXX010101000 «PUBLICO EN GENERAL»; "
            "remove it or change the receiver.",
        )
    elif r.nombre != PUBLICO_NOMBRE:
        ck.add(
            "EINV-GLOBAL",
            "Receptor.Nombre",
            f"En una factura global el Nombre del receptor debe ser «{PUBLICO_NOMBRE}», no «{r.nombre}».",
            f"In a global invoice the receiver's Nombre must be «{PUBLICO_NOMBRE}», not «{r.nombre}».",
        )
    # an egreso to público en general takes tickets out of a global invoice (Apéndice 2)
    clave = (
        GLOBAL_EGRESO_CLAVE_PROD_SERV if c.tipo_de_comprobante == "E" else GLOBAL_CLAVE_PROD_SERV
    )
    for i, k in enumerate(c.conceptos):
        if (
            k.clave_prod_serv != clave
            or k.clave_unidad != GLOBAL_CLAVE_UNIDAD
            or not k.no_identificacion
        ):
            ck.add(
                "EINV-GLOBAL-CONCEPTO",
                f"Conceptos[{i}]",
                f"En un CFDI global cada concepto es una venta (ticket): ClaveProdServ {clave}, "
                "ClaveUnidad ACT y el número de ticket en NoIdentificacion.",
                f"In a global CFDI each concept is one sale (ticket): ClaveProdServ {clave}, "
                "ClaveUnidad ACT and the ticket number in NoIdentificacion.",
                severity="warning",
            )
    path = "InformacionGlobal"
    if ck.catalog(
        "c_Periodicidad", ig.periodicidad, "CFDI40131", f"{path}.Periodicidad", "Periodicidad"
    ):
        if ig.periodicidad == "05" and c.emisor.regimen_fiscal != "621":
            ck.add(
                "CFDI40132",
                f"{path}.Periodicidad",
                "La Periodicidad «05» (bimestral) sólo aplica al régimen 621 (Incorporación Fiscal); "
                "use 01 a 04.",
                "Periodicidad «05» (bimonthly) applies only to régimen 621; use 01 to 04.",
            )
    if ck.catalog("c_Meses", ig.meses, "CFDI40133", f"{path}.Meses", "Meses"):
        bimestral = ig.periodicidad == "05"
        if not bimestral and ig.meses > "12":
            ck.add(
                "CFDI40134",
                f"{path}.Meses",
                f"Con Periodicidad {ig.periodicidad} el campo Meses va de 01 a 12, no {ig.meses}.",
                f"With Periodicidad {ig.periodicidad}, Meses goes from 01 to 12, not {ig.meses}.",
            )
        if bimestral and ig.meses <= "12":
            ck.add(
                "CFDI40135",
                f"{path}.Meses",
                f"Con Periodicidad 05 (bimestral) el campo Meses va de 13 a 18, no {ig.meses}.",
                f"With Periodicidad 05 (bimonthly), Meses goes from 13 to 18, not {ig.meses}.",
            )
    reference = (ck.now or c.fecha or datetime.now()).year
    if ig.anio not in (reference, reference - 1) or (
        c.fecha is not None and ig.anio > c.fecha.year
    ):
        ck.add(
            "CFDI40136",
            f"{path}.Año",
            f"Año {ig.anio} debe ser el año en curso o el inmediato anterior ({reference - 1} o {reference}).",
            f"Año {ig.anio} must be the current or previous year ({reference - 1} or {reference}).",
        )


def check_relacionados(ck: Checker) -> None:
    for i, rel in enumerate(ck.c.cfdi_relacionados):
        path = f"CfdiRelacionados[{i}]"
        ck.catalog(
            "c_TipoRelacion",
            rel.tipo_relacion,
            "CFDI40137",
            f"{path}.TipoRelacion",
            "TipoRelacion",
        )
        if not rel.uuids:
            ck.add(
                "EINV-REL",
                path,
                "CfdiRelacionados necesita al menos un CfdiRelacionado con el UUID del comprobante relacionado.",
                "CfdiRelacionados needs at least one CfdiRelacionado with the related document's UUID.",
            )
        for j, uuid in enumerate(rel.uuids):
            if not UUID_RE.match(uuid or ""):
                ck.add(
                    "EINV-UUID",
                    f"{path}.CfdiRelacionado[{j}].UUID",
                    f"«{fmt(uuid)}» no es un UUID (folio fiscal) válido: 36 caracteres "
                    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. Cópielo del CFDI relacionado.",
                    f"«{fmt(uuid)}» is not a valid UUID (folio fiscal): 36 characters "
                    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. Copy it from the related CFDI.",
                )
    if ck.c.tipo_de_comprobante == "E" and not ck.c.cfdi_relacionados:
        ck.add(
            "EINV-E01",
            "CfdiRelacionados",
            "Una nota de crédito (E) normalmente relaciona la factura que afecta (TipoRelacion 01 "
            "nota de crédito, 03 devolución); agregue el UUID de esa factura.",
            "A credit note (E) normally relates the invoice it affects (TipoRelacion 01 credit "
            "note, 03 return); add that invoice's UUID.",
            severity="warning",
        )
