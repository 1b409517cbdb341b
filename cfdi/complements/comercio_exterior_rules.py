"""Rules of a CFDI with Comercio Exterior 2.0, after SAT's Anexo 20 guide for CCE 2.0.

Codes: SAT's CFDI40xxx where the CFDI 4.0 matrix has the rule (in ``cfdi.rules``);
the CCE 2.0 matrix's own codes were not available to this project, so its rules
carry engine codes ``EINV-CCE-*`` with SAT's rule in the message. Checked here:

- the CFDI around it: Exportacion 02, TipoDeComprobante I/E/T, MotivoTraslado and
  Propietario only for T (Propietario with MotivoTraslado 05, goods of third parties;
  MotivoTraslado 01 relates the invoice with TipoRelacion 05), every Concepto with a
  NoIdentificacion and a Mercancia, IVA of an export (advice);
- the complement: CertificadoOrigen/NumCertificadoOrigen, Incoterm for I/E, the
  issuer's CURP (persona física), Mexican addresses against c_Estado, c_CodigoPostal,
  c_Municipio and c_Localidad, foreign ones against c_Estado of USA/CAN;
- the amounts: ValorDolares, TotalUSD, TipoCambioUSD and the Mercancias against the
  Importe of their Conceptos in dollars.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from .. import amounts, catalogs
from ..rules import Finding
from .comercio_exterior import (
    ComercioExterior,
    Domicilio,
    DomicilioNacional,
    Mercancia,
    conceptos_of,
    expected_total_usd,
    expected_valor_dolares,
    to_usd,
)

if TYPE_CHECKING:
    from ..document import Comprobante

ROOT = "Complemento.ComercioExterior"
MOTIVO_FACTURADAS = "01"  # c_MotivoTraslado: goods invoiced before
MOTIVO_TERCEROS = "05"  # c_MotivoTraslado: goods owned by third parties
RELACION_TRASLADO_FACTURADO = "05"  # c_TipoRelacion: transfers of goods invoiced before
COUNTRIES_WITH_STATES = ("MEX", "USA", "CAN")
HALF_CENT = Decimal("0.005")
ZERO = Decimal("0")


def check(c: "Comprobante") -> list[Finding]:
    cce = c.complemento.comercio_exterior
    if cce is None:
        return []
    return _Checker(c, cce).run()


class _Checker:
    def __init__(self, c: "Comprobante", cce: ComercioExterior):
        self.c = c
        self.cce = cce
        self.out: list[Finding] = []

    def add(self, code: str, path: str, es: str, en: str, severity: str = "error") -> None:
        self.out.append(Finding(code, es, en, path, severity))

    def run(self) -> list[Finding]:
        self.comprobante()
        self.traslado()
        self.certificado_origen()
        self.emisor()
        self.addresses()
        self.conceptos()
        for i, m in enumerate(self.cce.mercancias):
            self.mercancia(m, f"{ROOT}.Mercancias.Mercancia[{i}]")
        self.totals()
        return self.out

    # --- the CFDI around the complement ------------------------------------------

    def comprobante(self) -> None:
        c = self.c
        if c.exportacion != "02":
            self.add(
                "EINV-CCE-EXPORTACION",
                "Exportacion",
                f"Con complemento de Comercio Exterior la Exportacion debe ser «02» (definitiva "
                f"con clave A1), no «{c.exportacion}».",
                f"With the Comercio Exterior complement, Exportacion must be «02» (definitive, "
                f"key A1), not «{c.exportacion}».",
            )
        if c.tipo_de_comprobante not in ("I", "E", "T"):
            self.add(
                "EINV-CCE-TIPO",
                "TipoDeComprobante",
                f"El complemento de Comercio Exterior sólo va en comprobantes de ingreso, egreso "
                f"o traslado, no en tipo «{c.tipo_de_comprobante}».",
                f"The Comercio Exterior complement only goes in income, expense or transfer "
                f"documents, not in type «{c.tipo_de_comprobante}».",
            )
        if c.tipo_de_comprobante in ("I", "E") and self.cce.incoterm is None:
            self.add(
                "EINV-CCE-INCOTERM",
                f"{ROOT}.Incoterm",
                "En un comprobante de ingreso o egreso registre el Incoterm (c_INCOTERM) "
                "pactado con el comprador.",
                "In an income or expense document enter the Incoterm (c_INCOTERM) agreed "
                "with the buyer.",
            )
        taxed = [
            t
            for k in c.conceptos
            for t in (k.impuestos.traslados if k.impuestos else [])
            if t.impuesto == "002" and (t.tasa_o_cuota or ZERO) > 0
        ]
        if taxed:
            self.add(
                "EINV-CCE-IVA",
                "Conceptos",
                "La exportación definitiva de bienes se grava con IVA a tasa 0% (LIVA art. 29); "
                "revise los conceptos con IVA mayor a 0.",
                "Definitive export of goods is taxed at a 0% VAT rate (LIVA art. 29); review the "
                "concepts carrying VAT above 0.",
                "warning",
            )

    def traslado(self) -> None:
        cce, tipo = self.cce, self.c.tipo_de_comprobante
        if tipo == "T" and cce.motivo_traslado is None:
            self.add(
                "EINV-CCE-MOTIVO",
                f"{ROOT}.MotivoTraslado",
                "En un CFDI de traslado con Comercio Exterior registre el MotivoTraslado "
                "(c_MotivoTraslado).",
                "In a transfer CFDI with Comercio Exterior enter MotivoTraslado (c_MotivoTraslado).",
            )
        if tipo != "T" and cce.motivo_traslado is not None:
            self.add(
                "EINV-CCE-MOTIVO",
                f"{ROOT}.MotivoTraslado",
                "MotivoTraslado sólo se registra en un CFDI de traslado (T); elimínelo.",
                "MotivoTraslado is only for a transfer CFDI (T); remove it.",
            )
        if cce.motivo_traslado == MOTIVO_TERCEROS and not cce.propietarios:
            self.add(
                "EINV-CCE-PROPIETARIO",
                f"{ROOT}.Propietario",
                "Con MotivoTraslado «05» (mercancías propiedad de terceros) registre el "
                "Propietario de la mercancía (NumRegIdTrib y ResidenciaFiscal).",
                "With MotivoTraslado «05» (goods owned by third parties) enter the goods' "
                "Propietario (NumRegIdTrib and ResidenciaFiscal).",
            )
        if cce.propietarios and cce.motivo_traslado != MOTIVO_TERCEROS:
            self.add(
                "EINV-CCE-PROPIETARIO",
                f"{ROOT}.Propietario",
                "El nodo Propietario sólo se registra en un traslado con MotivoTraslado «05» "
                "(mercancías propiedad de terceros); elimínelo.",
                "The Propietario node is only for a transfer with MotivoTraslado «05» (goods "
                "owned by third parties); remove it.",
            )
        related = {r.tipo_relacion for r in self.c.cfdi_relacionados or []}
        if cce.motivo_traslado == MOTIVO_FACTURADAS and RELACION_TRASLADO_FACTURADO not in related:
            self.add(
                "EINV-CCE-MOTIVO",
                "CfdiRelacionados",
                "Con MotivoTraslado «01» (mercancías facturadas con anterioridad) relacione la "
                "factura de esas mercancías con TipoRelacion «05».",
                "With MotivoTraslado «01» (goods invoiced before) relate the invoice of those "
                "goods with TipoRelacion «05».",
            )

    def certificado_origen(self) -> None:
        cce = self.cce
        if cce.certificado_origen == 0 and cce.num_certificado_origen is not None:
            self.add(
                "EINV-CCE-CERTIFICADO",
                f"{ROOT}.NumCertificadoOrigen",
                "Con CertificadoOrigen «0» (no funge como certificado de origen) no se registra "
                "NumCertificadoOrigen; elimínelo o use «1».",
                "With CertificadoOrigen «0» (not acting as certificate of origin) there is no "
                "NumCertificadoOrigen; remove it or use «1».",
            )
        if cce.certificado_origen == 1 and cce.num_certificado_origen is None:
            self.add(
                "EINV-CCE-CERTIFICADO",
                f"{ROOT}.NumCertificadoOrigen",
                "Con CertificadoOrigen «1» registre el NumCertificadoOrigen (folio del "
                "certificado de origen).",
                "With CertificadoOrigen «1» enter NumCertificadoOrigen (the certificate of "
                "origin's folio).",
            )

    # --- parties and addresses --------------------------------------------------------

    def emisor(self) -> None:
        rfc = self.c.emisor.rfc or ""
        curp = self.cce.emisor.curp if self.cce.emisor else None
        if len(rfc) == 13 and curp is None:
            self.add(
                "EINV-CCE-CURP",
                f"{ROOT}.Emisor.Curp",
                f"El emisor {rfc} es persona física: registre su CURP en el nodo Emisor del "
                "complemento.",
                f"The issuer {rfc} is an individual: enter their CURP in the complement's "
                "Emisor node.",
            )
        if len(rfc) == 12 and curp is not None:
            self.add(
                "EINV-CCE-CURP",
                f"{ROOT}.Emisor.Curp",
                f"El emisor {rfc} es persona moral: no lleva CURP; elimínela.",
                f"The issuer {rfc} is a company: it has no CURP; remove it.",
            )

    def addresses(self) -> None:
        cce = self.cce
        if cce.emisor is not None and cce.emisor.domicilio is not None:
            self.domicilio(cce.emisor.domicilio, f"{ROOT}.Emisor.Domicilio", national=True)
        if cce.receptor is not None and cce.receptor.domicilio is not None:
            self.domicilio(cce.receptor.domicilio, f"{ROOT}.Receptor.Domicilio")
        for i, d in enumerate(cce.destinatarios):
            for j, dom in enumerate(d.domicilios):
                self.domicilio(dom, f"{ROOT}.Destinatario[{i}].Domicilio[{j}]")

    def domicilio(
        self, d: Domicilio | DomicilioNacional, path: str, *, national: bool = False
    ) -> None:
        if national and d.pais != "MEX":
            self.add(
                "EINV-CCE-DOMICILIO",
                f"{path}.Pais",
                f"El domicilio del emisor está en México: Pais debe ser «MEX», no «{d.pais}».",
                f"The issuer's address is in Mexico: Pais must be «MEX», not «{d.pais}».",
            )
        if d.pais not in COUNTRIES_WITH_STATES:
            return
        state = catalogs.row("c_Estado", d.estado or "")
        if state is None or state["country"] != d.pais:
            self.add(
                "EINV-CCE-DOMICILIO",
                f"{path}.Estado",
                f"Estado «{d.estado}» no es una clave de c_Estado de {d.pais}; use la clave del "
                "catálogo (p. ej. «JAL», «TX»).",
                f"Estado «{d.estado}» is not a c_Estado key of {d.pais}; use the catalog key "
                "(e.g. «JAL», «TX»).",
            )
            return
        if d.pais == "MEX":
            self.mexican(d, path)

    def mexican(self, d: Domicilio | DomicilioNacional, path: str) -> None:
        cp = catalogs.postal_code(d.codigo_postal or "")
        if cp is None or cp.state != d.estado:
            self.add(
                "EINV-CCE-DOMICILIO",
                f"{path}.CodigoPostal",
                f"CodigoPostal «{d.codigo_postal}» no es un código postal de c_CodigoPostal "
                f"del estado {d.estado}.",
                f"CodigoPostal «{d.codigo_postal}» is not a c_CodigoPostal code of state "
                f"{d.estado}.",
            )
        for value, catalog, name in (
            (d.municipio, "c_Municipio", "Municipio"),
            (d.localidad, "c_Localidad", "Localidad"),
        ):
            if value is not None and not catalogs.in_state(catalog, value, d.estado or ""):
                self.add(
                    "EINV-CCE-DOMICILIO",
                    f"{path}.{name}",
                    f"{name} «{value}» no es una clave de {catalog} del estado {d.estado}.",
                    f"{name} «{value}» is not a {catalog} key of state {d.estado}.",
                )

    # --- Conceptos and Mercancias ----------------------------------------------------

    def conceptos(self) -> None:
        ids = {m.no_identificacion for m in self.cce.mercancias}
        for i, k in enumerate(self.c.conceptos):
            path = f"Conceptos[{i}].NoIdentificacion"
            if k.no_identificacion is None:
                self.add(
                    "EINV-CCE-NOIDENTIFICACION",
                    path,
                    "Con Comercio Exterior cada concepto lleva NoIdentificacion (la clave con "
                    "que su Mercancia se identifica en el complemento).",
                    "With Comercio Exterior every concept carries NoIdentificacion (the key its "
                    "Mercancia has in the complement).",
                )
            elif k.no_identificacion not in ids:
                self.add(
                    "EINV-CCE-NOIDENTIFICACION",
                    path,
                    f"No hay Mercancia con NoIdentificacion «{k.no_identificacion}» en el "
                    "complemento; agréguela.",
                    f"No Mercancia has NoIdentificacion «{k.no_identificacion}» in the "
                    "complement; add it.",
                )

    def mercancia(self, m: Mercancia, path: str) -> None:
        if not conceptos_of(self.c, m.no_identificacion):
            self.add(
                "EINV-CCE-NOIDENTIFICACION",
                f"{path}.NoIdentificacion",
                f"Ningún concepto del CFDI tiene NoIdentificacion «{m.no_identificacion}».",
                f"No concept of the CFDI has NoIdentificacion «{m.no_identificacion}».",
            )
        customs = (m.cantidad_aduana, m.unidad_aduana, m.valor_unitario_aduana)
        if any(v is not None for v in customs) and any(v is None for v in customs):
            self.add(
                "EINV-CCE-ADUANA",
                path,
                "CantidadAduana, UnidadAduana y ValorUnitarioAduana se registran juntos: "
                "los tres o ninguno.",
                "CantidadAduana, UnidadAduana and ValorUnitarioAduana go together: all three "
                "or none.",
            )
        if m.fraccion_arancelaria is None:
            self.add(
                "EINV-CCE-FRACCION",
                f"{path}.FraccionArancelaria",
                "Registre la FraccionArancelaria (c_FraccionArancelaria) de la mercancía "
                "exportada.",
                "Enter the exported goods' FraccionArancelaria (c_FraccionArancelaria).",
                "warning",
            )
        elif catalogs.description("c_FraccionArancelaria", m.fraccion_arancelaria) == "Derogada":
            self.add(
                "EINV-CCE-FRACCION",
                f"{path}.FraccionArancelaria",
                f"La fracción arancelaria {m.fraccion_arancelaria} está derogada; use la "
                "vigente de la TIGIE.",
                f"Tariff item {m.fraccion_arancelaria} is repealed; use the current TIGIE item.",
            )
        expected = expected_valor_dolares(m)
        if expected is not None and m.valor_dolares != expected:
            self.add(
                "EINV-CCE-VALORDOLARES",
                f"{path}.ValorDolares",
                f"ValorDolares = {m.valor_dolares} pero debe ser {expected} (CantidadAduana x "
                "ValorUnitarioAduana redondeado a 2 decimales; 0 con UnidadAduana 99, 1 con "
                "FraccionArancelaria 98010001).",
                f"ValorDolares = {m.valor_dolares} but must be {expected} (CantidadAduana x "
                "ValorUnitarioAduana rounded to 2 decimals; 0 with UnidadAduana 99, 1 with "
                "FraccionArancelaria 98010001).",
            )

    # --- totals ---------------------------------------------------------------------------

    def totals(self) -> None:
        c, cce = self.c, self.cce
        if c.moneda == "USD" and cce.tipo_cambio_usd != c.tipo_cambio:
            self.add(
                "EINV-CCE-TIPOCAMBIOUSD",
                f"{ROOT}.TipoCambioUSD",
                f"El CFDI está en USD: TipoCambioUSD ({cce.tipo_cambio_usd}) debe ser igual al "
                f"TipoCambio del comprobante ({c.tipo_cambio}).",
                f"The CFDI is in USD: TipoCambioUSD ({cce.tipo_cambio_usd}) must equal the "
                f"document's TipoCambio ({c.tipo_cambio}).",
            )
        if all(m.valor_dolares is not None for m in cce.mercancias):
            expected = expected_total_usd(cce)
            if cce.total_usd != expected:
                self.add(
                    "EINV-CCE-TOTALUSD",
                    f"{ROOT}.TotalUSD",
                    f"TotalUSD = {cce.total_usd} pero la suma de ValorDolares redondeada a 2 "
                    f"decimales es {expected}; corríjalo a {expected}.",
                    f"TotalUSD = {cce.total_usd} but the sum of ValorDolares rounded to 2 "
                    f"decimals is {expected}; set it to {expected}.",
                )
        if cce.tipo_cambio_usd and cce.tipo_cambio_usd > 0:
            for no_identificacion in dict.fromkeys(m.no_identificacion for m in cce.mercancias):
                self.value_of(no_identificacion)

    def value_of(self, no_identificacion: Optional[str]) -> None:
        """The Mercancias of one NoIdentificacion are worth their Conceptos' Importe in USD."""
        conceptos = conceptos_of(self.c, no_identificacion)
        mercancias = [m for m in self.cce.mercancias if m.no_identificacion == no_identificacion]
        if not conceptos or any(k.importe is None for k in conceptos):
            return
        if any(m.valor_dolares is None or m.valor_dolares in (0, 1) for m in mercancias):
            return  # symbolic values (UnidadAduana 99, fracción 98010001) carry no amount
        gross = sum((k.importe or ZERO for k in conceptos), ZERO)
        net = gross - sum((k.descuento or ZERO for k in conceptos), ZERO)
        half_unit = Decimal(1).scaleb(-amounts.currency_decimals(self.c.moneda)) / 2
        slack = to_usd(self.c, self.cce, half_unit * len(conceptos)) + HALF_CENT * len(mercancias)
        low, high = to_usd(self.c, self.cce, net) - slack, to_usd(self.c, self.cce, gross) + slack
        given = sum((m.valor_dolares or ZERO for m in mercancias), ZERO)
        if not low <= given <= high:
            self.add(
                "EINV-CCE-VALORDOLARES",
                f"{ROOT}.Mercancias",
                f"Las mercancías «{no_identificacion}» suman {given} USD, pero sus conceptos "
                f"valen entre {low:.2f} y {high:.2f} USD (Importe x TipoCambio / TipoCambioUSD).",
                f"The goods «{no_identificacion}» add up to {given} USD, but their concepts are "
                f"worth between {low:.2f} and {high:.2f} USD (Importe x TipoCambio / "
                "TipoCambioUSD).",
            )
