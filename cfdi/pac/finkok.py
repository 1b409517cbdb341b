"""Finkok: SOAP through zeep with the WSDLs shipped in ``cfdi/pac/wsdl/finkok``.

The WSDLs are never fetched at run time; each service's address is set to the
configured host: test ``https://demo-facturacion.finkok.com/servicios/soap/``,
production ``https://facturacion.finkok.com/servicios/soap/``, or ``url=``.

Finkok answers problems in ``Incidencias`` (CodigoError + MensajeIncidencia):
307 already stamped (the earlier stamp comes along, or is fetched with
``stamped``), 300 bad user/password, no credits, and SAT's validation codes
(301-308, 401-403, CFDI40xxx) which become ``Rejected``. Network errors,
timeouts, HTTP errors, SOAP Faults and unreadable bodies become ``Unavailable``.
"""

from __future__ import annotations

import logging
import re
import threading
from decimal import Decimal
from functools import cached_property

import requests
import zeep
import zeep.exceptions
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
from .soap import WSDL_DIR
from .stamped import result_from_xml
from .transport import QuietTransport

logger = logging.getLogger(__name__)

TEST_URL = "https://demo-facturacion.finkok.com/servicios/soap/"
PRODUCTION_URL = "https://facturacion.finkok.com/servicios/soap/"
AUTH_CODES = frozenset({"300"})
NO_CREDITS_CODES = frozenset({"710"})
NO_CREDITS_TEXT = re.compile(
    r"(sin|no tiene|no cuenta con).{0,20}(folios|timbres|cr[eé]ditos|saldo)", re.IGNORECASE
)
AUTH_TEXT = re.compile(r"usuario.{0,5}(o|y).{0,5}contrase", re.IGNORECASE)
PROVIDER = "Finkok"


