"""Rules of the parties: Emisor and Receptor (RFC shape, generic RFCs, régimen fiscal,
domicilio fiscal, foreign residence, UsoCFDI)."""

from __future__ import annotations

import re

from .. import catalogs
from ..sat import (
    EXTRANJERO,
    REGIMEN_SIN_OBLIGACIONES,
    USO_PAGOS,
    USO_SIN_EFECTOS,
    is_generic,
    is_moral,
)
from .base import Checker, fmt, has_comercio_exterior

CP_RE = re.compile(r"^[0-9]{5}$")


def check_emisor(ck: Checker) -> None:
    e = ck.c.emisor
    if ck.rfc_shape(e.rfc, "Emisor.Rfc", "del emisor", "issuer") and is_generic(e.rfc):
        ck.add(
            "EINV-RFC",
            "Emisor.Rfc",
            "El emisor no puede usar un RFC genérico; registre el RFC de la empresa que factura.",
            "The issuer cannot use a generic RFC; enter the invoicing company's RFC.",
        )
    if ck.catalog(
        "c_RegimenFiscal",
        e.regimen_fiscal,
        "CFDI40140",
        "Emisor.RegimenFiscal",
        "RegimenFiscal",
    ):
        moral = is_moral(e.rfc)
        if not catalogs.regimen_applies(e.regimen_fiscal, moral=moral):
            ck.add(
                "CFDI40141",
                "Emisor.RegimenFiscal",
                f"El régimen {e.regimen_fiscal} no aplica a una persona {persona(moral)[0]} "
                f"(RFC de {len(e.rfc)} caracteres); use el régimen de la constancia de situación fiscal.",
                f"Régimen {e.regimen_fiscal} does not apply to {persona(moral)[1]} "
                f"({len(e.rfc)}-character RFC); use the régimen on the tax status certificate.",
            )


def check_receptor(ck: Checker) -> None:
    c = ck.c
    r = c.receptor
    ck.rfc_shape(r.rfc, "Receptor.Rfc", "del receptor", "receiver")
    if (
        not CP_RE.match(r.domicilio_fiscal or "")
        or catalogs.postal_code(r.domicilio_fiscal) is None
    ):
        ck.add(
            "EINV-CP",
            "Receptor.DomicilioFiscalReceptor",
            f"DomicilioFiscalReceptor «{fmt(r.domicilio_fiscal)}» no está en c_CodigoPostal; registre el "
            "código postal de 5 dígitos de la constancia de situación fiscal del cliente.",
            f"DomicilioFiscalReceptor «{fmt(r.domicilio_fiscal)}» is not in c_CodigoPostal; enter the "
            "5-digit postal code from the customer's tax status certificate.",
        )
    generic = is_generic(r.rfc)
    if generic and r.domicilio_fiscal != c.lugar_expedicion:
        ck.add(
            "CFDI40149",
            "Receptor.DomicilioFiscalReceptor",
            f"Con RFC genérico {r.rfc} el DomicilioFiscalReceptor debe ser igual a LugarExpedicion "
            f"({c.lugar_expedicion}).",
            f"With generic RFC {r.rfc}, DomicilioFiscalReceptor must equal LugarExpedicion "
            f"({c.lugar_expedicion}).",
        )
    check_residencia(ck)
    regimen_ok = ck.catalog(
        "c_RegimenFiscal",
        r.regimen_fiscal,
        "CFDI40157",
        "Receptor.RegimenFiscalReceptor",
        "RegimenFiscalReceptor",
    )
    moral = is_moral(r.rfc)
    if generic and r.regimen_fiscal != REGIMEN_SIN_OBLIGACIONES:
        ck.add(
            "CFDI40159",
            "Receptor.RegimenFiscalReceptor",
            f"Con RFC genérico {r.rfc} el RegimenFiscalReceptor debe ser 616 (Sin obligaciones fiscales).",
            f"With generic RFC {r.rfc}, RegimenFiscalReceptor must be 616 (no tax obligations).",
        )
    elif regimen_ok and not generic and not catalogs.regimen_applies(r.regimen_fiscal, moral=moral):
        ck.add(
            "CFDI40158",
            "Receptor.RegimenFiscalReceptor",
            f"El régimen {r.regimen_fiscal} no aplica a una persona {persona(moral)[0]} (RFC {r.rfc}); "
            "use el régimen de la constancia de situación fiscal del cliente.",
            f"Régimen {r.regimen_fiscal} does not apply to {persona(moral)[1]} (RFC {r.rfc}); "
            "use the régimen on the customer's tax status certificate.",
        )
    check_uso_cfdi(ck, regimen_ok, moral, generic)


