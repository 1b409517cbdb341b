"""Reception of supplier CFDI: safe unpacking of uploads and ZIP archives, what each
file is, and the reading of stamped CFDI 4.0 (seal checked)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from cfdi import reception
from cfdi.pac.sandbox import SandboxPac
from cfdi.reception import FileProblem, Limits, ReceivedCfdi, ReceptionError
from cfdi.testing.supplier_documents import (
    RECEIVER_RFC,
    SUPPLIER_RFC,
    Line,
    sealed,
    stamped,
    supplier_invoice,
    supplier_payment,
)
from cfdi.testing.zips import overlapping_zip
from cfdi.xml import XmlError

NS33 = "http://www.sat.gob.mx/cfd/3"
TFD = (
    '<cfdi:Complemento><tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/'
    'TimbreFiscalDigital" Version="1.1" UUID="11111111-2222-3333-4444-555555555555"/>'
    "</cfdi:Complemento>"
)


@pytest.fixture(scope="module")
def pac(tmp_path_factory):
    return SandboxPac(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture(scope="module")
def good(pac) -> bytes:
    return stamped(
        pac,
        supplier_invoice(
            [
                Line(),
                Line(
                    descripcion="Honorarios",
                    cantidad="1",
                    valor_unitario="1000.00",
                    clave_prod_serv="80111600",
                    clave_unidad="E48",
                    retenciones=[("001", Decimal("0.100000")), ("002", Decimal("0.106667"))],
                ),
            ]
        ),
    )


def zip_of(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def codes(results) -> list[str]:
    return [r.code if isinstance(r, FileProblem) else "OK" for r in results]


def test_reads_a_stamped_supplier_cfdi(good):
    received = reception.read_cfdi("f.xml", good)
    c = received.comprobante
    assert received.seal_ok is True
    assert len(received.uuid) == 36 and received.uuid == received.uuid.upper()
    assert (c.emisor.rfc, c.receptor.rfc, c.tipo_de_comprobante) == (
        SUPPLIER_RFC,
        RECEIVER_RFC,
        "I",
    )
    assert c.total == Decimal("2113.33")
    assert len(received.sha256) == 64


def test_tampered_total_fails_the_seal(good):
    tampered = good.replace(b'Total="2113.33"', b'Total="2013.33"', 1)
    assert tampered != good
    assert reception.read_cfdi("f.xml", tampered).seal_ok is False


@pytest.mark.parametrize(
    "data, code",
    [
        (b"<cfdi:Comprobante", "XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<r>&b;</r>",
            "XML-HOSTILE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            "XML-HOSTILE",
        ),
        (b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>', "XML-HOSTILE"),
        (b"%PDF-1.4 not xml", "RECEPTION-NOT-XML"),
        (
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            "RECEPTION-NOT-CFDI",
        ),
        (
            b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/5" Version="4.0"/>',
            "RECEPTION-NAMESPACE",
        ),
        (b'<Comprobante Version="4.0"/>', "RECEPTION-NAMESPACE"),
        (
            f'<cfdi:Comprobante xmlns:cfdi="{NS33}" Version="3.3">{TFD}</cfdi:Comprobante>'.encode(),
            "RECEPTION-CFDI33",
        ),
    ],
)
def test_refuses_broken_hostile_and_foreign_files(data, code):
    with pytest.raises((ReceptionError, XmlError)) as caught:
        reception.read_cfdi("f.xml", data)
    assert caught.value.code == code
    assert caught.value.message_es and caught.value.message_en


def test_cfdi33_message_says_what_to_do():
    data = f'<cfdi:Comprobante xmlns:cfdi="{NS33}" Version="3.3">{TFD}</cfdi:Comprobante>'
    with pytest.raises(ReceptionError) as caught:
        reception.read_cfdi("f.xml", data.encode())
    assert "3.3" in caught.value.message_es and "manualmente" in caught.value.message_es


def test_refuses_unstamped_and_non_bill_types(pac, good):
    with pytest.raises(ReceptionError) as caught:
        reception.read_cfdi("f.xml", sealed(supplier_invoice()))
    assert caught.value.code == "RECEPTION-NOT-STAMPED"
    traslado = good.replace(b'TipoDeComprobante="I"', b'TipoDeComprobante="T"', 1)
    with pytest.raises(ReceptionError) as caught:
        reception.read_cfdi("f.xml", traslado)
    assert caught.value.code == "RECEPTION-TYPE"


def test_refuses_a_file_over_the_size_limit(good):
    with pytest.raises(ReceptionError) as caught:
        reception.read_cfdi("f.xml", good, Limits(max_file_bytes=len(good) - 1))
    assert caught.value.code == "RECEPTION-TOO-LARGE"
    assert reception.read_cfdi("f.xml", good, Limits(max_file_bytes=len(good))).seal_ok


def test_mixed_zip_imports_the_good_and_reports_the_others(good):
    bomb = b"<a>" + b" " * (8 * 1024 * 1024) + b"</a>"
    data = zip_of(
        {
            "good.xml": good,
            "bad.xml": b"<broken",
            "xxe.xml": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            "factura.pdf": b"%PDF-1.4",
            "inner.zip": zip_of({"x.xml": good}),
            "big.xml": bomb,
            "folder/": b"",
        }
    )
    results = reception.read_upload("upload.zip", data)
    by_name = {r.name: r for r in results}
    assert isinstance(by_name["upload.zip/good.xml"], ReceivedCfdi)
    assert by_name["upload.zip/bad.xml"].code == "XML"
    assert by_name["upload.zip/xxe.xml"].code == "XML-HOSTILE"
    assert by_name["upload.zip/factura.pdf"].code == "RECEPTION-SKIPPED"
    assert by_name["upload.zip/factura.pdf"].skipped is True
    assert by_name["upload.zip/inner.zip"].code == "RECEPTION-ZIP-NESTED"
    assert by_name["upload.zip/big.xml"].code == "RECEPTION-TOO-LARGE"
    assert len(results) == 6  # the folder entry is not a file


@pytest.fixture
def inflated(monkeypatch) -> list[str]:
    """The names of the members opened (inflated) by the reception."""
    opened: list[str] = []
    open_member = zipfile.ZipFile.open

    def counting_open(archive, name, mode="r", *args, **kwargs):
        if mode == "r":
            opened.append(getattr(name, "filename", name))
        return open_member(archive, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    return opened


def test_zip_bomb_by_ratio_is_refused_before_inflating(inflated):
    data = zip_of({"bomb.xml": b"<a>" + b"0" * (3 * 1024 * 1024) + b"</a>"})
    assert len(data) < 50 * 1024
    [problem] = reception.expand("bomb.zip", data)
    assert problem.code == "RECEPTION-ZIP-RATIO"
    assert inflated == []


def test_overlapping_entries_are_refused_before_inflating(inflated):
    data = overlapping_zip()
    assert 250_000 < len(data) < 270_000  # 5000 entries, each "5 MiB", over one member
    [problem] = reception.expand("overlap.zip", data)
    assert problem.code == "RECEPTION-ZIP-OVERLAP"
    assert "overlap" in problem.message_en
    assert inflated == []
    # the same entries one at a time are an ordinary archive
    [problem] = reception.expand("one.zip", overlapping_zip(members=1))
    assert problem.code == "RECEPTION-ZIP-RATIO"


def test_refused_members_count_toward_the_total(good, inflated):
    bomb = b"<a>" + b"0" * (3 * 1024 * 1024) + b"</a>"
    data = zip_of({"bomb.xml": bomb, "good.xml": good})
    results = reception.expand("mixed.zip", data, Limits(max_total_bytes=len(bomb) + 10))
    assert codes(results) == ["RECEPTION-ZIP-RATIO", "RECEPTION-ZIP-TOTAL"]
    assert inflated == []
    results = reception.expand("mixed.zip", data, Limits(max_total_bytes=len(bomb) + len(good)))
    assert codes(results) == ["RECEPTION-ZIP-RATIO", "OK"]
    assert inflated == ["good.xml"]


def test_a_member_inflating_past_its_declared_size_is_damaged(good):
    data = bytearray(zip_of({"good.xml": good}))
    central = data.index(b"PK\x01\x02")
    declared = len(good) - 100  # both headers now declare less than the member holds
    data[22:26] = declared.to_bytes(4, "little")
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    [problem] = reception.expand("liar.zip", bytes(data))
    assert problem.code == "RECEPTION-ZIP-MEMBER"


def test_zip_limits_on_members_total_and_archive_size(good):
    many = zip_of({f"f{i}.xml": good for i in range(6)})
    [problem] = reception.expand("many.zip", many, Limits(max_members=5))
    assert problem.code == "RECEPTION-ZIP-MEMBERS"
    # the declared sizes are counted before inflating: the limit is never passed
    results = reception.expand("many.zip", many, Limits(max_total_bytes=2 * len(good)))
    assert codes(results) == ["OK", "OK"] + ["RECEPTION-ZIP-TOTAL"] * 4
    [problem] = reception.expand("many.zip", many, Limits(max_archive_bytes=len(many) - 1))
    assert problem.code == "RECEPTION-ZIP-TOO-LARGE"


def test_broken_and_encrypted_zip():
    [problem] = reception.expand("x.zip", b"PK\x03\x04 this is not a zip")
    assert problem.code == "RECEPTION-ZIP-BROKEN"
    data = bytearray(zip_of({"secret.xml": b"<a/>"}, zipfile.ZIP_STORED))
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1  # "encrypted" flag in the local header and the central directory
    data[central + 8] |= 0x1
    [problem] = reception.expand("enc.zip", bytes(data))
    assert problem.code == "RECEPTION-ZIP-ENCRYPTED"


def test_plain_file_is_one_item(good):
    assert reception.expand("a.xml", good) == [reception.IncomingFile("a.xml", good)]


def test_stamped_cfdi_detection_and_summary(good):
    assert reception.is_stamped_cfdi(good)
    assert not reception.is_stamped_cfdi(sealed(supplier_invoice()))
    s = reception.summary_of(good)
    assert (s.issuer_rfc, s.receiver_rfc, s.tipo, s.total, s.moneda, s.version) == (
        SUPPLIER_RFC,
        RECEIVER_RFC,
        "I",
        "2113.33",
        "MXN",
        "4.0",
    )
    old = reception.summary_of(
        f'<cfdi:Comprobante xmlns:cfdi="{NS33}" Version="3.3" Total="5">{TFD}'
        "</cfdi:Comprobante>".encode()
    )
    assert (old.version, old.uuid, old.total) == (
        "3.3",
        "11111111-2222-3333-4444-555555555555",
        "5",
    )


def test_reads_a_supplier_payment_complement(pac, good):
    """A payment complement (P) is read (to be matched to the bills it pays), seal checked."""
    data = stamped(pac, supplier_payment([(good, "1000.00")]))
    received = reception.read_cfdi("p.xml", data)
    assert received.seal_ok and received.comprobante.tipo_de_comprobante == "P"
    [docto] = received.comprobante.complemento.pagos.pagos[0].doctos
    assert docto.id_documento == reception.read_cfdi("f.xml", good).uuid
    assert (docto.imp_pagado, docto.imp_saldo_insoluto) == (Decimal("1000.00"), Decimal("1113.33"))
    without_pagos = data.split(b"<pago20:Pagos")[0] + data[data.index(b"<tfd:") :]
    with pytest.raises(ReceptionError) as caught:
        reception.read_cfdi("p.xml", without_pagos)
    assert caught.value.code == "RECEPTION-NO-PAGOS"
