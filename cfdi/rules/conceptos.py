"""Rules of each Concepto: catalogs, Importe within SAT's tolerance, Descuento, ObjetoImp
and the concept's taxes, ACuentaTerceros, InformacionAduanera."""

from __future__ import annotations

import re

from .. import amounts, catalogs
from ..document import ACuentaTerceros, Concepto, Retencion, Traslado
from ..sat import is_generic
from .base import Checker, fmt, tasa_valid

PEDIMENTO_RE = re.compile(r"^[0-9]{2}  [0-9]{2}  [0-9]{4}  [0-9]{7}$")
NO_TAX_OBJETOS = {"01", "03", "04"}


def check_conceptos(ck: Checker) -> None:
    for i, k in enumerate(ck.c.conceptos):
        check_concepto(ck, k, f"Conceptos[{i}]")


def check_concepto(ck: Checker, k: Concepto, path: str) -> None:
    c = ck.c
    ck.catalog(
        "c_ClaveProdServ",
        k.clave_prod_serv,
        "CFDI40162",
        f"{path}.ClaveProdServ",
        "ClaveProdServ",
    )
    ck.catalog("c_ClaveUnidad", k.clave_unidad, "CFDI40165", f"{path}.ClaveUnidad", "ClaveUnidad")
    if c.tipo_de_comprobante in ("I", "E", "N") and k.valor_unitario <= 0:
        ck.add(
            "CFDI40166",
            f"{path}.ValorUnitario",
            f"ValorUnitario debe ser mayor que cero en un comprobante {c.tipo_de_comprobante}; "
            "capture el precio unitario.",
            f"ValorUnitario must be greater than zero in a type {c.tipo_de_comprobante} document; "
            "enter the unit price.",
        )
    if k.cantidad <= 0:
        ck.add(
            "EINV-CANTIDAD",
            f"{path}.Cantidad",
            "Cantidad debe ser mayor que cero.",
            "Cantidad must be greater than zero.",
        )
    if k.importe is None:
        ck.add(
            "CFDI40167",
            f"{path}.Importe",
            "Falta el Importe del concepto (Cantidad × ValorUnitario).",
            "The concept's Importe (Cantidad × ValorUnitario) is missing.",
        )
        return
    bounds = amounts.importe_bounds(
        k.cantidad, k.valor_unitario, max(ck.decimals, amounts.decimals_of(k.importe))
    )
    if not amounts.within(k.importe, bounds):
        expected = amounts.concepto_importe(k, ck.decimals)
        ck.add(
            "CFDI40167",
            f"{path}.Importe",
            f"Importe {k.importe} no corresponde a Cantidad {k.cantidad} × ValorUnitario {k.valor_unitario}; "
            f"debe estar entre {bounds[0]} y {bounds[1]} (por ejemplo {expected}).",
            f"Importe {k.importe} does not match Cantidad {k.cantidad} × ValorUnitario {k.valor_unitario}; "
            f"it must be between {bounds[0]} and {bounds[1]} (e.g. {expected}).",
        )
    if k.descuento is not None:
        if amounts.decimals_of(k.descuento) > amounts.decimals_of(k.importe):
            ck.add(
                "CFDI40168",
                f"{path}.Descuento",
                f"Descuento {k.descuento} tiene más decimales que el Importe {k.importe}; redondéelo.",
                f"Descuento {k.descuento} has more decimals than Importe {k.importe}; round it.",
            )
        if k.descuento > k.importe:
            ck.add(
                "CFDI40169",
                f"{path}.Descuento",
                f"Descuento {k.descuento} es mayor que el Importe {k.importe} del concepto; "
                "el descuento no puede exceder el importe.",
                f"Descuento {k.descuento} exceeds the concept's Importe {k.importe}; "
                "a discount cannot exceed the amount.",
            )
    check_objeto_imp(ck, k, path)
    if k.a_cuenta_terceros is not None:
        check_terceros(ck, k.a_cuenta_terceros, path)
    for j, pedimento in enumerate(k.informacion_aduanera):
        if not PEDIMENTO_RE.match(pedimento.numero_pedimento or ""):
            ck.add(
                "CFDI40194",
                f"{path}.InformacionAduanera[{j}].NumeroPedimento",
                f"NumeroPedimento «{fmt(pedimento.numero_pedimento)}» debe tener 21 caracteres: "
                "año (2), aduana (2), patente (4) y número (7), separados por dos espacios.",
                f"NumeroPedimento «{fmt(pedimento.numero_pedimento)}» must have 21 characters: "
                "year (2), customs office (2), licence (4) and number (7), separated by two spaces.",
            )


def check_objeto_imp(ck: Checker, k: Concepto, path: str) -> None:
    if not ck.catalog("c_ObjetoImp", k.objeto_imp, "CFDI40170", f"{path}.ObjetoImp", "ObjetoImp"):
        return
    has_taxes = k.impuestos is not None
    if k.objeto_imp == "02" and not has_taxes:
        ck.add(
            "CFDI40171",
            f"{path}.Impuestos",
            "Con ObjetoImp «02» (sí objeto de impuesto) el concepto debe llevar sus Impuestos "
            "(traslados y/o retenciones); agréguelos o use ObjetoImp «01».",
            "With ObjetoImp «02» (subject to tax) the concept needs its Impuestos "
            "(transfers and/or withholdings); add them or use ObjetoImp «01».",
        )
    if k.objeto_imp in NO_TAX_OBJETOS and has_taxes:
        ck.add(
            "CFDI40172",
            f"{path}.Impuestos",
            f"Con ObjetoImp «{k.objeto_imp}» el concepto no lleva nodo Impuestos; elimínelo o use ObjetoImp «02».",
            f"With ObjetoImp «{k.objeto_imp}» the concept has no Impuestos node; remove it or use ObjetoImp «02».",
        )
    impuestos = k.impuestos
    if impuestos is None:
        return
    if not impuestos.traslados and not impuestos.retenciones:
        ck.add(
            "CFDI40173",
            f"{path}.Impuestos",
            "El nodo Impuestos del concepto está vacío; agregue al menos un Traslado o una Retención.",
            "The concept's Impuestos node is empty; add at least one Traslado or Retencion.",
        )
    for j, t in enumerate(impuestos.traslados):
        check_concepto_tax(ck, t, k, f"{path}.Impuestos.Traslados[{j}]", retencion=False)
    for j, r in enumerate(impuestos.retenciones):
        check_concepto_tax(ck, r, k, f"{path}.Impuestos.Retenciones[{j}]", retencion=True)


