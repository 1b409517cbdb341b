"""SW sapien (SmarterWEB, Luna Soft): REST through requests.

- Authentication: ``POST /security/authenticate`` with headers ``user`` and
  ``password`` gives a token (cached until it expires), or a long-lived token is
  configured directly. Requests carry ``Authorization: bearer <token>``.
- Stamping: ``POST /v4/cfdi33/stamp/v4`` (multipart field ``xml``; the route
  serves CFDI 4.0 too) answers the full stamped CFDI in ``data.cfdi``. The
  ``customid`` header is the SHA-256 of the signed XML, so SW deduplicates a
  re-send: it answers "CFDI3307 - Timbre duplicado" with the earlier TFD
  (``data.tfd``) or CFDI, which becomes ``AlreadyStamped`` with the same UUID.
  "307 El comprobante contiene un timbre previo" is handled the same way.
- Cancellation with the CSD: ``POST /cfdi33/cancel/csd`` (JSON: uuid, rfc,
  motivo, foliosustitucion, b64Cer, b64Key, password). The key is sent as an
  encrypted PKCS#8 DER under a one-time random password, never the CSD's own.
- Balance: ``GET /account/balance`` (saldoTimbres, unlimited, fechaExpiracion).
- Status: SAT's ConsultaCFDIService (``cfdi.pac.sat_status``), as SW's SDKs do.

Hosts: test ``https://services.test.sw.com.mx``, production
``https://services.sw.com.mx``, or ``url=``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import re
import secrets
import time
from decimal import Decimal
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from lxml import etree

from .base import (
    AlreadyStamped,
    Balance,
    CancelOutcome,
    CancelResult,
    Connector,
    PacError,
    Rejected,
    StampResult,
    StatusResult,
    authentication_error,
    check_motive,
    no_credits_error,
    redact,
    unavailable_error,
)
from .sat_status import PRODUCTION_URL as SAT_STATUS_URL
from .sat_status import SatStatusClient
from .stamped import attach_tfd, result_from_xml
from .transport import PacSession

logger = logging.getLogger(__name__)

TEST_URL = "https://services.test.sw.com.mx"
PRODUCTION_URL = "https://services.sw.com.mx"
STAMP_PATH = "/v4/cfdi33/stamp/v4"
PROVIDER = "SW sapien"
DUPLICATE = re.compile(r"^\s*(CFDI)?3?307\b")
NO_CREDITS_TEXT = re.compile(
    r"(sin|no tiene|no cuenta con).{0,25}(folios|timbres|cr[eé]ditos|saldo)", re.IGNORECASE
)
CODE = re.compile(r"^\s*([A-Z]*\d+)\b")


class SwConnector(Connector):
    name = PROVIDER

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        test: bool = True,
        url: str | None = None,
        timeout: float = 30.0,
        sat_status_url: str = SAT_STATUS_URL,
    ):
        if not token and not (username and password):
            raise ValueError("SW needs a token, or a user and a password")
        self.username = username
        self._password = password
        self._token = token
        self._long_lived = bool(token)
        self._token_expires = float("inf") if token else 0.0
        self.base_url = (url or (TEST_URL if test else PRODUCTION_URL)).rstrip("/")
        self.timeout = timeout
        self.sat_status_url = sat_status_url
        self._session = PacSession()
        self._one_time_secrets: list[str] = []

    def __repr__(self) -> str:
        return f"SwConnector(username={self.username!r}, url={self.base_url!r})"

    # -- HTTP plumbing --

    @property
    def _secrets(self) -> list[str | None]:
        return [self._password, self._token, *self._one_time_secrets]

    def _request(
        self, method: str, path: str, *, auth: bool = True, retry_auth: bool = True, **kwargs
    ) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body). Transport problems and 5xx raise Unavailable."""
        headers = kwargs.pop("headers", {})
        if auth:
            headers["Authorization"] = f"bearer {self._get_token()}"
        try:
            response = self._session.request(
                method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
            )
            status, content = response.status_code, response.content
        except requests.exceptions.Timeout:
            raise self._unavailable(
                f"sin respuesta en {self.timeout:g} s / no answer within {self.timeout:g} s"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise self._unavailable(f"error de red / network error: {type(exc).__name__}") from None
        if status >= 500:
            raise self._unavailable(f"HTTP {status}")
        try:
            body = response.json() if content else {}
            if not isinstance(body, dict):
                raise ValueError("not a JSON object")
        except ValueError:
            raise self._unavailable(
                f"respuesta ilegible (HTTP {status}) / unreadable answer"
            ) from None
        if auth and status == 401 and retry_auth and not self._long_lived:
            self._token, self._token_expires = None, 0.0  # expired token: log in again once
            return self._request(
                method, path, auth=auth, retry_auth=False, headers=headers, **kwargs
            )
        if status in (401, 403) or str(body.get("message", "")).startswith("AU"):
            raise authentication_error(PROVIDER)
        return status, body

    def _unavailable(self, detail: str) -> PacError:
        detail = redact(detail, self._secrets)
        logger.warning("SW unavailable at %s: %s", self.base_url, detail)
        return unavailable_error(PROVIDER, detail)

    def _get_token(self) -> str:
        if self._token and time.time() < self._token_expires:
            return self._token
        status, body = self._request(
            "POST",
            "/security/authenticate",
            auth=False,
            headers={"user": self.username or "", "password": self._password or ""},
        )
        data = body.get("data") or {}
        if status != 200 or body.get("status") != "success" or not data.get("token"):
            raise authentication_error(PROVIDER)
        self._token = str(data["token"])
        expires = data.get("expires_in")
        self._token_expires = (
            float(expires) - 60 if isinstance(expires, (int, float)) else time.time() + 3600
        )
        logger.debug("SW token obtained for %s", self.username)
        return self._token

    # -- stamping --

    def stamp(self, signed_xml: bytes) -> StampResult:
        status, body = self._request(
            "POST",
            STAMP_PATH,
            files={"xml": ("xml", signed_xml, "text/xml")},
            headers={"customid": hashlib.sha256(signed_xml).hexdigest()},
        )
        if status == 200 and body.get("status") == "success":
            data = body.get("data") or {}
            result = result_from_xml(str(data.get("cfdi") or ""))
            logger.info("SW stamped %s", result.uuid)
            return result
        message = str(body.get("message") or "")
        if DUPLICATE.match(message):
            raise AlreadyStamped(self._earlier(signed_xml, body, message))
        raise self._rejected(message, str(body.get("messageDetail") or ""))

    def _earlier(self, signed_xml: bytes, body: dict, message: str) -> StampResult:
        data = body.get("data") or {}
        if data.get("cfdi"):
            return result_from_xml(str(data["cfdi"]))
        if data.get("tfd"):
            tfd = etree.fromstring(
                str(data["tfd"]).encode("utf-8"),
                etree.XMLParser(no_network=True, resolve_entities=False),
            )
            return result_from_xml(attach_tfd(signed_xml, tfd))
        raise Rejected(
            f"SW indica que el comprobante ya fue timbrado, sin devolver el timbre: {message}",
            f"SW says the document was already stamped but did not return the stamp: {message}",
            code="307",
        )

    def find_stamped(self, signed_xml: bytes) -> StampResult | None:
        """SW has no look-up by document: ``stamp`` is idempotent through ``customid``
        (a re-send answers AlreadyStamped with the earlier UUID), so None here."""
        return None

    def _rejected(self, message: str, detail: str) -> PacError:
        text = redact(f"{message} {detail}".strip(), self._secrets)
        if NO_CREDITS_TEXT.search(text):
            return no_credits_error(PROVIDER)
        match = CODE.match(message)
        return Rejected(
            f"SW rechazó el comprobante: {text}",
            f"SW rejected the document: {text}",
            code=match.group(1) if match else None,
        )

    # -- cancellation, status, balance --

    def cancel(
        self, uuid, motive, replacement_uuid, issuer_rfc, receiver_rfc, total, credential
    ) -> CancelResult:
        check_motive(motive, replacement_uuid)
        one_time = secrets.token_urlsafe(18)
        self._one_time_secrets.append(one_time)
        key_der = credential.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(one_time.encode("ascii")),
        )
        payload = {
            "uuid": uuid.upper(),
            "rfc": issuer_rfc.upper(),
            "motivo": motive,
            "foliosustitucion": replacement_uuid or "",
            "b64Cer": credential.certificate.base64,
            "b64Key": base64.b64encode(key_der).decode("ascii"),
            "password": one_time,
        }
        try:
            status, body = self._request("POST", "/cfdi33/cancel/csd", json=payload)
        finally:
            self._one_time_secrets.remove(one_time)
        data = body.get("data") or {}
        if status == 200 and body.get("status") == "success":
            codes = data.get("uuid") or {}
            code = str(codes.get(uuid.upper()) or codes.get(uuid) or next(iter(codes.values()), ""))
            acuse = str(data.get("acuse") or "").encode("utf-8") or None
            if code == "202":
                return CancelResult(uuid.upper(), "cancelled", code, "Previamente cancelado", acuse)
            # 201 only says SAT received the request: its status says whether it needs the
            # receiver's acceptance (En proceso) or is already cancelled.
            outcome, message = self._after_request(uuid, issuer_rfc, receiver_rfc, total)
            return CancelResult(uuid.upper(), outcome, code, message, acuse)
        message = redact(str(body.get("message") or ""), self._secrets)
        match = CODE.match(message)
        return CancelResult(
            uuid.upper(), "rejected", match.group(1) if match else "", message, None
        )

    def _after_request(self, uuid, issuer_rfc, receiver_rfc, total) -> tuple[CancelOutcome, str]:
        try:
            sat = self.status(uuid, issuer_rfc, receiver_rfc, total)
        except PacError:
            return "in_process", "Solicitud recibida por el SAT"
        if sat.estado == "Cancelado":
            return "cancelled", sat.estatus_cancelacion or "Cancelado"
        return "in_process", sat.estatus_cancelacion or "En proceso"

    def status(self, uuid, issuer_rfc, receiver_rfc, total) -> StatusResult:
        return SatStatusClient(self.sat_status_url, self.timeout).query(
            uuid, issuer_rfc, receiver_rfc, Decimal(str(total))
        )

    def balance(self) -> Balance:
        status, body = self._request("GET", "/account/balance")
        data = body.get("data") or {}
        if status != 200 or body.get("status") != "success":
            raise self._rejected(str(body.get("message") or "balance"), "")
        expires = None
        if data.get("fechaExpiracion"):
            try:
                expires = dt.date.fromisoformat(str(data["fechaExpiracion"])[:10])
            except ValueError:
                expires = None
        unlimited = bool(data.get("unlimited"))
        left = data.get("saldoTimbres")
        return Balance(
            stamps_left=None if unlimited or left is None else int(left),
            unlimited=unlimited,
            expires=expires,
        )
