"""The SAT simulator over HTTP on 127.0.0.1: SAT's four SOAP services, SAT's shapes.

``python -m cfdi sat-simulator --port N`` serves, as SAT does:

- ``/Autenticacion/Autenticacion.svc``: ``Autentica`` (WS-Security signed by the e.firma)
- ``/SolicitaDescargaService.svc``: ``SolicitaDescargaEmitidos|Recibidos|Folio``
- ``/VerificaSolicitudDescargaService.svc``: ``VerificaSolicitudDescarga``
- ``/DescargaMasivaService.svc``: ``Descargar``

so ``Endpoints.at("http://127.0.0.1:N")`` points the client at it. The SOAPAction
must match the operation, and the token travels in ``Authorization: WRAP
access_token="..."``. A control endpoint for tests and demos (``/__simulator__/``):
``GET state``; ``POST faults`` (a Fault as JSON), ``clock`` (``{"advance": seconds}``),
``cancel`` (``{"uuid": ...}``), ``reload`` (re-read the CFDI folder).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import quoteattr

from lxml import etree

from .. import xml as cfdi_xml
from ..errors import CfdiError
from .messages import (
    ACTION_AUTHENTICATE,
    ACTION_DOWNLOAD,
    ACTION_VERIFY,
    NS_AUTH,
    NS_DES,
    query_action,
)
from .simulator import MESSAGES, Answer, Fault, InvalidSecurity, SatSimulator
from .xmldsig import NS_SOAP, NS_WSSE, NS_WSU, SignatureError, format_timestamp, verify_security

logger = logging.getLogger(__name__)

QUERY_OPERATIONS = (
    "SolicitaDescargaEmitidos",
    "SolicitaDescargaRecibidos",
    "SolicitaDescargaFolio",
)
ROUTES = {
    "/Autenticacion/Autenticacion.svc": "authenticate",
    "/SolicitaDescargaService.svc": "query",
    "/VerificaSolicitudDescargaService.svc": "verify",
    "/DescargaMasivaService.svc": "download",
}
CONTROL = "/__simulator__/"
_TOKEN = re.compile(r'^WRAP access_token="(.*)"$')
_XML = "text/xml; charset=utf-8"


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, simulator: SatSimulator, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), SatHandler)
        self.simulator = simulator

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _envelope(body: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{NS_SOAP}">'
        f"<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def soap_fault(code: str, text: str, namespace: str = NS_WSSE) -> bytes:
    return _envelope(
        f'<s:Fault><faultcode xmlns:a="{namespace}">a:{code}</faultcode>'
        f'<faultstring xml:lang="en-US">{text}</faultstring></s:Fault>'
    )


def _attributes(values: dict[str, str]) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in values.items())


class SatHandler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("%s %s", self.address_string(), format % args)

    @property
    def sat(self) -> SatSimulator:
        return self.server.simulator

    def send(self, status: int, body: bytes, content_type: str = _XML) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("the client went away before the answer")

    # --- HTTP ---------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == f"{CONTROL}state":
            self.send(200, json.dumps(self.sat.summary()).encode(), "application/json")
        else:
            self.send(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(CONTROL):
            return self.control(self.path.removeprefix(CONTROL), data)
        operation = ROUTES.get(self.path.split("?")[0])
        if operation is None:
            return self.send(404, b"not found", "text/plain")
        try:
            root = cfdi_xml.parse(data)
        except CfdiError:
            return self.send(400, soap_fault("BadRequest", "The message is not well formed XML."))
        action = (self.headers.get("SOAPAction") or "").strip('"')
        self.answer(operation, action, root)

    def answer(self, operation: str, action: str, root: etree._Element) -> None:
        body = root.find(f"{{{NS_SOAP}}}Body")
        element = body[0] if body is not None and len(body) else None
        if element is None or not self._action_matches(operation, action, element):
            return self.send(500, soap_fault("ActionNotSupported", f"Unknown action {action}"))
        fault = self.sat.take_fault(operation, _target(element))
        if fault is not None and fault.action == "http500":
            return self.send(500, b"<html><body>Runtime Error</body></html>", "text/html")
        if fault is not None and fault.action == "code":
            return self.send(200, self._coded(operation, element, fault.value))
        status, reply = self.run(operation, root, element, fault)
        if fault is not None and fault.action == "delay":
            time.sleep(float(fault.value or "1"))
        if fault is not None and fault.action == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send(status, reply)

    @staticmethod
    def _action_matches(operation: str, action: str, element: etree._Element) -> bool:
        name = etree.QName(element).localname
        expected = {
            "authenticate": (ACTION_AUTHENTICATE, "Autentica"),
            "verify": (ACTION_VERIFY, "VerificaSolicitudDescarga"),
            "download": (ACTION_DOWNLOAD, "PeticionDescargaMasivaTercerosEntrada"),
        }.get(operation)
        if expected is not None:
            return (action, name) == expected
        return name in QUERY_OPERATIONS and action == query_action(name)

    def _token(self) -> str:
        match = _TOKEN.match((self.headers.get("Authorization") or "").strip())
        return match.group(1) if match else ""

    # --- operations -----------------------------------------------------------------

    def run(
        self, operation: str, root: etree._Element, element: etree._Element, fault: Fault | None
    ) -> tuple[int, bytes]:
        if operation == "authenticate":
            return self.authenticate(root)
        if operation == "query":
            return 200, self.submitted(element, self.sat.submit(self._token(), element))
        if operation == "verify":
            answer = self.sat.verify(self._token(), element)
            if fault is not None and fault.action == "state" and answer.request is not None:
                self.sat.force_state(answer.request, fault.value)
            return 200, self.verified(answer)
        return 200, self.downloaded(self.sat.download(self._token(), element))

    def authenticate(self, root: etree._Element) -> tuple[int, bytes]:
        try:
            token, created, expires = self.sat.authenticate(verify_security(root))
        except (SignatureError, InvalidSecurity):
            return 500, soap_fault(
                "InvalidSecurity", "An error occurred when verifying security for the message."
            )
        header = (
            f'<o:Security s:mustUnderstand="1" xmlns:o="{NS_WSSE}"><u:Timestamp u:Id="_0" '
            f'xmlns:u="{NS_WSU}"><u:Created>{format_timestamp(created)}</u:Created>'
            f"<u:Expires>{format_timestamp(expires)}</u:Expires></u:Timestamp></o:Security>"
        )
        body = (
            f'<AutenticaResponse xmlns="{NS_AUTH}"><AutenticaResult>{token}</AutenticaResult>'
            "</AutenticaResponse>"
        )
        return 200, _envelope(body, header)

    @staticmethod
    def submitted(element: etree._Element, answer: Answer) -> bytes:
        name = etree.QName(element).localname
        solicitud = element.find(f"{{{NS_DES}}}solicitud")
        values = {
            "IdSolicitud": answer.request_id,
            "RfcSolicitante": solicitud.get("RfcSolicitante", "") if solicitud is not None else "",
            "CodEstatus": answer.status_code,
            "Mensaje": answer.message,
        }
        if not answer.request_id:
            del values["IdSolicitud"]
        return _envelope(
            f'<{name}Response xmlns="{NS_DES}"><{name}Result{_attributes(values)}/>'
            f"</{name}Response>"
        )

    @staticmethod
    def verified(answer: Answer) -> bytes:
        request = answer.request
        values = {"CodEstatus": answer.status_code, "Mensaje": answer.message}
        packages = ""
        if request is not None:
            values |= {
                "EstadoSolicitud": str(request.state),
                "CodigoEstadoSolicitud": request.state_code,
                "NumeroCFDIs": str(len(request.uuids)),
            }
            packages = "".join(f"<IdsPaquetes>{p}</IdsPaquetes>" for p in request.packages)
        else:
            values |= {"EstadoSolicitud": "0", "CodigoEstadoSolicitud": "", "NumeroCFDIs": "0"}
        return _envelope(
            f'<VerificaSolicitudDescargaResponse xmlns="{NS_DES}">'
            f"<VerificaSolicitudDescargaResult{_attributes(values)}>{packages}"
            "</VerificaSolicitudDescargaResult></VerificaSolicitudDescargaResponse>"
        )

    @staticmethod
    def downloaded(answer: Answer) -> bytes:
        values = {"CodEstatus": answer.status_code, "Mensaje": answer.message}
        header = f'<h:respuesta xmlns:h="{NS_DES}" xmlns="{NS_DES}"{_attributes(values)}/>'
        package = base64.b64encode(answer.package).decode("ascii") if answer.package else ""
        return _envelope(
            f'<RespuestaDescargaMasivaTercerosSalida xmlns="{NS_DES}"><Paquete>{package}'
            "</Paquete></RespuestaDescargaMasivaTercerosSalida>",
            header,
        )

    def _coded(self, operation: str, element: etree._Element, code: str) -> bytes:
        answer = Answer(code, MESSAGES.get(code, f"Error {code}"))
        if operation == "query":
            return self.submitted(element, answer)
        if operation == "verify":
            return self.verified(answer)
        if operation == "download":
            return self.downloaded(answer)
        return soap_fault("InvalidSecurity", f"Simulated failure {code}")

    # --- control ------------------------------------------------------------------

    def control(self, command: str, data: bytes) -> None:
        try:
            payload = json.loads(data or b"{}")
            if command == "faults":
                self.sat.add_fault(Fault(**payload))
            elif command == "clock":
                self.sat.advance(float(payload["advance"]))
            elif command == "cancel":
                when = payload.get("when")
                self.sat.cancel(payload["uuid"], datetime.fromisoformat(when) if when else None)
            elif command == "reload":
                payload = {"documents": self.sat.reload()}
            else:
                return self.send(404, b"unknown control command", "text/plain")
        except (ValueError, KeyError, TypeError) as exc:
            return self.send(400, str(exc).encode(), "text/plain")
        self.send(200, json.dumps(payload).encode(), "application/json")


def _target(element: etree._Element) -> str:
    child = element[0] if len(element) else None
    if child is None:
        return ""
    return child.get("IdSolicitud") or child.get("IdPaquete") or ""


@contextlib.contextmanager
def running(simulator: SatSimulator, port: int = 0) -> Iterator[SimulatorServer]:
    """The simulator on 127.0.0.1 (a free port by default) in a thread, for tests."""
    server = SimulatorServer(simulator, port)
    thread = threading.Thread(target=server.serve_forever, name="sat-simulator", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(simulator: SatSimulator, port: int) -> None:
    """Serve until interrupted (``python -m cfdi sat-simulator``)."""
    server = SimulatorServer(simulator, port)
    print(
        f"SAT simulator (descarga masiva) on {server.url} - {len(simulator.documents)} CFDI"
        + (f", state in {simulator.state_dir}" if simulator.state_dir else ""),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
