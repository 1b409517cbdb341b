"""Addenda: the template language, the buyer's XSD, and proof that appending one after
stamping leaves the Sello, the TFD, validation and reception untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree

from cfdi import reception, rules, seal, tfd
from cfdi import xml as cfdi_xml
from cfdi.complements import addenda
from cfdi.pac.sandbox import SandboxPac
from cfdi.testing.oracle import sat_cfd
from cfdi.testing.supplier_documents import Line, supplier_credential, supplier_invoice
from cfdi.testing.verify import verify_sello_sat

REPO = Path(__file__).resolve().parents[2]
NS_DETALLISTA = "http://www.sat.gob.mx/detallista"


# --- the template language --------------------------------------------------------------


def test_placeholders_loops_and_conditions():
    template = b"""<r xmlns="urn:x" n="{{ a.b }}" gone="{{ nothing }}" kept="x{{ nothing }}y">
        <t>{{ text }}</t>
        <i t-foreach="items" t-as="item" pos="{{ item_index }}" no="{{ item_number }}">{{ item.v }}</i>
        <maybe t-if="flag">yes</maybe><never t-if="off">no</never>
        <lit>{{ 1+1 }} stays</lit>
    </r>"""
    out = etree.fromstring(
        addenda.render(
            template,
            {
                "a": {"b": D("1.50")},
                "nothing": None,
                "text": 'A & B <c> "d"',
                "items": [{"v": "x"}, {"v": True}],
                "flag": [1],
                "off": "",
            },
        )
    )
    ns = "{urn:x}"
    assert out.get("n") == "1.50" and "gone" not in out.attrib and out.get("kept") == "xy"
    assert out.findtext(f"{ns}t") == 'A & B <c> "d"'  # escaped by lxml, read back whole
    items = out.findall(f"{ns}i")
    assert [(i.get("pos"), i.get("no"), i.text) for i in items] == [
        ("0", "1", "x"),
        ("1", "2", "true"),
    ]
    assert all("t-foreach" not in i.attrib and "t-as" not in i.attrib for i in items)
    assert out.findtext(f"{ns}maybe") == "yes" and out.find(f"{ns}never") is None
    assert out.findtext(f"{ns}lit") == "{{ 1+1 }} stays"  # not a placeholder: never evaluated


def test_values_are_formatted_like_the_cfdi():
    out = addenda.render(
        b"<r d='{{ d }}' n='{{ n }}' b='{{ b }}'/>",
        {"d": date(2026, 11, 3), "n": D("1E+2"), "b": False},
    )
    assert etree.fromstring(out).attrib == {"d": "2026-11-03", "n": "100", "b": "false"}
    with pytest.raises(addenda.AddendaError):
        addenda.render(b"<r v='{{ v }}'/>", {"v": 1.5})  # a float is never money


@pytest.mark.parametrize(
    "template, values, words",
    [
        (b"<r>{{ missing }}</r>", {}, "missing"),
        (b"<r>{{ a.b }}</r>", {"a": {}}, "a.b"),
        (b"<r>{{ __class__ }}</r>", {}, "__class__"),
        (b"<r><i t-foreach='x' t-as='i'/></r>", {"x": "abc"}, "x"),
        (b"<r><i t-foreach='x'/></r>", {"x": []}, "t-as"),
        (b"<r t-if='x'/>", {"x": 1}, "t-if"),
    ],
)
def test_bad_templates_or_values_say_what_to_fix(template, values, words):
    with pytest.raises(addenda.AddendaError) as excinfo:
        addenda.render(template, values)
    assert words in excinfo.value.message_es and words in excinfo.value.message_en


def test_hostile_template_is_refused():
    evil = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
    with pytest.raises(cfdi_xml.XmlError) as excinfo:
        addenda.render(evil, {})
    assert excinfo.value.code == "XML-HOSTILE"


# --- appended after stamping ------------------------------------------------------------------


@pytest.fixture(scope="module")
def stamped(tmp_path_factory) -> bytes:
    """A supplier invoice (two lines, IVA 16 %) stamped by the sandbox PAC."""
    c = supplier_invoice([Line(no_identificacion="7501031311309"), Line("Folder", "5", "12.40")])
    sandbox = SandboxPac(tmp_path_factory.mktemp("sandbox"))
    return sandbox.stamp(seal.seal_bytes(c, supplier_credential())).xml


LIVERPOOL = {
    "order": {"number": "4500123456", "date": date(2026, 11, 28)},
    "delivery_note": {"number": "RC-778812", "date": date(2026, 11, 30)},
    "buyer_gln": "7504000000017",
    "seller_gln": "7501031300007",
    "supplier_number": "102345",
    "amount_in_words": "UN MIL CIENTO SESENTA PESOS 00/100 M.N.",
    "lines": [
        {
            "gtin": "7501031311309",
            "buyer_sku": "1009876543",
            "description": "Papel bond carta",
            "quantity": D("2"),
            "uom": "H87",
            "price": D("500.00"),
            "net_price": D("500.00"),
            "vat_rate": D("16.00"),
            "vat_amount": D("160.00"),
            "gross_amount": D("1000.00"),
            "net_amount": D("1000.00"),
        },
        {
            "gtin": "7501031311316",
            "description": "Folder",
            "quantity": D("5"),
            "uom": "H87",
            "price": D("12.40"),
            "net_price": D("12.40"),
            "vat_rate": D("16.00"),
            "vat_amount": D("9.92"),
            "gross_amount": D("62.00"),
            "net_amount": D("62.00"),
        },
    ],
}

SORIANA = {
    "supplier_number": "25799",
    "remision": {"number": "A-30939", "date": date(2026, 11, 28)},
    "store": "5537",
    "currency_code": "1",
    "package_type": "1",
    "packages": D("7.00"),
    "subtotal": D("1062.00"),
    "discounts": D("0.00"),
    "ieps": D("0.00"),
    "vat": D("169.92"),
    "other_taxes": D("0.00"),
    "total": D("1231.92"),
    "orders_count": 1,
    "delivery_date": date(2026, 12, 1),
    "appointment": None,
    "orders": [{"number": "0134552638", "store": "5537", "items": 2}],
    "lines": [
        {
            "order": "0134552638",
            "store": "5537",
            "code": "7501031311309",
            "quantity": D("2.00"),
            "unit_cost": D("500.000000"),
            "ieps_rate": D("0.00"),
            "vat_rate": D("16.00"),
        },
        {
            "order": "0134552638",
            "store": "5537",
            "code": "7501031311316",
            "quantity": D("5.00"),
            "unit_cost": D("12.400000"),
            "ieps_rate": D("0.00"),
            "vat_rate": D("16.00"),
        },
    ],
}


def test_shipped_detallista_xsd_is_sats_own():
    shipped = addenda.BUILT_IN["liverpool"].xsd
    assert shipped.read_bytes() == (sat_cfd() / "detallista" / "detallista.xsd").read_bytes()


def test_liverpool_addenda_fits_sats_detallista_xsd(stamped):
    result = addenda.add_built_in(stamped, "liverpool", LIVERPOOL)
    (content,) = addenda.addenda_of(result)
    assert addenda.validate(content, sat_cfd() / "detallista" / "detallista.xsd") == []
    root = etree.fromstring(content)
    assert root.tag == f"{{{NS_DETALLISTA}}}detallista"
    ns = {"d": NS_DETALLISTA}
    assert root.xpath("d:totalAmount/d:Amount/text()", namespaces=ns) == ["1231.92"]
    assert root.xpath("d:lineItem/@number", namespaces=ns) == ["1", "2"]
    assert root.xpath("d:lineItem/d:alternateTradeItemIdentification/text()", namespaces=ns) == [
        "1009876543"
    ]  # the second line has no buyer SKU: t-if left the node out
    assert root.xpath("d:currency/@currencyISOCode", namespaces=ns) == ["MXN"]


def test_the_buyer_xsd_refuses_bad_data_and_nothing_is_appended(stamped):
    bad = {**LIVERPOOL, "buyer_gln": "750400000001"}  # a GLN has 13 digits
    with pytest.raises(addenda.AddendaError) as excinfo:
        addenda.add_built_in(stamped, "liverpool", bad)
    assert "gln" in excinfo.value.message_en


def test_soriana_addenda_follows_the_specification(stamped):
    result = addenda.add_built_in(stamped, "soriana", SORIANA)
    (content,) = addenda.addenda_of(result)
    root = etree.fromstring(content)
    assert root.tag == "DSCargaRemisionProv"
    assert [el.tag for el in root] == ["Remision", "Pedidos", "Articulos", "Articulos"]
    remision = root.find("Remision")
    assert [el.tag for el in remision] == [
        "Proveedor",
        "Remision",
        "Consecutivo",
        "FechaRemision",
        "Tienda",
        "TipoMoneda",
        "TipoBulto",
        "EntregaMercancia",
        "CumpleReqFiscales",
        "CantidadBultos",
        "Subtotal",
        "Descuentos",
        "IEPS",
        "IVA",
        "OtrosImpuestos",
        "Total",
        "CantidadPedidos",
        "FechaEntregaMercancia",
    ]  # no appointment: Cita left out
    assert (
        remision.findtext("Total") == "1231.92"
        and remision.findtext("FechaRemision") == "2026-11-28"
    )
    articulos = root.findall("Articulos")
    assert [(a.get("Id"), a.get("RowOrder"), a.findtext("Codigo")) for a in articulos] == [
        ("Articulos0", "0", "7501031311309"),
        ("Articulos1", "1", "7501031311316"),
    ]
    assert [el.tag for el in articulos[0]] == [
        "Proveedor",
        "Remision",
        "FolioPedido",
        "Tienda",
        "Codigo",
        "CantidadUnidadCompra",
        "CostoNetoUnidadCompra",
        "PorcentajeIEPS",
        "PorcentajeIVA",
    ]


@pytest.mark.parametrize("name, values", [("liverpool", LIVERPOOL), ("soriana", SORIANA)])
def test_seal_stamp_validation_and_reception_ignore_the_addenda(
    stamped, name, values, sat_cadena, sat_cadena_tfd
):
    result = addenda.add_built_in(stamped, name, values)
    # every byte of the stamped CFDI is kept; the addenda sits before the closing tag
    start, end = result.index(b"<cfdi:Addenda>"), result.index(b"</cfdi:Addenda>") + 15
    assert result[:start] + result[end:] == stamped
    assert result.rstrip().endswith(b"</cfdi:Addenda></cfdi:Comprobante>")
    # SAT's XSLT gives the same cadenas: the Addenda is outside the Sello and the TFD
    assert sat_cadena(result) == sat_cadena(stamped)
    assert sat_cadena_tfd(result) == sat_cadena_tfd(stamped)
    parsed = cfdi_xml.from_bytes(result)
    assert seal.verify_seal(parsed)
    assert parsed.complemento.timbre == tfd.read(stamped)
    assert rules.validate(result) == []
    received = reception.read_cfdi("with-addenda.xml", result)
    assert received.comprobante == cfdi_xml.from_bytes(stamped)


def test_the_tfd_still_verifies_with_the_pac_certificate(tmp_path):
    sandbox = SandboxPac(tmp_path)
    stamped = sandbox.stamp(seal.seal_bytes(supplier_invoice([Line()]), supplier_credential())).xml
    result = addenda.add_built_in(stamped, "soriana", SORIANA)
    timbre = cfdi_xml.from_bytes(result).complemento.timbre
    assert verify_sello_sat(timbre, sandbox.pac_credential.certificate)


def test_the_document_with_addenda_fits_sats_xsd(stamped, sat_schema):
    """cfdv40 validates the Addenda's content strictly against the schemas it knows."""
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="http://www.sat.gob.mx/cfd/4" schemaLocation="{(sat_cfd() / "4" / "cfdv40.xsd").as_uri()}"/>'
        f'<xs:import namespace="http://www.sat.gob.mx/TimbreFiscalDigital" schemaLocation="{(sat_cfd() / "TimbreFiscalDigital" / "TimbreFiscalDigitalv11.xsd").as_uri()}"/>'
        f'<xs:import namespace="{NS_DETALLISTA}" schemaLocation="{(sat_cfd() / "detallista" / "detallista.xsd").as_uri()}"/>'
        "</xs:schema>"
    )
    schema = etree.XMLSchema(etree.fromstring(wrapper.encode()))
    result = addenda.add_built_in(stamped, "liverpool", LIVERPOOL)
    assert schema.validate(etree.fromstring(result)), str(schema.error_log)


