"""Packages SAT delivers: refused whole, before inflating, when unsafe; read one member
at a time when sound; SAT's Metadata layout parsed into records."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from decimal import Decimal

import pytest

from cfdi.descarga.errors import PackageRefused
from cfdi.descarga.metadata import MetadataError, read_metadata
from cfdi.descarga.package import Package, PackageLimits

HEADER = (
    "Uuid~RfcEmisor~NombreEmisor~RfcReceptor~NombreReceptor~RfcPac~FechaEmision~"
    "FechaCertificacionSat~Monto~EfectoComprobante~Estatus~FechaCancelacion"
)
ROW_1 = (
    "E7215E3B-2DC5-4A40-AB10-C902FF9258DF~AAA010101AAA~EMPRESA UNO~EKU9003173C9~ESCUELA KEMPER"
    "~SND010101AA0~2026-01-11 07:10:23~2026-01-11 07:10:51~1124.11~I~1~"
)
ROW_2 = (
    "129c4d12-1415-4ace-be12-34e71c4eab4e~AAA010101AAA~EMPRESA UNO~EKU9003173C9~ESCUELA KEMPER"
    "~SND010101AA0~2026-01-11 10:36:24~2026-01-11 10:36:52~1485.17~E~0~2026-02-01 09:00:00"
)


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def never_inflate(monkeypatch):
    """Fail the test if any member is opened for reading: a refusal must come before
    inflating (writing, to build the test archive, stays allowed)."""
    original = zipfile.ZipFile.open

    def guarded(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("a member was opened before the package was refused")
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", guarded)


# --- refused before inflating ----------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_ratio_before_inflating(never_inflate):
    bomb = zipped({"A.xml": b"0" * (4 * 1024 * 1024)})  # 4 MiB of zeros: ratio ~1000:1
    assert len(bomb) < 10_000
    with pytest.raises(PackageRefused) as refused:
        Package(bomb, "BOMB_01")
    assert "bomba ZIP" in refused.value.message_es and "BOMB_01" in refused.value.message_es


def test_a_member_larger_than_a_cfdi_is_refused(never_inflate):
    with pytest.raises(PackageRefused) as refused:
        Package(zipped({"A.xml": b"<a/>" * 2_000_000}), limits=PackageLimits(max_ratio=10**6))
    assert "se expande" in refused.value.message_es


def test_too_many_members_or_too_much_in_total_is_refused(never_inflate):
    members = {f"{n:04d}.xml": b"<x/>" * 100 for n in range(20)}
    with pytest.raises(PackageRefused):
        Package(zipped(members), limits=PackageLimits(max_members=19))
    with pytest.raises(PackageRefused):
        Package(zipped(members), limits=PackageLimits(max_total_bytes=20 * 400 - 1))
    assert len(Package(zipped(members), limits=PackageLimits(max_members=20)).members) == 20


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "dir/a.xml", "a.exe", "a.xml.zip", ".hidden.xml"]
)
def test_odd_member_names_are_refused(name, never_inflate):
    with pytest.raises(PackageRefused) as refused:
        Package(zipped({name: b"<a/>"}))
    assert "nombre simple" in refused.value.message_es


def test_an_encrypted_member_is_refused(never_inflate):
    data = bytearray(zipped({"A.xml": b"<a/>"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # flag bits
        at = data.index(signature) + offset
        flags = struct.unpack_from("<H", data, at)[0] | 0x1
        struct.pack_into("<H", data, at, flags)
    with pytest.raises(PackageRefused) as refused:
        Package(bytes(data))
    assert "cifrado" in refused.value.message_es


def test_not_a_zip_is_refused():
    with pytest.raises(PackageRefused):
        Package(b"<html>Service Unavailable</html>")


def test_a_member_larger_than_it_declares_is_never_read_past_its_size():
    """zipfile stops at the declared size; the CRC then fails: refused, not inflated."""
    data = bytearray(zipped({"A.xml": b"<a>" + b"x" * 5000 + b"</a>"}))
    at = data.index(b"PK\x01\x02") + 24  # central directory: uncompressed size
    struct.pack_into("<I", data, at, 100)
    package = Package(bytes(data))
    with pytest.raises(PackageRefused) as refused:
        list(package.cfdi())
    assert "dañado" in refused.value.message_es or "declara" in refused.value.message_es


# --- read one member at a time -------------------------------------------------------


def test_cfdi_members_are_read_lazily_in_order():
    members = {
        f"{n:08X}-0000-4000-8000-000000000000.xml": f"<c n='{n}'/>".encode() for n in range(3)
    }
    with Package(zipped(members), "REQ_01") as package:
        assert package.kind == "CFDI"
        files = package.cfdi()
        first = next(files)
        assert first.uuid == "00000000-0000-4000-8000-000000000000"
        assert first.data == b"<c n='0'/>"
        assert [f.name for f in files] == list(members)[1:]


def test_a_stored_member_reads_too():
    with Package(zipped({"A.xml": b"<a/>"}, zipfile.ZIP_STORED)) as package:
        assert [f.data for f in package.cfdi()] == [b"<a/>"]


# --- Metadata ----------------------------------------------------------------------


def test_metadata_records_with_crlf_and_a_bare_lf_inside_a_name():
    broken = ROW_2.replace("EMPRESA UNO", "EMPRESA\nUNO")
    text = f"{HEADER}\r\n{ROW_1}\r\n{broken}\r\n"
    with Package(zipped({"REQ_01.txt": text.encode("utf-8")})) as package:
        assert package.kind == "Metadata"
        first, second = package.metadata()
    assert first.uuid == "E7215E3B-2DC5-4A40-AB10-C902FF9258DF"
    assert first.monto == Decimal("1124.11") and not first.cancelled
    assert first.fecha_emision == dt.datetime(2026, 1, 11, 7, 10, 23)
    assert first.fecha_cancelacion is None
    assert second.uuid == "129C4D12-1415-4ACE-BE12-34E71C4EAB4E"  # upper-cased
    assert second.nombre_emisor == "EMPRESAUNO"  # the stray LF dropped, the record whole
    assert second.cancelled and second.fecha_cancelacion == dt.datetime(2026, 2, 1, 9, 0)
    assert second.efecto_comprobante == "E"


def test_metadata_with_lf_line_ends_and_third_parties():
    main = f"{HEADER}\n{ROW_1}\n"
    third = (
        "Uuid~RfcACuentaTerceros~NombreACuentaTerceros\n"
        "e7215e3b-2dc5-4a40-ab10-c902ff9258df~AAAA010101AA1~PERSONA FISICA UNO\n"
    )
    members = {"REQ_01.txt": main.encode(), "REQ_01_tercero.txt": third.encode()}
    with Package(zipped(members)) as package:
        (record,) = package.metadata()
    assert (record.rfc_a_cuenta_terceros, record.nombre_a_cuenta_terceros) == (
        "AAAA010101AA1",
        "PERSONA FISICA UNO",
    )


def test_a_malformed_metadata_line_names_itself():
    text = f"{HEADER}\r\n{ROW_1}\r\n{ROW_1}~extra\r\n"
    with pytest.raises(MetadataError) as error:
        list(read_metadata(io.StringIO(text, newline=""), source="REQ_01.txt"))
    assert "REQ_01.txt, línea 3" in error.value.message_es
    bad_amount = ROW_1.replace("1124.11", "1,124.11")
    with pytest.raises(MetadataError):
        list(read_metadata([f"{HEADER}\n", f"{bad_amount}\n"]))
    with pytest.raises(MetadataError) as error:
        list(read_metadata(["Uuid~Rfc\n", "a~b\n"]))
    assert "RfcEmisor" in error.value.message_es


def test_metadata_that_is_not_utf8_is_refused():
    text = f"{HEADER}\r\n{ROW_1.replace('EMPRESA UNO', 'COMPAÑIA')}\r\n".encode("latin-1")
    with Package(zipped({"REQ_01.txt": text})) as package, pytest.raises(PackageRefused):
        list(package.metadata())


def test_a_large_metadata_file_streams():
    rows = "".join(
        f"{n:08X}-0000-4000-8000-000000000000~AAA010101AAA~E~EKU9003173C9~R~SND010101AA0~"
        f"2026-01-01 00:00:00~2026-01-01 00:00:10~{n}.50~I~1~\r\n"
        for n in range(50_000)
    )
    with Package(zipped({"REQ_01.txt": (HEADER + "\r\n" + rows).encode()})) as package:
        total = sum(record.monto for record in package.metadata())
    assert total == sum(Decimal(f"{n}.50") for n in range(50_000))
