"""cfdi.rules: every rule fires with its code on a document broken in one place,
valid documents give no finding, and validate() catches tampered sealed XML."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest
from corpus import CACX, XIA, documents

from cfdi import rules, seal, xml
from cfdi.credentials import Certificate
from cfdi.document import (
    ACuentaTerceros,
    CfdiRelacionados,
    ConceptoImpuestos,
    InformacionAduanera,
    InformacionGlobal,
    Pagos,
    Retencion,
    Traslado,
)
from cfdi.testing import FIXTURES

CORPUS = dict(documents())


def doc(name: str):
    return copy.deepcopy(CORPUS[name])


def concept_tax(c, kind="traslados", i=0, j=0):
    return getattr(c.conceptos[i].impuestos, kind)[j]


def pago(c, i=0):
    return c.complemento.pagos.pagos[i]


def docto(c, i=0):
    return pago(c).doctos[i]


def set_attr(obj_path: Callable, **values):
    def apply(c):
        target = obj_path(c)
        for k, v in values.items():
            setattr(target, k, v)

    return apply


def _cert(path: str) -> str:
    return Certificate.from_der((FIXTURES / path).read_bytes()).base64


def _certify(c, cert_path="csd/EKU9003173C9.cer"):
    cert = Certificate.from_der((FIXTURES / cert_path).read_bytes())
    c.certificado, c.no_certificado = cert.base64, cert.no_certificado


def _add_taxes_to(i):
    def apply(c):
        c.conceptos[i].impuestos = ConceptoImpuestos(
            traslados=[
                Traslado(
                    base=c.conceptos[i].importe,
                    impuesto="002",
                    tipo_factor="Tasa",
                    tasa_o_cuota=D("0.160000"),
                    importe=(c.conceptos[i].importe * D("0.16")).quantize(D("0.01")),
                )
            ]
        )

    return apply


INV = "I_PUE_MXN_iva16"
RET = "I_ret_isr_iva_honorarios"
P = "P_one_docto_full"
PG = "I_publico_en_general"
EXT = "I_foreign_receiver"
P_USD = "P_USD_pays_MXN_doc"

# (id, corpus document, mutation, expected code, expected path prefix)
CASES = [
    ("fecha_missing", INV, set_attr(lambda c: c, fecha=None), "CFDI40101", "Fecha"),
    (
        "fecha_with_tz",
        INV,
        lambda c: setattr(c, "fecha", c.fecha.replace(tzinfo=timezone.utc)),
        "CFDI40101",
        "Fecha",
    ),
    ("forma_pago_in_P", P, set_attr(lambda c: c, forma_pago="03"), "CFDI40103", "FormaPago"),
    ("forma_pago_catalog", INV, set_attr(lambda c: c, forma_pago="77"), "CFDI40104", "FormaPago"),
    ("forma_pago_missing", INV, set_attr(lambda c: c, forma_pago=None), "CFDI40104", "FormaPago"),
    ("ppd_needs_99", "I_PPD_MXN", set_attr(lambda c: c, forma_pago="03"), "CFDI40105", "FormaPago"),
    ("pue_with_99", INV, set_attr(lambda c: c, forma_pago="99"), "EINV-FP99", "FormaPago"),
    (
        "metodo_pago_catalog",
        INV,
        set_attr(lambda c: c, metodo_pago="PPX"),
        "CFDI40124",
        "MetodoPago",
    ),
    ("metodo_pago_in_P", P, set_attr(lambda c: c, metodo_pago="PUE"), "CFDI40125", "MetodoPago"),
    (
        "subtotal_decimals",
        INV,
        set_attr(lambda c: c, subtotal=D("1000.001")),
        "CFDI40107",
        "SubTotal",
    ),
    ("subtotal_sum", INV, set_attr(lambda c: c, subtotal=D("1001.00")), "CFDI40108", "SubTotal"),
    ("subtotal_P", P, set_attr(lambda c: c, subtotal=D("1")), "CFDI40109", "SubTotal"),
    (
        "descuento_gt_subtotal",
        "I_discount",
        set_attr(lambda c: c, descuento=D("5000.00")),
        "CFDI40110",
        "Descuento",
    ),
    (
        "descuento_in_P",
        P,
        set_attr(lambda c: c.conceptos[0], descuento=D("0")),
        "CFDI40111",
        "Descuento",
    ),
    (
        "descuento_decimals",
        "I_discount",
        set_attr(lambda c: c, descuento=D("100.001")),
        "CFDI40112",
        "Descuento",
    ),
    (
        "descuento_sum",
        "I_discount",
        set_attr(lambda c: c, descuento=D("90.00")),
        "CFDI40111",
        "Descuento",
    ),
    (
        "descuento_without_concept_discounts",
        INV,
        set_attr(lambda c: c, descuento=D("0.00")),
        "CFDI40111",
        "Descuento",
    ),
    ("moneda_catalog", INV, set_attr(lambda c: c, moneda="ZZZ"), "CFDI40113", "Moneda"),
    ("moneda_P_not_xxx", P, set_attr(lambda c: c, moneda="MXN"), "CFDI40113", "Moneda"),
    ("tipo_cambio_mxn", INV, set_attr(lambda c: c, tipo_cambio=D("17")), "CFDI40114", "TipoCambio"),
    (
        "tipo_cambio_missing",
        "I_USD_tipo_cambio",
        set_attr(lambda c: c, tipo_cambio=None),
        "CFDI40115",
        "TipoCambio",
    ),
    ("tipo_cambio_xxx", P, set_attr(lambda c: c, tipo_cambio=D("1")), "CFDI40116", "TipoCambio"),
    (
        "tipo_cambio_pattern",
        "I_USD_tipo_cambio",
        set_attr(lambda c: c, tipo_cambio=D("17.1234567")),
        "CFDI40117",
        "TipoCambio",
    ),
    ("total", INV, set_attr(lambda c: c, total=D("1160.01")), "CFDI40119", "Total"),
    ("total_P", P, set_attr(lambda c: c, total=D("5")), "CFDI40119", "Total"),
    (
        "tipo_comprobante",
        INV,
        set_attr(lambda c: c, tipo_de_comprobante="Z"),
        "CFDI40121",
        "TipoDeComprobante",
    ),
    ("exportacion_02", INV, set_attr(lambda c: c, exportacion="02"), "CFDI40122", "Exportacion"),
    (
        "exportacion_catalog",
        INV,
        set_attr(lambda c: c, exportacion="09"),
        "CFDI40123",
        "Exportacion",
    ),
    (
        "lugar_expedicion",
        INV,
        set_attr(lambda c: c, lugar_expedicion="00001"),
        "CFDI40126",
        "LugarExpedicion",
    ),
    (
        "global_missing",
        PG,
        set_attr(lambda c: c, informacion_global=None),
        "CFDI40130",
        "InformacionGlobal",
    ),
    (
        "publico_name_other_rfc",
        INV,
        set_attr(lambda c: c.receptor, nombre="PUBLICO EN GENERAL"),
        "CFDI40146",
        "Receptor.Rfc",
    ),
    (
        "global_with_real_receiver",
        INV,
        set_attr(lambda c: c, informacion_global=InformacionGlobal("04", "11", 2026)),
        "EINV-GLOBAL",
        "InformacionGlobal",
    ),
    (
        "global_wrong_name",
        PG,
        set_attr(lambda c: c.receptor, nombre="JUAN PEREZ"),
        "EINV-GLOBAL",
        "Receptor.Nombre",
    ),
    (
        "global_concept",
        PG,
        set_attr(lambda c: c.conceptos[1], clave_prod_serv="84111506"),
        "EINV-GLOBAL-CONCEPTO",
        "Conceptos[1]",
    ),
    (
        "periodicidad_catalog",
        PG,
        set_attr(lambda c: c.informacion_global, periodicidad="09"),
        "CFDI40131",
        "InformacionGlobal.Periodicidad",
    ),
    (
        "periodicidad_05_regimen",
        PG,
        set_attr(lambda c: c.informacion_global, periodicidad="05", meses="13"),
        "CFDI40132",
        "InformacionGlobal.Periodicidad",
    ),
    (
        "meses_catalog",
        PG,
        set_attr(lambda c: c.informacion_global, meses="19"),
        "CFDI40133",
        "InformacionGlobal.Meses",
    ),
    (
        "meses_monthly",
        PG,
        set_attr(lambda c: c.informacion_global, meses="13"),
        "CFDI40134",
        "InformacionGlobal.Meses",
    ),
    (
        "meses_bimonthly",
        PG,
        set_attr(lambda c: c.informacion_global, periodicidad="05", meses="01"),
        "CFDI40135",
        "InformacionGlobal.Meses",
    ),
    (
        "anio",
        PG,
        set_attr(lambda c: c.informacion_global, anio=2020),
        "CFDI40136",
        "InformacionGlobal.Año",
    ),
    (
        "tipo_relacion",
        "I_substitution_04",
        set_attr(lambda c: c.cfdi_relacionados[0], tipo_relacion="99"),
        "CFDI40137",
        "CfdiRelacionados[0].TipoRelacion",
    ),
    (
        "uuid_shape",
        "I_substitution_04",
        set_attr(lambda c: c.cfdi_relacionados[0], uuids=["abc"]),
        "EINV-UUID",
        "CfdiRelacionados[0].CfdiRelacionado[0].UUID",
    ),
    (
        "relacion_empty",
        "I_substitution_04",
        set_attr(lambda c: c.cfdi_relacionados[0], uuids=[]),
        "EINV-REL",
        "CfdiRelacionados[0]",
    ),
    (
        "credit_note_unrelated",
        "E_credit_note_01",
        set_attr(lambda c: c, cfdi_relacionados=[]),
        "EINV-E01",
        "CfdiRelacionados",
    ),
    (
        "emisor_rfc_shape",
        INV,
        set_attr(lambda c: c.emisor, rfc="EKU9003173C"),
        "EINV-RFC",
        "Emisor.Rfc",
    ),
    (
        "emisor_generic",
        INV,
        set_attr(lambda c: c.emisor, rfc="XAXX010101000"),
        "EINV-RFC",
        "Emisor.Rfc",
    ),
    (
        "receptor_rfc_shape",
        INV,
        set_attr(lambda c: c.receptor, rfc="XIA-190128-J61"),
        "EINV-RFC",
        "Receptor.Rfc",
    ),
    (
        "emisor_regimen_catalog",
        INV,
        set_attr(lambda c: c.emisor, regimen_fiscal="999"),
        "CFDI40140",
        "Emisor.RegimenFiscal",
    ),
    (
        "emisor_regimen_persona",
        INV,
        set_attr(lambda c: c.emisor, regimen_fiscal="612"),
        "CFDI40141",
        "Emisor.RegimenFiscal",
    ),
    (
        "receptor_cp",
        INV,
        set_attr(lambda c: c.receptor, domicilio_fiscal="00001"),
        "EINV-CP",
        "Receptor.DomicilioFiscalReceptor",
    ),
    (
        "generic_cp",
        PG,
        set_attr(lambda c: c.receptor, domicilio_fiscal="76343"),
        "CFDI40149",
        "Receptor.DomicilioFiscalReceptor",
    ),
    (
        "residencia_catalog",
        EXT,
        set_attr(lambda c: c.receptor, residencia_fiscal="QQQ"),
        "CFDI40150",
        "Receptor.ResidenciaFiscal",
    ),
    (
        "residencia_mexican_rfc",
        INV,
        set_attr(lambda c: c.receptor, residencia_fiscal="USA"),
        "CFDI40151",
        "Receptor.ResidenciaFiscal",
    ),
    (
        "residencia_mex",
        EXT,
        set_attr(lambda c: c.receptor, residencia_fiscal="MEX"),
        "CFDI40152",
        "Receptor.ResidenciaFiscal",
    ),
    (
        "numregidtrib_without_residencia",
        EXT,
        set_attr(lambda c: c.receptor, residencia_fiscal=None),
        "CFDI40153",
        "Receptor.ResidenciaFiscal",
    ),
    (
        "numregidtrib_mexican_rfc",
        INV,
        set_attr(lambda c: c.receptor, num_reg_id_trib="123456789", residencia_fiscal=None),
        "CFDI40154",
        "Receptor.NumRegIdTrib",
    ),
    (
        "numregidtrib_comercio_exterior",
        EXT,
        lambda c: (
            setattr(c.receptor, "num_reg_id_trib", None),
            c.complemento.others.append(
                b'<cce20:ComercioExterior xmlns:cce20="http://www.sat.gob.mx/ComercioExterior20"/>'
            ),
        ),
        "CFDI40155",
        "Receptor.NumRegIdTrib",
    ),
    (
        "regimen_receptor_catalog",
        INV,
        set_attr(lambda c: c.receptor, regimen_fiscal="999"),
        "CFDI40157",
        "Receptor.RegimenFiscalReceptor",
    ),
    (
        "regimen_receptor_persona",
        INV,
        set_attr(lambda c: c.receptor, regimen_fiscal="612"),
        "CFDI40158",
        "Receptor.RegimenFiscalReceptor",
    ),
    (
        "regimen_generic",
        PG,
        set_attr(lambda c: c.receptor, regimen_fiscal="601"),
        "CFDI40159",
        "Receptor.RegimenFiscalReceptor",
    ),
    (
        "uso_catalog",
        INV,
        set_attr(lambda c: c.receptor, uso_cfdi="Z99"),
        "CFDI40160",
        "Receptor.UsoCFDI",
    ),
    (
        "uso_persona",
        INV,
        set_attr(lambda c: c.receptor, uso_cfdi="D01"),
        "CFDI40161",
        "Receptor.UsoCFDI",
    ),
    (
        "uso_regimen",
        "I_fisica_receiver",
        set_attr(lambda c: c.receptor, regimen_fiscal="605"),
        "CFDI40161",
        "Receptor.UsoCFDI",
    ),
    ("uso_P", P, set_attr(lambda c: c.receptor, uso_cfdi="G03"), "CFDI40161", "Receptor.UsoCFDI"),
    (
        "uso_generic",
        PG,
        set_attr(lambda c: c.receptor, uso_cfdi="G03"),
        "CFDI40161",
        "Receptor.UsoCFDI",
    ),
    (
        "clave_prod_serv",
        INV,
        set_attr(lambda c: c.conceptos[0], clave_prod_serv="99999999"),
        "CFDI40162",
        "Conceptos[0].ClaveProdServ",
    ),
    (
        "clave_unidad",
        INV,
        set_attr(lambda c: c.conceptos[0], clave_unidad="QQQ"),
        "CFDI40165",
        "Conceptos[0].ClaveUnidad",
    ),
    (
        "valor_unitario_zero",
        INV,
        set_attr(lambda c: c.conceptos[0], valor_unitario=D("0")),
        "CFDI40166",
        "Conceptos[0].ValorUnitario",
    ),
    (
        "cantidad_zero",
        INV,
        set_attr(lambda c: c.conceptos[0], cantidad=D("0")),
        "EINV-CANTIDAD",
        "Conceptos[0].Cantidad",
    ),
    (
        "importe",
        "I_quantity_6_decimals",
        set_attr(lambda c: c.conceptos[0], importe=D("1219.35")),
        "CFDI40167",
        "Conceptos[0].Importe",
    ),
    (
        "importe_missing",
        INV,
        set_attr(lambda c: c.conceptos[0], importe=None),
        "CFDI40167",
        "Conceptos[0].Importe",
    ),
    (
        "descuento_concept_decimals",
        "I_discount",
        set_attr(lambda c: c.conceptos[0], descuento=D("100.001")),
        "CFDI40168",
        "Conceptos[0].Descuento",
    ),
    (
        "descuento_concept_gt_importe",
        "I_discount",
        set_attr(lambda c: c.conceptos[0], descuento=D("1000.01")),
        "CFDI40169",
        "Conceptos[0].Descuento",
    ),
    (
        "objeto_imp_catalog",
        INV,
        set_attr(lambda c: c.conceptos[0], objeto_imp="09"),
        "CFDI40170",
        "Conceptos[0].ObjetoImp",
    ),
    (
        "objeto_02_without_taxes",
        INV,
        set_attr(lambda c: c.conceptos[0], impuestos=None),
        "CFDI40171",
        "Conceptos[0].Impuestos",
    ),
    (
        "objeto_01_with_taxes",
        "I_objetoimp_01",
        _add_taxes_to(0),
        "CFDI40172",
        "Conceptos[0].Impuestos",
    ),
    (
        "objeto_03_with_taxes",
        "I_objetoimp_03",
        _add_taxes_to(0),
        "CFDI40172",
        "Conceptos[0].Impuestos",
    ),
    (
        "impuestos_empty",
        INV,
        set_attr(lambda c: c.conceptos[0], impuestos=ConceptoImpuestos()),
        "CFDI40173",
        "Conceptos[0].Impuestos",
    ),
    (
        "traslado_base",
        INV,
        set_attr(lambda c: concept_tax(c), base=D("0")),
        "CFDI40174",
        "Conceptos[0].Impuestos.Traslados[0].Base",
    ),
    (
        "traslado_impuesto",
        INV,
        set_attr(lambda c: concept_tax(c), impuesto="009"),
        "CFDI40175",
        "Conceptos[0].Impuestos.Traslados[0].Impuesto",
    ),
    (
        "traslado_factor",
        INV,
        set_attr(lambda c: concept_tax(c), tipo_factor="Otro"),
        "CFDI40176",
        "Conceptos[0].Impuestos.Traslados[0].TipoFactor",
    ),
    (
        "exento_with_importe",
        "I_iva_exento",
        set_attr(lambda c: concept_tax(c), importe=D("1.00")),
        "CFDI40177",
        "Conceptos[0].Impuestos.Traslados[0]",
    ),
    (
        "tasa_without_importe",
        INV,
        set_attr(lambda c: concept_tax(c), importe=None),
        "CFDI40178",
        "Conceptos[0].Impuestos.Traslados[0]",
    ),
    (
        "traslado_tasa",
        INV,
        set_attr(lambda c: concept_tax(c), tasa_o_cuota=D("0.150000"), importe=D("150.00")),
        "CFDI40179",
        "Conceptos[0].Impuestos.Traslados[0].TasaOCuota",
    ),
    (
        "traslado_importe",
        INV,
        set_attr(lambda c: concept_tax(c), importe=D("160.05")),
        "CFDI40180",
        "Conceptos[0].Impuestos.Traslados[0].Importe",
    ),
    (
        "retencion_base",
        RET,
        set_attr(lambda c: concept_tax(c, "retenciones"), base=D("0")),
        "CFDI40181",
        "Conceptos[0].Impuestos.Retenciones[0].Base",
    ),
    (
        "retencion_impuesto",
        RET,
        set_attr(lambda c: concept_tax(c, "retenciones"), impuesto="009"),
        "CFDI40182",
        "Conceptos[0].Impuestos.Retenciones[0].Impuesto",
    ),
    (
        "retencion_factor",
        RET,
        set_attr(lambda c: concept_tax(c, "retenciones"), tipo_factor="Otro"),
        "CFDI40183",
        "Conceptos[0].Impuestos.Retenciones[0].TipoFactor",
    ),
    (
        "retencion_exento",
        RET,
        set_attr(lambda c: concept_tax(c, "retenciones"), tipo_factor="Exento"),
        "CFDI40184",
        "Conceptos[0].Impuestos.Retenciones[0].TipoFactor",
    ),
    (
        "retencion_tasa",
        RET,
        set_attr(
            lambda c: concept_tax(c, "retenciones"),
            tasa_o_cuota=D("0.500000"),
            importe=D("5000.00"),
        ),
        "CFDI40185",
        "Conceptos[0].Impuestos.Retenciones[0].TasaOCuota",
    ),
    (
        "retencion_importe",
        RET,
        set_attr(lambda c: concept_tax(c, "retenciones"), importe=D("999.00")),
        "CFDI40186",
        "Conceptos[0].Impuestos.Retenciones[0].Importe",
    ),
    (
        "terceros_same_rfc",
        "I_a_cuenta_terceros",
        set_attr(lambda c: c.conceptos[0].a_cuenta_terceros, rfc="XIA190128J61"),
        "EINV-TERCEROS",
        "Conceptos[0].ACuentaTerceros.RfcACuentaTerceros",
    ),
    (
        "terceros_regimen",
        "I_a_cuenta_terceros",
        set_attr(lambda c: c.conceptos[0].a_cuenta_terceros, regimen_fiscal="999"),
        "CFDI40191",
        "Conceptos[0].ACuentaTerceros.RegimenFiscalACuentaTerceros",
    ),
    (
        "terceros_cp",
        INV,
        set_attr(
            lambda c: c.conceptos[0],
            a_cuenta_terceros=ACuentaTerceros(
                "CACX7605101P8", "XOCHILT CASAS CHAVEZ", "612", "00001"
            ),
        ),
        "EINV-CP",
        "Conceptos[0].ACuentaTerceros.DomicilioFiscalACuentaTerceros",
    ),
    (
        "pedimento",
        INV,
        set_attr(
            lambda c: c.conceptos[0],
            informacion_aduanera=[InformacionAduanera("23 47 3807 3001234")],
        ),
        "CFDI40194",
        "Conceptos[0].InformacionAduanera[0].NumeroPedimento",
    ),
    (
        "impuestos_in_P",
        P,
        lambda c: setattr(c, "impuestos", copy.deepcopy(CORPUS[INV].impuestos)),
        "CFDI40201",
        "Impuestos",
    ),
    (
        "total_retenidos_decimals",
        RET,
        set_attr(lambda c: c.impuestos, total_retenidos=D("2066.671")),
        "CFDI40202",
        "Impuestos.TotalImpuestosRetenidos",
    ),
    (
        "total_retenidos_sum",
        RET,
        set_attr(lambda c: c.impuestos, total_retenidos=D("2066.68")),
        "CFDI40203",
        "Impuestos.TotalImpuestosRetenidos",
    ),
    (
        "total_trasladados_decimals",
        INV,
        set_attr(lambda c: c.impuestos, total_trasladados=D("160.001")),
        "CFDI40204",
        "Impuestos.TotalImpuestosTrasladados",
    ),
    (
        "total_trasladados_sum",
        INV,
        set_attr(lambda c: c.impuestos, total_trasladados=D("160.01")),
        "CFDI40205",
        "Impuestos.TotalImpuestosTrasladados",
    ),
    ("summary_missing", INV, set_attr(lambda c: c, impuestos=None), "CFDI40205", "Impuestos"),
    (
        "total_retenidos_missing",
        RET,
        set_attr(lambda c: c.impuestos, total_retenidos=None),
        "CFDI40206",
        "Impuestos.TotalImpuestosRetenidos",
    ),
    (
        "summary_ret_impuesto",
        RET,
        set_attr(lambda c: c.impuestos.retenciones[0], impuesto="009"),
        "CFDI40207",
        "Impuestos.Retenciones[0].Impuesto",
    ),
    (
        "summary_ret_duplicate",
        RET,
        lambda c: c.impuestos.retenciones.append(
            Retencion(base=None, impuesto="001", tipo_factor=None, importe=D("0.00"))
        ),
        "CFDI40208",
        "Impuestos.Retenciones[2].Impuesto",
    ),
    (
        "summary_ret_decimals",
        RET,
        set_attr(lambda c: c.impuestos.retenciones[0], importe=D("1000.001")),
        "CFDI40210",
        "Impuestos.Retenciones[0].Importe",
    ),
    (
        "summary_ret_sum",
        RET,
        set_attr(lambda c: c.impuestos.retenciones[0], importe=D("1000.01")),
        "CFDI40211",
        "Impuestos.Retenciones[0].Importe",
    ),
    (
        "summary_ret_missing",
        RET,
        lambda c: c.impuestos.retenciones.pop(),
        "CFDI40211",
        "Impuestos.Retenciones",
    ),
    (
        "total_trasladados_missing",
        INV,
        set_attr(lambda c: c.impuestos, total_trasladados=None),
        "CFDI40212",
        "Impuestos.TotalImpuestosTrasladados",
    ),
    (
        "summary_base_decimals",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], base=D("1000.001")),
        "CFDI40214",
        "Impuestos.Traslados[0].Base",
    ),
    (
        "summary_base_sum",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], base=D("999.00")),
        "CFDI40215",
        "Impuestos.Traslados[0].Base",
    ),
    (
        "summary_impuesto",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], impuesto="009"),
        "CFDI40217",
        "Impuestos.Traslados[0].Impuesto",
    ),
    (
        "summary_duplicate",
        INV,
        lambda c: c.impuestos.traslados.append(copy.deepcopy(c.impuestos.traslados[0])),
        "CFDI40218",
        "Impuestos.Traslados[1]",
    ),
    (
        "summary_tasa",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], tasa_o_cuota=D("0.150000")),
        "CFDI40219",
        "Impuestos.Traslados[0].TasaOCuota",
    ),
    (
        "summary_importe_decimals",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], importe=D("160.001")),
        "CFDI40220",
        "Impuestos.Traslados[0].Importe",
    ),
    (
        "summary_importe_sum",
        INV,
        set_attr(lambda c: c.impuestos.traslados[0], importe=D("161.00")),
        "CFDI40221",
        "Impuestos.Traslados[0].Importe",
    ),
    (
        "summary_group_missing",
        "I_iva16_8_0_exento",
        lambda c: c.impuestos.traslados.pop(1),
        "CFDI40221",
        "Impuestos.Traslados",
    ),
    (
        "pagos_in_I",
        INV,
        lambda c: setattr(c.complemento, "pagos", Pagos()),
        "EINV-PAGO",
        "Complemento.Pagos",
    ),
    (
        "P_without_pagos",
        P,
        lambda c: setattr(c.complemento, "pagos", None),
        "EINV-PAGO",
        "Complemento.Pagos",
    ),
    (
        "P_concept",
        P,
        set_attr(lambda c: c.conceptos[0], descripcion="Pagos"),
        "EINV-PAGO-CONCEPTO",
        "Conceptos",
    ),
    (
        "pago_forma_99",
        P,
        set_attr(pago, forma_de_pago="99"),
        "EINV-PAGO-FORMA",
        "Complemento.Pagos.Pago[0].FormaDePagoP",
    ),
    (
        "pago_forma_catalog",
        P,
        set_attr(pago, forma_de_pago="77"),
        "EINV-PAGO-FORMA",
        "Complemento.Pagos.Pago[0].FormaDePagoP",
    ),
    (
        "pago_moneda_xxx",
        P,
        set_attr(pago, moneda="XXX"),
        "EINV-PAGO-MONEDA",
        "Complemento.Pagos.Pago[0].MonedaP",
    ),
    (
        "pago_tc_mxn",
        P,
        set_attr(pago, tipo_cambio=D("2")),
        "EINV-PAGO-TC",
        "Complemento.Pagos.Pago[0].TipoCambioP",
    ),
    (
        "pago_tc_missing",
        P_USD,
        set_attr(pago, tipo_cambio=None),
        "EINV-PAGO-TC",
        "Complemento.Pagos.Pago[0].TipoCambioP",
    ),
    (
        "pago_monto_short",
        P,
        set_attr(pago, monto=D("13000.00")),
        "EINV-PAGO-MONTO",
        "Complemento.Pagos.Pago[0].Monto",
    ),
    (
        "pago_monto_decimals",
        P,
        set_attr(pago, monto=D("13920.001")),
        "EINV-PAGO-MONTO",
        "Complemento.Pagos.Pago[0].Monto",
    ),
    (
        "pago_no_doctos",
        P,
        set_attr(pago, doctos=[]),
        "EINV-PAGO-DOCTO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado",
    ),
    (
        "docto_uuid",
        P,
        set_attr(docto, id_documento="F-1"),
        "EINV-UUID",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].IdDocumento",
    ),
    (
        "docto_equivalencia_missing",
        P_USD,
        set_attr(docto, equivalencia=None),
        "EINV-PAGO-EQUIV",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].EquivalenciaDR",
    ),
    (
        "docto_equivalencia_same_currency",
        P,
        set_attr(docto, equivalencia=D("2")),
        "EINV-PAGO-EQUIV",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].EquivalenciaDR",
    ),
    (
        "docto_saldo",
        P,
        set_attr(docto, imp_saldo_insoluto=D("1.00")),
        "EINV-PAGO-SALDO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpSaldoInsoluto",
    ),
    (
        "docto_overpaid",
        P,
        set_attr(docto, imp_saldo_ant=D("100.00"), imp_saldo_insoluto=D("-13820.00")),
        "EINV-PAGO-SALDO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpPagado",
    ),
    (
        "docto_objeto_without_taxes",
        P,
        set_attr(docto, impuestos=None),
        "EINV-PAGO-OBJETO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpuestosDR",
    ),
    (
        "docto_objeto_catalog",
        P,
        set_attr(docto, objeto_imp="09"),
        "EINV-PAGO-OBJETO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ObjetoImpDR",
    ),
    (
        "docto_moneda",
        P,
        set_attr(docto, moneda="ZZZ"),
        "EINV-PAGO-MONEDA",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].MonedaDR",
    ),
    (
        "docto_pagado_zero",
        P,
        set_attr(docto, imp_pagado=D("0"), imp_saldo_insoluto=D("13920.00")),
        "EINV-PAGO-SALDO",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpPagado",
    ),
    (
        "docto_impuesto_dr",
        P,
        lambda c: setattr(docto(c).impuestos.traslados[0], "impuesto", "009"),
        "EINV-PAGO-IMPDR",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpuestosDR.TrasladosDR[0].ImpuestoDR",
    ),
    (
        "docto_importe_dr",
        P,
        lambda c: setattr(docto(c).impuestos.traslados[0], "importe", D("1921.00")),
        "EINV-PAGO-IMPDR",
        "Complemento.Pagos.Pago[0].DoctoRelacionado[0].ImpuestosDR.TrasladosDR[0].ImporteDR",
    ),
    (
        "impuestos_p_base",
        P,
        lambda c: setattr(pago(c).impuestos.traslados[0], "base", D("1.00")),
        "EINV-PAGO-IMPP",
        "Complemento.Pagos.Pago[0].ImpuestosP",
    ),
    (
        "impuestos_p_missing",
        P,
        set_attr(pago, impuestos=None),
        "EINV-PAGO-IMPP",
        "Complemento.Pagos.Pago[0].ImpuestosP",
    ),
    (
        "totales_monto",
        P,
        set_attr(lambda c: c.complemento.pagos.totales, monto_total_pagos=D("1.00")),
        "EINV-PAGO-TOTALES",
        "Complemento.Pagos.Totales.MontoTotalPagos",
    ),
    (
        "totales_iva16",
        P,
        set_attr(lambda c: c.complemento.pagos.totales, traslados_impuesto_iva16=None),
        "EINV-PAGO-TOTALES",
        "Complemento.Pagos.Totales.TotalTrasladosImpuestoIVA16",
    ),
    (
        "certificate_garbage",
        INV,
        set_attr(lambda c: c, certificado="bm90IGEgY2VydA==", no_certificado="1"),
        "CFDI40106",
        "Certificado",
    ),
    (
        "certificate_other_rfc",
        INV,
        lambda c: _certify(c, "csd/CACX7605101P8.cer"),
        "CFDI40106",
        "Certificado",
    ),
    (
        "certificate_number",
        INV,
        lambda c: (_certify(c), setattr(c, "no_certificado", "30001000000500003417")),
        "CFDI40106",
        "NoCertificado",
    ),
    (
        "certificate_expired",
        INV,
        lambda c: _certify(c, "csd_expired/EKU9003173C9_2019.cer"),
        "CFDI40106",
        "Certificado",
    ),
    (
        "certificate_fiel",
        INV,
        lambda c: _certify(c, "fiel/EKU9003173C9_FIEL.cer"),
        "CFDI40106",
        "Certificado",
    ),
    (
        "emisor_name_vs_certificate",
        INV,
        lambda c: (_certify(c), setattr(c.emisor, "nombre", "ESCUELA KEMPER")),
        "CFDI40138",
        "Emisor.Nombre",
    ),
]


@pytest.mark.parametrize("name, base, mutate, code, path", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_with_its_code(name, base, mutate, code, path):
    c = doc(base)
    assert rules.check(c) == []
    mutate(c)
    findings = rules.check(c)
    hits = [f for f in findings if f.code == code]
    assert hits, f"{code} not raised; got {[str(f) for f in findings]}"
    assert any(f.path.startswith(path) for f in hits), [f.path for f in hits]
    for f in hits:
        assert f.message_es and f.message_en and f.message_es != f.message_en


def test_every_code_in_rules_has_a_case():
    source = "".join(
        path.read_text(encoding="utf-8") for path in Path(rules.__file__).parent.glob("*.py")
    )
    import re

    used = set(re.findall(r'"((?:CFDI40\d{3})|(?:EINV-[A-Z0-9-]+))"', source))
    tested = {case[3] for case in CASES} | {"CFDI40102", "EINV-TFD", "EINV-FECHA", "EINV-XML"}
    assert used - tested == set()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_has_no_findings(name):
    assert rules.check(CORPUS[name]) == []


def test_fecha_window_only_with_now():
    c = doc(INV)
    assert rules.check(c) == []
    late = rules.check(c, now=c.fecha + timedelta(hours=73))
    assert [f.code for f in late] == ["EINV-FECHA"]
    early = rules.check(c, now=c.fecha - timedelta(hours=1))
    assert [f.code for f in early] == ["EINV-FECHA"]
    assert rules.check(c, now=c.fecha + timedelta(hours=2)) == []
    # An aware "now" is converted to the local time of LugarExpedicion (42501, central time).
    aware = datetime(2026, 11, 20, 17, 15, 30, tzinfo=timezone.utc)  # 11:15:30 in Mexico City
    assert rules.check(c, now=aware) == []


def test_credit_note_without_relation_is_only_a_warning():
    c = doc("E_credit_note_01")
    c.cfdi_relacionados = []
    findings = rules.check(c)
    assert [f.severity for f in findings] == ["warning"]
    assert rules.errors(findings) == []


def test_egreso_of_a_global_invoice_has_its_own_concept_key():
    """Guía de llenado del CFDI global, Apéndice 2: the egreso that takes a ticket out of a
    global invoice keeps InformacionGlobal; its concepts are 84111506 (unit ACT)."""
    c = doc(PG)
    c.tipo_de_comprobante = "E"
    assert "EINV-GLOBAL-CONCEPTO" in {f.code for f in rules.check(c)}  # still 01010101
    for concepto in c.conceptos:
        concepto.clave_prod_serv = "84111506"
    assert "EINV-GLOBAL-CONCEPTO" not in {f.code for f in rules.check(c)}


def test_finding_text_names_code_and_path():
    c = doc(INV)
    c.total = D("1.00")
    (f,) = rules.check(c)
    assert (
        str(f).startswith("[CFDI40119] Total:")
        and "1160.00" in f.message_es
        and "1160.00" in f.message_en
    )


# --- validate(): sealed XML -------------------------------------------------


@pytest.fixture(scope="module")
def sealed(credential) -> bytes:
    return seal.seal_bytes(CORPUS["I_ret_isr_iva_honorarios"], credential)


def codes_of(findings) -> set[str]:
    return {f.code for f in findings}


def test_validate_sealed_document_is_clean(sealed):
    assert rules.validate(sealed) == []


def test_validate_samples_from_other_software(sample_path):
    assert rules.validate(sample_path.read_bytes()) == []


def test_tampered_amount_breaks_seal_and_total(sealed):
    tampered = sealed.replace(b'Total="9533.33"', b'Total="9533.34"')
    assert tampered != sealed
    assert {"CFDI40102", "CFDI40119"} <= codes_of(rules.validate(tampered))


def test_tampered_description_breaks_seal(sealed):
    tampered = sealed.replace(b"Servicio profesional", b"Servicio profesionaL")
    assert tampered != sealed
    assert codes_of(rules.validate(tampered)) == {"CFDI40102"}


def test_swapped_certificate_is_caught(sealed):
    c = xml.from_bytes(sealed)
    other = Certificate.from_der((FIXTURES / "csd" / "CACX7605101P8.cer").read_bytes())
    swapped = xml.to_bytes(
        dataclasses.replace(c, certificado=other.base64, no_certificado=other.no_certificado)
    )
    findings = rules.validate(swapped)
    assert {"CFDI40102", "CFDI40106"} <= codes_of(findings)


def test_unsealed_document_is_reported():
    assert "CFDI40102" in codes_of(rules.validate(xml.to_bytes(CORPUS[INV])))


def test_stamp_of_another_document_is_caught(sealed):
    stamped = (FIXTURES / "samples" / "I_PUE_stamped_testpac.xml").read_bytes()
    c = xml.from_bytes(sealed)
    c.complemento.timbre = xml.from_bytes(stamped).complemento.timbre
    findings = rules.validate(xml.to_bytes(c))
    assert "EINV-TFD" in codes_of(findings)


def test_malformed_xml_is_a_finding_not_a_crash():
    findings = rules.validate(b"<cfdi:Comprobante")
    assert len(findings) == 1 and findings[0].code not in ("", "CFDI")
    assert findings[0].message_es and findings[0].message_en


def test_validate_fecha_window(sealed):
    c = xml.from_bytes(sealed)
    assert "EINV-FECHA" in codes_of(rules.validate(sealed, now=c.fecha + timedelta(days=5)))


def test_receivers_of_both_kinds_in_corpus():
    rfcs = {c.receptor.rfc for c in CORPUS.values()}
    assert {XIA[0], CACX[0], "XAXX010101000", "XEXX010101000"} <= rfcs


def test_related_cfdi_several_uuids_is_valid():
    c = doc("I_substitution_04")
    c.cfdi_relacionados.append(CfdiRelacionados("07", ["5FB2822E-396D-4725-8521-CDC4BDD20109"]))
    assert rules.check(c) == []


def test_findings_and_errors_give_their_message_in_one_language():
    from cfdi.errors import CfdiError
    from cfdi.pac.base import HINTS, Rejected

    [finding] = rules.validate(b"<cfdi:Comprobante")
    assert finding.code == "XML"
    assert finding.message("es_MX") == finding.message_es != finding.message_en
    assert finding.message("es_419") == finding.message_es
    assert finding.message("en_US") == finding.message_en
    assert finding.message(None) == finding.message_en
    error = CfdiError("Falta el RFC.", "The RFC is missing.", code="EINV-RFC")
    assert (error.code, error.message("es"), error.message("en")) == (
        "EINV-RFC",
        "Falta el RFC.",
        "The RFC is missing.",
    )
    rejected = Rejected("Sello inválido", "Invalid seal", code="302")
    assert rejected.hint("es_MX") == HINTS["302"][0]
    assert rejected.hint("en_US") == HINTS["302"][1]
