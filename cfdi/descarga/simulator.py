"""SAT's side of the mass download service, simulated: what a local SAT knows and decides.

``SatSimulator`` holds the CFDI it was given (a folder of stamped XML), the tokens it
issued, the download requests and their packages, and the faults to inject. It
checks what SAT checks: the WS-Security signature and the request signatures against
the e.firma sent (a CSD, an expired or foreign certificate is refused), the token,
``RfcSolicitante``, SAT's v1.5 query rules, duplicate and lifetime limits, the 72 hours
a package lives and the two downloads it allows. Its HTTP face is
``simulator_server``; its state survives restarts in ``state_dir``.

Requests walk ``Aceptada`` -> ``En proceso`` -> ``Terminada`` one verification at a
time (``steps`` verifications before it finishes), or end ``Rechazada`` (5004 nothing
found, 5003 too many), ``Vencida`` after 72 hours, or wherever a fault sends them.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import threading
import uuid as uuid_module
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from lxml import etree

from .. import catalogs
from .. import xml as cfdi_xml
from ..credentials import Certificate, CredentialError
from ..errors import CfdiError
from . import query as q
from .codes import RequestState
from .fiel import check_fiel
from .messages import NS_DES, TOKEN_LIFETIME
from .metadata import DATE_FORMAT as METADATA_DATE_FORMAT
from .metadata import HEADER as METADATA_HEADER
from .xmldsig import SignatureError, SignedTimestamp, verify_operation

logger = logging.getLogger(__name__)

NS_TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"
STATE_FILE = "sat-simulator.json"
CLOCK_SKEW = timedelta(minutes=5)
OPERATIONS = ("authenticate", "query", "verify", "download")
ACTIONS = ("delay", "drop", "http500", "code", "state")
MESSAGES = {
    "300": "Usuario No Válido",
    "301": "XML Mal Formado",
    "302": "Sello Mal Formado",
    "303": "Sello no corresponde con RfcSolicitante",
    "304": "Certificado Revocado o Caduco",
    "305": "Certificado Inválido",
    "404": "Error no Controlado",
    "5000": "Solicitud Aceptada",
    "5001": "Tercero no autorizado",
    "5002": "Se han agotado las solicitudes de por vida",
    "5003": "Tope máximo",
    "5004": "No se encontró la información",
    "5005": "Solicitud duplicada",
    "5006": "Error interno en el proceso",
    "5007": "No existe el paquete solicitado",
    "5008": "Máximo de descargas permitidas",
    "5011": "Límite de descargas por folio por día",
}
RECEIVED_CANCELLED_XML = (
    "XML Mal Formado:La solicitud de descarga no es válida. No se permite la descarga de xml "
    "que se encuentren cancelados."
)


class InvalidSecurity(CfdiError):
    """The authentication is refused (SAT answers a SOAP fault ``a:InvalidSecurity``)."""

    code = "InvalidSecurity"


@dataclass(frozen=True)
class Fault:
    """A fault injected into the next ``times`` calls of ``operation`` (0: every call).

    ``delay``: answer ``value`` seconds late (the work is done: a client timing out
    does not undo it); ``drop``: do the work, close the connection unanswered;
    ``http500``: an HTML error page; ``code``: SAT's CodEstatus ``value`` instead of
    the answer; ``state``: verification reports ``value`` ("4", "5/5003", "6").
    ``target``: only for that request or package id.
    """

    operation: str
    action: str
    value: str = ""
    times: int = 1
    target: str = ""

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``OPERATION:ACTION[=VALUE][@TARGET][*TIMES]``, e.g. ``download:code=5008*2``."""
        head, _, times = spec.partition("*")
        head, _, target = head.partition("@")
        operation, _, action = head.partition(":")
        action, _, value = action.partition("=")
        fault = cls(operation, action, value, int(times or "1"), target)
        fault.check()
        return fault

    def check(self) -> None:
        if self.operation not in (*OPERATIONS, "*") or self.action not in ACTIONS:
            raise ValueError(
                f"fault {self}: operation one of {OPERATIONS} or *, action one of {ACTIONS}"
            )
        if self.action == "state" and self.operation != "verify":
            raise ValueError(f"fault {self}: a state is what a verification reports")


@dataclass
class Document:
    """What SAT knows of one stamped CFDI."""

    uuid: str
    rfc_emisor: str
    nombre_emisor: str
    rfc_receptor: str
    nombre_receptor: str
    rfc_pac: str
    fecha: datetime
    fecha_timbrado: datetime
    total: str
    tipo: str
    path: str


