"""A local SOAP server answering SAT's ConsultaCFDIService from a ``status`` function
(a connector's ``status``: the sandbox's state).

It checks the SOAPAction and reads ``expresionImpresa`` (both the verification
URL and the short ``?re=&rr=&tt=&id=`` form), and answers ``ConsultaResponse``
built from the project's self-contained WSDL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler

from ...pac.base import StatusResult
from ...pac.sandbox.server import LoopbackServer, serve_in_thread
from ...pac.soap import WSDL_DIR, WsdlTypes, envelope, fault, fields, read_body, text_of
from .faults import FaultPlan, send_with_faults

ACTION = "http://tempuri.org/IConsultaCFDIService/Consulta"
NS_TEMPURI = "http://tempuri.org/"
Status = Callable[[str, str, str, Decimal], StatusResult]  # (uuid, issuer, receiver, total)


def parse_expression(text: str) -> dict[str, str]:
    """{re, rr, tt, id, fe} of an expresionImpresa ("&amp;" inside an RFC kept as "&")."""
    query = text.split("?", 1)[-1].replace("&amp;", "\x00")
    pairs = (item.split("=", 1) for item in query.split("&") if "=" in item)
    return {key: value.replace("\x00", "&") for key, value in pairs}


class SatServer(LoopbackServer):
    path = "/ConsultaCFDIService.svc"

    def __init__(self, status: Status):
        super().__init__(0, SatHandler)
        self.status = status
        self.types = WsdlTypes(WSDL_DIR / "sat" / "ConsultaCFDIService.wsdl")
        self.faults = FaultPlan()
        self.expressions: list[str] = []


class SatHandler(BaseHTTPRequestHandler):
    server: SatServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        send = self.reply
        if self.headers.get("SOAPAction", "").strip('"') != ACTION:
            return send(500, fault("Client", "Unknown SOAPAction"))
        try:
            request = read_body(data)
        except ValueError as exc:
            return send(500, fault("Client", str(exc)))
        expression = text_of(fields(request), "expresionImpresa")
        self.server.expressions.append(expression)
        values = parse_expression(expression)
        status = self.server.status(
            values.get("id", ""),
            values.get("re", ""),
            values.get("rr", ""),
            Decimal(values.get("tt", "0")),
        )
        result = {
            "CodigoEstatus": status.codigo_estatus,
            "EsCancelable": status.es_cancelable,
            "Estado": status.estado,
            "EstatusCancelacion": status.estatus_cancelacion,
            "ValidacionEFOS": status.validacion_efos,
        }
        answer = self.server.types.element(
            NS_TEMPURI, "ConsultaResponse", {"ConsultaResult": result}
        )
        send(200, envelope(answer))

    def reply(self, status: int, body: bytes) -> None:
        send_with_faults(
            self, self.server.faults, "Consulta", status, "text/xml; charset=utf-8", body
        )


@contextlib.contextmanager
def running(status: Status) -> Iterator[SatServer]:
    """The service on 127.0.0.1 (a free port) in a thread; ``server.url`` is its address and
    ``server.expressions`` every expresionImpresa it received."""
    with serve_in_thread(SatServer(status)) as server:
        yield server