def check_residencia(ck: Checker) -> None:
    r = ck.c.receptor
    if r.residencia_fiscal is not None:
        ck.catalog(
            "c_Pais",
            r.residencia_fiscal,
            "CFDI40150",
            "Receptor.ResidenciaFiscal",
            "ResidenciaFiscal",
        )
        if r.rfc != EXTRANJERO:
            ck.add(
                "CFDI40151",
                "Receptor.ResidenciaFiscal",
                "ResidenciaFiscal sólo se registra para receptores extranjeros (RFC XEXX010101000); elimínela.",
                "ResidenciaFiscal is only for foreign receivers (RFC XEXX010101000); remove it.",
            )
        if r.residencia_fiscal == "MEX":
            ck.add(
                "CFDI40152",
                "Receptor.ResidenciaFiscal",
                "ResidenciaFiscal no puede ser MEX; registre el país de residencia del extranjero.",
                "ResidenciaFiscal cannot be MEX; enter the foreign receiver's country of residence.",
            )
    if r.rfc == EXTRANJERO and has_comercio_exterior(ck.c) and not r.num_reg_id_trib:
        ck.add(
            "CFDI40155",
            "Receptor.NumRegIdTrib",
            "Con complemento de Comercio Exterior y RFC XEXX010101000 registre NumRegIdTrib "
            "(número de registro fiscal del extranjero).",
            "With the Comercio Exterior complement and RFC XEXX010101000, enter NumRegIdTrib "
            "(the foreign tax id).",
        )
    if r.num_reg_id_trib is not None:
        if r.residencia_fiscal is None:
            ck.add(
                "CFDI40153",
                "Receptor.ResidenciaFiscal",
                "Si registra NumRegIdTrib registre también ResidenciaFiscal (país del receptor).",
                "When NumRegIdTrib is given, also enter ResidenciaFiscal (the receiver's country).",
            )
        if r.rfc != EXTRANJERO:
            ck.add(
                "CFDI40154",
                "Receptor.NumRegIdTrib",
                "NumRegIdTrib sólo se registra con el RFC genérico extranjero XEXX010101000; elimínelo.",
                "NumRegIdTrib is only for the generic foreign RFC XEXX010101000; remove it.",
            )


def check_uso_cfdi(ck: Checker, regimen_ok: bool, moral: bool, generic: bool) -> None:
    c = ck.c
    r = c.receptor
    if not ck.catalog("c_UsoCFDI", r.uso_cfdi, "CFDI40160", "Receptor.UsoCFDI", "UsoCFDI"):
        return
    expected = USO_PAGOS if c.tipo_de_comprobante == "P" else (USO_SIN_EFECTOS if generic else None)
    if expected and r.uso_cfdi != expected:
        why_es = (
            "en un comprobante de pago" if expected == USO_PAGOS else f"con RFC genérico {r.rfc}"
        )
        why_en = "in a payment document" if expected == USO_PAGOS else f"with generic RFC {r.rfc}"
        ck.add(
            "CFDI40161",
            "Receptor.UsoCFDI",
            f"UsoCFDI debe ser {expected} {why_es}, no {r.uso_cfdi}.",
            f"UsoCFDI must be {expected} {why_en}, not {r.uso_cfdi}.",
        )
        return
    if not catalogs.uso_cfdi_applies(r.uso_cfdi, moral=moral):
        ck.add(
            "CFDI40161",
            "Receptor.UsoCFDI",
            f"UsoCFDI {r.uso_cfdi} no aplica a una persona {persona(moral)[0]}; elija otro uso "
            "(G03 Gastos en general es el más común).",
            f"UsoCFDI {r.uso_cfdi} does not apply to {persona(moral)[1]}; choose another "
            "(G03 general expenses is the most common).",
        )
        return
    allowed = catalogs.uso_cfdi_regimenes(r.uso_cfdi)
    if regimen_ok and allowed and r.regimen_fiscal not in allowed:
        ck.add(
            "CFDI40161",
            "Receptor.UsoCFDI",
            f"UsoCFDI {r.uso_cfdi} no es válido con el régimen del receptor {r.regimen_fiscal}; "
            f"ese uso admite los regímenes {', '.join(sorted(allowed))}.",
            f"UsoCFDI {r.uso_cfdi} is not valid with the receiver's régimen {r.regimen_fiscal}; "
            f"that use allows régimes {', '.join(sorted(allowed))}.",
        )


def persona(moral: bool) -> tuple[str, str]:
    return (
        ("moral", "a company (persona moral)")
        if moral
        else ("física", "an individual (persona física)")
    )