@dataclass
class Request:
    id: str
    rfc: str
    operation: str
    params: dict[str, str]
    receivers: list[str]
    created: str
    verifications: int = 0
    state: int = RequestState.ACCEPTED
    state_code: str = "5000"
    uuids: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    finished: str = ""

    @property
    def key(self) -> str:
        return json.dumps([self.rfc, self.operation, self.params, self.receivers], sort_keys=True)


@dataclass(frozen=True)
class Answer:
    status_code: str
    message: str = ""
    request_id: str = ""
    request: Request | None = None
    package: bytes | None = None


def _answer(code: str, message: str = "") -> Answer:
    return Answer(code, message or MESSAGES.get(code, ""))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _local(moment: datetime) -> datetime:
    return moment.astimezone(catalogs.mexico_city()).replace(tzinfo=None)


def read_document(path: Path) -> Document | None:
    """The index entry of a stamped CFDI file, or None when it is not one."""
    try:
        root = cfdi_xml.parse(path.read_bytes())
    except (CfdiError, OSError):
        return None
    ns = etree.QName(root).namespace or ""
    emisor, receptor = root.find(f"{{{ns}}}Emisor"), root.find(f"{{{ns}}}Receptor")
    timbre = root.find(f"{{{ns}}}Complemento/{{{NS_TFD}}}TimbreFiscalDigital")
    if etree.QName(root).localname != "Comprobante" or emisor is None or receptor is None:
        return None
    if timbre is None:  # not stamped: SAT never heard of it
        return None
    try:
        fecha = datetime.fromisoformat(root.get("Fecha") or "")
        stamped = datetime.fromisoformat(timbre.get("FechaTimbrado") or "")
    except ValueError:
        return None
    return Document(
        uuid=(timbre.get("UUID") or "").upper(),
        rfc_emisor=(emisor.get("Rfc") or "").upper(),
        nombre_emisor=emisor.get("Nombre") or "",
        rfc_receptor=(receptor.get("Rfc") or "").upper(),
        nombre_receptor=receptor.get("Nombre") or "",
        rfc_pac=(timbre.get("RfcProvCertif") or "").upper(),
        fecha=fecha,
        fecha_timbrado=stamped,
        total=root.get("Total") or "0",
        tipo=root.get("TipoDeComprobante") or "",
        path=str(path),
    )


