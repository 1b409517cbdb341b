"""The one interface every stamping provider (PAC) implements.

A connector turns a sealed CFDI into a stamped one (``stamp``), finds out whether
a document was already stamped (``find_stamped``, for retries after a timeout),
cancels, asks SAT's status and, where the provider has one, the credit balance.

Errors say what happened and what to do, in Spanish and English:

- ``Unavailable``: network, timeout, HTTP 5xx, unreadable answer. Retry later;
  before retrying a stamp, ask ``find_stamped``: the first request may have
  reached the provider.
- ``Rejected``: SAT or the PAC refused the document (``.code`` is theirs). Fix
  the document; sending it again gives the same answer.
- ``AuthenticationFailed``: the PAC user, password or token is wrong.
- ``NoCredits``: "Sin folios disponibles": buy stamps.
- ``AlreadyStamped``: the document had been stamped before; ``.result`` is that
  earlier stamp (same UUID), so nothing is stamped twice.

Secrets (passwords, tokens, keys) never reach an exception text or a log line:
connectors pass the secrets they hold through ``redact`` before building a message.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from ..document import TimbreFiscalDigital
from ..errors import CfdiError, in_language
from ..sat import MOTIVE_WITH_REPLACEMENT, MOTIVES

logger = logging.getLogger(__name__)

CancelOutcome = Literal["cancelled", "in_process", "rejected"]
REDACTED = "********"


# --- results -----------------------------------------------------------------


@dataclass(frozen=True)
class StampResult:
    xml: bytes  # the stamped CFDI: the signed document plus its TimbreFiscalDigital
    uuid: str
    tfd: TimbreFiscalDigital


@dataclass(frozen=True)
class CancelResult:
    uuid: str
    outcome: CancelOutcome
    status_code: str  # SAT's code: 201 requested/cancelled, 202 previously cancelled, ...
    message: str
    acknowledgment: bytes | None = None  # SAT's (or the sandbox's) acuse XML


@dataclass(frozen=True)
class StatusResult:
    estado: str  # Vigente | Cancelado | No Encontrado
    es_cancelable: str  # Cancelable sin aceptación | Cancelable con aceptación | No cancelable
    estatus_cancelacion: (
        str  # "" | En proceso | Cancelado sin/con aceptación | Plazo vencido | Solicitud rechazada
    )
    codigo_estatus: str  # "S - Comprobante obtenido satisfactoriamente." | "N - 602: ..."
    validacion_efos: str  # "200": issuer not in SAT's EFOS list; "100": listed
    sandbox: bool = False  # answered by the sandbox PAC: SAT has never seen this CFDI


@dataclass(frozen=True)
class Balance:
    stamps_left: int | None
    unlimited: bool = False
    expires: date | None = None


# --- errors ------------------------------------------------------------------


class PacError(CfdiError):
    code = "PAC"


class Unavailable(PacError):
    """Network error, timeout, HTTP 5xx or an unreadable answer: retry later."""

    code = "PAC_UNAVAILABLE"


# What to fix, by SAT's stamping-validation code (the codes Finkok and others relay).
HINTS: dict[str, tuple[str, str]] = {
    "301": (
        "Genere el XML con el sistema (no lo edite a mano) y vuelva a sellarlo.",
        "Produce the XML with the system (do not edit it by hand) and seal it again.",
    ),
    "302": (
        "Vuelva a sellar el comprobante y no lo modifique después de sellarlo.",
        "Seal the document again and do not change it after sealing.",
    ),
    "303": (
        "Selle con el CSD del RFC emisor del comprobante.",
        "Seal with the CSD of the document's issuer RFC.",
    ),
    "304": (
        "El CSD venció o fue revocado: tramite uno nuevo en el SAT y cárguelo.",
        "The CSD expired or was revoked: get a new one from SAT and upload it.",
    ),
    "305": (
        "Selle con el CSD vigente en la fecha del comprobante.",
        "Seal with the CSD that is valid on the document's date.",
    ),
    "306": (
        "Use el Certificado de Sello Digital (CSD), no la e.firma (FIEL).",
        "Use the Digital Seal Certificate (CSD), not the e.firma (FIEL).",
    ),
    "308": (
        "Use el CSD que emitió el SAT para el RFC emisor.",
        "Use the CSD SAT issued to the issuer RFC.",
    ),
    "401": (
        "Vuelva a sellar el comprobante con la fecha y hora actuales (máximo 72 horas "
        "antes del timbrado).",
        "Seal the document again with the current date and time (at most 72 hours before "
        "stamping).",
    ),
    "402": (
        "El RFC emisor no está en la lista de contribuyentes del SAT (LCO); revise el RFC "
        "y su situación ante el SAT.",
        "The issuer RFC is not in SAT's taxpayer list (LCO); check the RFC and its status "
        "with SAT.",
    ),
}
DEFAULT_HINT = (
    "Corrija el comprobante y vuelva a sellarlo antes de timbrar.",
    "Fix the document and seal it again before stamping.",
)


class Rejected(PacError):
    """SAT or the PAC refused the document; ``code`` is theirs."""

    code = "PAC_REJECTED"

    def __init__(
        self,
        message_es: str,
        message_en: str,
        code: str | None = None,
        hint_es: str = "",
        hint_en: str = "",
    ):
        default_es, default_en = HINTS.get(code or "", DEFAULT_HINT)
        self.hint_es = hint_es or default_es
        self.hint_en = hint_en or default_en
        super().__init__(message_es, message_en, code)

    def hint(self, lang: str | None) -> str:
        """What to do about it, in one language (see ``cfdi.errors.in_language``)."""
        return in_language(lang, self.hint_es, self.hint_en)


class AuthenticationFailed(PacError):
    code = "PAC_AUTH"


class NoCredits(PacError):
    code = "PAC_NO_CREDITS"


class AlreadyStamped(PacError):
    """The document was stamped before; ``result`` is that stamp."""

    code = "307"

    def __init__(self, result: StampResult, message_es: str = "", message_en: str = ""):
        self.result = result
        super().__init__(
            message_es or f"El comprobante ya había sido timbrado con el UUID {result.uuid}.",
            message_en or f"The document had already been stamped with UUID {result.uuid}.",
        )


class LookupFailed(Unavailable):
    """The PAC could not say whether it stamped a document (``find_stamped`` failed, for
    any reason): retry later with the same signed XML."""

    def __init__(self, cause: PacError):
        self.cause = cause
        super().__init__(cause.message_es, cause.message_en, cause.code)


def no_credits_error(account: str = "") -> NoCredits:
    where = f" ({account})" if account else ""
    return NoCredits(
        f"Sin folios disponibles{where}: la cuenta de timbrado no tiene timbres. "
        "Compre un paquete de timbres y vuelva a intentar; el comprobante no se timbró.",
        f"No stamps left{where}: the stamping account has no credits. Buy a stamp "
        "package and try again; the document was not stamped.",
    )


def authentication_error(provider: str) -> AuthenticationFailed:
    return AuthenticationFailed(
        f"{provider} rechazó el usuario, la contraseña o el token. Revise las credenciales "
        "de la cuenta de timbrado (y que correspondan al ambiente de pruebas o producción).",
        f"{provider} refused the user, password or token. Check the stamping account's "
        "credentials (and that they belong to the test or production environment).",
    )


def unavailable_error(provider: str, detail: str) -> Unavailable:
    return Unavailable(
        f"No se pudo comunicar con {provider} ({detail}). Intente más tarde; antes de "
        "reintentar se consulta si el comprobante ya quedó timbrado.",
        f"Could not talk to {provider} ({detail}). Try again later; before retrying, "
        "the PAC is asked whether the document was already stamped.",
    )


def redact(text: str, secrets: Iterable[str | bytes | None]) -> str:
    """``text`` with every non-trivial secret replaced by ``********``."""
    for secret in secrets:
        if isinstance(secret, bytes):
            secret = secret.decode("utf-8", "replace")
        if secret and len(secret) >= 3:
            text = text.replace(secret, REDACTED)
    return text


# --- the interface -----------------------------------------------------------


class Connector(abc.ABC):
    """A stamping provider. Implementations: sandbox, finkok, sw.

    A connector is shared by the threads of ``stamp_many``: its calls may run at once.
    """

    name = "PAC"
    # ``stamp_many``'s ceiling: the transport's connections kept per address (POOL_SIZE).
    # What one account may send at once is its stamp account's ``concurrency`` (default 8),
    # set to what the PAC contract allows; a connector whose provider accepts fewer says so.
    max_concurrency = 32

    @abc.abstractmethod
    def stamp(self, signed_xml: bytes) -> StampResult:
        """Stamp a sealed CFDI. Raises AlreadyStamped with the earlier stamp on a re-send."""

    @abc.abstractmethod
    def find_stamped(self, signed_xml: bytes) -> StampResult | None:
        """The earlier stamp of exactly this document, or None if it was never stamped."""

    @abc.abstractmethod
    def cancel(
        self,
        uuid: str,
        motive: str,
        replacement_uuid: str | None,
        issuer_rfc: str,
        receiver_rfc: str,
        total: Decimal,
        credential,
    ) -> CancelResult:
        """Ask SAT to cancel ``uuid`` with a SAT motive (01 needs ``replacement_uuid``)."""

    @abc.abstractmethod
    def status(self, uuid: str, issuer_rfc: str, receiver_rfc: str, total: Decimal) -> StatusResult:
        """SAT's status of a stamped CFDI."""

    def balance(self) -> Balance:
        raise NotImplementedError(f"{self.name} does not report a credit balance")


