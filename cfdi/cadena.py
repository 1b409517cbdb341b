"""Cadena original of CFDI 4.0 (with Pagos 2.0 and implocal) and of TFD 1.1; Comercio
Exterior 2.0 and Carta Porte 3.1 add theirs through ``cfdi.complements``. A document
carrying any other complement (Leyendas Fiscales, INE, Detallista, older Carta Porte...)
gets its cadena from SAT's own ``cadenaoriginal_4_0.xslt`` tree, shipped in
``cfdi/sat_xslt/`` (see its README), run by lxml.

Native Python after SAT's XSLT files (cadenaoriginal_4_0.xslt, Pagos20.xslt,
implocal.xslt, cadenaoriginal_TFD_1_1.xslt); the output is byte-identical to theirs.
The XSLT's rules:

- the result starts with ``||`` and ends with ``||``; values are separated by ``|``;
- ``Requerido``: always written (an absent value writes an empty field);
- ``Opcional``: written only when the attribute exists (here: not None and not "",
  because ``cfdi.xml`` omits those);
- every value goes through XPath ``normalize-space``;
- node order is the XSLT's, which is not always the XSD's (summary Impuestos writes
  its Retenciones, then TotalImpuestosRetenidos, then Traslados, then
  TotalImpuestosTrasladados; Pagos writes Totales before the Pago nodes).

The TimbreFiscalDigital has no template in the CFDI 4.0 XSLT and adds nothing.

``_TEMPLATES`` below transcribes the XSLT templates, one line per template; each is
read once, at import, into a tuple of steps that ``_apply`` walks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from . import document as doc
from .complements import registry as complement_registry
from .errors import CfdiError
from .xml import format_value, normalize_space, parse, to_bytes

SAT_XSLT = (
    Path(__file__).parent / "sat_xslt" / "4" / "cadenaoriginal_4_0" / "cadenaoriginal_4_0.xslt"
)


class CadenaError(CfdiError):
    code = "CADENA"


# Template language, one step per word, in XSLT order:
#   name        Requerido attribute (dataclass field ``name``)
#   name?       Opcional attribute
#   name>tpl    child node (skipped when None), through template ``tpl``
#   name*tpl    list of child nodes, each through ``tpl``
#   name*       list of plain values, each Requerido (CfdiRelacionado/@UUID)
_TEMPLATES = {
    "comprobante": "version serie? folio? fecha forma_pago? no_certificado condiciones_de_pago? "
    "subtotal descuento? moneda tipo_cambio? total tipo_de_comprobante exportacion "
    "metodo_pago? lugar_expedicion confirmacion? "
    "informacion_global>informacion_global cfdi_relacionados*relacionados "
    "emisor>emisor receptor>receptor conceptos*concepto impuestos>impuestos",
    "informacion_global": "periodicidad meses anio",
    "relacionados": "tipo_relacion uuids*",
    "emisor": "rfc nombre regimen_fiscal fac_atr_adquirente?",
    "receptor": "rfc nombre domicilio_fiscal residencia_fiscal? num_reg_id_trib? regimen_fiscal "
    "uso_cfdi",
    "concepto": "clave_prod_serv no_identificacion? cantidad clave_unidad unidad? descripcion "
    "valor_unitario importe descuento? objeto_imp impuestos>concepto_impuestos "
    "a_cuenta_terceros>terceros informacion_aduanera*aduana cuenta_predial*predial",
    "concepto_impuestos": "traslados*traslado retenciones*retencion",
    "traslado": "base impuesto tipo_factor tasa_o_cuota? importe?",
    "retencion": "base impuesto tipo_factor tasa_o_cuota importe",
    "retencion_total": "impuesto importe",
    "terceros": "rfc nombre regimen_fiscal domicilio_fiscal",
    "aduana": "numero_pedimento",
    "predial": "numero",
    "impuestos": "retenciones*retencion_total total_retenidos? traslados*traslado "
    "total_trasladados?",
    # Pagos20.xslt
    "pagos": "version totales>totales pagos*pago",
    "totales": "retenciones_iva? retenciones_isr? retenciones_ieps? traslados_base_iva16? "
    "traslados_impuesto_iva16? traslados_base_iva8? traslados_impuesto_iva8? "
    "traslados_base_iva0? traslados_impuesto_iva0? traslados_base_iva_exento? "
    "monto_total_pagos",
    "pago": "fecha_pago forma_de_pago moneda tipo_cambio? monto num_operacion? "
    "rfc_emisor_cta_ord? nom_banco_ord_ext? cta_ordenante? rfc_emisor_cta_ben? "
    "cta_beneficiario? tipo_cad_pago? cert_pago? cad_pago? sello_pago? doctos*docto "
    "impuestos>impuestos_p",
    "docto": "id_documento serie? folio? moneda equivalencia? num_parcialidad imp_saldo_ant "
    "imp_pagado imp_saldo_insoluto objeto_imp impuestos>impuestos_dr",
    "impuestos_dr": "retenciones*retencion traslados*traslado",
    "impuestos_p": "retenciones*retencion_total traslados*traslado",
    # implocal.xslt
    "implocal": "version total_retenciones total_traslados retenciones*local traslados*local",
    "local": "nombre tasa importe",
    # cadenaoriginal_TFD_1_1.xslt
    "tfd": "version uuid fecha_timbrado rfc_prov_certif leyenda? sello_cfd no_certificado_sat",
}


REQUIRED, OPTIONAL, NODE, NODES, VALUES = range(5)

# One step: (kind, dataclass field, steps of the child template for NODE / NODES).
Step = tuple[int, str, tuple[Any, ...]]


def _steps(name: str) -> tuple[Step, ...]:
    """The steps of template ``name``, child templates resolved into their own steps."""
    steps: list[Step] = []
    for word in _TEMPLATES[name].split():
        if word.endswith("?"):
            steps.append((OPTIONAL, word[:-1], ()))
        elif word.endswith("*"):
            steps.append((VALUES, word[:-1], ()))
        elif "*" in word:
            field, child = word.split("*")
            steps.append((NODES, field, _steps(child)))
        elif ">" in word:
            field, child = word.split(">")
            steps.append((NODE, field, _steps(child)))
        else:
            steps.append((REQUIRED, word, ()))
    return tuple(steps)


def _text(value: Any) -> str:
    """normalize-space(string(value)) for any attribute value.

    Strings are kept as they are when normalize-space cannot change them (letters and
    digits only, the usual case of codes; or printable, no double space, nothing to
    strip: three C calls, faster than a regex); Decimals without exponent (``str`` is 3x
    faster than ``format(d, "f")`` and gives the same text unless it chose scientific
    notation)."""
    kind = type(value)
    if kind is str:
        if value.isalnum() or (
            value.isprintable() and "  " not in value and value.strip() is value
        ):
            return value
        return normalize_space(value)
    if kind is Decimal:
        text = str(value)
        return text if "E" not in text else format(value, "f")
    return normalize_space(format_value(value))


def _apply(steps: tuple[Step, ...], node: Any, add: Callable[[str], Any]) -> None:
    """Write ``node``'s values through one XSLT template's steps, in the template's order."""
    values = node.__dict__
    for kind, field, child in steps:
        value = values[field]
        if kind == REQUIRED:
            add("" if value is None else _text(value))
        elif kind == OPTIONAL:
            if value is not None and (type(value) is not str or value):
                add(_text(value))
        elif kind == NODES:
            for item in value:
                _apply(child, item, add)
        elif kind == NODE:
            if value is not None:
                _apply(child, value, add)
        else:
            for item in value:
                add(_text(item))


