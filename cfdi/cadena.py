"""Cadena original of CFDI 4.0 (with Pagos 2.0 and implocal) and of TFD 1.1.

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

``_TEMPLATES`` below transcribes the XSLT templates, one line per template. Each is
compiled once, at import, into a plain Python function (no introspection per call).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import document as doc
from .errors import CfdiError
from .xml import format_value, normalize_space


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


def _text(value: Any) -> str:
    """normalize-space(string(value)) for any attribute value."""
    return normalize_space(value if type(value) is str else format_value(value))


# Emitting one value: strings as they are when normalize-space cannot change them
# (letters and digits only, the usual case of codes; or printable, no double space,
# nothing to strip: three C calls, faster than a regex), else normalized; Decimals without exponent (str() is 3x faster than format(d, "f") and
# gives the same text unless it chose scientific notation); anything else the slow way.
_EMIT = """{i}t = type(v)
{i}if t is str:
{i}    a(v if v.isalnum() or (v.isprintable() and "  " not in v and v.strip() is v) else _norm(v))
{i}elif t is _Decimal:
{i}    v = str(v)
{i}    a(v if "E" not in v else format(_Decimal(v), "f"))
{i}else:
{i}    a(_text(v))"""


def _compile(templates: dict[str, str]) -> dict[str, Callable[[Any, Callable], None]]:
    lines = []
    for name, template in templates.items():
        lines.append(f"def _t_{name}(o, a):")
        for step in template.split():
            if step.endswith("?"):  # (type check first: Decimal != "" is slow)
                lines += [
                    f"    v = o.{step[:-1]}",
                    "    if v is not None and (type(v) is not str or v):",
                    _EMIT.format(i="        "),
                ]
            elif step.endswith("*"):
                lines += [f"    for v in o.{step[:-1]}:", _EMIT.format(i="        ")]
            elif "*" in step:
                field, child = step.split("*")
                lines += [f"    for v in o.{field}:", f"        _t_{child}(v, a)"]
            elif ">" in step:
                field, child = step.split(">")
                lines += [
                    f"    v = o.{field}",
                    "    if v is not None:",
                    f"        _t_{child}(v, a)",
                ]
            else:
                lines += [
                    f"    v = o.{step}",
                    "    if v is None:",
                    "        a('')",
                    "    else:",
                    _EMIT.format(i="        "),
                ]
        lines.append("")
    namespace = {"_Decimal": Decimal, "_norm": normalize_space, "_text": _text}
    exec(compile("\n".join(lines), "<cadena templates>", "exec"), namespace)  # noqa: S102
    return {name: namespace[f"_t_{name}"] for name in templates}


_COMPILED = _compile(_TEMPLATES)
_comprobante = _COMPILED["comprobante"]
_pagos = _COMPILED["pagos"]
_implocal = _COMPILED["implocal"]
_tfd = _COMPILED["tfd"]


def cadena_original(c: doc.Comprobante) -> str:
    """The cadena original SAT's cadenaoriginal_4_0.xslt gives for ``cfdi.xml.to_bytes(c)``.

    Raises ``CadenaError`` when the document carries a complement this engine
    does not know (``complemento.others``): its part of the cadena cannot be built.
    """
    out: list[str] = []
    add = out.append
    _comprobante(c, add)
    comp = c.complemento
    if comp is not None:
        if comp.others:
            raise CadenaError(
                "El CFDI lleva un complemento que este motor no conoce; no se puede "
                "calcular su cadena original (solo Pagos 2.0, implocal y TFD).",
                "The CFDI carries a complement this engine does not know; its cadena "
                "original cannot be computed (only Pagos 2.0, implocal and TFD).",
            )
        # Same order as cfdi.xml writes them.
        if comp.pagos is not None:
            _pagos(comp.pagos, add)
        if comp.impuestos_locales is not None:
            _implocal(comp.impuestos_locales, add)
    return "||" + "|".join(out) + "||"


def cadena_tfd(t: doc.TimbreFiscalDigital) -> str:
    """The cadena original of a TimbreFiscalDigital 1.1 (cadenaoriginal_TFD_1_1.xslt)."""
    out: list[str] = []
    _tfd(t, out.append)
    return "||" + "|".join(out) + "||"