class SatSimulator:
    def __init__(
        self,
        state_dir: str | Path | None = None,
        cfdi_dir: str | Path | None = None,
        *,
        steps: int = 2,
        package_size: int = 1000,
        max_cfdi: int = 200_000,
        max_metadata: int = 1_000_000,
        package_hours: int = 72,
        max_downloads: int = 2,
        daily_downloads: int | None = None,
        trusted_cas: Iterable[bytes] = (),
        faults: Iterable[Fault] = (),
    ) -> None:
        self.state_dir = Path(state_dir) if state_dir else None
        self.cfdi_dir = Path(cfdi_dir) if cfdi_dir else None
        self.steps = steps
        self.package_size = package_size
        self.max_cfdi = max_cfdi
        self.max_metadata = max_metadata
        self.package_life = timedelta(hours=package_hours)
        self.max_downloads = max_downloads
        self.daily_downloads = daily_downloads
        self.trusted_cas = [_load_certificate(data) for data in trusted_cas]
        self._lock = threading.RLock()
        self.offset = 0.0
        self.tokens: dict[str, dict[str, str]] = {}
        self.requests: dict[str, Request] = {}
        self.downloads: dict[str, int] = {}
        self.daily: dict[str, int] = {}
        self.cancelled: dict[str, str] = {}
        self.faults: list[Fault] = []
        self._load_state()
        for item in faults:
            self.add_fault(item)
        self.documents: dict[str, Document] = {}
        self.reload()

    # --- state ------------------------------------------------------------------

    def _path(self) -> Path | None:
        return self.state_dir / STATE_FILE if self.state_dir else None

    def _load_state(self) -> None:
        path = self._path()
        if path is None or not path.exists():
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        self.offset = data.get("offset", 0.0)
        self.tokens = data.get("tokens", {})
        self.requests = {k: Request(**v) for k, v in data.get("requests", {}).items()}
        self.downloads = data.get("downloads", {})
        self.daily = data.get("daily", {})
        self.cancelled = data.get("cancelled", {})
        self.faults = [Fault(**f) for f in data.get("faults", [])]

    def _save(self) -> None:
        path = self._path()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "offset": self.offset,
            "tokens": self.tokens,
            "requests": {k: asdict(v) for k, v in self.requests.items()},
            "downloads": self.downloads,
            "daily": self.daily,
            "cancelled": self.cancelled,
            "faults": [asdict(f) for f in self.faults],
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        temporary.replace(path)

    def reload(self) -> int:
        """Index the CFDI folder again; return how many documents SAT now holds."""
        found: dict[str, Document] = {}
        for path in sorted(self.cfdi_dir.glob("*.xml")) if self.cfdi_dir else []:
            document = read_document(path)
            if document is None:
                logger.warning("sat-simulator: %s is not a stamped CFDI, ignored", path.name)
            else:
                found[document.uuid] = document
        with self._lock:
            self.documents = found
        return len(found)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds
            self._save()

    def cancel(self, uuid: str, when: datetime | None = None) -> None:
        with self._lock:
            self.cancelled[uuid.upper()] = _local(when or self.now()).strftime(METADATA_DATE_FORMAT)
            self._save()

    def add_fault(self, fault: Fault) -> None:
        fault.check()
        with self._lock:
            self.faults.append(fault)
            self._save()

    def take_fault(self, operation: str, target: str = "") -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.operation not in (operation, "*"):
                    continue
                if fault.target and fault.target.upper() != target.upper():
                    continue
                if fault.times == 1:
                    del self.faults[index]
                elif fault.times > 1:
                    self.faults[index] = Fault(**{**asdict(fault), "times": fault.times - 1})
                self._save()
                return fault
        return None

    # --- credentials ----------------------------------------------------------------

    def _check_certificate(self, certificate: Certificate) -> str | None:
        """SAT's code refusing ``certificate`` (304 expired, 305 not an e.firma), or None."""
        try:
            check_fiel(certificate, certificate.rfc, self.now())
        except CredentialError as error:
            return "304" if error.code in ("CRED_EXPIRED", "CRED_NOT_YET_VALID") else "305"
        if self.trusted_cas and not any(_issued_by(certificate, ca) for ca in self.trusted_cas):
            return "305"
        return None

    def authenticate(self, signed: SignedTimestamp) -> tuple[str, datetime, datetime]:
        """A token for the e.firma that signed ``signed`` (checked), valid five minutes."""
        now = self.now()
        if not signed.created - CLOCK_SKEW <= now <= signed.expires:
            raise InvalidSecurity("El Timestamp venció.", "The Timestamp expired.")
        if self._check_certificate(signed.certificate):
            raise InvalidSecurity("Certificado no válido.", "Invalid certificate.")
        token = secrets.token_urlsafe(32)
        expires = now + TOKEN_LIFETIME
        with self._lock:
            self.tokens = {k: v for k, v in self.tokens.items() if v["expires"] > _iso(now)}
            self.tokens[token] = {"rfc": signed.certificate.rfc, "expires": _iso(expires)}
            self._save()
        return token, now, expires

    def _caller(
        self, token: str, operation: etree._Element, child: str
    ) -> tuple[str, Answer | None]:
        """The requester's RFC, or SAT's refusal of a signed call (token, signature,
        certificate, RfcSolicitante)."""
        issued = self.tokens.get(token or "")
        if issued is None or issued["expires"] <= _iso(self.now()):
            return "", _answer("300")
        try:
            certificate = verify_operation(operation)
        except SignatureError:
            return "", _answer("302")
        refusal = self._check_certificate(certificate)
        if refusal:
            return "", _answer(refusal)
        element = operation.find(f"{{{NS_DES}}}{child}")
        requester = (element.get("RfcSolicitante") or "").upper() if element is not None else ""
        if requester != certificate.rfc:
            return "", _answer("303")
        if issued["rfc"] != certificate.rfc:
            return "", _answer("300")
        return requester, None

    # --- SolicitaDescarga* ------------------------------------------------------------

    def submit(self, token: str, operation: etree._Element) -> Answer:
        rfc, refusal = self._caller(token, operation, "solicitud")
        if refusal is not None:
            return refusal
        solicitud = operation.find(f"{{{NS_DES}}}solicitud")
        assert solicitud is not None
        name = etree.QName(operation).localname
        params = {
            str(k): str(v) for k, v in sorted(solicitud.attrib.items()) if k != "RfcSolicitante"
        }
        receivers = sorted(
            (e.text or "").strip().upper()
            for e in solicitud.iterfind(f"{{{NS_DES}}}RfcReceptores/{{{NS_DES}}}RfcReceptor")
        )
        problem = self._query_problem(name, rfc, params, receivers)
        if problem is not None:
            return problem
        request = Request(
            id=str(uuid_module.uuid4()),
            rfc=rfc,
            operation=name,
            params=params,
            receivers=receivers,
            created=_iso(self.now()),
        )
        with self._lock:
            same = [r for r in self.requests.values() if r.key == request.key]
            if any(self._open(r) for r in same):
                return _answer("5005")
            if params.get("TipoSolicitud") == "CFDI" and len(same) >= 2:
                return _answer("5002")
            self.requests[request.id] = request
            self._save()
        return Answer("5000", MESSAGES["5000"], request.id, request)

    def _query_problem(
        self, name: str, rfc: str, params: dict[str, str], receivers: list[str]
    ) -> Answer | None:
        if name == "SolicitaDescargaFolio":
            document = self.documents.get(params.get("Folio", "").upper())
            if document and rfc not in (document.rfc_emisor, document.rfc_receptor):
                return _answer("5001")
            return None
        try:
            start = datetime.strptime(params.get("FechaInicial", ""), q.DATE_FORMAT)
            end = datetime.strptime(params.get("FechaFinal", ""), q.DATE_FORMAT)
        except ValueError:
            return _answer("301")
        kind = params.get("TipoSolicitud")
        if (
            start >= end
            or start < q.oldest_start(_local(self.now()))
            or kind
            not in (
                "CFDI",
                "Metadata",
            )
        ):
            return _answer("301")
        if name == "SolicitaDescargaEmitidos" and params.get("RfcEmisor", "").upper() != rfc:
            return _answer("5001")
        if name == "SolicitaDescargaRecibidos":
            if params.get("RfcReceptor", "").upper() != rfc:
                return _answer("5001")
            if kind == "CFDI" and params.get("EstadoComprobante") != "Vigente":
                return _answer("301", RECEIVED_CANCELLED_XML)
        return None

    def _open(self, request: Request) -> bool:
        """Still standing for SAT (a new request with the same data is a duplicate)."""
        if request.state in (RequestState.ACCEPTED, RequestState.IN_PROGRESS):
            return True
        return request.state == RequestState.FINISHED and not self._expired(request)

    def _expired(self, request: Request) -> bool:
        if not request.finished:
            return False
        return self.now() > datetime.fromisoformat(request.finished) + self.package_life

    # --- VerificaSolicitudDescarga -------------------------------------------------

    def verify(self, token: str, operation: etree._Element) -> Answer:
        rfc, refusal = self._caller(token, operation, "solicitud")
        if refusal is not None:
            return refusal
        solicitud = operation.find(f"{{{NS_DES}}}solicitud")
        assert solicitud is not None
        with self._lock:
            request = self.requests.get((solicitud.get("IdSolicitud") or "").lower())
            if request is None or request.rfc != rfc:
                return _answer("5004", "No se encontró la solicitud")
            request.verifications += 1
            self._advance(request)
            self._save()
            return Answer("5000", MESSAGES["5000"], request.id, request)

    def force_state(self, request: Request, value: str) -> None:
        """Put ``request`` in state ``value`` ("4", "5/5003", "6"): a ``state`` fault."""
        state, _, code = value.partition("/")
        with self._lock:
            request.state = int(state)
            request.state_code = code or "5000"
            if request.state == RequestState.EXPIRED:
                request.packages = []
            self._save()

    def _advance(self, request: Request) -> None:
        if request.state == RequestState.FINISHED and self._expired(request):
            request.state, request.packages = RequestState.EXPIRED, []
        if request.state not in (RequestState.ACCEPTED, RequestState.IN_PROGRESS):
            return
        if request.verifications <= self.steps:
            first = request.verifications == 1
            request.state = RequestState.ACCEPTED if first else RequestState.IN_PROGRESS
            return
        self._finish(request)

    def _finish(self, request: Request) -> None:
        uuids = [d.uuid for d in self._matching(request)]
        limit = (
            self.max_cfdi if request.params.get("TipoSolicitud") == "CFDI" else self.max_metadata
        )
        request.finished = _iso(self.now())
        request.uuids = uuids
        if not uuids:
            request.state, request.state_code = RequestState.REJECTED, "5004"
        elif len(uuids) > limit:
            request.state, request.state_code = RequestState.REJECTED, "5003"
        else:
            request.state, request.state_code = RequestState.FINISHED, "5000"
            chunks = range(0, len(uuids), self.package_size)
            request.packages = [f"{request.id.upper()}_{n:02d}" for n, _ in enumerate(chunks, 1)]

    def _matching(self, request: Request) -> list[Document]:
        params = request.params
        if request.operation == "SolicitaDescargaFolio":
            document = self.documents.get(params.get("Folio", "").upper())
            return [document] if document else []
        start = datetime.strptime(params["FechaInicial"], q.DATE_FORMAT)
        end = datetime.strptime(params["FechaFinal"], q.DATE_FORMAT)
        issued = request.operation == "SolicitaDescargaEmitidos"
        status = params.get("EstadoComprobante", "Todos")
        found = []
        for document in self.documents.values():
            mine = document.rfc_emisor if issued else document.rfc_receptor
            other = document.rfc_receptor if issued else document.rfc_emisor
            if mine != request.rfc or not start <= document.fecha <= end:
                continue
            if issued and request.receivers and other not in request.receivers:
                continue
            if not issued and params.get("RfcEmisor") and other != params["RfcEmisor"].upper():
                continue
            if params.get("TipoComprobante") and document.tipo != params["TipoComprobante"]:
                continue
            cancelled = document.uuid in self.cancelled
            if (status == "Vigente" and cancelled) or (status == "Cancelado" and not cancelled):
                continue
            found.append(document)
        return sorted(found, key=lambda d: (d.fecha, d.uuid))

    # --- Descargar ---------------------------------------------------------------

    def download(self, token: str, operation: etree._Element) -> Answer:
        rfc, refusal = self._caller(token, operation, "peticionDescarga")
        if refusal is not None:
            return refusal
        element = operation.find(f"{{{NS_DES}}}peticionDescarga")
        assert element is not None
        package_id = (element.get("IdPaquete") or "").upper()
        request_id, _, number = package_id.rpartition("_")
        with self._lock:
            request = self.requests.get(request_id.lower())
            if (
                request is None
                or request.rfc != rfc
                or package_id not in request.packages
                or self._expired(request)
            ):
                return _answer("5007")
            if self.downloads.get(package_id, 0) >= self.max_downloads:
                return _answer("5008")
            today = f"{_local(self.now()):%Y-%m-%d}|{rfc}"
            if (
                self.daily_downloads is not None
                and self.daily.get(today, 0) >= self.daily_downloads
            ):
                return _answer("5011")
            self.downloads[package_id] = self.downloads.get(package_id, 0) + 1
            self.daily[today] = self.daily.get(today, 0) + 1
            self._save()
        index = int(number) - 1
        uuids = request.uuids[index * self.package_size : (index + 1) * self.package_size]
        return Answer(
            "5000", MESSAGES["5000"], request.id, request, self._zip(request, package_id, uuids)
        )

    def _zip(self, request: Request, package_id: str, uuids: list[str]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            if request.params.get("TipoSolicitud") == "Metadata":
                archive.writestr(f"{package_id}.txt", self._metadata(uuids))
            else:
                for uuid in uuids:
                    document = self.documents[uuid]
                    archive.writestr(f"{uuid}.xml", Path(document.path).read_bytes())
        return buffer.getvalue()

    def _metadata(self, uuids: list[str]) -> bytes:
        lines = ["~".join(METADATA_HEADER)]
        for uuid in uuids:
            d = self.documents[uuid]
            cancelled = self.cancelled.get(uuid, "")
            lines.append(
                "~".join(
                    [
                        d.uuid,
                        d.rfc_emisor,
                        d.nombre_emisor,
                        d.rfc_receptor,
                        d.nombre_receptor,
                        d.rfc_pac,
                        d.fecha.strftime(METADATA_DATE_FORMAT),
                        d.fecha_timbrado.strftime(METADATA_DATE_FORMAT),
                        d.total,
                        d.tipo,
                        "0" if cancelled else "1",
                        cancelled,
                    ]
                )
            )
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")

    # --- a view for tests and the control endpoint -------------------------------

    def summary(self) -> dict:
        with self._lock:
            return {
                "now": _iso(self.now()),
                "documents": len(self.documents),
                "requests": {
                    k: {
                        "state": v.state,
                        "state_code": v.state_code,
                        "verifications": v.verifications,
                        "packages": v.packages,
                        "cfdi": len(v.uuids),
                    }
                    for k, v in self.requests.items()
                },
                "downloads": dict(self.downloads),
                "faults": [asdict(f) for f in self.faults],
            }


def _load_certificate(data: bytes) -> x509.Certificate:
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def _issued_by(certificate: Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.x509().verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
