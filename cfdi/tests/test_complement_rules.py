"""The rules of Comercio Exterior 2.0 and Carta Porte 3.1: each case breaks one rule of a
valid document and expects its code at its path (and no other blocking finding), so a
user is told exactly what to fix; ``python -m cfdi validate`` and the sandbox report them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from cfdi import rules, seal
from cfdi.complements import carta_porte as cp
from cfdi.complements import comercio_exterior as cce
from cfdi.document import CfdiRelacionados
from cfdi.pac.base import Rejected
from cfdi.pac.sandbox import SandboxPac
from cfdi.testing.complement_documents import (
    export_invoice,
    export_transfer,
    international_freight,
    national_transfer,
)

REPO = Path(__file__).resolve().parents[2]
CE = "Complemento.ComercioExterior"
CP = "Complemento.CartaPorte"
UB = f"{CP}.Ubicaciones.Ubicacion"
MERC = f"{CP}.Mercancias.Mercancia"


def _ce(c):
    return c.complemento.comercio_exterior


def _cp(c):
    return c.complemento.carta_porte


def _set(getter: Callable[[Any], Any], **values: Any) -> Callable[[Any], None]:
    def mutate(c: Any) -> None:
        target = getter(c)
        for name, value in values.items():
            setattr(target, name, value)

    return mutate


def _both(*mutations: Callable[[Any], None]) -> Callable[[Any], None]:
    def mutate(c: Any) -> None:
        for m in mutations:
            m(c)

    return mutate


CASES = {
    # --- Comercio Exterior 2.0: the CFDI around it
    "CCE with Exportacion 01": (
        export_invoice,
        _set(lambda c: c, exportacion="01"),
        "EINV-CCE-EXPORTACION",
        "Exportacion",
    ),
    "Exportacion 02 without CCE": (
        export_invoice,
        _set(lambda c: c.complemento, comercio_exterior=None),
        "CFDI40122",
        "Exportacion",
    ),
    "foreign receiver without NumRegIdTrib": (
        export_invoice,
        _set(lambda c: c.receptor, num_reg_id_trib=None, residencia_fiscal=None),
        "CFDI40155",
        "Receptor.NumRegIdTrib",
    ),
    "CCE in a payment": (
        export_invoice,
        _set(lambda c: c, tipo_de_comprobante="P"),
        "EINV-CCE-TIPO",
        "TipoDeComprobante",
    ),
    "MotivoTraslado in an invoice": (
        export_invoice,
        _set(_ce, motivo_traslado="01"),
        "EINV-CCE-MOTIVO",
        f"{CE}.MotivoTraslado",
    ),
    "Propietario without MotivoTraslado 05": (
        export_transfer,
        _set(_ce, propietarios=[cce.Propietario("123456789", "USA")]),
        "EINV-CCE-PROPIETARIO",
        f"{CE}.Propietario",
    ),
    "goods of third parties without their Propietario": (
        export_transfer,
        _set(_ce, motivo_traslado="05"),
        "EINV-CCE-PROPIETARIO",
        f"{CE}.Propietario",
    ),
    "goods invoiced before without the related invoice": (
        export_transfer,
        _set(_ce, motivo_traslado="01"),
        "EINV-CCE-MOTIVO",
        "CfdiRelacionados",
    ),
    "transfer without MotivoTraslado": (
        export_transfer,
        _set(_ce, motivo_traslado=None),
        "EINV-CCE-MOTIVO",
        f"{CE}.MotivoTraslado",
    ),
    "transfer with the goods' value in SubTotal": (
        export_transfer,
        _set(lambda c: c, subtotal=D("5723.47")),
        "CFDI40109",
        "SubTotal",
    ),
    "invoice without Incoterm": (
        export_invoice,
        _set(_ce, incoterm=None),
        "EINV-CCE-INCOTERM",
        f"{CE}.Incoterm",
    ),
    "NumCertificadoOrigen with CertificadoOrigen 0": (
        export_invoice,
        _set(_ce, num_certificado_origen="CO-123456"),
        "EINV-CCE-CERTIFICADO",
        f"{CE}.NumCertificadoOrigen",
    ),
    "CertificadoOrigen 1 without its number": (
        export_invoice,
        _set(_ce, certificado_origen=1),
        "EINV-CCE-CERTIFICADO",
        f"{CE}.NumCertificadoOrigen",
    ),
    "Curp of a company": (
        export_invoice,
        _set(lambda c: _ce(c).emisor, curp="CACX760510MGTSHC04"),
        "EINV-CCE-CURP",
        f"{CE}.Emisor.Curp",
    ),
    "issuer address in Texas": (
        export_invoice,
        _set(lambda c: _ce(c).emisor.domicilio, estado="TX", pais="USA"),
        "EINV-CCE-DOMICILIO",
        f"{CE}.Emisor.Domicilio.Pais",
    ),
    "postal code of another state": (
        export_invoice,
        _set(lambda c: _ce(c).emisor.domicilio, codigo_postal="64000"),
        "EINV-CCE-DOMICILIO",
        f"{CE}.Emisor.Domicilio.CodigoPostal",
    ),
    "municipio of another state": (
        export_invoice,
        _set(lambda c: _ce(c).emisor.domicilio, municipio="039"),
        "EINV-CCE-DOMICILIO",
        f"{CE}.Emisor.Domicilio.Municipio",
    ),
    "US receiver in a Canadian province": (
        export_invoice,
        _set(lambda c: _ce(c).receptor.domicilio, estado="ON"),
        "EINV-CCE-DOMICILIO",
        f"{CE}.Receptor.Domicilio.Estado",
    ),
    "concept without NoIdentificacion": (
        export_invoice,
        _set(lambda c: c.conceptos[1], no_identificacion=None),
        "EINV-CCE-NOIDENTIFICACION",
        "Conceptos[1].NoIdentificacion",
    ),
    "Mercancia of no concept": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[1], no_identificacion="OTRO"),
        "EINV-CCE-NOIDENTIFICACION",
        f"{CE}.Mercancias.Mercancia[1].NoIdentificacion",
    ),
    "customs quantity without its unit": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], unidad_aduana=None),
        "EINV-CCE-ADUANA",
        f"{CE}.Mercancias.Mercancia[0]",
    ),
    "repealed tariff item": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], fraccion_arancelaria="01011001"),
        "EINV-CCE-FRACCION",
        f"{CE}.Mercancias.Mercancia[0].FraccionArancelaria",
    ),
    "ValorDolares not quantity x unit value": (
        export_invoice,
        _set(lambda c: _ce(c).mercancias[0], valor_dolares=D("5123.49")),
        "EINV-CCE-VALORDOLARES",
        f"{CE}.Mercancias.Mercancia[0].ValorDolares",
    ),
    "goods worth more than their concepts": (
        export_invoice,
        _both(
            _set(lambda c: _ce(c).mercancias[0], valor_unitario_aduana=D("600")),
            _set(lambda c: _ce(c).mercancias[0], valor_dolares=D("6000.00")),
            _set(_ce, total_usd=D("6599.97")),
        ),
        "EINV-CCE-VALORDOLARES",
        f"{CE}.Mercancias",
    ),
    "TotalUSD not the sum": (
        export_invoice,
        _set(_ce, total_usd=D("5723.48")),
        "EINV-CCE-TOTALUSD",
        f"{CE}.TotalUSD",
    ),
    "TipoCambioUSD of a USD invoice differs": (
        export_invoice,
        _set(_ce, tipo_cambio_usd=D("17.5000")),
        "EINV-CCE-TIPOCAMBIOUSD",
        f"{CE}.TipoCambioUSD",
    ),
    # --- Carta Porte 3.1
    "Carta Porte in a credit note": (
        national_transfer,
        _set(lambda c: c, tipo_de_comprobante="E"),
        "EINV-CP-TIPO",
        "TipoDeComprobante",
    ),
    "transfer in pesos": (
        national_transfer,
        _set(lambda c: c, moneda="MXN"),
        "EINV-CP-MONEDA",
        "Moneda",
    ),
    "transfer concept subject to tax": (
        national_transfer,
        _set(lambda c: c.conceptos[0], objeto_imp="02"),
        "EINV-CP-OBJETOIMP",
        "Conceptos[0].ObjetoImp",
    ),
    "transfer to someone else": (
        national_transfer,
        _set(
            lambda c: c.receptor,
            rfc="CACX7605101P8",
            regimen_fiscal="612",
            domicilio_fiscal="36257",
        ),
        "EINV-CP-RECEPTOR",
        "Receptor.Rfc",
    ),
    "transfer with UsoCFDI G03": (
        national_transfer,
        _set(lambda c: c.receptor, uso_cfdi="G03"),
        "EINV-CP-USOCFDI",
        "Receptor.UsoCFDI",
    ),
    "international without PaisOrigenDestino": (
        international_freight,
        _set(_cp, pais_origen_destino=None),
        "EINV-CP-INTERNACIONAL",
        f"{CP}.PaisOrigenDestino",
    ),
    "international without customs regime": (
        international_freight,
        _set(_cp, regimenes_aduaneros=[]),
        "EINV-CP-INTERNACIONAL",
        f"{CP}.RegimenesAduaneros",
    ),
    "national with ViaEntradaSalida": (
        national_transfer,
        _set(_cp, via_entrada_salida="01"),
        "EINV-CP-INTERNACIONAL",
        f"{CP}.ViaEntradaSalida",
    ),
    "two origins": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1], tipo_ubicacion="Origen", distancia_recorrida=None),
        "EINV-CP-UBICACIONES",
        f"{CP}.Ubicaciones",
    ),
    "destination with an origin's ID": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1], id_ubicacion="OR000002"),
        "EINV-CP-IDUBICACION",
        f"{UB}[1].IDUbicacion",
    ),
    "foreign sender without tax id": (
        international_freight,
        _set(lambda c: _cp(c).ubicaciones[0], num_reg_id_trib=None),
        "EINV-CP-REMITENTE",
        f"{UB}[0].NumRegIdTrib",
    ),
    "distance on the origin": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[0], distancia_recorrida=D("5")),
        "EINV-CP-DISTANCIA",
        f"{UB}[0].DistanciaRecorrida",
    ),
    "road destination without distance": (
        national_transfer,
        _both(
            _set(lambda c: _cp(c).ubicaciones[1], distancia_recorrida=None),
            _set(_cp, total_dist_rec=D("912.5")),
        ),
        "EINV-CP-DISTANCIA",
        f"{UB}[1].DistanciaRecorrida",
    ),
    "arrival before departure": (
        national_transfer,
        _set(
            lambda c: _cp(c).ubicaciones[1], fecha_hora_salida_llegada=datetime(2026, 11, 20, 11, 0)
        ),
        "EINV-CP-FECHA",
        f"{UB}[1].FechaHoraSalidaLlegada",
    ),
    "TotalDistRec not the sum": (
        national_transfer,
        _set(_cp, total_dist_rec=D("900")),
        "EINV-CP-TOTALDISTREC",
        f"{CP}.TotalDistRec",
    ),
    "road location without address": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[0], domicilio=None),
        "EINV-CP-DOMICILIO",
        f"{UB}[0].Domicilio",
    ),
    "postal code of another state in Carta Porte": (
        national_transfer,
        _set(lambda c: _cp(c).ubicaciones[1].domicilio, codigo_postal="06000"),
        "EINV-CP-DOMICILIO",
        f"{UB}[1].Domicilio.CodigoPostal",
    ),
    "NumTotalMercancias not the count": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias, num_total_mercancias=3),
        "EINV-CP-NUMTOTAL",
        f"{CP}.Mercancias.NumTotalMercancias",
    ),
    "PesoBrutoTotal not the sum": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias, peso_bruto_total=D("4820.000")),
        "EINV-CP-PESOBRUTO",
        f"{CP}.Mercancias.PesoBrutoTotal",
    ),
    "hazardous without its key": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[1], cve_material_peligroso=None),
        "EINV-CP-PELIGROSO",
        f"{MERC}[1].CveMaterialPeligroso",
    ),
    "hazardous key on a safe good": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.mercancias[0], cve_material_peligroso="1203"),
        "EINV-CP-PELIGROSO",
        f"{MERC}[0].CveMaterialPeligroso",
    ),
    "hazardous without environmental insurance": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.autotransporte.seguros, poliza_med_ambiente=None),
        "EINV-CP-SEGUROS",
        f"{CP}.Mercancias.Autotransporte.Seguros.AseguraMedAmbiente",
    ),
    "import without customs documents": (
        international_freight,
        _set(lambda c: _cp(c).mercancias.mercancias[0], documentacion_aduanera=[]),
        "EINV-CP-DOCADUANERA",
        f"{MERC}[0].DocumentacionAduanera",
    ),
    "import pedimento without the importer": (
        international_freight,
        _set(lambda c: _cp(c).mercancias.mercancias[0].documentacion_aduanera[0], rfc_impo=None),
        "EINV-CP-DOCADUANERA",
        f"{MERC}[0].DocumentacionAduanera[0].RFCImpo",
    ),
    "CantidadTransporta to an unknown place": (
        national_transfer,
        _set(
            lambda c: _cp(c).mercancias.mercancias[0].cantidad_transporta[0], id_destino="DE999999"
        ),
        "EINV-CP-CANTIDADTRANSPORTA",
        f"{MERC}[0].CantidadTransporta[0].IDDestino",
    ),
    "no means of transport": (
        national_transfer,
        _both(
            _set(lambda c: _cp(c).mercancias, autotransporte=None),
            _set(_cp, figura_transporte=[]),
        ),
        "EINV-CP-TRANSPORTE",
        f"{CP}.Mercancias",
    ),
    "tractor without its semi-trailer": (
        national_transfer,
        _set(lambda c: _cp(c).mercancias.autotransporte, remolques=[]),
        "EINV-CP-REMOLQUE",
        f"{CP}.Mercancias.Autotransporte.Remolques",
    ),
    "rigid truck with a trailer": (
        international_freight,
        _set(
            lambda c: _cp(c).mercancias.autotransporte, remolques=[cp.Remolque("CTR002", "11AA22")]
        ),
        "EINV-CP-REMOLQUE",
        f"{CP}.Mercancias.Autotransporte.Remolques",
    ),
    "road without driver": (
        national_transfer,
        _set(
            lambda c: _cp(c).figura_transporte[0],
            tipo_figura="02",
            partes_transporte=[cp.PartesTransporte("PT01")],
        ),
        "EINV-CP-FIGURA",
        f"{CP}.FiguraTransporte",
    ),
    "driver without licence": (
        national_transfer,
        _set(lambda c: _cp(c).figura_transporte[0], num_licencia=None),
        "EINV-CP-OPERADOR",
        f"{CP}.FiguraTransporte.TiposFigura[0].NumLicencia",
    ),
    "driver without RFC": (
        national_transfer,
        _set(lambda c: _cp(c).figura_transporte[0], rfc_figura=None),
        "EINV-CP-FIGURA",
        f"{CP}.FiguraTransporte.TiposFigura[0].RFCFigura",
    ),
    "owner without transport parts": (
        national_transfer,
        lambda c: _cp(c).figura_transporte.append(
            cp.TiposFigura(tipo_figura="02", rfc_figura="CACX7605101P8", nombre_figura="XOCHILT")
        ),
        "EINV-CP-PARTES",
        f"{CP}.FiguraTransporte.TiposFigura[1].PartesTransporte",
    ),
}


# Findings a case sets off by its nature (a payment breaks CFDI rules, a wrong value breaks
# its total), by code prefix; any other blocking finding fails the case.
ALSO = {
    "CCE in a payment": ("CFDI40", "EINV-PAGO"),
    "Carta Porte in a credit note": ("CFDI40",),
    "transfer concept subject to tax": ("CFDI40171",),
    "TipoCambioUSD of a USD invoice differs": ("EINV-CCE-VALORDOLARES",),
    "ValorDolares not quantity x unit value": ("EINV-CCE-TOTALUSD",),
    "destination with an origin's ID": ("EINV-CP-CANTIDADTRANSPORTA",),
    "two origins": ("EINV-CP-IDUBICACION",),
    "transfer with the goods' value in SubTotal": ("CFDI40",),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_reports_its_code_at_its_path(case):
    builder, mutate, code, path = CASES[case]
    c = builder()
    mutate(c)
    findings = rules.check(c)
    hits = [f for f in findings if f.code == code and f.path == path]
    assert hits, [f.one_line() for f in findings]
    assert hits[0].message_es and hits[0].message_en and hits[0].message_es != hits[0].message_en
    also = (code, *ALSO.get(case, ()))
    others = [f.one_line() for f in findings if f.blocking and not f.code.startswith(also)]
    assert others == [], "a broken rule must not set off unrelated ones"


def test_advice_is_a_warning_not_an_error():
    c = export_invoice()
    c.conceptos[0].impuestos.traslados[0].tasa_o_cuota = D("0.160000")
    c.conceptos[0].impuestos.traslados[0].importe = None
    c.impuestos = None
    c.total = None
    from cfdi import amounts

    findings = rules.check(amounts.compute(c))
    assert [(f.code, f.severity) for f in findings if f.code == "EINV-CCE-IVA"] == [
        ("EINV-CCE-IVA", "warning")
    ]


def test_export_transfer_of_goods_invoiced_before_or_of_third_parties():
    """MotivoTraslado 01 with the invoice related by TipoRelacion 05, and 05 with the
    Propietario: the transfer is valid (CCE 2.0 guide)."""
    invoiced = export_transfer()
    _ce(invoiced).motivo_traslado = "01"
    invoiced.cfdi_relacionados = [
        CfdiRelacionados(tipo_relacion="05", uuids=["5FB2822E-396D-4725-8521-CDC4BDD20CCF"])
    ]
    owned = export_transfer()
    _ce(owned).motivo_traslado = "05"
    _ce(owned).propietarios = [cce.Propietario("123456789", "USA")]
    assert [f.one_line() for c in (invoiced, owned) for f in rules.check(c)] == []


def test_freight_with_a_goods_key_is_advised():
    c = international_freight()
    c.conceptos[0].clave_prod_serv = "43211503"
    assert [(f.code, f.severity) for f in rules.check(c)] == [("EINV-CP-FLETE", "warning")]


def test_cli_validate_prints_the_complement_codes(tmp_path, credential):
    c = national_transfer()
    c.complemento.carta_porte.total_dist_rec = D("900")
    c.complemento.carta_porte.mercancias.mercancias[0].bienes_transp = "99999999"
    path = tmp_path / "cp.xml"
    path.write_bytes(seal.seal_bytes(c, credential, c.fecha))
    run = subprocess.run(
        [sys.executable, "-m", "cfdi", "validate", str(path), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["valid"] is False
    assert {(f["code"], f["path"]) for f in report["findings"]} == {
        ("EINV-CP-TOTALDISTREC", f"{CP}.TotalDistRec"),
        ("EINV-XSD", f"{MERC}[0].BienesTransp"),
    }


@pytest.mark.parametrize(
    "builder, mutate, code",
    [
        (national_transfer, _set(_cp, total_dist_rec=D("900")), "EINV-CP-TOTALDISTREC"),
        (
            national_transfer,
            _set(lambda c: _cp(c).mercancias.mercancias[0], bienes_transp="99999999"),
            "301",
        ),
        (international_freight, _set(_cp, transp_internac="No"), "EINV-CP-INTERNACIONAL"),
        (export_transfer, _set(_ce, motivo_traslado="05"), "EINV-CCE-PROPIETARIO"),
        (export_transfer, _set(_ce, motivo_traslado="01"), "EINV-CCE-MOTIVO"),
    ],
)
def test_sandbox_refuses_a_bad_complement_with_its_code(
    tmp_path, credential, builder, mutate, code
):
    sandbox = SandboxPac(tmp_path)
    c = builder()
    c.fecha = None
    mutate(c)
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(seal.seal_bytes(c, credential))
    assert excinfo.value.code == code
    assert sandbox.balance().unlimited  # nothing stamped, nothing consumed
    assert sandbox.find_stamped(seal.seal_bytes(c, credential)) is None
