"""Validation rules of a CFDI 4.0, run before any PAC is called.

``check(c)`` returns a list of ``Finding``: each has SAT's code from the
"Matriz de errores" of CFDI 4.0 (CFDI40xxx) where SAT has one, else an engine
code (``EINV-...``), a message in Spanish and English that says what to fix,
and the path of the offending attribute ("Conceptos[2].Impuestos.Traslados[0].Importe").
``validate(data)`` parses XML bytes, runs ``check`` and verifies the seal (and,
when stamped, that the TimbreFiscalDigital's SelloCFD equals the Sello).

Not checked here (they need SAT's live lists): RFC registered in l_RFC, name
and postal code matching SAT's records, TipoCambio variation against the day's
rate (CFDI40118) and Total limits needing Confirmacion (CFDI40120).
The Fecha window (not in the future, at most 72 hours old, CFF 29-A / RMF) is
checked only when ``now`` is given, so a stored document can be re-validated.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from . import amounts, catalogs
from .document import (
    EXTRANJERO,
    PUBLICO_EN_GENERAL,
    Comprobante,
    Concepto,
    DoctoRelacionado,
    Impuestos,
    Pago,
    Retencion,
    Traslado,
)
from .errors import CfdiError

RFC_RE = re.compile(
    r"^[A-ZÑ&]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$"
)
UUID_RE = re.compile(
    r"^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
)
PEDIMENTO_RE = re.compile(r"^[0-9]{2}  [0-9]{2}  [0-9]{4}  [0-9]{7}$")
CP_RE = re.compile(r"^[0-9]{5}$")
PUBLICO_NOMBRE = "PUBLICO EN GENERAL"
MAX_AGE = timedelta(hours=72)
FUTURE_SLACK = timedelta(minutes=5)
PAGO_TOLERANCE = Decimal("0.01")
ZERO = Decimal("0")
NO_TAX_OBJETOS = {"01", "03", "04"}


@dataclass(frozen=True)
class Finding:
    code: str
    message_es: str
    message_en: str
    path: str
    severity: str = "error"  # "error" blocks stamping; "warning" is advice

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message_es} / {self.message_en}"

    @property
    def blocking(self) -> bool:
        return self.severity != "warning"

    def one_line(self) -> str:
        """``CODE path: message_es / message_en`` (no path for whole-file findings)."""
        where = f" {self.path}" if self.path else ""
        return f"{self.code}{where}: {self.message_es} / {self.message_en}"


@functools.lru_cache(maxsize=1024)
def _cached_tasa_valid(impuesto: str, tipo_factor: str, value: Decimal, retencion: bool) -> bool:
    return catalogs.tasa_o_cuota_valid(impuesto, tipo_factor, value, retencion=retencion)


def _tasa_valid(impuesto: str, tipo_factor: str, value: Decimal, *, retencion: bool) -> bool:
    """``catalogs.tasa_o_cuota_valid`` remembered per rate (a document repeats a few rates;
    equal Decimals such as 0.16 and 0.160000 share an entry, the answer being the same)."""
    try:
        return _cached_tasa_valid(impuesto, tipo_factor, value, retencion)
    except TypeError:  # unhashable value (a signalling NaN): ask the catalog directly
        return catalogs.tasa_o_cuota_valid(impuesto, tipo_factor, value, retencion=retencion)


def _fmt(value: object) -> str:
    return "(vacío)" if value is None or value == "" else str(value)


def is_generic(rfc: str) -> bool:
    return rfc in (PUBLICO_EN_GENERAL, EXTRANJERO)


def is_moral(rfc: str) -> bool:
    return len(rfc) == 12


class _Checker:
    def __init__(self, c: Comprobante, now: datetime | None):
        self.c = c
        self.now = now
        self.out: list[Finding] = []
        self.decimals = amounts.currency_decimals(c.moneda)

    def add(self, code: str, path: str, es: str, en: str, severity: str = "error") -> None:
        self.out.append(Finding(code, es, en, path, severity))

    def catalog(self, name: str, value: str | None, code: str, path: str, field: str) -> bool:
        if value in catalogs.codes(name):
            return True
        self.add(
            code,
            path,
            f"El campo {field} tiene «{_fmt(value)}», que no está en el catálogo {name} del SAT; "
            f"elija una clave vigente de {name}.",
            f"{field} is «{_fmt(value)}», which is not in SAT's catalog {name}; "
            f"choose a current {name} code.",
        )
        return False

    def decimals_ok(
        self, value: Decimal | None, code: str, path: str, field: str, decimals: int | None = None
    ) -> bool:
        allowed = self.decimals if decimals is None else decimals
        if not amounts.exceeds_decimals(value, allowed):
            return True
        self.add(
            code,
            path,
            f"{field} = {value} tiene más de {allowed} decimales, los que admite la moneda "
            f"{self.c.moneda}; redondee a {allowed} decimales.",
            f"{field} = {value} has more than the {allowed} decimals currency {self.c.moneda} "
            f"allows; round it to {allowed} decimals.",
        )
        return False

    def equal(
        self,
        given: Decimal | None,
        expected: Decimal,
        code: str,
        path: str,
        field: str,
        how_es: str,
        how_en: str,
    ) -> None:
        if given is not None and given == expected:
            return
        self.add(
            code,
            path,
            f"{field} = {_fmt(given)} pero debe ser {expected} ({how_es}); corríjalo a {expected}.",
            f"{field} = {_fmt(given)} but must be {expected} ({how_en}); set it to {expected}.",
        )

    def rfc_shape(self, rfc: str, path: str, who_es: str, who_en: str) -> bool:
        if RFC_RE.match(rfc or ""):
            return True
        self.add(
            "EINV-RFC",
            path,
            f"El RFC {who_es} «{_fmt(rfc)}» no tiene forma válida: 12 caracteres para persona moral "
            f"o 13 para persona física (letras, fecha AAMMDD y homoclave), sin espacios ni guiones.",
            f"The {who_en} RFC «{_fmt(rfc)}» is malformed: 12 characters for a company or 13 for an "
            f"individual (letters, YYMMDD date and check digits), without spaces or dashes.",
        )
        return False

    # --- Comprobante ---------------------------------------------------------

    def comprobante(self) -> None:
        c = self.c
        self.catalog(
            "c_TipoDeComprobante",
            c.tipo_de_comprobante,
            "CFDI40121",
            "TipoDeComprobante",
            "TipoDeComprobante",
        )
        self.fecha()
        self.forma_y_metodo()
        self.moneda()
        self.catalog("c_Exportacion", c.exportacion, "CFDI40123", "Exportacion", "Exportacion")
        if c.exportacion == "02" and not any(
            b"ComercioExterior" in raw for raw in c.complemento.others
        ):
            self.add(
                "CFDI40122",
                "Exportacion",
                "Exportacion «02» (definitiva A1) exige el complemento de Comercio Exterior; "
                "agréguelo o use Exportacion «01».",
                "Exportacion «02» (definitive, A1) requires the Comercio Exterior complement; "
                "add it or use Exportacion «01».",
            )
        if catalogs.postal_code(c.lugar_expedicion) is None:
            self.add(
                "CFDI40126",
                "LugarExpedicion",
                f"LugarExpedicion «{_fmt(c.lugar_expedicion)}» no está en el catálogo c_CodigoPostal; "
                "registre el código postal de 5 dígitos del domicilio donde se expide.",
                f"LugarExpedicion «{_fmt(c.lugar_expedicion)}» is not in catalog c_CodigoPostal; "
                "enter the 5-digit postal code of the place of issue.",
            )

    def fecha(self) -> None:
        c = self.c
        if c.fecha is None or c.fecha.tzinfo is not None or c.fecha.microsecond:
            self.add(
                "CFDI40101",
                "Fecha",
                "Fecha debe tener el formato AAAA-MM-DDThh:mm:ss en hora local del lugar de expedición, "
                "sin zona horaria ni fracciones de segundo.",
                "Fecha must be YYYY-MM-DDThh:mm:ss in local time at the place of issue, "
                "with no time zone and no fractions of a second.",
            )
            return
        if self.now is None:
            return
        now = self.now
        if now.tzinfo is not None:
            cp = catalogs.postal_code(c.lugar_expedicion)
            zone = _zone(cp.iana_zone if cp else "America/Mexico_City")
            now = now.astimezone(zone).replace(tzinfo=None)
        if c.fecha > now + FUTURE_SLACK:
            self.add(
                "EINV-FECHA",
                "Fecha",
                f"Fecha {c.fecha.isoformat()} está en el futuro (ahora es {now.isoformat(timespec='seconds')} "
                "en el lugar de expedición); use la fecha y hora actuales.",
                f"Fecha {c.fecha.isoformat()} is in the future (it is {now.isoformat(timespec='seconds')} "
                "at the place of issue); use the current date and time.",
            )
        elif now - c.fecha > MAX_AGE:
            self.add(
                "EINV-FECHA",
                "Fecha",
                f"Fecha {c.fecha.isoformat()} tiene más de 72 horas; el PAC la rechazaría. "
                "Vuelva a sellar con la fecha actual.",
                f"Fecha {c.fecha.isoformat()} is more than 72 hours old; the PAC would reject it. "
                "Seal it again with the current date.",
            )

    def forma_y_metodo(self) -> None:
        c = self.c
        tipo = c.tipo_de_comprobante
        if tipo in ("T", "N", "P"):
            if c.forma_pago is not None:
                self.add(
                    "CFDI40103",
                    "FormaPago",
                    f"Un comprobante tipo {tipo} no lleva FormaPago; elimine el atributo.",
                    f"A type {tipo} document has no FormaPago; remove the attribute.",
                )
            if c.metodo_pago is not None:
                self.add(
                    "CFDI40125",
                    "MetodoPago",
                    f"Un comprobante tipo {tipo} no lleva MetodoPago; elimine el atributo.",
                    f"A type {tipo} document has no MetodoPago; remove the attribute.",
                )
            return
        if c.forma_pago is None:
            self.add(
                "CFDI40104",
                "FormaPago",
                "Falta FormaPago; registre la clave de c_FormaPago (99 «Por definir» si el pago es "
                "en parcialidades o diferido).",
                "FormaPago is missing; enter a c_FormaPago code (99 «to be defined» for "
                "instalment or deferred payment).",
            )
        else:
            self.catalog("c_FormaPago", c.forma_pago, "CFDI40104", "FormaPago", "FormaPago")
        if c.metodo_pago is not None:
            self.catalog("c_MetodoPago", c.metodo_pago, "CFDI40124", "MetodoPago", "MetodoPago")
        if c.metodo_pago == "PPD" and c.forma_pago not in (None, "99"):
            self.add(
                "CFDI40105",
                "FormaPago",
                f"Con MetodoPago PPD la FormaPago debe ser «99» (Por definir), no «{c.forma_pago}»; "
                "la forma real se informa en el complemento de pago.",
                f"With MetodoPago PPD, FormaPago must be «99» (to be defined), not «{c.forma_pago}»; "
                "the actual form goes in the payment complement.",
            )
        if c.metodo_pago == "PUE" and c.forma_pago == "99":
            self.add(
                "EINV-FP99",
                "FormaPago",
                "Con MetodoPago PUE (pago en una exhibición) indique la forma de pago real, no «99»; "
                "si el pago aún no se recibe use MetodoPago PPD.",
                "With MetodoPago PUE (paid in full) enter the actual form of payment, not «99»; "
                "if payment is still pending use MetodoPago PPD.",
            )

    def moneda(self) -> None:
        c = self.c
        if not self.catalog("c_Moneda", c.moneda, "CFDI40113", "Moneda", "Moneda"):
            return
        if c.tipo_de_comprobante == "P" and c.moneda != "XXX":
            self.add(
                "CFDI40113",
                "Moneda",
                f"Un comprobante de pago (P) usa Moneda «XXX», no «{c.moneda}»; la moneda del pago "
                "va en MonedaP del complemento.",
                f"A payment document (P) uses Moneda «XXX», not «{c.moneda}»; the payment currency "
                "goes in MonedaP of the complement.",
            )
        rate = c.tipo_cambio
        if c.moneda == "MXN" and rate is not None and rate != 1:
            self.add(
                "CFDI40114",
                "TipoCambio",
                f"Con Moneda MXN el TipoCambio debe ser 1 u omitirse, no {rate}.",
                f"With Moneda MXN, TipoCambio must be 1 or omitted, not {rate}.",
            )
        elif c.moneda not in ("MXN", "XXX") and rate is None:
            self.add(
                "CFDI40115",
                "TipoCambio",
                f"Con Moneda {c.moneda} registre el TipoCambio (pesos por unidad de {c.moneda}) del día.",
                f"With Moneda {c.moneda}, enter the day's TipoCambio (pesos per {c.moneda}).",
            )
        elif c.moneda == "XXX" and rate is not None:
            self.add(
                "CFDI40116",
                "TipoCambio",
                "Con Moneda XXX no se registra TipoCambio; elimínelo.",
                "With Moneda XXX there is no TipoCambio; remove it.",
            )
        if rate is not None and (rate <= 0 or amounts.decimals_of(rate) > 6):
            self.add(
                "CFDI40117",
                "TipoCambio",
                f"TipoCambio {rate} debe ser mayor que cero y con hasta 6 decimales.",
                f"TipoCambio {rate} must be greater than zero with up to 6 decimals.",
            )

    # --- parties -------------------------------------------------------------

    def informacion_global(self) -> None:
        c = self.c
        r = c.receptor
        publico = r.rfc == PUBLICO_EN_GENERAL and r.nombre == PUBLICO_NOMBRE
        ig = c.informacion_global
        if publico and ig is None and c.tipo_de_comprobante == "I":
            self.add(
                "CFDI40130",
                "InformacionGlobal",
                "Una factura a «PUBLICO EN GENERAL» (RFC XAXX010101000) es una factura global: agregue "
                "InformacionGlobal con Periodicidad, Meses y Año de las operaciones que ampara.",
                "An invoice to «PUBLICO EN GENERAL» (RFC XAXX010101000) is a global invoice: add "
                "InformacionGlobal with the Periodicidad, Meses and Año of the sales it covers.",
            )
        if r.nombre == PUBLICO_NOMBRE and r.rfc != PUBLICO_EN_GENERAL:
            self.add(
                "CFDI40146",
                "Receptor.Rfc",
                f"El Nombre «PUBLICO EN GENERAL» sólo se usa con el RFC XAXX010101000, no con {r.rfc}.",
                f"Nombre «PUBLICO EN GENERAL» is used only with RFC XAXX010101000, not with {r.rfc}.",
            )
        if ig is None:
            return
        if r.rfc != PUBLICO_EN_GENERAL:
            self.add(
                "EINV-GLOBAL",
                "InformacionGlobal",
                "InformacionGlobal sólo se usa en facturas globales a XAXX010101000 «PUBLICO EN GENERAL»; "
                "elimínela o cambie el receptor.",
                "InformacionGlobal is only for global invoices to XAXX010101000 «PUBLICO EN GENERAL»; "
                "remove it or change the receiver.",
            )
        elif r.nombre != PUBLICO_NOMBRE:
            self.add(
                "EINV-GLOBAL",
                "Receptor.Nombre",
                f"En una factura global el Nombre del receptor debe ser «{PUBLICO_NOMBRE}», no «{r.nombre}».",
                f"In a global invoice the receiver's Nombre must be «{PUBLICO_NOMBRE}», not «{r.nombre}».",
            )
        for i, k in enumerate(c.conceptos):
            if (
                k.clave_prod_serv != "01010101"
                or k.clave_unidad != "ACT"
                or not k.no_identificacion
            ):
                self.add(
                    "EINV-GLOBAL-CONCEPTO",
                    f"Conceptos[{i}]",
                    "En una factura global cada concepto es una venta (ticket): ClaveProdServ 01010101, "
                    "ClaveUnidad ACT y el número de ticket en NoIdentificacion.",
                    "In a global invoice each concept is one sale (ticket): ClaveProdServ 01010101, "
                    "ClaveUnidad ACT and the ticket number in NoIdentificacion.",
                    severity="warning",
                )
        path = "InformacionGlobal"
        if self.catalog(
            "c_Periodicidad", ig.periodicidad, "CFDI40131", f"{path}.Periodicidad", "Periodicidad"
        ):
            if ig.periodicidad == "05" and c.emisor.regimen_fiscal != "621":
                self.add(
                    "CFDI40132",
                    f"{path}.Periodicidad",
                    "La Periodicidad «05» (bimestral) sólo aplica al régimen 621 (Incorporación Fiscal); "
                    "use 01 a 04.",
                    "Periodicidad «05» (bimonthly) applies only to régimen 621; use 01 to 04.",
                )
        if self.catalog("c_Meses", ig.meses, "CFDI40133", f"{path}.Meses", "Meses"):
            bimestral = ig.periodicidad == "05"
            if not bimestral and ig.meses > "12":
                self.add(
                    "CFDI40134",
                    f"{path}.Meses",
                    f"Con Periodicidad {ig.periodicidad} el campo Meses va de 01 a 12, no {ig.meses}.",
                    f"With Periodicidad {ig.periodicidad}, Meses goes from 01 to 12, not {ig.meses}.",
                )
            if bimestral and ig.meses <= "12":
                self.add(
                    "CFDI40135",
                    f"{path}.Meses",
                    f"Con Periodicidad 05 (bimestral) el campo Meses va de 13 a 18, no {ig.meses}.",
                    f"With Periodicidad 05 (bimonthly), Meses goes from 13 to 18, not {ig.meses}.",
                )
        reference = (self.now or c.fecha or datetime.now()).year
        if ig.anio not in (reference, reference - 1) or (
            c.fecha is not None and ig.anio > c.fecha.year
        ):
            self.add(
                "CFDI40136",
                f"{path}.Año",
                f"Año {ig.anio} debe ser el año en curso o el inmediato anterior ({reference - 1} o {reference}).",
                f"Año {ig.anio} must be the current or previous year ({reference - 1} or {reference}).",
            )

    def relacionados(self) -> None:
        for i, rel in enumerate(self.c.cfdi_relacionados):
            path = f"CfdiRelacionados[{i}]"
            self.catalog(
                "c_TipoRelacion",
                rel.tipo_relacion,
                "CFDI40137",
                f"{path}.TipoRelacion",
                "TipoRelacion",
            )
            if not rel.uuids:
                self.add(
                    "EINV-REL",
                    path,
                    "CfdiRelacionados necesita al menos un CfdiRelacionado con el UUID del comprobante relacionado.",
                    "CfdiRelacionados needs at least one CfdiRelacionado with the related document's UUID.",
                )
            for j, uuid in enumerate(rel.uuids):
                if not UUID_RE.match(uuid or ""):
                    self.add(
                        "EINV-UUID",
                        f"{path}.CfdiRelacionado[{j}].UUID",
                        f"«{_fmt(uuid)}» no es un UUID (folio fiscal) válido: 36 caracteres "
                        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. Cópielo del CFDI relacionado.",
                        f"«{_fmt(uuid)}» is not a valid UUID (folio fiscal): 36 characters "
                        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. Copy it from the related CFDI.",
                    )
        if self.c.tipo_de_comprobante == "E" and not self.c.cfdi_relacionados:
            self.add(
                "EINV-E01",
                "CfdiRelacionados",
                "Una nota de crédito (E) normalmente relaciona la factura que afecta (TipoRelacion 01 "
                "nota de crédito, 03 devolución); agregue el UUID de esa factura.",
                "A credit note (E) normally relates the invoice it affects (TipoRelacion 01 credit "
                "note, 03 return); add that invoice's UUID.",
                severity="warning",
            )

    def emisor(self) -> None:
        e = self.c.emisor
        if self.rfc_shape(e.rfc, "Emisor.Rfc", "del emisor", "issuer") and is_generic(e.rfc):
            self.add(
                "EINV-RFC",
                "Emisor.Rfc",
                "El emisor no puede usar un RFC genérico; registre el RFC de la empresa que factura.",
                "The issuer cannot use a generic RFC; enter the invoicing company's RFC.",
            )
        if self.catalog(
            "c_RegimenFiscal",
            e.regimen_fiscal,
            "CFDI40140",
            "Emisor.RegimenFiscal",
            "RegimenFiscal",
        ):
            moral = is_moral(e.rfc)
            if not catalogs.regimen_applies(e.regimen_fiscal, moral=moral):
                self.add(
                    "CFDI40141",
                    "Emisor.RegimenFiscal",
                    f"El régimen {e.regimen_fiscal} no aplica a una persona {_persona(moral)[0]} "
                    f"(RFC de {len(e.rfc)} caracteres); use el régimen de la constancia de situación fiscal.",
                    f"Régimen {e.regimen_fiscal} does not apply to {_persona(moral)[1]} "
                    f"({len(e.rfc)}-character RFC); use the régimen on the tax status certificate.",
                )

    def receptor(self) -> None:
        c = self.c
        r = c.receptor
        self.rfc_shape(r.rfc, "Receptor.Rfc", "del receptor", "receiver")
        if (
            not CP_RE.match(r.domicilio_fiscal or "")
            or catalogs.postal_code(r.domicilio_fiscal) is None
        ):
            self.add(
                "EINV-CP",
                "Receptor.DomicilioFiscalReceptor",
                f"DomicilioFiscalReceptor «{_fmt(r.domicilio_fiscal)}» no está en c_CodigoPostal; registre el "
                "código postal de 5 dígitos de la constancia de situación fiscal del cliente.",
                f"DomicilioFiscalReceptor «{_fmt(r.domicilio_fiscal)}» is not in c_CodigoPostal; enter the "
                "5-digit postal code from the customer's tax status certificate.",
            )
        generic = is_generic(r.rfc)
        if generic and r.domicilio_fiscal != c.lugar_expedicion:
            self.add(
                "CFDI40149",
                "Receptor.DomicilioFiscalReceptor",
                f"Con RFC genérico {r.rfc} el DomicilioFiscalReceptor debe ser igual a LugarExpedicion "
                f"({c.lugar_expedicion}).",
                f"With generic RFC {r.rfc}, DomicilioFiscalReceptor must equal LugarExpedicion "
                f"({c.lugar_expedicion}).",
            )
        self.residencia()
        regimen_ok = self.catalog(
            "c_RegimenFiscal",
            r.regimen_fiscal,
            "CFDI40157",
            "Receptor.RegimenFiscalReceptor",
            "RegimenFiscalReceptor",
        )
        moral = is_moral(r.rfc)
        if generic and r.regimen_fiscal != "616":
            self.add(
                "CFDI40159",
                "Receptor.RegimenFiscalReceptor",
                f"Con RFC genérico {r.rfc} el RegimenFiscalReceptor debe ser 616 (Sin obligaciones fiscales).",
                f"With generic RFC {r.rfc}, RegimenFiscalReceptor must be 616 (no tax obligations).",
            )
        elif (
            regimen_ok
            and not generic
            and not catalogs.regimen_applies(r.regimen_fiscal, moral=moral)
        ):
            self.add(
                "CFDI40158",
                "Receptor.RegimenFiscalReceptor",
                f"El régimen {r.regimen_fiscal} no aplica a una persona {_persona(moral)[0]} (RFC {r.rfc}); "
                "use el régimen de la constancia de situación fiscal del cliente.",
                f"Régimen {r.regimen_fiscal} does not apply to {_persona(moral)[1]} (RFC {r.rfc}); "
                "use the régimen on the customer's tax status certificate.",
            )
        self.uso_cfdi(regimen_ok, moral, generic)

    def residencia(self) -> None:
        r = self.c.receptor
        if r.residencia_fiscal is not None:
            self.catalog(
                "c_Pais",
                r.residencia_fiscal,
                "CFDI40150",
                "Receptor.ResidenciaFiscal",
                "ResidenciaFiscal",
            )
            if r.rfc != EXTRANJERO:
                self.add(
                    "CFDI40151",
                    "Receptor.ResidenciaFiscal",
                    "ResidenciaFiscal sólo se registra para receptores extranjeros (RFC XEXX010101000); elimínela.",
                    "ResidenciaFiscal is only for foreign receivers (RFC XEXX010101000); remove it.",
                )
            if r.residencia_fiscal == "MEX":
                self.add(
                    "CFDI40152",
                    "Receptor.ResidenciaFiscal",
                    "ResidenciaFiscal no puede ser MEX; registre el país de residencia del extranjero.",
                    "ResidenciaFiscal cannot be MEX; enter the foreign receiver's country of residence.",
                )
        comercio_exterior = any(b"ComercioExterior" in raw for raw in self.c.complemento.others)
        if r.rfc == EXTRANJERO and comercio_exterior and not r.num_reg_id_trib:
            self.add(
                "CFDI40155",
                "Receptor.NumRegIdTrib",
                "Con complemento de Comercio Exterior y RFC XEXX010101000 registre NumRegIdTrib "
                "(número de registro fiscal del extranjero).",
                "With the Comercio Exterior complement and RFC XEXX010101000, enter NumRegIdTrib "
                "(the foreign tax id).",
            )
        if r.num_reg_id_trib is not None:
            if r.residencia_fiscal is None:
                self.add(
                    "CFDI40153",
                    "Receptor.ResidenciaFiscal",
                    "Si registra NumRegIdTrib registre también ResidenciaFiscal (país del receptor).",
                    "When NumRegIdTrib is given, also enter ResidenciaFiscal (the receiver's country).",
                )
            if r.rfc != EXTRANJERO:
                self.add(
                    "CFDI40154",
                    "Receptor.NumRegIdTrib",
                    "NumRegIdTrib sólo se registra con el RFC genérico extranjero XEXX010101000; elimínelo.",
                    "NumRegIdTrib is only for the generic foreign RFC XEXX010101000; remove it.",
                )

    def uso_cfdi(self, regimen_ok: bool, moral: bool, generic: bool) -> None:
        c = self.c
        r = c.receptor
        if not self.catalog("c_UsoCFDI", r.uso_cfdi, "CFDI40160", "Receptor.UsoCFDI", "UsoCFDI"):
            return
        expected = "CP01" if c.tipo_de_comprobante == "P" else ("S01" if generic else None)
        if expected and r.uso_cfdi != expected:
            why_es = (
                "en un comprobante de pago" if expected == "CP01" else f"con RFC genérico {r.rfc}"
            )
            why_en = "in a payment document" if expected == "CP01" else f"with generic RFC {r.rfc}"
            self.add(
                "CFDI40161",
                "Receptor.UsoCFDI",
                f"UsoCFDI debe ser {expected} {why_es}, no {r.uso_cfdi}.",
                f"UsoCFDI must be {expected} {why_en}, not {r.uso_cfdi}.",
            )
            return
        if not catalogs.uso_cfdi_applies(r.uso_cfdi, moral=moral):
            self.add(
                "CFDI40161",
                "Receptor.UsoCFDI",
                f"UsoCFDI {r.uso_cfdi} no aplica a una persona {_persona(moral)[0]}; elija otro uso "
                "(G03 Gastos en general es el más común).",
                f"UsoCFDI {r.uso_cfdi} does not apply to {_persona(moral)[1]}; choose another "
                "(G03 general expenses is the most common).",
            )
            return
        allowed = catalogs.uso_cfdi_regimenes(r.uso_cfdi)
        if regimen_ok and allowed and r.regimen_fiscal not in allowed:
            self.add(
                "CFDI40161",
                "Receptor.UsoCFDI",
                f"UsoCFDI {r.uso_cfdi} no es válido con el régimen del receptor {r.regimen_fiscal}; "
                f"ese uso admite los regímenes {', '.join(sorted(allowed))}.",
                f"UsoCFDI {r.uso_cfdi} is not valid with the receiver's régimen {r.regimen_fiscal}; "
                f"that use allows régimes {', '.join(sorted(allowed))}.",
            )

    # --- Conceptos -----------------------------------------------------------

    def conceptos(self) -> None:
        for i, k in enumerate(self.c.conceptos):
            self.concepto(k, f"Conceptos[{i}]")

    def concepto(self, k: Concepto, path: str) -> None:
        c = self.c
        self.catalog(
            "c_ClaveProdServ",
            k.clave_prod_serv,
            "CFDI40162",
            f"{path}.ClaveProdServ",
            "ClaveProdServ",
        )
        self.catalog(
            "c_ClaveUnidad", k.clave_unidad, "CFDI40165", f"{path}.ClaveUnidad", "ClaveUnidad"
        )
        if c.tipo_de_comprobante in ("I", "E", "N") and k.valor_unitario <= 0:
            self.add(
                "CFDI40166",
                f"{path}.ValorUnitario",
                f"ValorUnitario debe ser mayor que cero en un comprobante {c.tipo_de_comprobante}; "
                "capture el precio unitario.",
                f"ValorUnitario must be greater than zero in a type {c.tipo_de_comprobante} document; "
                "enter the unit price.",
            )
        if k.cantidad <= 0:
            self.add(
                "EINV-CANTIDAD",
                f"{path}.Cantidad",
                "Cantidad debe ser mayor que cero.",
                "Cantidad must be greater than zero.",
            )
        if k.importe is None:
            self.add(
                "CFDI40167",
                f"{path}.Importe",
                "Falta el Importe del concepto (Cantidad × ValorUnitario).",
                "The concept's Importe (Cantidad × ValorUnitario) is missing.",
            )
            return
        bounds = amounts.importe_bounds(
            k.cantidad, k.valor_unitario, max(self.decimals, amounts.decimals_of(k.importe))
        )
        if not amounts.within(k.importe, bounds):
            expected = amounts.concepto_importe(k, self.decimals)
            self.add(
                "CFDI40167",
                f"{path}.Importe",
                f"Importe {k.importe} no corresponde a Cantidad {k.cantidad} × ValorUnitario {k.valor_unitario}; "
                f"debe estar entre {bounds[0]} y {bounds[1]} (por ejemplo {expected}).",
                f"Importe {k.importe} does not match Cantidad {k.cantidad} × ValorUnitario {k.valor_unitario}; "
                f"it must be between {bounds[0]} and {bounds[1]} (e.g. {expected}).",
            )
        if k.descuento is not None:
            if amounts.decimals_of(k.descuento) > amounts.decimals_of(k.importe):
                self.add(
                    "CFDI40168",
                    f"{path}.Descuento",
                    f"Descuento {k.descuento} tiene más decimales que el Importe {k.importe}; redondéelo.",
                    f"Descuento {k.descuento} has more decimals than Importe {k.importe}; round it.",
                )
            if k.descuento > k.importe:
                self.add(
                    "CFDI40169",
                    f"{path}.Descuento",
                    f"Descuento {k.descuento} es mayor que el Importe {k.importe} del concepto; "
                    "el descuento no puede exceder el importe.",
                    f"Descuento {k.descuento} exceeds the concept's Importe {k.importe}; "
                    "a discount cannot exceed the amount.",
                )
        self.objeto_imp(k, path)
        if k.a_cuenta_terceros is not None:
            self.terceros(k, path)
        for j, pedimento in enumerate(k.informacion_aduanera):
            if not PEDIMENTO_RE.match(pedimento.numero_pedimento or ""):
                self.add(
                    "CFDI40194",
                    f"{path}.InformacionAduanera[{j}].NumeroPedimento",
                    f"NumeroPedimento «{_fmt(pedimento.numero_pedimento)}» debe tener 21 caracteres: "
                    "año (2), aduana (2), patente (4) y número (7), separados por dos espacios.",
                    f"NumeroPedimento «{_fmt(pedimento.numero_pedimento)}» must have 21 characters: "
                    "year (2), customs office (2), licence (4) and number (7), separated by two spaces.",
                )

    def objeto_imp(self, k: Concepto, path: str) -> None:
        if not self.catalog(
            "c_ObjetoImp", k.objeto_imp, "CFDI40170", f"{path}.ObjetoImp", "ObjetoImp"
        ):
            return
        has_taxes = k.impuestos is not None
        if k.objeto_imp == "02" and not has_taxes:
            self.add(
                "CFDI40171",
                f"{path}.Impuestos",
                "Con ObjetoImp «02» (sí objeto de impuesto) el concepto debe llevar sus Impuestos "
                "(traslados y/o retenciones); agréguelos o use ObjetoImp «01».",
                "With ObjetoImp «02» (subject to tax) the concept needs its Impuestos "
                "(transfers and/or withholdings); add them or use ObjetoImp «01».",
            )
        if k.objeto_imp in NO_TAX_OBJETOS and has_taxes:
            self.add(
                "CFDI40172",
                f"{path}.Impuestos",
                f"Con ObjetoImp «{k.objeto_imp}» el concepto no lleva nodo Impuestos; elimínelo o use ObjetoImp «02».",
                f"With ObjetoImp «{k.objeto_imp}» the concept has no Impuestos node; remove it or use ObjetoImp «02».",
            )
        if not has_taxes:
            return
        if not k.impuestos.traslados and not k.impuestos.retenciones:
            self.add(
                "CFDI40173",
                f"{path}.Impuestos",
                "El nodo Impuestos del concepto está vacío; agregue al menos un Traslado o una Retención.",
                "The concept's Impuestos node is empty; add at least one Traslado or Retencion.",
            )
        for j, t in enumerate(k.impuestos.traslados):
            self.concepto_tax(t, k, f"{path}.Impuestos.Traslados[{j}]", retencion=False)
        for j, r in enumerate(k.impuestos.retenciones):
            self.concepto_tax(r, k, f"{path}.Impuestos.Retenciones[{j}]", retencion=True)

    def concepto_tax(
        self, t: Traslado | Retencion, k: Concepto, path: str, *, retencion: bool
    ) -> None:
        codes = (
            ("CFDI40181", "CFDI40182", "CFDI40183", "CFDI40185", "CFDI40186")
            if retencion
            else ("CFDI40174", "CFDI40175", "CFDI40176", "CFDI40179", "CFDI40180")
        )
        kind_es, kind_en = (
            ("de la retención", "withholding") if retencion else ("del traslado", "transferred tax")
        )
        if t.base is None or t.base <= 0:
            self.add(
                codes[0],
                f"{path}.Base",
                f"La Base {kind_es} debe ser mayor que cero (Importe − Descuento del concepto).",
                f"The {kind_en} Base must be greater than zero (concept Importe − Descuento).",
            )
        impuesto_ok = self.catalog(
            "c_Impuesto", t.impuesto, codes[1], f"{path}.Impuesto", "Impuesto"
        )
        factor_ok = self.catalog(
            "c_TipoFactor", t.tipo_factor, codes[2], f"{path}.TipoFactor", "TipoFactor"
        )
        if t.tipo_factor == "Exento":
            if retencion:
                self.add(
                    "CFDI40184",
                    f"{path}.TipoFactor",
                    "Una retención no puede ser «Exento»; use Tasa o Cuota, o elimine la retención.",
                    "A withholding cannot be «Exento»; use Tasa or Cuota, or remove the withholding.",
                )
            elif t.tasa_o_cuota is not None or t.importe is not None:
                self.add(
                    "CFDI40177",
                    path,
                    "Con TipoFactor «Exento» no se registran TasaOCuota ni Importe; elimínelos.",
                    "With TipoFactor «Exento» there is no TasaOCuota nor Importe; remove them.",
                )
            return
        if t.tasa_o_cuota is None or t.importe is None:
            self.add(
                "CFDI40178",
                path,
                f"Con TipoFactor «{t.tipo_factor}» registre TasaOCuota e Importe.",
                f"With TipoFactor «{t.tipo_factor}» enter TasaOCuota and Importe.",
            )
            return
        if (
            impuesto_ok
            and factor_ok
            and not _tasa_valid(t.impuesto, t.tipo_factor, t.tasa_o_cuota, retencion=retencion)
        ):
            self.add(
                codes[3],
                f"{path}.TasaOCuota",
                f"TasaOCuota {t.tasa_o_cuota} no es válida para el impuesto {t.impuesto} ({t.tipo_factor}) "
                "según c_TasaOCuota; use por ejemplo 0.160000, 0.080000 o 0.000000 para IVA trasladado.",
                f"TasaOCuota {t.tasa_o_cuota} is not valid for tax {t.impuesto} ({t.tipo_factor}) per "
                "c_TasaOCuota; use e.g. 0.160000, 0.080000 or 0.000000 for transferred IVA.",
            )
        if t.base is not None and t.base > 0:
            bounds = amounts.tax_bounds(
                t.base, t.tasa_o_cuota, max(self.decimals, amounts.decimals_of(t.importe))
            )
            if not amounts.within(t.importe, bounds):
                expected = amounts.tax_importe(t.base, t.tasa_o_cuota, self.decimals)
                self.add(
                    codes[4],
                    f"{path}.Importe",
                    f"Importe {t.importe} {kind_es} no corresponde a Base {t.base} × {t.tasa_o_cuota}; "
                    f"debe estar entre {bounds[0]} y {bounds[1]} (por ejemplo {expected}).",
                    f"The {kind_en} Importe {t.importe} does not match Base {t.base} × {t.tasa_o_cuota}; "
                    f"it must be between {bounds[0]} and {bounds[1]} (e.g. {expected}).",
                )

    def terceros(self, k: Concepto, path: str) -> None:
        t = k.a_cuenta_terceros
        path = f"{path}.ACuentaTerceros"
        self.rfc_shape(t.rfc, f"{path}.RfcACuentaTerceros", "a cuenta de terceros", "third-party")
        if t.rfc in (self.c.emisor.rfc, self.c.receptor.rfc) or is_generic(t.rfc):
            self.add(
                "EINV-TERCEROS",
                f"{path}.RfcACuentaTerceros",
                "El RFC a cuenta de terceros debe ser el del tercero, distinto del emisor, del receptor "
                "y de los RFC genéricos.",
                "The third-party RFC must be the third party's own, different from the issuer, the "
                "receiver and the generic RFCs.",
            )
        self.catalog(
            "c_RegimenFiscal",
            t.regimen_fiscal,
            "CFDI40191",
            f"{path}.RegimenFiscalACuentaTerceros",
            "RegimenFiscalACuentaTerceros",
        )
        if catalogs.postal_code(t.domicilio_fiscal) is None:
            self.add(
                "EINV-CP",
                f"{path}.DomicilioFiscalACuentaTerceros",
                f"DomicilioFiscalACuentaTerceros «{_fmt(t.domicilio_fiscal)}» no está en c_CodigoPostal.",
                f"DomicilioFiscalACuentaTerceros «{_fmt(t.domicilio_fiscal)}» is not in c_CodigoPostal.",
            )

    # --- totals --------------------------------------------------------------

    def totales(self) -> None:
        c = self.c
        if c.tipo_de_comprobante in ("T", "P"):
            if c.subtotal is None or c.subtotal != 0:
                self.add(
                    "CFDI40109",
                    "SubTotal",
                    f"En un comprobante tipo {c.tipo_de_comprobante} el SubTotal debe ser 0, no {_fmt(c.subtotal)}.",
                    f"In a type {c.tipo_de_comprobante} document SubTotal must be 0, not {_fmt(c.subtotal)}.",
                )
            if c.total is None or c.total != 0:
                self.add(
                    "CFDI40119",
                    "Total",
                    f"En un comprobante tipo {c.tipo_de_comprobante} el Total debe ser 0, no {_fmt(c.total)}.",
                    f"In a type {c.tipo_de_comprobante} document Total must be 0, not {_fmt(c.total)}.",
                )
            if c.descuento is not None or any(k.descuento is not None for k in c.conceptos):
                self.add(
                    "CFDI40111",
                    "Descuento",
                    f"Un comprobante tipo {c.tipo_de_comprobante} no lleva descuentos; elimínelos.",
                    f"A type {c.tipo_de_comprobante} document has no discounts; remove them.",
                )
            if c.impuestos is not None:
                self.add(
                    "CFDI40201",
                    "Impuestos",
                    f"Un comprobante tipo {c.tipo_de_comprobante} no lleva el nodo Impuestos; elimínelo.",
                    f"A type {c.tipo_de_comprobante} document has no Impuestos node; remove it.",
                )
            return
        if self.decimals_ok(c.subtotal, "CFDI40107", "SubTotal", "SubTotal") and all(
            k.importe is not None for k in c.conceptos
        ):
            expected = amounts.quantize(sum((k.importe for k in c.conceptos), ZERO), self.decimals)
            self.equal(
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
            self.decimals_ok(c.descuento, "CFDI40112", "Descuento", "Descuento")
            if c.subtotal is not None and c.descuento > c.subtotal:
                self.add(
                    "CFDI40110",
                    "Descuento",
                    f"Descuento {c.descuento} es mayor que el SubTotal {c.subtotal}; revise los descuentos.",
                    f"Descuento {c.descuento} exceeds SubTotal {c.subtotal}; check the discounts.",
                )
        if c.descuento is not None and not discounts:
            self.add(
                "CFDI40111",
                "Descuento",
                "Ningún concepto tiene Descuento, así que el comprobante no lleva Descuento; elimínelo.",
                "No concept has a Descuento, so the document has no Descuento; remove it.",
            )
        elif discounts:
            expected = amounts.quantize(sum(discounts, ZERO), self.decimals)
            self.equal(
                c.descuento,
                expected,
                "CFDI40111",
                "Descuento",
                "Descuento",
                "la suma de los Descuento de los conceptos",
                "the sum of the concepts' Descuento",
            )
        self.impuestos()
        self.equal(
            c.total,
            amounts.expected_total(c),
            "CFDI40119",
            "Total",
            "Total",
            "SubTotal − Descuento + impuestos trasladados − retenidos (+ locales)",
            "SubTotal − Descuento + transferred − withheld taxes (+ local taxes)",
        )

    def impuestos(self) -> None:
        c = self.c
        given = c.impuestos
        expected = (
            amounts.summary_impuestos(c.conceptos, self.decimals)
            if all(
                t.base is not None and (t.importe is not None or t.tipo_factor == "Exento")
                for k in c.conceptos
                if k.impuestos
                for t in [*k.impuestos.traslados, *k.impuestos.retenciones]
            )
            else None
        )
        if given is None:
            if expected is not None:
                self.add(
                    "CFDI40205" if expected.traslados else "CFDI40203",
                    "Impuestos",
                    "Los conceptos llevan impuestos pero falta el nodo Impuestos del comprobante con sus "
                    "totales; agréguelo (suma por impuesto, tipo factor y tasa).",
                    "The concepts carry taxes but the document's Impuestos node with the totals is "
                    "missing; add it (sums by tax, factor type and rate).",
                )
            return
        self.retenciones_summary(given, expected)
        self.traslados_summary(given, expected)

    def retenciones_summary(self, given: Impuestos, expected: Impuestos | None) -> None:
        if given.retenciones and given.total_retenidos is None:
            self.add(
                "CFDI40206",
                "Impuestos.TotalImpuestosRetenidos",
                "Hay Retenciones pero falta TotalImpuestosRetenidos; registre la suma de sus Importe.",
                "There are Retenciones but TotalImpuestosRetenidos is missing; enter the sum of their Importe.",
            )
        if given.total_retenidos is not None and self.decimals_ok(
            given.total_retenidos,
            "CFDI40202",
            "Impuestos.TotalImpuestosRetenidos",
            "TotalImpuestosRetenidos",
        ):
            total = amounts.quantize(
                sum((r.importe or ZERO for r in given.retenciones), ZERO), self.decimals
            )
            self.equal(
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
            self.catalog("c_Impuesto", r.impuesto, "CFDI40207", f"{path}.Impuesto", "Impuesto")
            if r.impuesto in seen:
                self.add(
                    "CFDI40208",
                    f"{path}.Impuesto",
                    f"Hay más de una Retención del impuesto {r.impuesto}; súmelas en una sola.",
                    f"There is more than one Retencion of tax {r.impuesto}; merge them into one.",
                )
            seen.add(r.impuesto)
            if (
                self.decimals_ok(r.importe, "CFDI40210", f"{path}.Importe", "Importe")
                and expected is not None
            ):
                self.equal(
                    r.importe,
                    want.get(r.impuesto, ZERO),
                    "CFDI40211",
                    f"{path}.Importe",
                    "Importe",
                    f"la suma de las retenciones {r.impuesto} de los conceptos",
                    f"the sum of the concepts' {r.impuesto} withholdings",
                )
        for impuesto, importe in want.items():
            if impuesto not in seen:
                self.add(
                    "CFDI40211",
                    "Impuestos.Retenciones",
                    f"Falta la Retención del impuesto {impuesto} por {importe} que suman los conceptos.",
                    f"The Retencion of tax {impuesto} ({importe}, the concepts' sum) is missing.",
                )

    def traslados_summary(self, given: Impuestos, expected: Impuestos | None) -> None:
        taxed = [t for t in given.traslados if t.tipo_factor != "Exento"]
        if taxed and given.total_trasladados is None:
            self.add(
                "CFDI40212",
                "Impuestos.TotalImpuestosTrasladados",
                "Hay Traslados pero falta TotalImpuestosTrasladados; registre la suma de sus Importe.",
                "There are Traslados but TotalImpuestosTrasladados is missing; enter the sum of their Importe.",
            )
        if given.total_trasladados is not None and self.decimals_ok(
            given.total_trasladados,
            "CFDI40204",
            "Impuestos.TotalImpuestosTrasladados",
            "TotalImpuestosTrasladados",
        ):
            total = amounts.quantize(sum((t.importe or ZERO for t in taxed), ZERO), self.decimals)
            self.equal(
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
            self.catalog("c_Impuesto", t.impuesto, "CFDI40217", f"{path}.Impuesto", "Impuesto")
            if key in seen:
                self.add(
                    "CFDI40218",
                    path,
                    f"Hay más de un Traslado con impuesto {t.impuesto}, {t.tipo_factor} y tasa "
                    f"{_fmt(t.tasa_o_cuota)}; súmelos en uno solo.",
                    f"There is more than one Traslado with tax {t.impuesto}, {t.tipo_factor} and rate "
                    f"{_fmt(t.tasa_o_cuota)}; merge them into one.",
                )
            seen.add(key)
            if (
                t.tipo_factor != "Exento"
                and t.tasa_o_cuota is not None
                and not _tasa_valid(t.impuesto, t.tipo_factor, t.tasa_o_cuota, retencion=False)
            ):
                self.add(
                    "CFDI40219",
                    f"{path}.TasaOCuota",
                    f"TasaOCuota {t.tasa_o_cuota} no es válida para el impuesto {t.impuesto} ({t.tipo_factor}).",
                    f"TasaOCuota {t.tasa_o_cuota} is not valid for tax {t.impuesto} ({t.tipo_factor}).",
                )
            if expected is None:
                continue
            ref = want.get(key)
            if self.decimals_ok(t.base, "CFDI40214", f"{path}.Base", "Base"):
                self.equal(
                    t.base,
                    ref.base if ref else ZERO,
                    "CFDI40215",
                    f"{path}.Base",
                    "Base",
                    "la suma de las Base de los conceptos con ese impuesto y tasa",
                    "the sum of the concepts' Base with that tax and rate",
                )
            if t.tipo_factor != "Exento" and self.decimals_ok(
                t.importe, "CFDI40220", f"{path}.Importe", "Importe"
            ):
                self.equal(
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
                self.add(
                    "CFDI40221",
                    "Impuestos.Traslados",
                    f"Falta el Traslado resumen del impuesto {t.impuesto} {t.tipo_factor} "
                    f"{_fmt(t.tasa_o_cuota)} (Base {t.base}) que llevan los conceptos; agréguelo.",
                    f"The summary Traslado for tax {t.impuesto} {t.tipo_factor} {_fmt(t.tasa_o_cuota)} "
                    f"(Base {t.base}) carried by the concepts is missing; add it.",
                )

    # --- type P and Pagos 2.0 -------------------------------------------------

    def pago_document(self) -> None:
        c = self.c
        pagos = c.complemento.pagos
        if c.tipo_de_comprobante != "P":
            if pagos is not None:
                self.add(
                    "EINV-PAGO",
                    "Complemento.Pagos",
                    "El complemento de pagos sólo va en comprobantes tipo P; emita un CFDI de pago aparte.",
                    "The payments complement belongs only in type P documents; issue a separate payment CFDI.",
                )
            return
        if pagos is None or not pagos.pagos:
            self.add(
                "EINV-PAGO",
                "Complemento.Pagos",
                "Un comprobante tipo P debe llevar el complemento de pagos 2.0 con al menos un Pago.",
                "A type P document must carry the Pagos 2.0 complement with at least one Pago.",
            )
            return
        if len(c.conceptos) != 1 or not _is_pago_concepto(c.conceptos[0]):
            self.add(
                "EINV-PAGO-CONCEPTO",
                "Conceptos",
                "Un comprobante de pago lleva un solo concepto: ClaveProdServ 84111506, Cantidad 1, "
                "ClaveUnidad ACT, Descripcion «Pago», ValorUnitario 0, Importe 0, ObjetoImp 01.",
                "A payment document has a single concept: ClaveProdServ 84111506, Cantidad 1, "
                "ClaveUnidad ACT, Descripcion «Pago», ValorUnitario 0, Importe 0, ObjetoImp 01.",
            )
        for i, pago in enumerate(pagos.pagos):
            self.pago(pago, f"Complemento.Pagos.Pago[{i}]")
        expected = amounts.totales_pagos(pagos.pagos)
        tolerance = PAGO_TOLERANCE * len(pagos.pagos)
        for name in vars(expected):
            want, got = getattr(expected, name), getattr(pagos.totales, name)
            if want is None and got is None:
                continue
            if want is None or got is None or abs(want - got) > tolerance:
                attr = _totales_attr(name)
                self.add(
                    "EINV-PAGO-TOTALES",
                    f"Complemento.Pagos.Totales.{attr}",
                    f"{attr} = {_fmt(got)} pero los pagos suman {_fmt(want)} (en MXN, × TipoCambioP); corríjalo.",
                    f"{attr} = {_fmt(got)} but the payments add up to {_fmt(want)} (in MXN, × TipoCambioP); fix it.",
                )

    def pago(self, pago: Pago, path: str) -> None:
        if (
            self.catalog(
                "c_FormaPago",
                pago.forma_de_pago,
                "EINV-PAGO-FORMA",
                f"{path}.FormaDePagoP",
                "FormaDePagoP",
            )
            and pago.forma_de_pago == "99"
        ):
            self.add(
                "EINV-PAGO-FORMA",
                f"{path}.FormaDePagoP",
                "FormaDePagoP no puede ser «99»; registre cómo se recibió el pago (03 transferencia, 01 efectivo…).",
                "FormaDePagoP cannot be «99»; enter how the payment was received (03 transfer, 01 cash…).",
            )
        if (
            self.catalog("c_Moneda", pago.moneda, "EINV-PAGO-MONEDA", f"{path}.MonedaP", "MonedaP")
            and pago.moneda == "XXX"
        ):
            self.add(
                "EINV-PAGO-MONEDA",
                f"{path}.MonedaP",
                "MonedaP no puede ser XXX; use la moneda del pago.",
                "MonedaP cannot be XXX; use the payment's currency.",
            )
        if pago.moneda == "MXN" and pago.tipo_cambio not in (None, Decimal(1)):
            self.add(
                "EINV-PAGO-TC",
                f"{path}.TipoCambioP",
                "Con MonedaP MXN el TipoCambioP debe ser 1.",
                "With MonedaP MXN, TipoCambioP must be 1.",
            )
        if pago.moneda != "MXN" and pago.tipo_cambio is None:
            self.add(
                "EINV-PAGO-TC",
                f"{path}.TipoCambioP",
                f"Con MonedaP {pago.moneda} registre TipoCambioP (pesos por unidad) del día del pago.",
                f"With MonedaP {pago.moneda}, enter TipoCambioP (pesos per unit) of the payment date.",
            )
        decimals = amounts.currency_decimals(pago.moneda)
        if pago.monto <= 0 or amounts.exceeds_decimals(pago.monto, decimals):
            self.add(
                "EINV-PAGO-MONTO",
                f"{path}.Monto",
                f"Monto {pago.monto} debe ser mayor que cero y con hasta {decimals} decimales ({pago.moneda}).",
                f"Monto {pago.monto} must be greater than zero with up to {decimals} decimals ({pago.moneda}).",
            )
        minimum = amounts.pago_monto_minimo(pago)
        if pago.monto < minimum - PAGO_TOLERANCE:
            self.add(
                "EINV-PAGO-MONTO",
                f"{path}.Monto",
                f"Monto {pago.monto} es menor que la suma de ImpPagado / EquivalenciaDR de los documentos "
                f"({minimum}); corrija el monto o lo pagado.",
                f"Monto {pago.monto} is less than the documents' ImpPagado / EquivalenciaDR sum ({minimum}); "
                "fix the amount or the amounts paid.",
            )
        if not pago.doctos:
            self.add(
                "EINV-PAGO-DOCTO",
                f"{path}.DoctoRelacionado",
                "El Pago debe relacionar al menos un documento (DoctoRelacionado) con su UUID.",
                "The Pago must relate at least one document (DoctoRelacionado) by its UUID.",
            )
        for j, docto in enumerate(pago.doctos):
            self.docto(docto, pago, f"{path}.DoctoRelacionado[{j}]")
        self.impuestos_p(pago, path)

    def docto(self, d: DoctoRelacionado, pago: Pago, path: str) -> None:
        if not UUID_RE.match(d.id_documento or ""):
            self.add(
                "EINV-UUID",
                f"{path}.IdDocumento",
                f"IdDocumento «{_fmt(d.id_documento)}» no es un UUID válido; cópielo de la factura pagada.",
                f"IdDocumento «{_fmt(d.id_documento)}» is not a valid UUID; copy it from the paid invoice.",
            )
        self.catalog("c_Moneda", d.moneda, "EINV-PAGO-MONEDA", f"{path}.MonedaDR", "MonedaDR")
        if d.moneda != pago.moneda and d.equivalencia is None:
            self.add(
                "EINV-PAGO-EQUIV",
                f"{path}.EquivalenciaDR",
                f"El documento está en {d.moneda} y el pago en {pago.moneda}: registre EquivalenciaDR "
                f"(unidades de {d.moneda} por 1 {pago.moneda}).",
                f"The document is in {d.moneda} and the payment in {pago.moneda}: enter EquivalenciaDR "
                f"(units of {d.moneda} per 1 {pago.moneda}).",
            )
        if d.moneda == pago.moneda and d.equivalencia not in (None, Decimal(1)):
            self.add(
                "EINV-PAGO-EQUIV",
                f"{path}.EquivalenciaDR",
                "Con MonedaDR igual a MonedaP la EquivalenciaDR debe ser 1.",
                "When MonedaDR equals MonedaP, EquivalenciaDR must be 1.",
            )
        if d.imp_pagado <= 0:
            self.add(
                "EINV-PAGO-SALDO",
                f"{path}.ImpPagado",
                "ImpPagado debe ser mayor que cero.",
                "ImpPagado must be greater than zero.",
            )
        self.equal(
            d.imp_saldo_insoluto,
            d.imp_saldo_ant - d.imp_pagado,
            "EINV-PAGO-SALDO",
            f"{path}.ImpSaldoInsoluto",
            "ImpSaldoInsoluto",
            "ImpSaldoAnt − ImpPagado",
            "ImpSaldoAnt − ImpPagado",
        )
        if d.imp_saldo_insoluto < 0:
            self.add(
                "EINV-PAGO-SALDO",
                f"{path}.ImpPagado",
                f"Se paga más ({d.imp_pagado}) que el saldo anterior ({d.imp_saldo_ant}); corrija lo pagado.",
                f"More is paid ({d.imp_pagado}) than the previous balance ({d.imp_saldo_ant}); fix the amount.",
            )
        if self.catalog(
            "c_ObjetoImp", d.objeto_imp, "EINV-PAGO-OBJETO", f"{path}.ObjetoImpDR", "ObjetoImpDR"
        ) and (d.objeto_imp == "02") != (d.impuestos is not None):
            self.add(
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
        for kind, taxes in (
            ("TrasladosDR", d.impuestos.traslados),
            ("RetencionesDR", d.impuestos.retenciones),
        ):
            for k, t in enumerate(taxes):
                tpath = f"{path}.ImpuestosDR.{kind}[{k}]"
                self.catalog(
                    "c_Impuesto", t.impuesto, "EINV-PAGO-IMPDR", f"{tpath}.ImpuestoDR", "ImpuestoDR"
                )
                self.catalog(
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
                    self.add(
                        "EINV-PAGO-IMPDR",
                        f"{tpath}.ImporteDR",
                        f"ImporteDR {t.importe} no corresponde a BaseDR {t.base} × {t.tasa_o_cuota}; debe estar "
                        f"entre {bounds[0]} y {bounds[1]}.",
                        f"ImporteDR {t.importe} does not match BaseDR {t.base} × {t.tasa_o_cuota}; it must be "
                        f"between {bounds[0]} and {bounds[1]}.",
                    )

    def impuestos_p(self, pago: Pago, path: str) -> None:
        expected = amounts.impuestos_p(pago)
        given = pago.impuestos
        if (expected is None) != (given is None):
            self.add(
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
            self.add(
                "EINV-PAGO-IMPP",
                f"{path}.ImpuestosP",
                "ImpuestosP no corresponde a la suma de los ImpuestosDR / EquivalenciaDR de los documentos "
                "de este pago; recalcúlelo.",
                "ImpuestosP does not match the sum of the documents' ImpuestosDR / EquivalenciaDR for this "
                "payment; recompute it.",
            )

    # --- certificate ---------------------------------------------------------

    def certificado(self) -> None:
        c = self.c
        if not c.certificado:
            return
        from .credentials import Certificate

        try:
            cert = Certificate.from_base64(c.certificado)
        except CfdiError:
            self.add(
                "CFDI40106",
                "Certificado",
                "El atributo Certificado no contiene un certificado válido; vuelva a sellar con el CSD.",
                "The Certificado attribute does not hold a valid certificate; seal again with the CSD.",
            )
            return
        if c.no_certificado != cert.no_certificado:
            self.add(
                "CFDI40106",
                "NoCertificado",
                f"NoCertificado {_fmt(c.no_certificado)} no es el número del certificado incluido "
                f"({cert.no_certificado}); vuelva a sellar.",
                f"NoCertificado {_fmt(c.no_certificado)} is not the number of the enclosed certificate "
                f"({cert.no_certificado}); seal again.",
            )
        if cert.rfc != c.emisor.rfc:
            self.add(
                "CFDI40106",
                "Certificado",
                f"El certificado es del RFC {cert.rfc}, no del emisor {c.emisor.rfc}; selle con el CSD del emisor.",
                f"The certificate belongs to RFC {cert.rfc}, not to the issuer {c.emisor.rfc}; seal with the "
                "issuer's CSD.",
            )
        if cert.is_fiel or not cert.issuer_is_sat:
            self.add(
                "CFDI40106",
                "Certificado",
                "El certificado no es un Certificado de Sello Digital (CSD) emitido por el SAT (¿es la e.firma?); "
                "selle con el CSD.",
                "The certificate is not a Digital Seal Certificate (CSD) issued by SAT (is it the e.firma?); "
                "seal with the CSD.",
            )
        if c.fecha is not None and c.fecha.tzinfo is None:
            cp = catalogs.postal_code(c.lugar_expedicion)
            when = c.fecha.replace(tzinfo=_zone(cp.iana_zone if cp else "America/Mexico_City"))
            if not cert.valid_from <= when <= cert.valid_to:
                self.add(
                    "CFDI40106",
                    "Certificado",
                    f"El certificado {cert.no_certificado} no estaba vigente en la Fecha {c.fecha.isoformat()} "
                    f"(vigencia {cert.valid_from:%Y-%m-%d} a {cert.valid_to:%Y-%m-%d}); use un CSD vigente.",
                    f"Certificate {cert.no_certificado} was not valid at Fecha {c.fecha.isoformat()} "
                    f"(valid {cert.valid_from:%Y-%m-%d} to {cert.valid_to:%Y-%m-%d}); use a current CSD.",
                )
        if not _same_name(c.emisor.nombre, cert.legal_name):
            self.add(
                "CFDI40138",
                "Emisor.Nombre",
                f"El Nombre del emisor «{c.emisor.nombre}» no corresponde al titular del certificado "
                f"«{cert.legal_name}»; escríbalo como en la constancia de situación fiscal, sin el régimen "
                "de capital (p. ej. sin «SA DE CV»).",
                f"Issuer Nombre «{c.emisor.nombre}» does not match the certificate holder «{cert.legal_name}»; "
                "write it as on the tax status certificate, without the company type (e.g. no «SA DE CV»).",
            )

    def run(self) -> list[Finding]:
        self.comprobante()
        self.informacion_global()
        self.relacionados()
        self.emisor()
        self.receptor()
        self.conceptos()
        self.totales()
        self.pago_document()
        self.certificado()
        return self.out


def _persona(moral: bool) -> tuple[str, str]:
    return (
        ("moral", "a company (persona moral)")
        if moral
        else ("física", "an individual (persona física)")
    )


def _is_pago_concepto(k: Concepto) -> bool:
    return (
        k.clave_prod_serv == "84111506"
        and k.cantidad == 1
        and k.clave_unidad == "ACT"
        and k.descripcion == "Pago"
        and k.valor_unitario == 0
        and (k.importe or ZERO) == 0
        and k.objeto_imp == "01"
        and k.impuestos is None
        and k.descuento is None
    )


def _totales_attr(name: str) -> str:
    from dataclasses import fields

    from .document import TotalesPagos

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


# Words of a company type ("SA DE CV", "S. DE R.L.", "SAPI DE CV"...) that SAT's names omit.
LEGAL_FORM_WORDS = frozenset(
    "SA DE CV RL SAPI SAB SC AC SAS S A C V R L P I B SOFOM ENR ER SPR RI SCL IAP ABP".split()
)


def _same_name(nombre: str, legal_name: str) -> bool:
    """Nombre equals the certificate holder's name, maybe without the company type."""
    a, b = " ".join(nombre.upper().split()), " ".join(legal_name.upper().split())
    if a == b:
        return True
    if not b.startswith(a + " "):
        return False
    rest = b[len(a) :].replace(".", " ").replace(",", " ").split()
    return all(word in LEGAL_FORM_WORDS for word in rest)


