"""The sandbox PAC over HTTP, speaking Finkok's SOAP protocol (same WSDLs).

``python -m cfdi sandbox --port 8080`` serves, on 127.0.0.1 only:

- ``/servicios/soap/stamp``: ``stamp``, ``quick_stamp``, ``stamped``
- ``/servicios/soap/cancel``: ``cancel``, ``get_sat_status``, ``get_receipt``,
  ``accept_reject`` (the receiver's answer to a pending cancellation)
- ``/servicios/soap/registration``: ``get`` (the credit balance)
- ``GET /servicios/soap/<service>.wsdl``: the WSDL itself

so the Finkok connector (and any Finkok client) can be pointed at it with
``url="http://127.0.0.1:8080/servicios/soap/"``. Answers are built from the WSDL's
types (``cfdi.pac.soap``). ``users`` restricts who may stamp (default: anyone
with a non-empty user and password).

For tests, ``running()`` starts it on a random port in a thread; subclass
``FinkokSoapHandler`` and override ``reply`` to inject faults.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

from lxml import etree

from ... import catalogs
from ...credentials import Credential, CredentialError
from ...errors import CfdiError
from ...sat import FECHA_FORMAT
from ..base import AlreadyStamped, NoCredits, Rejected
from ..soap import WSDL_DIR, WsdlTypes, envelope, fault, fields, read_body, text_of
from .connector import SandboxPac

logger = logging.getLogger(__name__)
T = TypeVar("T", bound=ThreadingHTTPServer)

NS_APPS = "apps.services.soap.core.views"
SERVICES = {
    "stamp": "http://facturacion.finkok.com/stamp",
    "cancel": "http://facturacion.finkok.com/cancel",
    "registration": "http://facturacion.finkok.com/registration",
}
PATH_PREFIX = "/servicios/soap/"
AUTH_CODE, AUTH_MESSAGE = "300", "Usuario o contraseña inválidos"
NO_CREDITS_CODE, NO_CREDITS_MESSAGE = "710", "Sin folios disponibles"
NOT_STAMPED_CODE = "603"


class LoopbackServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 only, one thread per request; ``url`` ends in ``path``."""

    daemon_threads = True
    allow_reuse_address = True
    path = "/"

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]):
        super().__init__(("127.0.0.1", port), handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{self.path}"


class SandboxHttpServer(LoopbackServer):
    path = PATH_PREFIX  # url: the base address for ``FinkokConnector(url=...)``

    def __init__(
        self,
        port: int,
        sandbox: SandboxPac,
        users: dict[str, str] | None,
        handler: type[BaseHTTPRequestHandler],
    ):
        super().__init__(port, handler)
        self.sandbox = sandbox
        self.users = users
        self.types = {name: WsdlTypes(WSDL_DIR / "finkok" / f"{name}.wsdl") for name in SERVICES}


class FinkokSoapHandler(BaseHTTPRequestHandler):
    server: SandboxHttpServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # answers go out in one segment; without this, delayed ACKs add ~40 ms per call
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- HTTP --

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        name = self.path.split("?")[0].removeprefix(PATH_PREFIX).removesuffix(".wsdl")
        if name in SERVICES:
            self.send_body(
                200, "text/xml; charset=utf-8", (WSDL_DIR / "finkok" / f"{name}.wsdl").read_bytes()
            )
        else:
            self.send_body(404, "text/plain", b"not found")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        service = self.path.split("?")[0].removeprefix(PATH_PREFIX).strip("/")
        if service not in SERVICES:
            self.send_body(404, "text/plain", b"not found")
            return
        try:
            operation = read_body(data)
        except ValueError as exc:
            self.reply("?", 500, fault("Client", f"Bad request: {exc}"))
            return
        name = etree.QName(operation).localname
        method = getattr(self, f"op_{service}_{name}", None)
        if method is None:
            self.reply(name, 500, fault("Client", f"Unsupported operation {name}"))
            return
        try:
            result = method(fields(operation))
        except Exception:  # a bug in the sandbox is a server fault, as a real PAC's would be
            logger.exception("sandbox server failed in %s", name)
            self.reply(name, 500, fault("Server", "Internal error of the sandbox PAC"))
            return
        answer = self.server.types[service].element(
            SERVICES[service], f"{name}Response", {f"{name}Result": result}
        )
        self.reply(name, 200, envelope(answer))

    def reply(self, operation: str, status: int, body: bytes) -> None:
        """Send a SOAP answer. Tests override this to inject faults."""
        self.send_body(status, "text/xml; charset=utf-8", body)

    def send_body(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            # BaseHTTPRequestHandler's private buffer, which send_header fills
            buffer: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
            buffer.append(b"\r\n")  # end_headers() without its separate write
            self.wfile.write(b"".join(buffer) + body)
            buffer.clear()
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer was sent")

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        logger.debug("%s %s", self.address_string(), format % args)

    # -- helpers --

    @property
    def sandbox(self) -> SandboxPac:
        return self.server.sandbox

    def authorized(self, f: dict, user: str = "username", password: str = "password") -> bool:
        username, secret = text_of(f, user), text_of(f, password)
        users = self.server.users
        if users is None:
            return bool(username and secret)
        return users.get(username) == secret

    def now_text(self) -> str:
        return catalogs.local_time(self.sandbox.clock()).strftime(FECHA_FORMAT)

    def incidence(self, code: str, message: str, **extra) -> dict:
        return {
            "Incidencias": {
                "Incidencia": [
                    {
                        "IdIncidencia": "1",
                        "CodigoError": code,
                        "MensajeIncidencia": message,
                        "NoCertificadoPac": self.sandbox.pac_credential.certificate.no_certificado,
                        "FechaRegistro": self.now_text(),
                        **extra,
                    }
                ]
            }
        }

    def acuse(self, result, status: str) -> dict:
        return {
            "xml": result.xml.decode("utf-8"),
            "UUID": result.uuid,
            "Fecha": result.tfd.fecha_timbrado.strftime(FECHA_FORMAT),
            "CodEstatus": status,
            "SatSeal": result.tfd.sello_sat,
            "NoCertificadoSAT": result.tfd.no_certificado_sat,
        }

    # -- stamp service --

    def op_stamp_stamp(self, f: dict) -> dict:
        if not self.authorized(f):
            return self.incidence(AUTH_CODE, AUTH_MESSAGE)
        try:
            xml = _base64(text_of(f, "xml"))
            result = self.sandbox.stamp(xml)
        except AlreadyStamped as exc:
            return {
                **self.acuse(exc.result, "Comprobante timbrado previamente"),
                **self.incidence("307", "El CFDI contiene un timbre previo", Uuid=exc.result.uuid),
            }
        except NoCredits:
            return self.incidence(NO_CREDITS_CODE, NO_CREDITS_MESSAGE)
        except Rejected as exc:
            return self.incidence(exc.code, exc.message_es)
        except CfdiError as exc:
            return self.incidence("301", exc.message_es)
        return self.acuse(result, "Comprobante timbrado satisfactoriamente")

    op_stamp_quick_stamp = op_stamp_stamp

    def op_stamp_stamped(self, f: dict) -> dict:
        if not self.authorized(f):
            return self.incidence(AUTH_CODE, AUTH_MESSAGE)
        try:
            result = self.sandbox.find_stamped(_base64(text_of(f, "xml")))
        except CfdiError as exc:
            return self.incidence("301", exc.message_es)
        if result is None:
            return self.incidence(NOT_STAMPED_CODE, "El CFDI no ha sido timbrado")
        return self.acuse(result, "Comprobante timbrado previamente")

    # -- cancel service --

    def op_cancel_cancel(self, f: dict) -> dict:
        taxpayer = text_of(f, "taxpayer_id")
        if not self.authorized(f):
            return {"CodEstatus": f"{AUTH_CODE} - {AUTH_MESSAGE}", "RfcEmisor": taxpayer}
        try:
            credential = Credential.load(
                _base64(text_of(f, "cer")), _base64(text_of(f, "key")), text_of(f, "password")
            )
        except (CredentialError, ValueError) as exc:
            return {
                "CodEstatus": f"Certificado o llave inválidos: {getattr(exc, 'message_es', exc)}",
                "RfcEmisor": taxpayer,
            }
        folios, acuse = [], None
        uuids = f.get("UUIDS")
        for item in uuids if uuids is not None else []:
            try:
                result = self.sandbox.cancel(
                    item.get("UUID", ""),
                    item.get("Motivo", ""),
                    item.get("FolioSustitucion") or None,
                    taxpayer,
                    None,
                    None,
                    credential,
                )
            except Rejected as exc:
                folios.append(
                    {
                        "UUID": item.get("UUID"),
                        "EstatusUUID": exc.code,
                        "EstatusCancelacion": exc.message_es,
                    }
                )
                continue
            except CredentialError as exc:
                return {"CodEstatus": exc.message_es, "RfcEmisor": taxpayer}
            acuse = result.acknowledgment or acuse
            status = {"in_process": "En proceso", "cancelled": result.message}.get(
                result.outcome, result.message
            )
            folios.append(
                {
                    "UUID": result.uuid,
                    "EstatusUUID": result.status_code,
                    "EstatusCancelacion": status,
                }
            )
        return {
            "Folios": {"Folio": folios},
            "Acuse": acuse,
            "Fecha": self.now_text(),
            "RfcEmisor": taxpayer,
        }

    def op_cancel_get_sat_status(self, f: dict) -> dict:
        if not self.authorized(f):
            return {"error": f"{AUTH_CODE} - {AUTH_MESSAGE}"}
        try:
            total = Decimal(text_of(f, "total") or "0")
        except ArithmeticError:
            return {"error": "El total no es un número"}
        status = self.sandbox.status(
            text_of(f, "uuid"), text_of(f, "taxpayer_id"), text_of(f, "rtaxpayer_id"), total
        )
        return {
            "sat": {
                "EsCancelable": status.es_cancelable,
                "ValidacionEFOS": status.validacion_efos,
                "CodigoEstatus": status.codigo_estatus,
                "Estado": status.estado,
                "EstatusCancelacion": status.estatus_cancelacion,
            }
        }

    def op_cancel_get_receipt(self, f: dict) -> dict:
        uuid = text_of(f, "uuid").upper()
        if not self.authorized(f):
            return {"uuid": uuid, "success": False, "error": f"{AUTH_CODE} - {AUTH_MESSAGE}"}
        receipt = self.sandbox.receipt(uuid)
        if receipt is None:
            return {"uuid": uuid, "success": False, "error": "No se encontró el acuse"}
        return {
            "uuid": uuid,
            "success": True,
            "receipt": receipt.decode("utf-8"),
            "taxpayer_id": text_of(f, "taxpayer_id"),
            "date": self.now_text(),
        }

    def op_cancel_accept_reject(self, f: dict) -> dict:
        """The receiver accepts ("Aceptacion") or rejects ("Rechazo") pending cancellations."""
        if not self.authorized(f):
            return {"error": f"{AUTH_CODE} - {AUTH_MESSAGE}"}
        accepted: list[dict[str, str]] = []
        rejected: list[dict[str, str]] = []
        container = f.get("UUIDS_AR")
        for item in container.iter(f"{{{NS_APPS}}}UUID_AR") if container is not None else []:
            answer = fields(item)
            uuid, response = text_of(answer, "uuid").upper(), text_of(answer, "respuesta")
            accept = response.lower().startswith("acept")
            try:
                self.sandbox.respond_to_cancellation(uuid, accept)
                status = "1000"  # SAT: "Se recibió la respuesta de la petición de forma exitosa"
            except Rejected as exc:
                status = exc.code
            (accepted if accept else rejected).append({"status": status, "uuid": uuid})
        return {"aceptacion": {"Acepta": accepted}, "rechazo": {"Rechaza": rejected}}

    # -- registration service --

    def op_registration_get(self, f: dict) -> dict:
        if not self.authorized(f, "reseller_username", "reseller_password"):
            return {"message": AUTH_MESSAGE}
        balance = self.sandbox.balance()
        credit = -1 if balance.unlimited else balance.stamps_left
        return {
            "message": "",
            "users": {
                "ResellerUser": [
                    {
                        "status": "A",
                        "counter": 0,
                        "taxpayer_id": text_of(f, "taxpayer_id"),
                        "credit": credit,
                    }
                ]
            },
        }


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(
            "El contenido no está en base64.", "The content is not base64.", code="301"
        ) from exc


@contextlib.contextmanager
def serve_in_thread(server: T) -> Iterator[T]:
    """Run ``server`` in a daemon thread for the duration of the block, then stop it."""
    thread = threading.Thread(target=server.serve_forever, name=type(server).__name__, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def running(
    state_dir=None,
    *,
    users: dict[str, str] | None = None,
    credits: int | None = None,
    sandbox: SandboxPac | None = None,
    handler: type[FinkokSoapHandler] = FinkokSoapHandler,
    port: int = 0,
    latency: float = 0.0,
    latency_jitter: float = 0.0,
) -> Iterator[SandboxHttpServer]:
    """The server on 127.0.0.1 (random port by default) in a thread, for tests;
    ``latency`` / ``latency_jitter``: see ``SandboxPac``."""
    sandbox = sandbox or SandboxPac(
        state_dir, credits=credits, latency=latency, latency_jitter=latency_jitter
    )
    with serve_in_thread(SandboxHttpServer(port, sandbox, users, handler)) as server:
        yield server


def serve(
    port: int,
    state_dir=None,
    *,
    users: dict[str, str] | None = None,
    credits: int | None = None,
    latency: float = 0.0,
    latency_jitter: float = 0.0,
) -> None:
    """Serve until interrupted (``python -m cfdi sandbox``)."""
    sandbox = SandboxPac(state_dir, credits=credits, latency=latency, latency_jitter=latency_jitter)
    server = SandboxHttpServer(port, sandbox, users, FinkokSoapHandler)
    logger.info("sandbox PAC listening on %s", server.url)
    delay = (
        f", latency {latency:g} s + up to {latency_jitter:g} s" if latency or latency_jitter else ""
    )
    print(
        f"Sandbox PAC (Finkok protocol) on {server.url} - state in {sandbox.state_dir}{delay}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