def test_append_refuses_what_it_must_not_touch(stamped, credential):
    content = addenda.render(b"<x:r xmlns:x='urn:x'/>", {})
    once = addenda.append(stamped, content)
    with pytest.raises(addenda.AddendaError):
        addenda.append(once, content)  # one addenda per document
    from cfdi.testing.complement_documents import national_transfer

    c = national_transfer()
    with pytest.raises(addenda.AddendaError):
        addenda.append(seal.seal_bytes(c, credential, c.fecha), content)  # not stamped yet
    with pytest.raises(addenda.AddendaError):
        addenda.append(b"<r/>", content)
    with pytest.raises(addenda.AddendaError):
        addenda.add_built_in(stamped, "walmart", {})


def test_any_xsd_given_as_bytes_checks_the_addenda():
    xsd = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:b"
        elementFormDefault="qualified"><xs:element name="r"><xs:complexType>
        <xs:attribute name="n" type="xs:int" use="required"/></xs:complexType></xs:element></xs:schema>"""
    assert addenda.validate(b"<r xmlns='urn:b' n='3'/>", xsd) == []
    assert addenda.validate(b"<r xmlns='urn:b' n='x'/>", xsd)
    with pytest.raises(addenda.AddendaError):
        addenda.validate(b"<r/>", b"<not-a-schema/>")


def test_cli_adds_an_addenda(tmp_path, stamped):
    (tmp_path / "in.xml").write_bytes(stamped)
    (tmp_path / "values.json").write_text(json.dumps(LIVERPOOL, default=str))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cfdi",
            "addenda",
            str(tmp_path / "in.xml"),
            "--name",
            "liverpool",
            "--values",
            str(tmp_path / "values.json"),
            "-o",
            str(tmp_path / "out.xml"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    out = (tmp_path / "out.xml").read_bytes()
    assert addenda.addenda_of(out) and seal.verify_seal(cfdi_xml.from_bytes(out))