def check_concepto_tax(
    ck: Checker, t: Traslado | Retencion, k: Concepto, path: str, *, retencion: bool
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
        ck.add(
            codes[0],
            f"{path}.Base",
            f"La Base {kind_es} debe ser mayor que cero (Importe − Descuento del concepto).",
            f"The {kind_en} Base must be greater than zero (concept Importe − Descuento).",
        )
    impuesto_ok = ck.catalog("c_Impuesto", t.impuesto, codes[1], f"{path}.Impuesto", "Impuesto")
    factor_ok = ck.catalog(
        "c_TipoFactor", t.tipo_factor, codes[2], f"{path}.TipoFactor", "TipoFactor"
    )
    if t.tipo_factor == "Exento":
        if retencion:
            ck.add(
                "CFDI40184",
                f"{path}.TipoFactor",
                "Una retención no puede ser «Exento»; use Tasa o Cuota, o elimine la retención.",
                "A withholding cannot be «Exento»; use Tasa or Cuota, or remove the withholding.",
            )
        elif t.tasa_o_cuota is not None or t.importe is not None:
            ck.add(
                "CFDI40177",
                path,
                "Con TipoFactor «Exento» no se registran TasaOCuota ni Importe; elimínelos.",
                "With TipoFactor «Exento» there is no TasaOCuota nor Importe; remove them.",
            )
        return
    if t.tasa_o_cuota is None or t.importe is None:
        ck.add(
            "CFDI40178",
            path,
            f"Con TipoFactor «{t.tipo_factor}» registre TasaOCuota e Importe.",
            f"With TipoFactor «{t.tipo_factor}» enter TasaOCuota and Importe.",
        )
        return
    if (
        impuesto_ok
        and factor_ok
        and t.tipo_factor is not None
        and not tasa_valid(t.impuesto, t.tipo_factor, t.tasa_o_cuota, retencion=retencion)
    ):
        ck.add(
            codes[3],
            f"{path}.TasaOCuota",
            f"TasaOCuota {t.tasa_o_cuota} no es válida para el impuesto {t.impuesto} ({t.tipo_factor}) "
            "según c_TasaOCuota; use por ejemplo 0.160000, 0.080000 o 0.000000 para IVA trasladado.",
            f"TasaOCuota {t.tasa_o_cuota} is not valid for tax {t.impuesto} ({t.tipo_factor}) per "
            "c_TasaOCuota; use e.g. 0.160000, 0.080000 or 0.000000 for transferred IVA.",
        )
    if t.base is not None and t.base > 0:
        bounds = amounts.tax_bounds(
            t.base, t.tasa_o_cuota, max(ck.decimals, amounts.decimals_of(t.importe))
        )
        if not amounts.within(t.importe, bounds):
            expected = amounts.tax_importe(t.base, t.tasa_o_cuota, ck.decimals)
            ck.add(
                codes[4],
                f"{path}.Importe",
                f"Importe {t.importe} {kind_es} no corresponde a Base {t.base} × {t.tasa_o_cuota}; "
                f"debe estar entre {bounds[0]} y {bounds[1]} (por ejemplo {expected}).",
                f"The {kind_en} Importe {t.importe} does not match Base {t.base} × {t.tasa_o_cuota}; "
                f"it must be between {bounds[0]} and {bounds[1]} (e.g. {expected}).",
            )


def check_terceros(ck: Checker, t: ACuentaTerceros, path: str) -> None:
    path = f"{path}.ACuentaTerceros"
    ck.rfc_shape(t.rfc, f"{path}.RfcACuentaTerceros", "a cuenta de terceros", "third-party")
    if t.rfc in (ck.c.emisor.rfc, ck.c.receptor.rfc) or is_generic(t.rfc):
        ck.add(
            "EINV-TERCEROS",
            f"{path}.RfcACuentaTerceros",
            "El RFC a cuenta de terceros debe ser el del tercero, distinto del emisor, del receptor "
            "y de los RFC genéricos.",
            "The third-party RFC must be the third party's own, different from the issuer, the "
            "receiver and the generic RFCs.",
        )
    ck.catalog(
        "c_RegimenFiscal",
        t.regimen_fiscal,
        "CFDI40191",
        f"{path}.RegimenFiscalACuentaTerceros",
        "RegimenFiscalACuentaTerceros",
    )
    if catalogs.postal_code(t.domicilio_fiscal) is None:
        ck.add(
            "EINV-CP",
            f"{path}.DomicilioFiscalACuentaTerceros",
            f"DomicilioFiscalACuentaTerceros «{fmt(t.domicilio_fiscal)}» no está en c_CodigoPostal.",
            f"DomicilioFiscalACuentaTerceros «{fmt(t.domicilio_fiscal)}» is not in c_CodigoPostal.",
        )
