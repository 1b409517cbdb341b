"""Received CFDI: unpack uploads safely, tell what each file is, read the CFDI 4.0 ones.

An upload (one XML, many XML, or a ZIP of them) is turned into a list where each
file is either a ``ReceivedCfdi`` (a stamped CFDI 4.0, parsed and its seal checked)
or a ``FileProblem`` (why that file was not read), so one bad file never stops the
others. ZIP archives are read in memory with limits on the number of members, the
size of each member, the total uncompressed size and the compression ratio, all checked
on the sizes the archive declares before a member is inflated (a member never inflates
past its declared size), and members that overlap each other are refused.

CFDI 3.3 is refused with a clear message: SAT stopped accepting it for issuance on
2023-04-01; such documents are kept as files, not imported as bills.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from . import xml as cfdi_xml
from .cadena import CadenaError
from .document import NS_CFDI, NS_TFD, Comprobante
from .errors import CfdiError, in_language
from .seal import verify_seal

NS_CFDI33 = "http://www.sat.gob.mx/cfd/3"
_SAT_CFD_PREFIX = "http://www.sat.gob.mx/cfd/"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_CHUNK = 64 * 1024
MIB = 1024 * 1024
# below this size a high compression ratio is ordinary (a CFDI of repeated concepts)
_RATIO_FLOOR = MIB

# Bills come from tipo I (ingreso: invoice) and E (egreso: credit note); a supplier's
# payment complement (P) is matched to the bills it pays.
BILL_TYPES = ("I", "E")
PAYMENT_TYPE = "P"
RECEIVED_TYPES = (*BILL_TYPES, PAYMENT_TYPE)


class ReceptionError(CfdiError):
    code = "RECEPTION"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 5 * MIB  # one XML (a large CFDI with thousands of concepts is ~2 MiB)
    max_archive_bytes: int = 100 * MIB  # one uploaded ZIP, compressed
    max_members: int = 5000
    max_total_bytes: int = 500 * MIB  # everything a ZIP expands to
    max_ratio: int = 100  # uncompressed / compressed size of one member


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class IncomingFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class FileProblem:
    name: str
    code: str
    message_es: str
    message_en: str
    skipped: bool = False  # an expected companion file (PDF, ...), not an error

    @classmethod
    def of(cls, name: str, error: CfdiError, skipped: bool = False) -> FileProblem:
        return cls(name, error.code, error.message_es, error.message_en, skipped)

    def message(self, lang: str | None) -> str:
        """The message in one language (see ``cfdi.errors.in_language``)."""
        return in_language(lang, self.message_es, self.message_en)


@dataclass(frozen=True)
class Summary:
    """What the index of an archive lists about one CFDI (any version)."""

    version: str
    uuid: str
    tipo: str
    issuer_rfc: str
    issuer_name: str
    receiver_rfc: str
    fecha: str
    total: str
    moneda: str


@dataclass(frozen=True)
class ReceivedCfdi:
    name: str
    data: bytes
    comprobante: Comprobante
    uuid: str
    seal_ok: bool
    sha256: str


def _error(code: str, es: str, en: str) -> ReceptionError:
    return ReceptionError(es, en, code=f"RECEPTION-{code}")


# --- unpacking ----------------------------------------------------------------------


def is_zip(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC) or data.startswith(_EMPTY_ZIP_MAGIC)


def expand(
    name: str, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> list[IncomingFile | FileProblem]:
    """The files of one upload: the file itself, or the members of a ZIP."""
    if not is_zip(data):
        return [IncomingFile(name, data)]
    if len(data) > limits.max_archive_bytes:
        return [
            FileProblem.of(
                name,
                _error(
                    "ZIP-TOO-LARGE",
                    f"El ZIP pesa {len(data) // MIB} MiB; el máximo es {limits.max_archive_bytes // MIB} "
                    "MiB. Divídalo en varios archivos.",
                    f"The ZIP is {len(data) // MIB} MiB; the limit is {limits.max_archive_bytes // MIB} "
                    "MiB. Split it into several files.",
                ),
            )
        ]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return [
            FileProblem.of(
                name,
                _error(
                    "ZIP-BROKEN",
                    "El ZIP está dañado o incompleto: no se puede leer.",
                    "The ZIP is damaged or incomplete: it cannot be read.",
                ),
            )
        ]
    if len(members) > limits.max_members:
        return [
            FileProblem.of(
                name,
                _error(
                    "ZIP-MEMBERS",
                    f"El ZIP contiene {len(members)} archivos; el máximo es {limits.max_members}. "
                    "Divídalo en varios ZIP.",
                    f"The ZIP holds {len(members)} files; the limit is {limits.max_members}. "
                    "Split it into several ZIP files.",
                ),
            )
        ]
    if _overlapping(members):
        return [
            FileProblem.of(
                name,
                _error(
                    "ZIP-OVERLAP",
                    "Los archivos del ZIP se enciman (posible bomba ZIP): no se leyó.",
                    "The files of the ZIP overlap each other (possible ZIP bomb): not read.",
                ),
            )
        ]
    return list(_members(name, archive, members, limits))


def _overlapping(members: list[zipfile.ZipInfo]) -> bool:
    """Whether two members share bytes of the archive (the overlapping-entries bomb).

    A member takes at least its local header (30 bytes and its name) and its compressed
    data from its offset on; the next member must start after that.
    """
    ordered = sorted(members, key=lambda info: info.header_offset)
    for info, following in zip(ordered, ordered[1:], strict=False):
        end = info.header_offset + 30 + len(info.orig_filename.encode()) + info.compress_size
        if following.header_offset < end:
            return True
    return False


def _members(
    name: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits
) -> Iterator[IncomingFile | FileProblem]:
    """The members, each checked on the sizes its header declares before it is inflated;
    every declared size counts toward the total, refused members included."""
    total = 0
    for info in members:
        member_name = f"{name}/{info.filename}"
        total += info.file_size
        if total > limits.max_total_bytes:
            yield FileProblem.of(
                member_name,
                _error(
                    "ZIP-TOTAL",
                    f"No se leyó: el contenido del ZIP supera {limits.max_total_bytes // MIB} MiB "
                    "descomprimido (posible bomba ZIP).",
                    f"Not read: the ZIP expands to more than {limits.max_total_bytes // MIB} MiB "
                    "(possible ZIP bomb).",
                ),
            )
            continue
        try:
            _check_header(info, limits)
            data = _read_member(archive, info)
        except ReceptionError as error:
            yield FileProblem.of(member_name, error)
            continue
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            ValueError,
            EOFError,
            OSError,
        ):
            yield FileProblem.of(member_name, _damaged_member())
            continue
        if is_zip(data):
            yield FileProblem.of(
                member_name,
                _error(
                    "ZIP-NESTED",
                    "Un ZIP dentro del ZIP no se procesa: súbalo por separado.",
                    "A ZIP inside the ZIP is not processed: upload it separately.",
                ),
            )
            continue
        yield IncomingFile(member_name, data)


def _damaged_member() -> ReceptionError:
    return _error(
        "ZIP-MEMBER",
        "Este archivo del ZIP está dañado o usa una compresión no soportada.",
        "This file of the ZIP is damaged or uses an unsupported compression.",
    )


def _check_header(info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse a member on what its header declares, before inflating a byte of it."""
    if info.flag_bits & 0x1:
        raise _error(
            "ZIP-ENCRYPTED",
            "El archivo está cifrado con contraseña en el ZIP.",
            "The file is password-protected inside the ZIP.",
        )
    if info.file_size > limits.max_file_bytes:
        raise _error(
            "TOO-LARGE",
            f"El archivo supera {limits.max_file_bytes // MIB} MiB descomprimido: no es un CFDI "
            "o es una bomba ZIP.",
            f"The file expands to more than {limits.max_file_bytes // MIB} MiB: it is not a CFDI "
            "or it is a ZIP bomb.",
        )
    if (
        info.file_size > _RATIO_FLOOR
        and info.file_size / max(info.compress_size, 1) > limits.max_ratio
    ):
        raise _error(
            "ZIP-RATIO",
            f"Compresión anómala (más de {limits.max_ratio}:1): posible bomba ZIP; no se leyó.",
            f"Abnormal compression (over {limits.max_ratio}:1): possible ZIP bomb; not read.",
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than its header declares (a member that inflates
    to another size is damaged)."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(_CHUNK, info.file_size - size + 1)):
            size += len(chunk)
            if size > info.file_size:
                raise _damaged_member()
            chunks.append(chunk)
    if size != info.file_size:
        raise _damaged_member()
    return b"".join(chunks)


# --- reading ------------------------------------------------------------------------


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith(".xml")


def _looks_like_xml(data: bytes) -> bool:
    head = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def is_stamped_cfdi(data: bytes) -> bool:
    """Cheap test: XML holding a CFDI (3.3 or 4.0) root namespace and a TimbreFiscalDigital."""
    return (
        _looks_like_xml(data)
        and NS_TFD.encode() in data
        and (NS_CFDI.encode() in data or NS_CFDI33.encode() in data)
    )


def parse_root(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """The root element of a received XML (safe parser), or ReceptionError/XmlError."""
    if len(data) > limits.max_file_bytes:
        raise _error(
            "TOO-LARGE",
            f"El archivo pesa {len(data) // 1024} KiB; el máximo para un CFDI es "
            f"{limits.max_file_bytes // MIB} MiB.",
            f"The file is {len(data) // 1024} KiB; the limit for a CFDI is "
            f"{limits.max_file_bytes // MIB} MiB.",
        )
    if not _looks_like_xml(data):
        if _is_xml_name(name):
            raise _error(
                "NOT-XML",
                "El archivo se llama .xml pero no contiene XML.",
                "The file is named .xml but holds no XML.",
            )
        raise _error(
            "SKIPPED",
            "No es XML: se ignora (solo se importan los XML de CFDI).",
            "Not XML: ignored (only CFDI XML files are imported).",
        )
    return cfdi_xml.parse(data)


def _check_root(root: etree._Element) -> None:
    qname = etree.QName(root)
    if qname.localname != "Comprobante":
        raise _error(
            "NOT-CFDI",
            f"No es un CFDI: el elemento raíz es '{qname.localname}', no cfdi:Comprobante.",
            f"Not a CFDI: the root element is '{qname.localname}', not cfdi:Comprobante.",
        )
    if qname.namespace == NS_CFDI33:
        raise _error(
            "CFDI33",
            f"Es un CFDI versión {root.get('Version') or '3.x'}: solo se importan CFDI 4.0 "
            "(el SAT dejó de aceptar la versión 3.3 el 1 de abril de 2023). Registre la factura "
            "manualmente y conserve el XML.",
            f"It is a CFDI version {root.get('Version') or '3.x'}: only CFDI 4.0 is imported "
            "(SAT stopped accepting version 3.3 on 1 April 2023). Enter the bill by hand and "
            "keep the XML.",
        )
    if qname.namespace != NS_CFDI:
        raise _error(
            "NAMESPACE",
            f"El Comprobante tiene el espacio de nombres '{qname.namespace or '(ninguno)'}'; un "
            f"CFDI 4.0 usa '{NS_CFDI}'.",
            f"The Comprobante has the namespace '{qname.namespace or '(none)'}'; a CFDI 4.0 "
            f"uses '{NS_CFDI}'.",
        )
    if root.get("Version") != "4.0":
        raise _error(
            "VERSION",
            f"Version='{root.get('Version')}' con el espacio de nombres de CFDI 4.0.",
            f"Version='{root.get('Version')}' with the CFDI 4.0 namespace.",
        )


def read_cfdi(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> ReceivedCfdi:
    """A stamped CFDI 4.0 of type I, E or P, or ReceptionError/XmlError saying why not."""
    return read_tree(name, data, parse_root(name, data, limits))


def read_tree(name: str, data: bytes, root: etree._Element) -> ReceivedCfdi:
    """``read_cfdi`` of a file already parsed with ``parse_root`` (read once, not twice)."""
    _check_root(root)
    comprobante = cfdi_xml.from_tree(root)
    timbre = comprobante.complemento.timbre if comprobante.complemento else None
    if timbre is None or not timbre.uuid:
        raise _error(
            "NOT-STAMPED",
            "El CFDI no tiene Timbre Fiscal Digital: no está timbrado y no es válido. Pida al "
            "proveedor el XML timbrado.",
            "The CFDI has no TimbreFiscalDigital: it is not stamped and not valid. Ask the "
            "supplier for the stamped XML.",
        )
    if comprobante.tipo_de_comprobante not in RECEIVED_TYPES:
        kind = {
            "T": ("traslado", "transfer"),
            "N": ("nómina", "payroll"),
        }.get(comprobante.tipo_de_comprobante or "", ("desconocido", "unknown"))
        raise _error(
            "TYPE",
            f"El CFDI es de tipo {comprobante.tipo_de_comprobante} ({kind[0]}): solo los de "
            "ingreso (I) y egreso (E) se registran como facturas de proveedor, y los "
            "complementos de pago (P) se relacionan con ellas.",
            f"The CFDI is of type {comprobante.tipo_de_comprobante} ({kind[1]}): only income "
            "(I) and expense (E) documents become vendor bills, and payment complements (P) "
            "are matched to them.",
        )
    pagos = comprobante.complemento.pagos if comprobante.complemento else None
    if comprobante.tipo_de_comprobante == PAYMENT_TYPE and (pagos is None or not pagos.pagos):
        raise _error(
            "NO-PAGOS",
            "El CFDI de pago (P) no trae el complemento Pagos 2.0: no se puede saber qué "
            "facturas paga. Pida al proveedor el XML completo.",
            "The payment CFDI (P) carries no Pagos 2.0 complement: which bills it pays cannot "
            "be known. Ask the supplier for the complete XML.",
        )
    try:
        seal_ok = verify_seal(comprobante)
    except CadenaError:
        seal_ok = False
    return ReceivedCfdi(
        name=name,
        data=data,
        comprobante=comprobante,
        uuid=timbre.uuid.strip().upper(),
        seal_ok=seal_ok,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_upload(
    name: str, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> list[ReceivedCfdi | FileProblem]:
    """Every file of one upload, read: a CFDI or the reason it is not one."""
    results: list[ReceivedCfdi | FileProblem] = []
    for item in expand(name, data, limits):
        if isinstance(item, FileProblem):
            results.append(item)
            continue
        try:
            results.append(read_cfdi(item.name, item.data, limits))
        except CfdiError as error:
            results.append(
                FileProblem.of(item.name, error, skipped=error.code == "RECEPTION-SKIPPED")
            )
    return results


# --- summary (archive index) -------------------------------------------------------


def summary(root: etree._Element) -> Summary:
    """Index values of a parsed CFDI 3.3 or 4.0 root, read as written."""
    ns = etree.QName(root).namespace or ""
    emisor = root.find(f"{{{ns}}}Emisor")
    receptor = root.find(f"{{{ns}}}Receptor")
    timbre = root.find(f"{{{ns}}}Complemento/{{{NS_TFD}}}TimbreFiscalDigital")
    return Summary(
        version=root.get("Version") or "",
        uuid=(timbre.get("UUID") or "").upper() if timbre is not None else "",
        tipo=root.get("TipoDeComprobante") or "",
        issuer_rfc=emisor.get("Rfc", "") if emisor is not None else "",
        issuer_name=emisor.get("Nombre", "") if emisor is not None else "",
        receiver_rfc=receptor.get("Rfc", "") if receptor is not None else "",
        fecha=root.get("Fecha") or "",
        total=root.get("Total") or "",
        moneda=root.get("Moneda") or "",
    )


def is_cfdi_tree(root: etree._Element | None) -> bool:
    """True for a parsed cfdi:Comprobante of any SAT version (3.3, 4.0, or a wrong one)."""
    if root is None or not isinstance(root.tag, str):
        return False
    qname = etree.QName(root)
    return qname.localname == "Comprobante" and (qname.namespace or "").startswith(_SAT_CFD_PREFIX)


def summary_of(data: bytes) -> Summary:
    root = cfdi_xml.parse(data)
    if not (etree.QName(root).namespace or "").startswith(_SAT_CFD_PREFIX):
        raise _error("NOT-CFDI", "No es un CFDI.", "Not a CFDI.")
    return summary(root)