_COMPROBANTE, _PAGOS, _IMPLOCAL, _TFD = (
    _steps(name) for name in ("comprobante", "pagos", "implocal", "tfd")
)


def cadena_original(c: doc.Comprobante) -> str:
    """The cadena original SAT's cadenaoriginal_4_0.xslt gives for ``cfdi.xml.to_bytes(c)``.

    Native when the engine models every complement of the document; else SAT's XSLT
    over the document's XML (``cadena_original_xslt``).
    """
    comp = c.complemento
    if comp is not None and comp.others:
        return cadena_original_xslt(to_bytes(c))
    out: list[str] = []
    add = out.append
    _apply(_COMPROBANTE, c, add)
    if comp is not None:
        # Same order as cfdi.xml writes them.
        if comp.pagos is not None:
            _apply(_PAGOS, comp.pagos, add)
        if comp.impuestos_locales is not None:
            _apply(_IMPLOCAL, comp.impuestos_locales, add)
        complement_registry.cadena(comp, add)
    return "||" + "|".join(out) + "||"


@functools.cache
def _sat_transform() -> etree.XSLT:
    """SAT's cadenaoriginal_4_0.xslt with every complement sheet it includes, read from
    ``cfdi/sat_xslt`` only (no network, no file written)."""
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    access = etree.XSLTAccessControl(
        read_network=False, write_network=False, write_file=False, create_dir=False
    )
    return etree.XSLT(etree.parse(str(SAT_XSLT), parser), access_control=access)


def cadena_original_xslt(data: bytes) -> str:
    """The cadena original of CFDI 4.0 XML bytes, by SAT's XSLT (any complement SAT
    publishes a sheet for). The bytes are parsed safely (``cfdi.xml.parse``)."""
    try:
        result = _sat_transform()(parse(data).getroottree())
    except etree.XSLTError as exc:
        raise CadenaError(
            f"La hoja XSLT del SAT no pudo calcular la cadena original: {exc}",
            f"SAT's XSLT could not compute the cadena original: {exc}",
        ) from None
    return str(result)


def cadena_tfd(t: doc.TimbreFiscalDigital) -> str:
    """The cadena original of a TimbreFiscalDigital 1.1 (cadenaoriginal_TFD_1_1.xslt)."""
    out: list[str] = []
    _apply(_TFD, t, out.append)
    return "||" + "|".join(out) + "||"