def _zone(name: str):
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: Mexico's central time has no DST since 2022
        return timezone(timedelta(hours=-6))


def check(c: Comprobante, *, now: datetime | None = None) -> list[Finding]:
    """Every rule that fails on ``c``; an empty list means the document is ready to seal/stamp."""
    return _Checker(c, now).run()


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def validate(data: bytes, *, now: datetime | None = None) -> list[Finding]:
    """Parse CFDI XML bytes, run ``check``, verify the Sello and, if stamped, SelloCFD == Sello."""
    from . import seal, xml

    try:
        c = xml.from_bytes(data)
    except CfdiError as exc:
        return [
            Finding(
                exc.code if exc.code != "CFDI" else "EINV-XML", exc.message_es, exc.message_en, ""
            )
        ]
    findings = check(c, now=now)
    if not c.sello or not c.certificado:
        findings.append(
            Finding(
                "CFDI40102",
                "El comprobante no está sellado (faltan Sello y Certificado); séllelo con el CSD.",
                "The document is not sealed (Sello and Certificado missing); seal it with the CSD.",
                "Sello",
            )
        )
    elif not seal.verify_seal(c):
        findings.append(
            Finding(
                "CFDI40102",
                "El Sello no corresponde a la cadena original: el XML cambió después de sellarse o se selló con otro "
                "certificado. Vuelva a generar y sellar el comprobante.",
                "The Sello does not match the cadena original: the XML changed after sealing or was sealed with "
                "another certificate. Build and seal the document again.",
                "Sello",
            )
        )
    timbre = c.complemento.timbre
    if timbre is not None and timbre.sello_cfd != c.sello:
        findings.append(
            Finding(
                "EINV-TFD",
                "El SelloCFD del timbre no es igual al Sello del comprobante: el timbre es de otro CFDI "
                "o el XML fue alterado.",
                "The stamp's SelloCFD differs from the document's Sello: the stamp belongs to another CFDI or the "
                "XML was altered.",
                "Complemento.TimbreFiscalDigital.SelloCFD",
            )
        )
    return findings
