"""Cancellation in the sandbox, following SAT's rules (RMF 2.7.1.35 and the cancellation
guide): no acceptance is needed when the total is at most 1,000 MXN, within 24 h of
stamping, for receivers XAXX010101000/XEXX010101000, and for types E, T and N; otherwise
the request is "En proceso" until the receiver accepts or rejects (``respond``) or 72 h
pass ("Plazo vencido": cancelled). The state is kept in the store's ``stamps`` rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal, InvalidOperation

from lxml import etree

from ... import catalogs
from ...credentials import Credential
from ...sat import FECHA_FORMAT, GENERIC_RFCS, MOTIVE_WITH_REPLACEMENT
from ..base import CancelResult, Rejected, StatusResult, check_motive
from .certificate import LEYENDA
from .store import SandboxStore

FREE_CANCEL_WINDOW = dt.timedelta(hours=24)
ANSWER_WINDOW = dt.timedelta(hours=72)
NO_ACCEPTANCE_LIMIT = Decimal("1000")
NO_ACCEPTANCE_TYPES = frozenset({"E", "T", "N"})
FOUND = "S - Comprobante obtenido satisfactoriamente."
NOT_FOUND = "N - 602: Comprobante no encontrado."


def cancel(
    store: SandboxStore,
    now: dt.datetime,
    uuid: str,
    motive: str,
    replacement_uuid: str | None,
    issuer_rfc: str,
    receiver_rfc: str | None,
    total: Decimal | None,
    credential: Credential | None,
) -> CancelResult:
    """Cancel ``uuid`` (or start the receiver's acceptance), as SAT answers."""
    check_motive(motive, replacement_uuid)
    uuid = uuid.upper()
    if credential is not None:
        credential.certificate.require_csd()
        if credential.certificate.rfc != issuer_rfc.upper():
            return _rejected(
                uuid, "203", "No corresponde el RFC del emisor y de quien solicita la cancelación."
            )
    with store.transaction() as db:
        row = store.by_uuid(db, uuid)
        if row is None or not _matches(row, issuer_rfc, receiver_rfc, total):
            return _rejected(
                uuid, "205", "UUID no existe (no encontrado para ese emisor, receptor y total)."
            )
        row = expire(store, db, row, now)
        if row["estado"] == "Cancelado":
            return CancelResult(uuid, "cancelled", "202", "Previamente cancelado", row["acuse"])
        if motive == MOTIVE_WITH_REPLACEMENT:
            replacement = store.by_uuid(db, replacement_uuid or "")
            if replacement is None or replacement["estado"] != "Vigente":
                return _rejected(
                    uuid,
                    "208",
                    "El folio de sustitución no corresponde a un CFDI vigente timbrado.",
                )
        acuse = _acuse(uuid, issuer_rfc, now)
        if needs_acceptance(row, now):
            db.execute(
                "UPDATE stamps SET estatus_cancelacion = 'En proceso', motive = ?, "
                "replacement = ?, cancel_requested_at = ?, acuse = ? WHERE uuid = ?",
                (motive, replacement_uuid, now.isoformat(), acuse, uuid),
            )
            return CancelResult(
                uuid,
                "in_process",
                "201",
                "Solicitud de cancelación recibida; en espera de la aceptación del receptor.",
                acuse,
            )
        db.execute(
            "UPDATE stamps SET estado = 'Cancelado', estatus_cancelacion = "
            "'Cancelado sin aceptación', motive = ?, replacement = ?, cancel_requested_at = ?,"
            " acuse = ? WHERE uuid = ?",
            (motive, replacement_uuid, now.isoformat(), acuse, uuid),
        )
    return CancelResult(uuid, "cancelled", "201", "Cancelado sin aceptación", acuse)


def respond(store: SandboxStore, uuid: str, accept: bool) -> sqlite3.Row:
    """The receiver's answer to a pending cancellation; the CFDI's row before it."""
    with store.transaction() as db:
        row = store.by_uuid(db, uuid)
        if row is None or row["estatus_cancelacion"] != "En proceso":
            raise Rejected(
                "No hay una solicitud de cancelación pendiente para ese UUID.",
                "There is no pending cancellation request for that UUID.",
                code="2001",
            )
        if accept:
            db.execute(
                "UPDATE stamps SET estado = 'Cancelado', estatus_cancelacion = "
                "'Cancelado con aceptación' WHERE uuid = ?",
                (row["uuid"],),
            )
        else:
            db.execute(
                "UPDATE stamps SET estatus_cancelacion = 'Solicitud rechazada' WHERE uuid = ?",
                (row["uuid"],),
            )
    return row


def status(
    store: SandboxStore,
    now: dt.datetime,
    uuid: str,
    issuer_rfc: str,
    receiver_rfc: str | None,
    total: Decimal | None,
) -> StatusResult:
    """What SAT's status service says of ``uuid`` (issuer, receiver and total must match)."""
    with store.transaction() as db:
        row = store.by_uuid(db, uuid)
        if row is None or not _matches(row, issuer_rfc, receiver_rfc, total):
            return StatusResult("No Encontrado", "", "", NOT_FOUND, "", sandbox=True)
        row = expire(store, db, row, now)
    cancelable = (
        "Cancelable con aceptación" if needs_acceptance(row, now) else "Cancelable sin aceptación"
    )
    return StatusResult(
        row["estado"], cancelable, row["estatus_cancelacion"], FOUND, "200", sandbox=True
    )


def expire(
    store: SandboxStore, db: sqlite3.Connection, row: sqlite3.Row, now: dt.datetime
) -> sqlite3.Row:
    """A request unanswered for 72 h is accepted by SAT ("Plazo vencido")."""
    if row["estatus_cancelacion"] != "En proceso":
        return row
    requested = dt.datetime.fromisoformat(row["cancel_requested_at"])
    if now - requested <= ANSWER_WINDOW:
        return row
    db.execute(
        "UPDATE stamps SET estado = 'Cancelado', estatus_cancelacion = 'Plazo vencido'"
        " WHERE uuid = ?",
        (row["uuid"],),
    )
    return store.by_uuid(db, row["uuid"]) or row


def needs_acceptance(row: sqlite3.Row, now: dt.datetime) -> bool:
    if row["tipo"] in NO_ACCEPTANCE_TYPES:
        return False
    if row["receiver"] in GENERIC_RFCS:
        return False
    if Decimal(row["total_mxn"]) <= NO_ACCEPTANCE_LIMIT:
        return False
    return now - dt.datetime.fromisoformat(row["stamped_at"]) > FREE_CANCEL_WINDOW


def _rejected(uuid: str, code: str, message: str) -> CancelResult:
    return CancelResult(uuid, "rejected", code, message, None)


def _matches(
    row: sqlite3.Row, issuer: str, receiver: str | None, total: Decimal | str | None
) -> bool:
    """Issuer, receiver and total identify a CFDI with its UUID, as in SAT's services.

    Finkok's cancel sends neither receiver nor total: None skips that comparison.
    """
    if total is not None:
        try:
            if Decimal(str(total)) != Decimal(row["total"]):
                return False
        except InvalidOperation:
            return False
    if receiver is not None and row["receiver"] != receiver.upper():
        return False
    return bool(row["issuer"] == (issuer or "").upper())


def _acuse(uuid: str, issuer_rfc: str, now: dt.datetime) -> bytes:
    """A cancellation acknowledgment shaped like SAT's (unsigned: sandbox only)."""
    ns = "http://cancelacfd.sat.gob.mx"
    root = etree.Element(f"{{{ns}}}Acuse", nsmap={None: ns})
    root.set("Fecha", catalogs.local_time(now).strftime(FECHA_FORMAT))
    root.set("RfcEmisor", issuer_rfc.upper())
    root.append(etree.Comment(f" {LEYENDA} "))
    folios = etree.SubElement(root, f"{{{ns}}}Folios")
    etree.SubElement(folios, f"{{{ns}}}UUID").text = uuid
    etree.SubElement(folios, f"{{{ns}}}EstatusUUID").text = "201"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
