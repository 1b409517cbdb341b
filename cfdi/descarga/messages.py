"""SOAP messages of SAT's mass download service: the four requests and their answers.

Requests are built with lxml and signed with the FIEL (``xmldsig``); answers are read
without DTDs, entities or network access. The download answer carries the package as
one base64 text node that can be hundreds of megabytes: it is decoded while it is
parsed, chunk by chunk, into a file (``PackageWriter``), never held whole as text.
"""

from __future__ import annotations

import base64
import binascii
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol

from lxml import etree

from ..credentials import Credential
from . import query as q
from .codes import ACCEPTED, NextStep, RequestState, decide
from .errors import SatUnavailable
from .xmldsig import (
    BASE64_BINARY,
    NS_SOAP,
    NS_WSSE,
    NS_WSU,
    TIMESTAMP_ID,
    X509_TOKEN,
    format_timestamp,
    parse_timestamp,
    sign_operation,
    sign_security,
)

NS_DES = "http://DescargaMasivaTerceros.sat.gob.mx"
NS_AUTH = "http://DescargaMasivaTerceros.gob.mx"
TOKEN_LIFETIME = timedelta(minutes=5)

ACTION_AUTHENTICATE = "http://DescargaMasivaTerceros.gob.mx/IAutenticacion/Autentica"
_QUERY_ACTION = "http://DescargaMasivaTerceros.sat.gob.mx/ISolicitaDescargaService/"
ACTION_VERIFY = (
    "http://DescargaMasivaTerceros.sat.gob.mx/IVerificaSolicitudDescargaService"
    "/VerificaSolicitudDescarga"
)
ACTION_DOWNLOAD = (
    "http://DescargaMasivaTerceros.sat.gob.mx/IDescargaMasivaTercerosService/Descargar"
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def query_action(operation: str) -> str:
    return _QUERY_ACTION + operation


# --- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """SAT's access token (sent as ``Authorization: WRAP access_token="..."``)."""

    value: str = field(repr=False)
    created: datetime
    expires: datetime

    def usable_at(self, moment: datetime, margin: timedelta = timedelta(seconds=30)) -> bool:
        return bool(self.value) and moment + margin < self.expires


@dataclass(frozen=True)
class Submission:
    request_id: str
    status_code: str
    message: str


@dataclass(frozen=True)
class Verification:
    request_id: str
    status_code: str  # CodEstatus of the call (5000 when SAT read it)
    message: str
    state: RequestState | None  # None only when SAT did not read the request (not 5000)
    state_code: str  # CodigoEstadoSolicitud
    cfdi_count: int
    package_ids: tuple[str, ...]
    next_step: NextStep
    reason_es: str
    reason_en: str


@dataclass(frozen=True)
class Answer:
    """``CodEstatus`` and ``Mensaje`` of a call."""

    status_code: str
    message: str


# --- requests -----------------------------------------------------------------------


def _envelope(**nsmap: str) -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{NS_SOAP}}}Envelope", nsmap={"s": NS_SOAP, **nsmap})
    etree.SubElement(envelope, f"{{{NS_SOAP}}}Header")
    return envelope, etree.SubElement(envelope, f"{{{NS_SOAP}}}Body")


def _bytes(envelope: etree._Element) -> bytes:
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def authentication_request(credential: Credential, created: datetime) -> bytes:
    """``Autentica`` with a WS-Security Timestamp valid five minutes from ``created`` (UTC)."""
    envelope, body = _envelope(u=NS_WSU)
    header = envelope[0]
    security = etree.SubElement(header, f"{{{NS_WSSE}}}Security", nsmap={"o": NS_WSSE})
    security.set(f"{{{NS_SOAP}}}mustUnderstand", "1")
    timestamp = etree.SubElement(security, f"{{{NS_WSU}}}Timestamp")
    timestamp.set(f"{{{NS_WSU}}}Id", TIMESTAMP_ID)
    etree.SubElement(timestamp, f"{{{NS_WSU}}}Created").text = format_timestamp(created)
    etree.SubElement(timestamp, f"{{{NS_WSU}}}Expires").text = format_timestamp(
        created + TOKEN_LIFETIME
    )
    token_id = f"uuid-{uuid_module.uuid4()}-1"
    token = etree.SubElement(security, f"{{{NS_WSSE}}}BinarySecurityToken")
    token.set(f"{{{NS_WSU}}}Id", token_id)
    token.set("ValueType", X509_TOKEN)
    token.set("EncodingType", BASE64_BINARY)
    token.text = credential.certificate.base64
    etree.SubElement(body, f"{{{NS_AUTH}}}Autentica", nsmap={None: NS_AUTH})
    sign_security(envelope, security, token_id, credential)
    return _bytes(envelope)


