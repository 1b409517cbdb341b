"""SAT's codes of the mass download service and what each one asks the caller to do.

Three code families travel in the answers (see PROTOCOL.md):

- ``CodEstatus``: how SAT took *this call* (every operation).
- ``EstadoSolicitud`` (1-6): where the download request stands (verification only).
- ``CodigoEstadoSolicitud``: why the request stands there (verification only).

``NextStep`` is the engine's answer to "what now?", so a scheduled job never has to
interpret SAT's numbers itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

ACCEPTED = "5000"


class RequestState(IntEnum):
    """``EstadoSolicitud``."""

    ACCEPTED = 1  # Aceptada
    IN_PROGRESS = 2  # En proceso
    FINISHED = 3  # Terminada
    ERROR = 4  # Error
    REJECTED = 5  # Rechazada
    EXPIRED = 6  # Vencida


class NextStep(str, Enum):
    WAIT = "wait"  # verify again later (SAT is still working)
    DOWNLOAD = "download"  # download the packages listed
    NOTHING_FOUND = "nothing_found"  # done: SAT holds no document for these filters
    RETRY_LATER = "retry_later"  # repeat the same call later (SAT or the network failed)
    RETRY_TOMORROW = "retry_tomorrow"  # a daily limit was reached
    RESUBMIT = "resubmit"  # submit the same query again (expired, or failed at SAT)
    SPLIT = "split"  # too many documents: submit smaller periods
    GIVE_UP = "give_up"  # nothing more can be done automatically (reason says why)


# SAT's text (its ``Mensaje``, as published) and the engine's English, per code.
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "300": ("Usuario no válido", "Invalid user: the token is missing, wrong or expired"),
    "301": ("XML mal formado", "Malformed XML"),
    "302": ("Sello mal formado", "Malformed seal (signature)"),
    "303": ("Sello no corresponde con RfcSolicitante", "The seal does not match RfcSolicitante"),
    "304": ("Certificado revocado o caduco", "Certificate revoked or expired"),
    "305": ("Certificado inválido", "Invalid certificate"),
    "404": ("Error no controlado", "Uncontrolled error at SAT"),
    "5000": ("Solicitud recibida con éxito", "Request received"),
    "5001": ("Tercero no autorizado", "Third party not authorized"),
    "5002": ("Se agotaron las solicitudes de por vida", "Lifetime requests exhausted"),
    "5003": ("Tope máximo", "Maximum number of documents exceeded"),
    "5004": ("No se encontró la información", "No information found"),
    "5005": ("Solicitud duplicada", "Duplicate request"),
    "5006": ("Error interno en el proceso", "Internal error at SAT"),
    "5007": ("No existe el paquete solicitado", "The package does not exist"),
    "5008": ("Máximo de descargas permitidas", "Maximum number of downloads reached"),
    "5011": ("Límite de descargas por folio por día", "Daily download limit reached"),
    "5012": ("No se permite la descarga de XML cancelados", "Cancelled XML cannot be downloaded"),
    "InvalidSecurity": ("Autenticación rechazada", "Authentication refused"),
}

# What the caller should do when SAT answers a call with this CodEstatus.
STATUS_NEXT_STEP: dict[str, NextStep] = {
    "300": NextStep.RETRY_LATER,  # the client authenticates again first
    "301": NextStep.GIVE_UP,
    "302": NextStep.GIVE_UP,
    "303": NextStep.GIVE_UP,
    "304": NextStep.GIVE_UP,
    "305": NextStep.GIVE_UP,
    "404": NextStep.RETRY_LATER,
    "5001": NextStep.GIVE_UP,
    "5002": NextStep.GIVE_UP,
    "5003": NextStep.SPLIT,
    "5004": NextStep.GIVE_UP,  # verify/download: SAT does not know that request or package
    "5005": NextStep.GIVE_UP,  # follow the earlier request with the same parameters
    "5006": NextStep.RETRY_LATER,
    "5007": NextStep.RESUBMIT,  # the package expired (72 h): ask again
    "5008": NextStep.RESUBMIT,
    "5011": NextStep.RETRY_TOMORROW,
    "5012": NextStep.GIVE_UP,
}

# Advice shown with a refusal: what to change before trying again.
ADVICE: dict[str, tuple[str, str]] = {
    "InvalidSecurity": (
        "El SAT no aceptó la e.firma o la hora del equipo: revise que la e.firma sea la "
        "vigente de la empresa y que el reloj del servidor esté en hora.",
        "SAT accepted neither the e.firma nor the computer's time: check that the e.firma is "
        "the company's current one and that the server's clock is right.",
    ),
    "300": (
        "Vuelva a autenticarse; si persiste, revise que la e.firma sea la vigente.",
        "Authenticate again; if it persists, check that the e.firma is the current one.",
    ),
    "302": (
        "La firma de la solicitud no es válida: revise la e.firma (.cer/.key).",
        "The request's signature is not valid: check the e.firma (.cer/.key).",
    ),
    "303": (
        "La e.firma pertenece a otro RFC: cargue la e.firma de la empresa.",
        "The e.firma belongs to another RFC: upload the company's e.firma.",
    ),
    "304": (
        "La e.firma venció o fue revocada: renuévela en el SAT y cárguela.",
        "The e.firma expired or was revoked: renew it at SAT and upload it.",
    ),
    "305": (
        "El certificado no es una e.firma válida (¿se cargó el CSD?): cargue la e.firma.",
        "The certificate is not a valid e.firma (was the CSD uploaded?): upload the e.firma.",
    ),
    "5001": (
        "Solo el emisor o el receptor puede descargar sus CFDI: use la e.firma de la empresa.",
        "Only the issuer or the receiver may download its CFDI: use the company's e.firma.",
    ),
    "5002": (
        "El SAT solo permite pedir dos veces el mismo periodo de CFDI: cambie el periodo "
        "(basta un segundo) o pida Metadata.",
        "SAT allows the same CFDI period to be requested only twice: change the period "
        "(one second is enough) or request Metadata.",
    ),
    "5003": (
        "Demasiados comprobantes para una solicitud: divida el periodo.",
        "Too many documents for one request: split the period.",
    ),
    "5005": (
        "Ya hay una solicitud vigente con los mismos datos: verifique esa solicitud.",
        "A request with the same data is still open: verify that request.",
    ),
    "5007": (
        "El paquete ya no existe (caducan a las 72 horas): presente la solicitud de nuevo.",
        "The package no longer exists (they expire after 72 hours): submit the request again.",
    ),
    "5008": (
        "Este paquete ya se descargó el máximo de veces: presente la solicitud de nuevo.",
        "This package was already downloaded the maximum number of times: submit again.",
    ),
    "5011": (
        "Se alcanzó el límite diario de descargas: se reintentará mañana.",
        "The daily download limit was reached: it will be retried tomorrow.",
    ),
}


def status_text(code: str) -> tuple[str, str]:
    return STATUS_TEXT.get(code, (f"Código {code} del SAT", f"SAT code {code}"))


@dataclass(frozen=True)
class Decision:
    next_step: NextStep
    reason_es: str
    reason_en: str


def decide(state: RequestState, state_code: str, package_count: int) -> Decision:
    """What to do with a request SAT verified (CodEstatus 5000) in ``state``."""
    if state in (RequestState.ACCEPTED, RequestState.IN_PROGRESS):
        return Decision(
            NextStep.WAIT,
            "El SAT aún prepara los paquetes; verifique más tarde.",
            "SAT is still preparing the packages; verify again later.",
        )
    if state_code == "5004" or (state == RequestState.FINISHED and not package_count):
        return Decision(
            NextStep.NOTHING_FOUND,
            "El SAT no tiene comprobantes para esos filtros.",
            "SAT holds no documents for those filters.",
        )
    if state == RequestState.FINISHED:
        return Decision(
            NextStep.DOWNLOAD,
            f"Solicitud terminada: {package_count} paquete(s) listo(s) para descargar.",
            f"Request finished: {package_count} package(s) ready to download.",
        )
    if state == RequestState.EXPIRED:
        return Decision(
            NextStep.RESUBMIT,
            "La solicitud venció (los paquetes duran 72 horas): preséntela de nuevo.",
            "The request expired (packages last 72 hours): submit it again.",
        )
    if state == RequestState.ERROR:
        return Decision(
            NextStep.RESUBMIT,
            "El SAT no pudo procesar la solicitud: preséntela de nuevo.",
            "SAT could not process the request: submit it again.",
        )
    es, en = status_text(state_code)
    advice_es, advice_en = ADVICE.get(state_code, ("", ""))
    return Decision(
        STATUS_NEXT_STEP.get(state_code, NextStep.GIVE_UP),
        f"El SAT rechazó la solicitud ({state_code}: {es}). {advice_es}".strip(),
        f"SAT rejected the request ({state_code}: {en}). {advice_en}".strip(),
    )
