"""A CFDI carrying a complement the engine does not model (Leyendas Fiscales, INE,
Divisas): its cadena comes from SAT's XSLT tree shipped in ``cfdi/sat_xslt``, so its
seal is checked, a supplier's file reads as authentic and ``python -m cfdi validate``
passes it. Oracles: satcfdi's copy of SAT's XSD (the complement's own schema too) and
XSLT."""

from __future__ import annotations

import hashlib

import pytest
from lxml import etree

from cfdi import cadena, reception, rules, seal, xml
from cfdi.__main__ import main
from cfdi.pac.sandbox import SandboxPac
from cfdi.testing import oracle
from cfdi.testing.supplier_documents import (
    OTHER_COMPLEMENTS,
    stamped,
    supplier_invoice,
    with_complement,
)

SHIPPED = cadena.SAT_XSLT.parents[2]


@pytest.fixture(scope="module")
def pac(tmp_path_factory):
    return SandboxPac(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture(scope="module", params=sorted(OTHER_COMPLEMENTS))
def supplier_file(request, pac) -> tuple[str, bytes]:
    return request.param, stamped(pac, with_complement(supplier_invoice(), request.param))


def _schema_with(name: str) -> etree.XMLSchema:
    """SAT's CFDI 4.0 + TFD schemas and the complement's own XSD (satcfdi's copies)."""
    namespace, location, _ = OTHER_COMPLEMENTS[name]
    local = oracle.sat_cfd() / location.split("/sitio_internet/cfd/")[1]
    paths = oracle.xsd_by_namespace() | {namespace: local}
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in paths.items()
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), oracle.PARSER))


def test_shipped_xslt_tree_is_sats():
    """Every sheet shipped is byte-identical to satcfdi's copy of SAT's file."""
    shipped = sorted(SHIPPED.rglob("*.xslt"))
    assert len(shipped) == 34
    for path in shipped:
        original = oracle.sat_cfd() / path.relative_to(SHIPPED)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == hashlib.sha256(original.read_bytes()).hexdigest(), path


def test_supplier_file_is_valid_for_sat(supplier_file):
    name, data = supplier_file
    schema = _schema_with(name)
    assert schema.validate(etree.fromstring(data, oracle.PARSER)), schema.error_log


def test_cadena_covers_the_complement(supplier_file):
    name, data = supplier_file
    c = xml.from_bytes(data)
    assert len(c.complemento.others) == 1
    text = cadena.cadena_original(c)
    assert text == oracle.cadena(data)
    # the complement's values are in it (the native cadena would have left them out)
    for value in etree.fromstring(OTHER_COMPLEMENTS[name][2]).attrib.values():
        assert f"|{value}|" in text or text.endswith(f"|{value}||")


def test_seal_verifies_and_a_change_in_the_complement_breaks_it(supplier_file):
    name, data = supplier_file
    assert seal.verify_seal(xml.from_bytes(data))
    attribute, value = next(iter(etree.fromstring(OTHER_COMPLEMENTS[name][2]).attrib.items()))
    tampered = data.replace(f'{attribute}="{value}"'.encode(), f'{attribute}="X{value}"'.encode())
    assert tampered != data
    assert not seal.verify_seal(xml.from_bytes(tampered))


def test_reception_reads_it_as_authentic(supplier_file):
    _, data = supplier_file
    received = reception.read_cfdi("supplier.xml", data)
    assert received.seal_ok is True


def test_validate_command_passes_it(supplier_file, tmp_path, capsys):
    _, data = supplier_file
    path = tmp_path / "supplier.xml"
    path.write_bytes(data)
    assert main(["validate", str(path)]) == 0
    assert [f for f in rules.validate(data) if f.blocking] == []
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(
        data.replace(b'version="1.0"', b'version="1.1"').replace(
            b'Version="1.1" TipoProceso', b'Version="1.0" TipoProceso'
        )
    )
    assert main(["validate", str(tampered)]) == 1
    assert "CFDI40102" in capsys.readouterr().out