def _signed_request(
    operation_name: str,
    child_name: str,
    attributes: dict[str, str],
    credential: Credential,
    receivers: tuple[str, ...] = (),
) -> bytes:
    envelope, body = _envelope(des=NS_DES)
    operation = etree.SubElement(body, f"{{{NS_DES}}}{operation_name}")
    child = etree.SubElement(operation, f"{{{NS_DES}}}{child_name}")
    for name, value in attributes.items():
        child.set(name, value)
    if receivers:
        container = etree.SubElement(child, f"{{{NS_DES}}}RfcReceptores")
        for rfc in receivers:
            etree.SubElement(container, f"{{{NS_DES}}}RfcReceptor").text = rfc
    sign_operation(operation, child, credential)
    return _bytes(envelope)


def query_request(credential: Credential, query: q.Query | q.FolioQuery) -> tuple[str, bytes]:
    """(SOAPAction, body) of the SolicitaDescarga* operation ``query`` needs."""
    name = q.operation(query)
    requester = credential.certificate.rfc
    body = _signed_request(
        name, "solicitud", q.attributes(query, requester), credential, q.receivers(query)
    )
    return query_action(name), body


def verify_request(credential: Credential, request_id: str) -> bytes:
    attributes = {"IdSolicitud": request_id, "RfcSolicitante": credential.certificate.rfc}
    return _signed_request("VerificaSolicitudDescarga", "solicitud", attributes, credential)


def download_request(credential: Credential, package_id: str) -> bytes:
    attributes = {"IdPaquete": package_id, "RfcSolicitante": credential.certificate.rfc}
    return _signed_request(
        "PeticionDescargaMasivaTercerosEntrada", "peticionDescarga", attributes, credential
    )


# --- answers ------------------------------------------------------------------------


def _unreadable(what_es: str, what_en: str) -> SatUnavailable:
    return SatUnavailable(
        f"La respuesta del SAT a {what_es} no se pudo leer; se reintentará.",
        f"SAT's answer to {what_en} could not be read; it will be retried.",
    )


def parse_answer(data: bytes) -> etree._Element:
    """The root of a SOAP answer, or ``SatUnavailable``."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _unreadable("la llamada", "the call")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _unreadable("la llamada", "the call") from exc
    if root is None or root.tag != f"{{{NS_SOAP}}}Envelope":
        raise _unreadable("la llamada", "the call")
    return root


def fault_code(root: etree._Element) -> str | None:
    """The local part of a SOAP Fault's faultcode (``InvalidSecurity``), or None."""
    fault = root.find(f"{{{NS_SOAP}}}Body/{{{NS_SOAP}}}Fault")
    if fault is None:
        return None
    return (fault.findtext("faultcode") or "").strip().rpartition(":")[2] or "Fault"


def read_token(root: etree._Element) -> Token:
    value = root.findtext(f"{{{NS_SOAP}}}Body/{{*}}AutenticaResponse/{{*}}AutenticaResult")
    timestamp = root.find(f"{{{NS_SOAP}}}Header/{{*}}Security/{{{NS_WSU}}}Timestamp")
    if not value or timestamp is None:
        raise _unreadable("la autenticación", "the authentication")
    try:
        created = parse_timestamp(timestamp.findtext(f"{{{NS_WSU}}}Created") or "")
        expires = parse_timestamp(timestamp.findtext(f"{{{NS_WSU}}}Expires") or "")
    except ValueError as exc:
        raise _unreadable("la autenticación", "the authentication") from exc
    return Token(value.strip(), created, expires)