class FinkokConnector(Connector):
    name = PROVIDER

    def __init__(
        self,
        username: str,
        password: str,
        *,
        test: bool = True,
        url: str | None = None,
        timeout: float = 30.0,
        taxpayer_id: str = "",
    ):
        self.username = username
        self._password = password
        self.base_url = (url or (TEST_URL if test else PRODUCTION_URL)).rstrip("/") + "/"
        self.timeout = timeout
        self.taxpayer_id = taxpayer_id  # for balance(): the customer whose credit to report
        self._clients_lock = threading.Lock()  # stamp_many's threads share this connector

    def __repr__(self) -> str:
        return f"FinkokConnector(username={self.username!r}, url={self.base_url!r})"

    # -- zeep plumbing --

    @cached_property
    def _transport(self) -> QuietTransport:
        return QuietTransport(timeout=self.timeout, operation_timeout=self.timeout)

    def _client(self, name: str) -> tuple[zeep.Client, object]:
        """(client, service proxy bound to the configured address) of one Finkok service."""
        cache = self.__dict__.setdefault("_clients", {})
        if name in cache:
            return cache[name]
        with self._clients_lock:
            if name in cache:
                return cache[name]
            settings = zeep.Settings(strict=False, xml_huge_tree=True)
            client = zeep.Client(
                str(WSDL_DIR / "finkok" / f"{name}.wsdl"),
                transport=self._transport,
                settings=settings,
            )
            binding = f"{{http://facturacion.finkok.com/{name}}}Application"
            cache[name] = (client, client.create_service(binding, self.base_url + name))
        return cache[name]

    def _call(self, service: str, operation: str, **kwargs):
        """One SOAP call; transport problems become Unavailable (secrets redacted)."""
        try:
            return getattr(self._client(service)[1], operation)(**kwargs)
        except requests.exceptions.Timeout as exc:
            raise self._unavailable(
                f"sin respuesta en {self.timeout:g} s / no answer within {self.timeout:g} s", exc
            ) from None
        except requests.exceptions.RequestException as exc:
            raise self._unavailable(
                f"error de red / network error: {type(exc).__name__}", exc
            ) from None
        except zeep.exceptions.Fault as exc:
            if AUTH_TEXT.search(str(exc.message or "")):
                raise authentication_error(PROVIDER) from None
            raise self._unavailable(f"SOAP Fault: {exc.message}", exc) from None
        except zeep.exceptions.TransportError as exc:
            if exc.status_code in (401, 403):
                raise authentication_error(PROVIDER) from None
            raise self._unavailable(f"HTTP {exc.status_code}", exc) from None
        except (zeep.exceptions.Error, etree.XMLSyntaxError, ValueError) as exc:
            raise self._unavailable(
                f"respuesta ilegible / unreadable answer: {type(exc).__name__}", exc
            ) from None

    def _unavailable(self, detail: str, exc: Exception) -> PacError:
        detail = redact(detail, self._secrets)
        logger.warning("Finkok unavailable at %s: %s", self.base_url, detail)
        logger.debug("Finkok transport error: %s", redact(repr(exc), self._secrets))
        return unavailable_error(PROVIDER, detail)

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self._password,)

    # -- stamping --

    def stamp(self, signed_xml: bytes) -> StampResult:
        answer = self._call(
            "stamp", "stamp", xml=signed_xml, username=self.username, password=self._password
        )
        incidences = _incidences(answer)
        codes = {code for code, _ in incidences}
        if "307" in codes:
            earlier = self._result(answer) or self.find_stamped(signed_xml)
            if earlier is None:
                raise self._rejected(incidences)
            raise AlreadyStamped(earlier)
        result = self._result(answer)
        if result is not None and not incidences:
            logger.info("Finkok stamped %s", result.uuid)
            return result
        raise self._rejected(incidences or [("", str(answer.CodEstatus or "sin respuesta"))])

    def find_stamped(self, signed_xml: bytes) -> StampResult | None:
        answer = self._call(
            "stamp", "stamped", xml=signed_xml, username=self.username, password=self._password
        )
        result = self._result(answer)
        if result is not None:
            return result
        incidences = _incidences(answer)
        if any(code in AUTH_CODES for code, _ in incidences):
            raise authentication_error(PROVIDER)
        return None

    def _result(self, answer) -> StampResult | None:
        if answer is None or not answer.xml or not answer.UUID:
            return None
        try:
            return result_from_xml(answer.xml)
        except PacError:
            raise
        except Exception as exc:  # the xml field does not hold a CFDI
            raise self._unavailable(
                f"CFDI ilegible en la respuesta / unreadable CFDI: {exc}", exc
            ) from None

    def _rejected(self, incidences: list[tuple[str, str]]) -> PacError:
        codes = {code for code, _ in incidences}
        text = " ".join(message for _, message in incidences)
        if codes & AUTH_CODES or AUTH_TEXT.search(text):
            return authentication_error(PROVIDER)
        if codes & NO_CREDITS_CODES or NO_CREDITS_TEXT.search(text):
            return no_credits_error(PROVIDER)
        code, _ = incidences[0]
        joined = redact("; ".join(f"{c} {m}".strip() for c, m in incidences), self._secrets)
        return Rejected(
            f"Finkok rechazó el comprobante: {joined}",
            f"Finkok rejected the document: {joined}",
            code=code or None,
        )

    # -- cancellation and status --

    def cancel(
        self, uuid, motive, replacement_uuid, issuer_rfc, receiver_rfc, total, credential
    ) -> CancelResult:
        check_motive(motive, replacement_uuid)
        cer_pem, key_pem = self._pem_pair(credential)
        client = self._client("cancel")[0]
        uuid_type = client.get_type("{apps.services.soap.core.views}UUID")
        array_type = client.get_type("{apps.services.soap.core.views}UUIDArray")
        item = uuid_type(UUID=uuid.upper(), FolioSustitucion=replacement_uuid or "", Motivo=motive)
        answer = self._call(
            "cancel",
            "cancel",
            UUIDS=array_type(UUID=[item]),
            username=self.username,
            password=self._password,
            taxpayer_id=issuer_rfc.upper(),
            cer=cer_pem,
            key=key_pem,
            store_pending=False,
        )
        acuse = answer.Acuse.encode("utf-8") if answer is not None and answer.Acuse else None
        folios = answer.Folios.Folio if answer is not None and answer.Folios else []
        if not folios:
            status = str(getattr(answer, "CodEstatus", "") or "")
            if AUTH_TEXT.search(status) or status.startswith("300"):
                raise authentication_error(PROVIDER)
            raise Rejected(
                f"Finkok no canceló {uuid}: {redact(status, self._secrets)}",
                f"Finkok did not cancel {uuid}: {redact(status, self._secrets)}",
                code=status.split(" ")[0] or None,
            )
        folio = folios[0]
        code = str(folio.EstatusUUID or "")
        message = str(folio.EstatusCancelacion or "")
        outcome: CancelOutcome
        if code in ("201", "202"):
            outcome = "in_process" if "proceso" in message.lower() else "cancelled"
        else:
            outcome = "rejected"
        return CancelResult(uuid.upper(), outcome, code, message, acuse)

    def _pem_pair(self, credential) -> tuple[bytes, bytes]:
        """The CSD as Finkok wants it: certificate PEM, and the key as PEM encrypted with
        the Finkok account's password (it travels over TLS and is never logged)."""
        cer_pem = credential.certificate.x509().public_bytes(serialization.Encoding.PEM)
        key_pem = credential.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.BestAvailableEncryption(self._password.encode("utf-8")),
        )
        return cer_pem, key_pem

    def status(self, uuid, issuer_rfc, receiver_rfc, total) -> StatusResult:
        answer = self._call(
            "cancel",
            "get_sat_status",
            username=self.username,
            password=self._password,
            taxpayer_id=issuer_rfc.upper(),
            rtaxpayer_id=receiver_rfc.upper(),
            uuid=uuid.upper(),
            total=str(Decimal(str(total))),
        )
        if answer is None or answer.sat is None:
            error = str(getattr(answer, "error", "") or "")
            if error.startswith("300") or AUTH_TEXT.search(error):
                raise authentication_error(PROVIDER)
            raise self._unavailable(
                f"sin estado del SAT / no SAT status: {error}", RuntimeError(error)
            )
        sat = answer.sat
        return StatusResult(
            str(sat.Estado or ""),
            str(sat.EsCancelable or ""),
            str(sat.EstatusCancelacion or ""),
            str(sat.CodigoEstatus or ""),
            str(sat.ValidacionEFOS or ""),
        )

    def respond_to_cancellation(
        self, uuid: str, accept: bool, receiver_rfc: str, credential
    ) -> str:
        """As the receiver, accept or reject a pending cancellation (``accept_reject``).
        Returns SAT's status code for the answer (1000: received)."""
        client = self._client("cancel")[0]
        item = client.get_type("{apps.services.soap.core.views}UUID_AR")(
            uuid=uuid.upper(), respuesta="Aceptacion" if accept else "Rechazo"
        )
        uuids = client.get_type("{apps.services.soap.core.views}UUIDS_AR")(
            uuids_ar={"UUID_AR": [item]}
        )
        cer_pem, key_pem = self._pem_pair(credential)
        answer = self._call(
            "cancel",
            "accept_reject",
            UUIDS_AR=uuids,
            username=self.username,
            password=self._password,
            rtaxpayer_id=receiver_rfc.upper(),
            cer=cer_pem,
            key=key_pem,
        )
        error = str(getattr(answer, "error", "") or "")
        if error:
            if error.startswith("300") or AUTH_TEXT.search(error):
                raise authentication_error(PROVIDER)
            raise Rejected(
                f"Finkok no registró la respuesta: {error}",
                f"Finkok did not record the answer: {error}",
            )
        group = answer.aceptacion.Acepta if accept else answer.rechazo.Rechaza
        return str(group[0].status) if group else ""

    def receipt(self, uuid: str, issuer_rfc: str) -> bytes | None:
        """The cancellation acknowledgment (``get_receipt``, type C)."""
        answer = self._call(
            "cancel",
            "get_receipt",
            username=self.username,
            password=self._password,
            taxpayer_id=issuer_rfc.upper(),
            uuid=uuid.upper(),
            type="C",
        )
        if answer is not None and answer.success and answer.receipt:
            return answer.receipt.encode("utf-8")
        return None

    def balance(self) -> Balance:
        """Credits of ``taxpayer_id`` through the registration service (reseller accounts)."""
        answer = self._call(
            "registration",
            "get",
            reseller_username=self.username,
            reseller_password=self._password,
            taxpayer_id=self.taxpayer_id,
        )
        users = answer.users.ResellerUser if answer is not None and answer.users else []
        if not users:
            message = str(getattr(answer, "message", "") or "")
            if AUTH_TEXT.search(message):
                raise authentication_error(PROVIDER)
            raise NotImplementedError(f"Finkok reported no credit for this account: {message}")
        credit = int(users[0].credit if users[0].credit is not None else 0)
        if credit < 0:
            return Balance(stamps_left=None, unlimited=True)
        return Balance(stamps_left=credit)


def _incidences(answer) -> list[tuple[str, str]]:
    if answer is None or not answer.Incidencias:
        return []
    return [
        (str(i.CodigoError or "").strip(), str(i.MensajeIncidencia or "").strip())
        for i in answer.Incidencias.Incidencia or []
        if i is not None
    ]
