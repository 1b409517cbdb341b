"""SAT's public CFDI status service (Servicio de Consulta de CFDI), through zeep.

One SOAP 1.1 operation, ``Consulta(expresionImpresa)`` with action
``http://tempuri.org/IConsultaCFDIService/Consulta``, answers Estado (Vigente /
Cancelado / No Encontrado), EsCancelable, EstatusCancelacion, CodigoEstatus and
ValidacionEFOS. The WSDL is shipped self-contained (``cfdi/pac/wsdl/sat/``):
SAT's own imports three XSD by URL, and nothing is fetched at run time.

The expression is the printed CFDI's QR content. With the Sello at hand it is
SAT's verification URL (``cfdi.tfd.verification_url``: ``?id=&re=&rr=&tt=&fe=``);
without it, ``?re=..&rr=..&tt=..&id=..``. ``tt`` is written as the QR writes it
since CFDI 3.3 (up to 6 decimals, non-significant zeros dropped, "1000.0"); the
17-character zero-padded total was CFDI 3.2's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

import requests
import zeep
import zeep.exceptions
from lxml import etree

from ..tfd import format_qr_total, verification_url
from .base import Connector, StatusResult, Unavailable, unavailable_error
from .soap import WSDL_DIR
from .transport import QuietTransport

logger = logging.getLogger(__name__)

PRODUCTION_URL = "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
WSDL = WSDL_DIR / "sat" / "ConsultaCFDIService.wsdl"
BINDING = "{http://tempuri.org/}BasicHttpBinding_IConsultaCFDIService"
PROVIDER = "SAT (ConsultaCFDIService)"


def expression(
    uuid: str, issuer_rfc: str, receiver_rfc: str, total: Decimal | str, sello: str | None = None
) -> str:
    """``expresionImpresa`` for a CFDI 4.0."""
    if sello:
        return verification_url(uuid, issuer_rfc, receiver_rfc, total, sello)
    return (
        f"?re={_rfc(issuer_rfc)}&rr={_rfc(receiver_rfc)}&tt={format_qr_total(total)}"
        f"&id={uuid.strip().upper()}"
    )


def _rfc(rfc: str) -> str:
    return rfc.strip().upper().replace("&", "&amp;")


class SatStatusClient:
    """Client of SAT's ConsultaCFDIService at ``url`` (SAT's production by default)."""

    def __init__(self, url: str = PRODUCTION_URL, timeout: float = 30.0):
        self.url = url
        self.timeout = timeout
        transport = QuietTransport(timeout=timeout, operation_timeout=timeout)
        client = zeep.Client(
            str(WSDL), transport=transport, settings=zeep.Settings(strict=False, xml_huge_tree=True)
        )
        self._client = client
        self._service = client.create_service(BINDING, url)

    def query(
        self,
        uuid: str,
        issuer_rfc: str,
        receiver_rfc: str,
        total: Decimal | str,
        sello: str | None = None,
    ) -> StatusResult:
        text = expression(uuid, issuer_rfc, receiver_rfc, total, sello)
        try:
            answer = self._service.Consulta(expresionImpresa=text)
        except requests.exceptions.Timeout:
            raise _unavailable(
                f"sin respuesta en {self.timeout:g} s / no answer within {self.timeout:g} s"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise _unavailable(f"error de red / network error: {type(exc).__name__}") from None
        except zeep.exceptions.Fault as exc:
            raise _unavailable(f"SOAP Fault: {exc.message}") from None
        except zeep.exceptions.TransportError as exc:
            raise _unavailable(f"HTTP {exc.status_code}") from None
        except (zeep.exceptions.Error, etree.XMLSyntaxError, ValueError) as exc:
            raise _unavailable(
                f"respuesta ilegible / unreadable answer: {type(exc).__name__}"
            ) from None
        if answer is None:
            raise _unavailable("respuesta vacía / empty answer")
        result = StatusResult(
            estado=answer.Estado or "",
            es_cancelable=answer.EsCancelable or "",
            estatus_cancelacion=answer.EstatusCancelacion or "",
            codigo_estatus=answer.CodigoEstatus or "",
            validacion_efos=answer.ValidacionEFOS or "",
        )
        logger.info("SAT status of %s: %s", uuid, result.estado or result.codigo_estatus)
        return result


def _unavailable(detail: str) -> Unavailable:
    logger.warning("SAT status service unavailable: %s", detail)
    return unavailable_error(PROVIDER, detail)


def status(
    uuid: str,
    issuer_rfc: str,
    receiver_rfc: str,
    total: Decimal | str,
    *,
    sello: str | None = None,
    url: str = PRODUCTION_URL,
    timeout: float = 30.0,
) -> StatusResult:
    """SAT's status of one CFDI."""
    return SatStatusClient(url, timeout).query(uuid, issuer_rfc, receiver_rfc, total, sello)


class StatusService(Protocol):
    """Who answers "what is SAT's status of this CFDI?" (``status_service`` picks it)."""

    def __call__(
        self,
        uuid: str,
        issuer_rfc: str,
        receiver_rfc: str,
        total: Decimal,
        sello: str | None = None,
    ) -> StatusResult: ...


def status_service(
    provider: str,
    connector: Callable[[], Connector],
    *,
    url: str | None = None,
    received: bool = False,
    timeout: float = 30.0,
) -> StatusService:
    """The one place that chooses who answers SAT status queries for a company whose stamp
    account is ``provider`` (``connector`` builds that account's connector when needed).

    The sandbox PAC answers for what it stamped (SAT has never seen those): a sandbox
    company asks it about its own CFDI, and about received ones too unless ``url`` names a
    SAT status service to ask instead (a proxy, a test server). Everything else goes to
    SAT's public ConsultaCFDIService, at ``url`` when given, else SAT's production address.
    """
    if provider == "sandbox" and not (received and url):
        return _connector_status(connector())
    client = SatStatusClient(url or PRODUCTION_URL, timeout)
    return client.query


def _connector_status(connector: Connector) -> StatusService:
    def query(
        uuid: str, issuer_rfc: str, receiver_rfc: str, total: Decimal, sello: str | None = None
    ) -> StatusResult:
        return connector.status(uuid, issuer_rfc, receiver_rfc, total)

    return query
