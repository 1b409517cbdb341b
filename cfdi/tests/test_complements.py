"""Comercio Exterior 2.0 and Carta Porte 3.1 end to end, against SAT's XSD and XSLT.

Each document of ``complement_documents`` (an export invoice, a national road
transfer, an international road freight) is computed, sealed with SAT's test CSD,
validated against SAT's XSD (cfdv40 + the complement's schema and catalogs, from
satcfdi), its cadena original compared byte for byte with SAT's XSLT, read back,
checked by the rules and stamped by the sandbox PAC.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from cfdi import build, cadena, rules, seal
from cfdi import xml as cfdi_xml
from cfdi.complements import carta_porte as cp
from cfdi.complements import comercio_exterior as cce
from cfdi.pac.sandbox import SandboxPac
from cfdi.testing.complement_documents import (
    BUILDERS,
    export_invoice,
    international_freight,
    national_transfer,
)
from cfdi.testing.verify import verify_sello_sat


@pytest.fixture(params=sorted(BUILDERS))
def sealed(request, credential) -> bytes:
    c = BUILDERS[request.param]()
    return seal.seal_bytes(c, credential, c.fecha)


def test_document_is_valid_against_sat_xsd(sealed, assert_sat_valid):
    assert_sat_valid(sealed)


def test_cadena_equals_sat_xslt(sealed, sat_cadena):
    parsed = cfdi_xml.from_bytes(sealed)
    assert cadena.cadena_original(parsed) == sat_cadena(sealed)
    assert seal.verify_seal(parsed)


def test_read_and_written_back_byte_for_byte(sealed):
    parsed = cfdi_xml.from_bytes(sealed)
    assert parsed.complemento.others == []  # read into the model, not kept as raw XML
    assert cfdi_xml.to_bytes(parsed) == sealed


def test_written_as_lxml_serializes_it(sealed):
    """The writer's text is lxml's own serialization of the same tree."""
    from lxml import etree

    root = etree.fromstring(sealed)
    assert (
        etree.tostring(root, xml_declaration=True, encoding="UTF-8").replace(
            b"<?xml version='1.0' encoding='UTF-8'?>", b'<?xml version="1.0" encoding="UTF-8"?>'
        )
        == sealed
    )


def test_rules_find_nothing(sealed):
    assert [f.one_line() for f in rules.validate(sealed)] == []


def test_schema_location_names_the_complement(sealed):
    text = sealed.decode()
    if "cce20:" in text:
        assert f"{cce.NAMESPACE} {cce.SCHEMA_LOCATION}" in text
    else:
        assert f"{cp.NAMESPACE} {cp.SCHEMA_LOCATION}" in text


def test_json_round_trip_with_anexo20_names(sealed):
    parsed = cfdi_xml.from_bytes(sealed)
    data = build.to_json(parsed)
    assert set(data["Complemento"]) <= {"ComercioExterior", "CartaPorte"}
    again = build.from_json(json.loads(json.dumps(data)))
    assert cfdi_xml.to_bytes(again) == sealed


def test_sandbox_stamps_it_and_the_stamp_verifies(tmp_path, credential, assert_sat_valid):
    sandbox = SandboxPac(tmp_path)
    for builder in BUILDERS.values():
        c = builder()
        c.fecha = None  # sealed now: the sandbox stamps within 72 hours of Fecha
        result = sandbox.stamp(seal.seal_bytes(c, credential))
        assert_sat_valid(result.xml)
        stamped = cfdi_xml.from_bytes(result.xml)
        assert seal.verify_seal(stamped)
        assert verify_sello_sat(stamped.complemento.timbre, sandbox.pac_credential.certificate)


# --- computed amounts ---------------------------------------------------------------


def test_comercio_exterior_amounts_are_computed():
    c = export_invoice()
    ce = c.complemento.comercio_exterior
    assert ce.tipo_cambio_usd == c.tipo_cambio  # a CFDI in USD
    laptops, desks = ce.mercancias
    # the value per customs unit is the concepts' Importe in dollars per unit
    assert laptops.valor_unitario_aduana == Decimal("512.350000")
    assert laptops.valor_dolares == Decimal("5123.50")
    assert desks.valor_dolares == Decimal("599.97")
    assert ce.total_usd == Decimal("5723.47") == laptops.valor_dolares + desks.valor_dolares


def test_comercio_exterior_from_pesos_converts_with_both_rates():
    c = export_invoice()
    c.moneda, c.tipo_cambio = "MXN", None
    c.total = c.subtotal = None
    ce = c.complemento.comercio_exterior
    ce.tipo_cambio_usd, ce.total_usd = Decimal("20.00"), None
    for m in ce.mercancias:
        m.valor_dolares = m.valor_unitario_aduana = None
    from cfdi import amounts

    c = amounts.compute(c)
    ce = c.complemento.comercio_exterior
    # 10 x 512.35 MXN = 5123.50 MXN = 256.175 USD -> 25.6175 per unit -> 256.18 USD
    assert ce.mercancias[0].valor_unitario_aduana == Decimal("25.617500")
    assert ce.mercancias[0].valor_dolares == Decimal("256.18")
    assert ce.total_usd == Decimal("256.18") + ce.mercancias[1].valor_dolares
    assert rules.check(c) == []


def test_symbolic_values_of_services_and_samples():
    m = cce.Mercancia(no_identificacion="S", unidad_aduana="99", cantidad_aduana=Decimal("1"))
    assert cce.expected_valor_dolares(m) == 0
    m = cce.Mercancia(no_identificacion="M", fraccion_arancelaria="98010001")
    assert cce.expected_valor_dolares(m) == 1


def test_carta_porte_amounts_are_computed():
    c = national_transfer()
    carta = c.complemento.carta_porte
    assert carta.total_dist_rec == Decimal("912.5")
    assert carta.mercancias.peso_bruto_total == Decimal("4820.250")
    assert carta.mercancias.num_total_mercancias == 2
    assert carta.mercancias.unidad_peso == "KGM"
    assert re.fullmatch(cp.ID_CCP, carta.id_ccp) and len(carta.id_ccp) == 36


def test_id_ccp_is_ccc_and_the_tail_of_a_uuid4():
    ids = {cp.new_id_ccp() for _ in range(50)}
    assert len(ids) == 50
    for value in ids:
        assert value.startswith("CCC") and value[14] == "4"  # the UUID's version digit


def test_peso_bruto_total_in_tonnes():
    m = cp.Mercancias(
        unidad_peso="Tu",
        mercancias=[
            cp.Mercancia(peso_en_kg=Decimal("1500")),
            cp.Mercancia(peso_en_kg=Decimal("750.5")),
        ],
    )
    assert cp.expected_peso_bruto_total(m) == Decimal("2.251")


def test_international_freight_is_an_income_cfdi_with_customs_documents():
    c = international_freight()
    carta = c.complemento.carta_porte
    assert c.tipo_de_comprobante == "I" and c.total == Decimal("21460.00")
    assert carta.transp_internac == "Sí" and carta.regimenes_aduaneros[0].regimen_aduanero == "IMD"
    assert carta.mercancias.mercancias[0].documentacion_aduanera[0].tipo_documento == "01"


def test_build_from_json_computes_what_is_left_out(credential, assert_sat_valid, sat_cadena):
    """``python -m cfdi build`` input: Anexo 20 names, computed attributes omitted."""
    data = build.to_json(national_transfer())
    carta = data["Complemento"]["CartaPorte"]
    for name in ("Version", "IdCCP", "TotalDistRec"):
        del carta[name]
    for name in ("PesoBrutoTotal", "UnidadPeso", "NumTotalMercancias"):
        del carta["Mercancias"][name]
    c = build.comprobante_from_json(json.dumps(data))
    sealed = build.build_document(c, credential)
    assert_sat_valid(sealed)
    parsed = cfdi_xml.from_bytes(sealed).complemento.carta_porte
    assert parsed.version == "3.1" and parsed.id_ccp.startswith("CCC")
    assert parsed.total_dist_rec == Decimal("912.5")
    assert parsed.mercancias.peso_bruto_total == Decimal("4820.250")
    assert cadena.cadena_original(cfdi_xml.from_bytes(sealed)) == sat_cadena(sealed)
    assert rules.validate(sealed) == []


@pytest.mark.parametrize(
    "module",
    ["cfdi.complements.nodes", "cfdi.complements.registry", "cfdi.complements.addenda", "cfdi.xml"],
)
def test_any_module_can_be_imported_first(module):
    """cfdi.document holds the complement dataclasses and cfdi.xml writes them: the import
    cycle between them must resolve whichever module a program imports first."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        f"import {module}\n"
        "from cfdi import xml\n"
        "from cfdi.testing.complement_documents import national_transfer\n"
        "assert b'cartaporte31:CartaPorte' in xml.to_bytes(national_transfer())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 0, run.stderr
