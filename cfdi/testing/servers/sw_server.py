"""A local REST server implementing SW sapien's routes, stamping with the sandbox.

Routes: ``POST /security/authenticate`` (headers user/password -> token),
``POST /v4/cfdi33/stamp/v4`` (multipart ``xml``; ``customid`` deduplicates: a
repeated id answers "CFDI3307 - Timbre duplicado" with the earlier TFD),
``POST /cfdi33/cancel/csd`` (JSON with b64Cer/b64Key/password), and
``GET /account/balance``. Answers use SW's envelope:
``{"status": "success", "data": ...}`` or ``{"status": "error", "message": ...}``.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

from lxml import etree

from ...credentials import Credential, CredentialError
from ...pac.base import AlreadyStamped, NoCredits, Rejected, StampResult
from ...pac.sandbox import SandboxPac
from ...pac.sandbox.server import LoopbackServer, serve_in_thread
from ...pac.stamped import tfd_element
from ...sat import FECHA_FORMAT
from .faults import FaultPlan, send_with_faults

DUPLICATE_MESSAGE = "CFDI3307 - Timbre duplicado. El customId proporcionado está duplicado."


class SwServer(LoopbackServer):
    path = ""

    def __init__(self, sandbox: SandboxPac, users: dict[str, str], tokens: set[str] | None = None):
        super().__init__(0, SwHandler)
        self.sandbox = sandbox
        self.users = users
        self.tokens: set[str] = set(tokens or ())
        self.custom_ids: dict[str, str] = {}  # customid -> UUID stamped under it
        self.faults = FaultPlan()
        self.lock = threading.Lock()


class SwHandler(BaseHTTPRequestHandler):
    server: SwServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def answer(self, route: str, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode("utf-8")
        send_with_faults(self, self.server.faults, route, status, "application/json", body)

    def error(self, route: str, status: int, message: str, **extra) -> None:
        self.answer(
            route, status, {"status": "error", "message": message, "messageDetail": "", **extra}
        )

    def authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and token in self.server.tokens

    def do_GET(self) -> None:  # noqa: N802
        if not self.authorized():
            return self.error("balance", 401, "AU2000 - El token proporcionado no es válido.")
        if self.path != "/account/balance":
            return self.error("?", 404, "Not found")
        balance = self.server.sandbox.balance()
        self.answer(
            "balance",
            200,
            {
                "status": "success",
                "data": {
                    "idSaldoCliente": "00000000-0000-0000-0000-000000000001",
                    "idClienteUsuario": "00000000-0000-0000-0000-000000000002",
                    "saldoTimbres": balance.stamps_left if balance.stamps_left is not None else 0,
                    "timbresUtilizados": 0,
                    "fechaExpiracion": "2030-12-31T00:00:00",
                    "unlimited": balance.unlimited,
                    "timbresAsignados": 0,
                },
            },
        )

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/security/authenticate":
            return self.authenticate()
        if not self.authorized():
            return self.error(self.path, 401, "AU2000 - El token proporcionado no es válido.")
        if self.path == "/v4/cfdi33/stamp/v4":
            return self.stamp(body)
        if self.path == "/cfdi33/cancel/csd":
            return self.cancel(body)
        return self.error("?", 404, "Not found")

    def authenticate(self) -> None:
        user, password = self.headers.get("user", ""), self.headers.get("password", "")
        if not user or self.server.users.get(user) != password:
            return self.error(
                "authenticate", 400, "AU4101 - El usuario o contraseña son incorrectos."
            )
        token = secrets.token_urlsafe(24)
        self.server.tokens.add(token)
        self.answer(
            "authenticate",
            200,
            {
                "status": "success",
                "data": {
                    "token": token,
                    "expires_in": int(time.time()) + 7200,
                    "tokeny_type": "bearer",
                },
            },
        )

    def stamp(self, body: bytes) -> None:
        xml = _multipart_field(self.headers.get("Content-Type", ""), body, "xml")
        if xml is None:
            return self.error("stamp", 400, "Petición inválida: falta el campo xml.")
        custom_id = self.headers.get("customid")
        sandbox = self.server.sandbox
        with self.server.lock:
            earlier_uuid = self.server.custom_ids.get(custom_id or "")
        if earlier_uuid:
            stamped = sandbox.stamped_xml(earlier_uuid)
            tfd = _tfd_text(stamped) if stamped else ""
            return self.error("stamp", 400, DUPLICATE_MESSAGE, data={"tfd": tfd, "cfdi": ""})
        try:
            result = sandbox.stamp(xml)
        except AlreadyStamped as exc:
            return self.error(
                "stamp", 400, DUPLICATE_MESSAGE, data={"tfd": _tfd_of(exc.result), "cfdi": ""}
            )
        except NoCredits:
            return self.error("stamp", 400, "No cuenta con timbres disponibles para timbrar.")
        except Rejected as exc:
            return self.error("stamp", 400, f"{exc.code} - {exc.message_es}")
        if custom_id:
            with self.server.lock:
                self.server.custom_ids[custom_id] = result.uuid
        self.answer(
            "stamp",
            200,
            {
                "status": "success",
                "data": {
                    "cfdi": result.xml.decode("utf-8"),
                    "uuid": result.uuid,
                    "fechaTimbrado": result.tfd.fecha_timbrado.strftime(FECHA_FORMAT),
                    "noCertificadoSAT": result.tfd.no_certificado_sat,
                    "noCertificadoCFDI": "",
                    "selloSAT": result.tfd.sello_sat,
                    "selloCFDI": result.tfd.sello_cfd,
                    "cadenaOriginalSAT": "",
                    "qrCode": "",
                },
            },
        )

    def cancel(self, body: bytes) -> None:
        try:
            data = json.loads(body)
            credential = Credential.load(
                base64.b64decode(data["b64Cer"]), base64.b64decode(data["b64Key"]), data["password"]
            )
        except (ValueError, KeyError, CredentialError) as exc:
            return self.error("cancel", 400, f"CACFDI33 - Certificado o llave inválidos: {exc}")
        try:
            result = self.server.sandbox.cancel(
                data.get("uuid", ""),
                data.get("motivo", ""),
                data.get("foliosustitucion") or None,
                data.get("rfc", ""),
                None,
                None,
                credential,
            )
        except Rejected as exc:
            return self.error("cancel", 400, f"{exc.code} - {exc.message_es}")
        if result.outcome == "rejected":
            return self.error("cancel", 400, f"{result.status_code} - {result.message}")
        self.answer(
            "cancel",
            200,
            {
                "status": "success",
                "data": {
                    "acuse": (result.acknowledgment or b"").decode("utf-8"),
                    "uuid": {result.uuid: result.status_code},
                },
            },
        )


def _multipart_field(content_type: str, body: bytes, name: str) -> bytes | None:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _tfd_text(stamped_xml: bytes) -> str:
    root = etree.fromstring(stamped_xml)
    tfd = root.find(".//{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital")
    return etree.tostring(tfd, encoding="unicode")


def _tfd_of(result: StampResult) -> str:
    return etree.tostring(tfd_element(result.tfd), encoding="unicode")


@contextlib.contextmanager
def running(
    sandbox: SandboxPac, users: dict[str, str], tokens: set[str] | None = None
) -> Iterator[SwServer]:
    with serve_in_thread(SwServer(sandbox, users, tokens)) as server:
        yield server
