"""Cadena original of CFDI 4.0 (with Pagos 2.0 and implocal) and of TFD 1.1.

Native Python, written node by node after SAT's XSLT files
(cadenaoriginal_4_0.xslt, Pagos20.xslt, implocal.xslt, cadenaoriginal_TFD_1_1.xslt);
the output is byte-identical to theirs. The XSLT's rules:

- the result starts with ``||`` and ends with ``||``; values are separated by ``|``;
- ``Requerido``: always written (an absent value writes an empty field);
- ``Opcional``: written only when the attribute exists (here: not None and not "",
  because ``cfdi.xml`` omits those);
- every value goes through XPath ``normalize-space``;
- node order is the XSLT's, which is not always the XSD's (summary Impuestos writes
  its Retenciones, then TotalImpuestosRetenidos, then Traslados, then
  TotalImpuestosTrasladados; Pagos writes Totales before the Pago nodes).

The TimbreFiscalDigital has no template in the CFDI 4.0 XSLT and adds nothing.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from cfdi import document as doc
from cfdi.errors import CfdiError
from cfdi.xml import format_value, normalize_space


class CadenaError(CfdiError):
    code = "CADENA"


_NEEDS_NORMALIZING = re.compile(r"^[ \t\n\r]|[ \t\n\r]$|[\t\n\r]|  ")


def _text(value: Any) -> str:
    if type(value) is str:
        return normalize_space(value) if _NEEDS_NORMALIZING.search(value) else value
    if type(value) is Decimal:
        return format(value, "f")
    return normalize_space(format_value(value))


def _req(out: list[str], value: Any) -> None:
    out.append("" if value is None else _text(value))


def _opt(out: list[str], value: Any) -> None:
    if value is not None and value != "":
        out.append(_text(value))


def _traslado(out: list[str], t: Any) -> None:
    """Traslado, TrasladoDR and TrasladoP share names and XSLT rules."""
    _req(out, t.base)
    _req(out, t.impuesto)
    _req(out, t.tipo_factor)
    _opt(out, t.tasa_o_cuota)
    _opt(out, t.importe)


def _retencion(out: list[str], r: Any) -> None:
    """Concepto Retencion and RetencionDR: every attribute required."""
    _req(out, r.base)
    _req(out, r.impuesto)
    _req(out, r.tipo_factor)
    _req(out, r.tasa_o_cuota)
    _req(out, r.importe)


def _retencion_total(out: list[str], r: Any) -> None:
    """Summary Retencion and RetencionP: Impuesto and Importe."""
    _req(out, r.impuesto)
    _req(out, r.importe)


def _concepto(out: list[str], c: doc.Concepto) -> None:
    _req(out, c.clave_prod_serv)
    _opt(out, c.no_identificacion)
    _req(out, c.cantidad)
    _req(out, c.clave_unidad)
    _opt(out, c.unidad)
    _req(out, c.descripcion)
    _req(out, c.valor_unitario)
    _req(out, c.importe)
    _opt(out, c.descuento)
    _req(out, c.objeto_imp)
    impuestos = c.impuestos
    if impuestos is not None:
        for t in impuestos.traslados:
            _traslado(out, t)
        for r in impuestos.retenciones:
            _retencion(out, r)
    terceros = c.a_cuenta_terceros
    if terceros is not None:
        _req(out, terceros.rfc)
        _req(out, terceros.nombre)
        _req(out, terceros.regimen_fiscal)
        _req(out, terceros.domicilio_fiscal)
    for aduana in c.informacion_aduanera:
        _req(out, aduana.numero_pedimento)
    for predial in c.cuenta_predial:
        _req(out, predial.numero)


def _impuestos(out: list[str], i: doc.Impuestos) -> None:
    for r in i.retenciones:
        _retencion_total(out, r)
    _opt(out, i.total_retenidos)
    for t in i.traslados:
        _traslado(out, t)
    _opt(out, i.total_trasladados)


def _pagos(out: list[str], p: doc.Pagos) -> None:
    _req(out, p.version)
    t = p.totales
    if t is not None:
        _opt(out, t.retenciones_iva)
        _opt(out, t.retenciones_isr)
        _opt(out, t.retenciones_ieps)
        _opt(out, t.traslados_base_iva16)
        _opt(out, t.traslados_impuesto_iva16)
        _opt(out, t.traslados_base_iva8)
        _opt(out, t.traslados_impuesto_iva8)
        _opt(out, t.traslados_base_iva0)
        _opt(out, t.traslados_impuesto_iva0)
        _opt(out, t.traslados_base_iva_exento)
        _req(out, t.monto_total_pagos)
    for pago in p.pagos:
        _pago(out, pago)


def _pago(out: list[str], p: doc.Pago) -> None:
    _req(out, p.fecha_pago)
    _req(out, p.forma_de_pago)
    _req(out, p.moneda)
    _opt(out, p.tipo_cambio)
    _req(out, p.monto)
    _opt(out, p.num_operacion)
    _opt(out, p.rfc_emisor_cta_ord)
    _opt(out, p.nom_banco_ord_ext)
    _opt(out, p.cta_ordenante)
    _opt(out, p.rfc_emisor_cta_ben)
    _opt(out, p.cta_beneficiario)
    _opt(out, p.tipo_cad_pago)
    _opt(out, p.cert_pago)
    _opt(out, p.cad_pago)
    _opt(out, p.sello_pago)
    for d in p.doctos:
        _req(out, d.id_documento)
        _opt(out, d.serie)
        _opt(out, d.folio)
        _req(out, d.moneda)
        _opt(out, d.equivalencia)
        _req(out, d.num_parcialidad)
        _req(out, d.imp_saldo_ant)
        _req(out, d.imp_pagado)
        _req(out, d.imp_saldo_insoluto)
        _req(out, d.objeto_imp)
        impuestos = d.impuestos
        if impuestos is not None:
            for r in impuestos.retenciones:
                _retencion(out, r)
            for t in impuestos.traslados:
                _traslado(out, t)
    impuestos_p = p.impuestos
    if impuestos_p is not None:
        for r in impuestos_p.retenciones:
            _retencion_total(out, r)
        for t in impuestos_p.traslados:
            _traslado(out, t)


def _impuestos_locales(out: list[str], i: doc.ImpuestosLocales) -> None:
    _req(out, i.version)
    _req(out, i.total_retenciones)
    _req(out, i.total_traslados)
    for local in (*i.retenciones, *i.traslados):
        _req(out, local.nombre)
        _req(out, local.tasa)
        _req(out, local.importe)


def cadena_original(c: doc.Comprobante) -> str:
    """The cadena original SAT's cadenaoriginal_4_0.xslt gives for ``cfdi.xml.to_bytes(c)``.

    Raises ``CadenaError`` when the document carries a complement this engine
    does not know (``complemento.others``): its part of the cadena cannot be built.
    """
    out: list[str] = []
    _req(out, c.version)
    _opt(out, c.serie)
    _opt(out, c.folio)
    _req(out, c.fecha)
    _opt(out, c.forma_pago)
    _req(out, c.no_certificado)
    _opt(out, c.condiciones_de_pago)
    _req(out, c.subtotal)
    _opt(out, c.descuento)
    _req(out, c.moneda)
    _opt(out, c.tipo_cambio)
    _req(out, c.total)
    _req(out, c.tipo_de_comprobante)
    _req(out, c.exportacion)
    _opt(out, c.metodo_pago)
    _req(out, c.lugar_expedicion)
    _opt(out, c.confirmacion)
    g = c.informacion_global
    if g is not None:
        _req(out, g.periodicidad)
        _req(out, g.meses)
        _req(out, g.anio)
    for rel in c.cfdi_relacionados:
        _req(out, rel.tipo_relacion)
        for uuid in rel.uuids:
            _req(out, uuid)
    e = c.emisor
    if e is not None:
        _req(out, e.rfc)
        _req(out, e.nombre)
        _req(out, e.regimen_fiscal)
        _opt(out, e.fac_atr_adquirente)
    r = c.receptor
    if r is not None:
        _req(out, r.rfc)
        _req(out, r.nombre)
        _req(out, r.domicilio_fiscal)
        _opt(out, r.residencia_fiscal)
        _opt(out, r.num_reg_id_trib)
        _req(out, r.regimen_fiscal)
        _req(out, r.uso_cfdi)
    for concepto in c.conceptos:
        _concepto(out, concepto)
    if c.impuestos is not None:
        _impuestos(out, c.impuestos)
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
            _pagos(out, comp.pagos)
        if comp.impuestos_locales is not None:
            _impuestos_locales(out, comp.impuestos_locales)
    return "||" + "|".join(out) + "||"


def cadena_tfd(t: doc.TimbreFiscalDigital) -> str:
    """The cadena original of a TimbreFiscalDigital 1.1 (cadenaoriginal_TFD_1_1.xslt)."""
    out: list[str] = []
    _req(out, t.version)
    _req(out, t.uuid)
    _req(out, t.fecha_timbrado)
    _req(out, t.rfc_prov_certif)
    _opt(out, t.leyenda)
    _req(out, t.sello_cfd)
    _req(out, t.no_certificado_sat)
    return "||" + "|".join(out) + "||"