def stamp_once(connector: Connector, signed_xml: bytes, *, sent_before: bool = True) -> StampResult:
    """Stamp, or return the earlier stamp of the same document: never stamps twice.

    ``sent_before``: the document may have reached the PAC already (a retry after
    ``Unavailable`` or a crash), so the PAC is asked first; a look-up that fails raises
    ``LookupFailed``: whether it was stamped stays unknown, so it must not be sealed
    again. A first attempt (``sent_before=False``) spares that round trip.
    """
    if sent_before:
        try:
            earlier = connector.find_stamped(signed_xml)
        except PacError as exc:
            raise LookupFailed(exc) from exc
        if earlier is not None:
            return earlier
    try:
        return connector.stamp(signed_xml)
    except AlreadyStamped as exc:
        return exc.result


StampOutcome = StampResult | PacError


def stamp_many(
    connector: Connector, documents: Sequence[tuple[bytes, bool]], *, workers: int = 1
) -> list[StampOutcome]:
    """``stamp_once`` for each ``(signed_xml, sent_before)``, up to ``workers`` at a time
    (at most ``connector.max_concurrency``); the outcomes in the same order.

    A document's ``PacError`` is its outcome, not the batch's: one refusal or timeout
    stops no other document. The threads do only the calls (no shared state but the
    connector), so the caller stores every answer itself, after they are all in.
    """

    def one(document: tuple[bytes, bool]) -> StampOutcome:
        signed_xml, sent_before = document
        try:
            return stamp_once(connector, signed_xml, sent_before=sent_before)
        except PacError as exc:
            return exc

    workers = max(1, min(workers, connector.max_concurrency, len(documents)))
    if workers == 1:
        return [one(document) for document in documents]
    with ThreadPoolExecutor(workers, thread_name_prefix="cfdi-pac") as pool:
        return list(pool.map(one, documents))


def check_motive(motive: str, replacement_uuid: str | None) -> None:
    """SAT's motive rules, checked before a request leaves: 01 needs a replacement."""
    if motive not in MOTIVES:
        raise Rejected(
            f"El motivo de cancelación {motive!r} no es válido; use 01, 02, 03 o 04.",
            f"Cancellation motive {motive!r} is not valid; use 01, 02, 03 or 04.",
            code="207",
        )
    if motive == MOTIVE_WITH_REPLACEMENT and not replacement_uuid:
        raise Rejected(
            "El motivo 01 (comprobante emitido con errores con relación) requiere el UUID "
            "del comprobante que lo sustituye. Timbre primero el sustituto.",
            "Motive 01 (issued with errors, with relation) requires the UUID of the "
            "replacing document. Stamp the replacement first.",
            code="208",
        )
    if motive != MOTIVE_WITH_REPLACEMENT and replacement_uuid:
        raise Rejected(
            "Sólo el motivo 01 lleva folio de sustitución; quite el UUID sustituto o use 01.",
            "Only motive 01 carries a replacement UUID; remove it or use motive 01.",
            code="209",
        )