def _result(root: etree._Element, path: str, what_es: str, what_en: str) -> etree._Element:
    result = root.find(f"{{{NS_SOAP}}}Body/" + "/".join(f"{{*}}{p}" for p in path.split("/")))
    if result is None:
        raise _unreadable(what_es, what_en)
    return result


def read_submission(root: etree._Element, operation: str) -> Submission:
    result = _result(root, f"{operation}Response/{operation}Result", "la solicitud", "the request")
    return Submission(
        result.get("IdSolicitud") or "", result.get("CodEstatus") or "", result.get("Mensaje") or ""
    )


def read_verification(root: etree._Element, request_id: str) -> Verification:
    result = _result(
        root,
        "VerificaSolicitudDescargaResponse/VerificaSolicitudDescargaResult",
        "la verificación",
        "the verification",
    )
    status_code = result.get("CodEstatus") or ""
    try:
        state: RequestState | None = RequestState(int(result.get("EstadoSolicitud") or "0"))
        count = int(result.get("NumeroCFDIs") or "0")
    except ValueError as exc:
        if status_code == ACCEPTED:
            raise _unreadable("la verificación", "the verification") from exc
        state, count = None, 0  # SAT did not read the request: no state to report
    packages = tuple(
        (p.text or "").strip() for p in result.iterfind("{*}IdsPaquetes") if (p.text or "").strip()
    )
    state_code = result.get("CodigoEstadoSolicitud") or ""
    decision = decide(state or RequestState.ERROR, state_code, len(packages))
    return Verification(
        request_id=request_id,
        status_code=status_code,
        message=result.get("Mensaje") or "",
        state=state,
        state_code=state_code,
        cfdi_count=count,
        package_ids=packages,
        next_step=decision.next_step,
        reason_es=decision.reason_es,
        reason_en=decision.reason_en,
    )


def read_status(root: etree._Element, path: str) -> Answer:
    """CodEstatus/Mensaje of a Result element that carries only those (and maybe more)."""
    result = _result(root, path, "la llamada", "the call")
    return Answer(result.get("CodEstatus") or "", result.get("Mensaje") or "")


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class PackageWriter:
    """lxml parser target: reads a ``Descargar`` answer, writing the base64 ``Paquete``
    decoded into ``output`` as it arrives; keeps the header's CodEstatus and Mensaje."""

    def __init__(self, output: Sink) -> None:
        self.output = output
        self.size = 0
        self.status_code = ""
        self.message = ""
        self.fault = ""
        self._in_package = False
        self._in_faultcode = False
        self._pending = b""

    def doctype(self, *args: object) -> None:
        raise _unreadable("la descarga", "the download")  # no DTD, no entities: ever

    def comment(self, text: str | bytes) -> None:
        return None

    def start(self, tag: str | bytes, attrib: dict[str | bytes, str | bytes]) -> None:
        local = etree.QName(tag).localname
        if local == "respuesta":
            self.status_code = _text(attrib.get("CodEstatus", ""))
            self.message = _text(attrib.get("Mensaje", ""))
        self._in_package = local == "Paquete"
        self._in_faultcode = local == "faultcode"

    def end(self, tag: str | bytes) -> None:
        if self._in_package:
            self._flush(final=True)
        self._in_package = self._in_faultcode = False

    def data(self, data: str | bytes) -> None:
        text = _text(data)
        if self._in_faultcode:
            self.fault += text.strip()
        if not self._in_package:
            return
        self._pending += "".join(text.split()).encode("ascii", "replace")
        self._flush(final=False)

    def _flush(self, final: bool) -> None:
        usable = len(self._pending) if final else len(self._pending) - len(self._pending) % 4
        if not usable:
            return
        chunk, self._pending = self._pending[:usable], self._pending[usable:]
        try:
            decoded = base64.b64decode(chunk, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _unreadable("la descarga", "the download") from exc
        self.output.write(decoded)
        self.size += len(decoded)

    def close(self) -> PackageWriter:
        return self


def package_parser(writer: PackageWriter) -> etree.XMLParser:
    """A push parser feeding ``writer``; huge_tree: the package text has no size limit."""
    return etree.XMLParser(
        target=writer, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
