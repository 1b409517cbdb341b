"""Client of SAT's mass download web service (``Descarga masiva``, version 1.5).

One object per company e.firma. Each method is one SOAP call, so a scheduled job
can stop anywhere and resume from what it stored: the token (``client.token``),
the request id (``submit``), the package ids (``verify``); ``download`` writes one
package. Plain ``requests`` over lxml-built messages: SAT publishes no WSDL a
client can load offline, and its signature shape is not zeep's WS-Security.

Typical use::

    client = DescargaClient(fiel_credential)
    request_id = client.submit(Query(Direction.RECEIVED, start, end)).request_id
    verification = client.verify(request_id)          # again later while next_step is WAIT
    for package_id in verification.package_ids:
        client.download(package_id, open(f"{package_id}.zip", "wb"))
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, TypeVar

import requests
from lxml import etree

from .. import catalogs
from ..credentials import Credential
from . import messages as m
from . import query as q
from .codes import ACCEPTED
from .errors import AuthenticationRefused, PackageRefused, SatRefused, SatUnavailable
from .fiel import check_fiel

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_CODES = ("404", "5006")  # SAT's own "try again later"
TOKEN_REJECTED = "300"
GIB = 1024**3
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Endpoints:
    authenticate: str
    query: str
    verify: str
    download: str

    @classmethod
    def at(cls, request_host: str, download_host: str | None = None) -> Endpoints:
        """SAT's paths on a host (``https://...`` or a local simulator's address)."""
        request_host = request_host.rstrip("/")
        download_host = (download_host or request_host).rstrip("/")
        return cls(
            authenticate=f"{request_host}/Autenticacion/Autenticacion.svc",
            query=f"{request_host}/SolicitaDescargaService.svc",
            verify=f"{request_host}/VerificaSolicitudDescargaService.svc",
            download=f"{download_host}/DescargaMasivaService.svc",
        )

    @classmethod
    def cfdi(cls) -> Endpoints:
        return cls.at(
            "https://cfdidescargamasivasolicitud.clouda.sat.gob.mx",
            "https://cfdidescargamasiva.clouda.sat.gob.mx",
        )

    @classmethod
    def retenciones(cls) -> Endpoints:
        return cls.at(
            "https://retendescargamasivasolicitud.clouda.sat.gob.mx",
            "https://retendescargamasiva.clouda.sat.gob.mx",
        )


class DescargaClient:
    def __init__(
        self,
        credential: Credential,
        endpoints: Endpoints | None = None,
        *,
        token: m.Token | None = None,
        timeout: float = 60.0,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = m.utc_now,
        max_package_bytes: int = 2 * GIB,
    ) -> None:
        check_fiel(credential, credential.certificate.rfc, clock())
        self.credential = credential
        self.endpoints = endpoints or Endpoints.cfdi()
        self.token = token  # store it to resume without authenticating again
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock
        self.max_package_bytes = max_package_bytes

    def __repr__(self) -> str:
        return f"DescargaClient(rfc={self.credential.certificate.rfc!r})"

    # --- the four operations --------------------------------------------------

    def authenticate(self) -> m.Token:
        body = m.authentication_request(self.credential, self.clock())
        response = self._post(self.endpoints.authenticate, m.ACTION_AUTHENTICATE, body, None)
        root = self._root(response, authenticating=True)
        self.token = m.read_token(root)
        return self.token

    def submit(self, query: q.Query | q.FolioQuery) -> m.Submission:
        """Present a download request; its ``request_id`` is what to store."""
        q.check(query, self._local_now())
        action, body = m.query_request(self.credential, query)
        operation = q.operation(query)

        def call(token: str) -> m.Submission:
            root = self._root(self._post(self.endpoints.query, action, body, token))
            return m.read_submission(root, operation)

        submission = self._with_token(call, lambda s: s.status_code, operation)
        if not submission.request_id:
            raise SatUnavailable(
                "El SAT aceptó la solicitud sin darle número; preséntela de nuevo.",
                "SAT accepted the request without giving it an id; submit it again.",
            )
        return submission

    def verify(self, request_id: str) -> m.Verification:
        """Where the request stands; ``next_step`` says what to do."""
        body = m.verify_request(self.credential, request_id)
        operation = "VerificaSolicitudDescarga"

        def call(token: str) -> m.Verification:
            root = self._root(self._post(self.endpoints.verify, m.ACTION_VERIFY, body, token))
            return m.read_verification(root, request_id)

        return self._with_token(call, lambda v: v.status_code, operation)

    def download(self, package_id: str, output: BinaryIO) -> int:
        """Write package ``package_id`` (a ZIP) into ``output``; return its size in bytes.

        On an exception ``output`` may hold part of the package: discard it.
        """
        body = m.download_request(self.credential, package_id)

        def call(token: str) -> m.PackageWriter:
            response = self._post(self.endpoints.download, m.ACTION_DOWNLOAD, body, token, True)
            return self._stream_package(response, output)

        writer = self._with_token(call, lambda w: w.status_code, "Descargar")
        if not writer.size:
            raise SatUnavailable(
                f"El SAT entregó vacío el paquete {package_id}; se reintentará.",
                f"SAT delivered package {package_id} empty; it will be retried.",
            )
        return writer.size

    def download_bytes(self, package_id: str) -> bytes:
        buffer = io.BytesIO()
        self.download(package_id, buffer)
        return buffer.getvalue()

    # --- plumbing -------------------------------------------------------------

    def _local_now(self) -> datetime:
        return self.clock().astimezone(catalogs.mexico_city()).replace(tzinfo=None)

    def _token(self) -> str:
        if self.token is None or not self.token.usable_at(self.clock()):
            self.authenticate()
        assert self.token is not None
        return self.token.value

    def _with_token(
        self, call: Callable[[str], T], status_of: Callable[[T], str], operation: str
    ) -> T:
        """Run ``call(token)``; on SAT's 300 (token refused) authenticate once and retry."""
        result = call(self._token())
        if status_of(result) == TOKEN_REJECTED:
            self.token = None
            result = call(self._token())
        status = status_of(result)
        if status == ACCEPTED:
            return result
        message = getattr(result, "message", "")
        if status == TOKEN_REJECTED:
            raise AuthenticationRefused(operation, status, message)
        if status in RETRY_CODES or not status:
            error = SatUnavailable(
                f"El SAT no pudo atender {operation} ({status or 'sin código'} {message}); "
                "se reintentará.",
                f"SAT could not serve {operation} ({status or 'no code'} {message}); it will "
                "be retried.",
            )
            error.sat_code = status
            raise error
        raise SatRefused(operation, status, message)

    def _post(
        self, url: str, action: str, body: bytes, token: str | None, stream: bool = False
    ) -> requests.Response:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
        if token is not None:
            headers["Authorization"] = f'WRAP access_token="{token}"'
        try:
            response = self.session.post(
                url, data=body, headers=headers, timeout=self.timeout, stream=stream
            )
        except requests.RequestException as exc:
            logger.info("SAT %s: %s", action.rpartition("/")[2], type(exc).__name__)
            raise SatUnavailable(
                f"No se pudo comunicar con el SAT ({type(exc).__name__}); se reintentará.",
                f"Could not reach SAT ({type(exc).__name__}); it will be retried.",
            ) from None
        logger.debug("SAT %s -> HTTP %s", action.rpartition("/")[2], response.status_code)
        return response

    def _root(self, response: requests.Response, authenticating: bool = False) -> etree._Element:
        """The answer's envelope; a SOAP fault or an HTTP error becomes an exception."""
        data = response.content
        if response.status_code != 200:
            fault = m.fault_code(m.parse_answer(data)) if data.lstrip().startswith(b"<") else None
            if authenticating and fault:
                raise AuthenticationRefused("Autentica", fault)
            raise SatUnavailable(
                f"El SAT respondió HTTP {response.status_code}{f' ({fault})' if fault else ''}; "
                "se reintentará.",
                f"SAT answered HTTP {response.status_code}{f' ({fault})' if fault else ''}; it "
                "will be retried.",
            )
        return m.parse_answer(data)

    def _stream_package(self, response: requests.Response, output: BinaryIO) -> m.PackageWriter:
        if response.status_code != 200:
            self._root(response)
        writer = m.PackageWriter(_Bounded(output, self.max_package_bytes))
        parser = m.package_parser(writer)
        try:
            for chunk in response.iter_content(_CHUNK):
                parser.feed(chunk)
            parser.close()
        except (requests.RequestException, etree.XMLSyntaxError) as exc:
            raise SatUnavailable(
                "La descarga del paquete se interrumpió o llegó dañada; se reintentará.",
                "The package download was cut or arrived damaged; it will be retried.",
            ) from exc
        finally:
            response.close()
        return writer


class _Bounded:
    """A writer that refuses to grow past ``limit`` bytes (a package larger than any SAT
    sends is refused while it arrives)."""

    def __init__(self, output: BinaryIO, limit: int) -> None:
        self.output, self.limit, self.written = output, limit, 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise PackageRefused(
                f"El paquete supera {self.limit // (1024 * 1024)} MiB; no se guarda.",
                f"The package exceeds {self.limit // (1024 * 1024)} MiB; it is not kept.",
            )
        return self.output.write(data)
