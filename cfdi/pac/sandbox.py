"""The sandbox PAC: validates like SAT, stamps with a test certificate, no contract.

Every stamp carries the Leyenda "Sandbox: sin validez fiscal - not valid for tax
purposes" and the RFC of a fake PAC; the TFD is sealed by a PAC certificate the
sandbox generates on first use and keeps in ``state_dir`` (default
``~/.local/share/cfdi-sandbox``), together with a sqlite database of what it
stamped (keyed by the SHA-256 of the signed XML, so a re-send returns the same
UUID), the optional credit balance and the cancellation state.

Checks, with the codes SAT's stamping validation (and Finkok) use:
301 malformed XML, 302 seal does not verify, 303 certificate of another RFC,
304 certificate expired at stamping time, 305 Fecha outside the certificate's
validity, 306 FIEL instead of CSD, 307 already stamped, 308 certificate not
issued by SAT, 401 Fecha more than 72 h before stamping (or in the future), and
the engine's rules (``cfdi.rules.check``, CFDI40xxx codes).

Cancellation follows SAT's rules (RMF 2.7.1.35 and the cancellation guide): no
acceptance is needed when the total is at most 1,000 MXN, within 24 h of
stamping, for receivers XAXX010101000/XEXX010101000, and for types E, T and N;
otherwise the request is "En proceso" until the receiver accepts or rejects
(``respond_to_cancellation``) or 72 h pass ("Plazo vencido": cancelled).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import sqlite3
import threading
import uuid as uuid_module
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from .. import rules, seal
from .. import tfd as tfd_module
from .. import xml as cfdi_xml
from ..credentials import (
    OID_UNIQUE_IDENTIFIER,
    Certificate,
    Credential,
    CredentialError,
)
from ..document import EXTRANJERO, PUBLICO_EN_GENERAL, Comprobante
from .base import (
    AlreadyStamped,
    Balance,
    CancelResult,
    Connector,
    Rejected,
    StampResult,
    StatusResult,
    check_motive,
    no_credits_error,
)
from .stamped import FECHA_FORMAT, attach_tfd, parse_document, result_from_xml

logger = logging.getLogger(__name__)

SANDBOX_RFC = "SND010101AA0"  # fake PAC RFC (fits SAT's RFC pattern; no such taxpayer)
LEYENDA = "Sandbox: sin validez fiscal - not valid for tax purposes"  # TFD XSD: no "/"
PAC_NO_CERTIFICADO = "99990000000000000001"
STAMP_WINDOW = dt.timedelta(hours=72)
CLOCK_SKEW = dt.timedelta(minutes=10)  # Fecha is local time at LugarExpedicion
FREE_CANCEL_WINDOW = dt.timedelta(hours=24)
ANSWER_WINDOW = dt.timedelta(hours=72)
NO_ACCEPTANCE_LIMIT = Decimal("1000")
NO_ACCEPTANCE_TYPES = frozenset({"E", "T", "N"})

FOUND = "S - Comprobante obtenido satisfactoriamente."
NOT_FOUND = "N - 602: Comprobante no encontrado."

try:
    from zoneinfo import ZoneInfo

    MEXICO_TZ: dt.tzinfo = ZoneInfo("America/Mexico_City")
except Exception:  # no tz database: central time has had no DST since 2022
    MEXICO_TZ = dt.timezone(dt.timedelta(hours=-6))


def default_state_dir() -> Path:
    return (
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cfdi-sandbox"
    )


def digest(signed_xml: bytes) -> str:
    return hashlib.sha256(signed_xml).hexdigest()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def mexico_local(moment: dt.datetime) -> dt.datetime:
    """Naive local time of Mexico City, as CFDI dates are written."""
    return moment.astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0)


# --- the PAC certificate -----------------------------------------------------


def load_or_create_pac_credential(state_dir: Path) -> Credential:
    """The sandbox's stamping certificate, generated on first use (RSA 2048, 10 years)."""
    cer_path, key_path = state_dir / "pac.cer", state_dir / "pac.key"
    if not (cer_path.exists() and key_path.exists()):
        _generate_pac_certificate(cer_path, key_path)
    return Credential.load(cer_path.read_bytes(), key_path.read_bytes(), "")


def _generate_pac_certificate(cer_path: Path, key_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "SANDBOX PAC - SIN VALIDEZ FISCAL"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "SANDBOX PAC (NOT VALID FOR TAX PURPOSES)"
            ),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sandbox"),
            x509.NameAttribute(OID_UNIQUE_IDENTIFIER, f"{SANDBOX_RFC} / "),
        ]
    )
    now = utc_now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(PAC_NO_CERTIFICADO.encode("ascii"), "big"))
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cer_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_key = key_path.with_suffix(".tmp")
    fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.replace(tmp_key, key_path)
    cer_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))


# --- storage -----------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stamps (
    digest TEXT PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    xml BLOB NOT NULL,
    issuer TEXT NOT NULL,
    receiver TEXT NOT NULL,
    total TEXT NOT NULL,
    total_mxn TEXT NOT NULL,
    tipo TEXT NOT NULL,
    stamped_at TEXT NOT NULL,
    estado TEXT NOT NULL DEFAULT 'Vigente',
    estatus_cancelacion TEXT NOT NULL DEFAULT '',
    motive TEXT,
    replacement TEXT,
    cancel_requested_at TEXT,
    acuse BLOB
);
CREATE TABLE IF NOT EXISTS account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    credits INTEGER
);
INSERT OR IGNORE INTO account (id, credits) VALUES (1, NULL);
"""

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


_INHERITED: list[sqlite3.Connection] = []  # connections a forked process must leave alone


def _lock_for(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(path.resolve()), threading.Lock())


class SandboxStore:
    """sqlite in ``state_dir``: stamps, cancellation state, credits."""

    def __init__(self, state_dir: Path):
        self.path = state_dir / "sandbox.sqlite3"
        self.lock = _lock_for(self.path)
        self.local = threading.local()
        with self.lock:
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
                db.executescript(_SCHEMA)
            finally:
                db.close()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, kept open: opening and closing one per request (a WAL
        checkpoint on every close) cost more than the stamp itself."""
        pid, db = getattr(self.local, "connection", (None, None))
        if pid != os.getpid():  # none yet, or inherited through fork
            if db is not None:
                _INHERITED.append(db)  # never used nor closed in the child: sqlite forbids it
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across crashes of the app
            self.local.connection = (os.getpid(), db)
        return db

    def drop_connection(self) -> None:
        """Close this thread's connection (its transaction rolls back); the next opens anew."""
        _pid, db = getattr(self.local, "connection", (None, None))
        self.local.connection = (None, None)
        if db is not None:
            db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time (thread lock + sqlite's own lock across processes).

        Any exception drops the connection, so that a transaction interrupted anywhere
        (even by a signal between BEGIN and the handler) never keeps sqlite's write lock.
        """
        with self.lock:
            try:
                db = self.connection()
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                self.drop_connection()
                raise

    def by_digest(self, db: sqlite3.Connection, key: str) -> sqlite3.Row | None:
        return db.execute("SELECT * FROM stamps WHERE digest = ?", (key,)).fetchone()

    def by_uuid(self, db: sqlite3.Connection, uuid: str) -> sqlite3.Row | None:
        return db.execute("SELECT * FROM stamps WHERE uuid = ?", (uuid.upper(),)).fetchone()

    def credits(self, db: sqlite3.Connection) -> int | None:
        return db.execute("SELECT credits FROM account WHERE id = 1").fetchone()["credits"]

    def set_credits(self, db: sqlite3.Connection, credits: int | None) -> None:
        db.execute("UPDATE account SET credits = ? WHERE id = 1", (credits,))


# --- the sandbox PAC ---------------------------------------------------------


class SandboxPac(Connector):
    """The embedded PAC. ``credits``: set the balance (None keeps what is stored;
    a fresh sandbox is unlimited). ``clock``: UTC-aware now, for tests."""

    name = "Sandbox PAC"

    def __init__(
        self,
        state_dir: str | os.PathLike | None = None,
        *,
        credits: int | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ):
        self.state_dir = Path(state_dir) if state_dir else default_state_dir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.store = SandboxStore(self.state_dir)
        with self.store.lock:
            self.pac_credential = load_or_create_pac_credential(self.state_dir)
        if credits is not None:
            self.set_credits(credits)

    # -- credits --

    def set_credits(self, credits: int | None) -> None:
        with self.store.transaction() as db:
            self.store.set_credits(db, credits)

    def add_credits(self, quantity: int) -> None:
        with self.store.transaction() as db:
            current = self.store.credits(db)
            if current is not None:
                self.store.set_credits(db, current + quantity)

    def balance(self) -> Balance:
        with self.store.transaction() as db:
            credits = self.store.credits(db)
        return Balance(stamps_left=credits, unlimited=credits is None)

    # -- stamping --

    def stamp(self, signed_xml: bytes) -> StampResult:
        key = digest(signed_xml)
        earlier = self.find_stamped(signed_xml)
        if earlier is not None:
            raise AlreadyStamped(earlier)
        comprobante = self.validate(signed_xml)
        now = self.clock()
        fecha_timbrado = mexico_local(now)
        timbre = tfd_module.build_tfd(
            comprobante,
            str(uuid_module.uuid4()).upper(),
            fecha_timbrado,
            SANDBOX_RFC,
            LEYENDA,
            self.pac_credential,
        )
        stamped_xml = attach_tfd(signed_xml, timbre)
        with self.store.transaction() as db:
            row = self.store.by_digest(db, key)
            if row is not None:  # a concurrent request stamped it first
                raise AlreadyStamped(result_from_xml(row["xml"]))
            credits = self.store.credits(db)
            if credits is not None and credits <= 0:
                raise no_credits_error(self.name)
            db.execute(
                "INSERT INTO stamps (digest, uuid, xml, issuer, receiver, total, total_mxn, tipo,"
                " stamped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    timbre.uuid,
                    stamped_xml,
                    comprobante.emisor.rfc,
                    comprobante.receptor.rfc,
                    str(comprobante.total),
                    str(_total_mxn(comprobante)),
                    comprobante.tipo_de_comprobante,
                    now.isoformat(),
                ),
            )
            if credits is not None:
                self.store.set_credits(db, credits - 1)
        logger.info("sandbox stamped %s (issuer %s)", timbre.uuid, comprobante.emisor.rfc)
        return StampResult(xml=stamped_xml, uuid=timbre.uuid, tfd=timbre)

    def find_stamped(self, signed_xml: bytes) -> StampResult | None:
        with self.store.transaction() as db:
            row = self.store.by_digest(db, digest(signed_xml))
        return result_from_xml(row["xml"]) if row is not None else None

    def validate(self, signed_xml: bytes) -> Comprobante:
        """SAT's stamping checks; raises Rejected / AlreadyStamped, returns the document."""
        root = parse_document(signed_xml)
        if tfd_module.read(root) is not None:
            raise AlreadyStamped(
                result_from_xml(signed_xml),
                "El CFDI contiene un timbre previo (307).",
                "The CFDI already holds a stamp (307).",
            )
        try:
            comprobante = cfdi_xml.from_tree(root)
        except Exception as exc:  # structure the model cannot read: malformed for SAT
            raise _rejected("301", f"XML mal formado: {exc}", f"Malformed XML: {exc}") from exc
        now = self.clock()
        self._check_certificate(comprobante, now)
        if not seal.verify_seal(comprobante):
            raise _rejected(
                "302",
                "Sello mal formado o inválido: el sello no corresponde a la cadena "
                "original del comprobante (¿se modificó después de sellarlo?).",
                "Malformed or invalid seal: it does not match the document's original string "
                "(was it changed after sealing?).",
            )
        self._check_window(comprobante, now)
        errors = [f for f in rules.check(comprobante, now=now) if f.severity == "error"]
        if errors:
            first = errors[0]
            raise Rejected(
                "; ".join(f"{f.code}: {f.message_es}" for f in errors),
                "; ".join(f"{f.code}: {f.message_en}" for f in errors),
                code=first.code,
            )
        return comprobante

    def _check_certificate(self, c: Comprobante, now: dt.datetime) -> None:
        try:
            cert = Certificate.from_base64(c.certificado or "")
        except CredentialError as exc:
            raise _rejected("308", exc.message_es, exc.message_en) from exc
        if not cert.issuer_is_sat:
            raise _rejected(
                "308", "Certificado no expedido por el SAT.", "Certificate not issued by SAT."
            )
        if cert.is_fiel:
            raise _rejected(
                "306",
                "El certificado no es de tipo CSD (es una e.firma).",
                "The certificate is not a CSD (it is an e.firma).",
            )
        if cert.rfc != (c.emisor.rfc or "").upper() or cert.no_certificado != c.no_certificado:
            raise _rejected(
                "303",
                f"Sello no corresponde a emisor: el certificado {cert.no_certificado} es "
                f"de {cert.rfc}, el emisor es {c.emisor.rfc} con NoCertificado {c.no_certificado}.",
                f"Seal does not belong to the issuer: certificate {cert.no_certificado} belongs "
                f"to {cert.rfc}; the issuer is {c.emisor.rfc} with NoCertificado {c.no_certificado}.",
            )
        if now > cert.valid_to:
            raise _rejected(
                "304",
                f"Certificado revocado o caduco: venció el {cert.valid_to:%Y-%m-%d}.",
                f"Certificate revoked or expired: it expired on {cert.valid_to:%Y-%m-%d}.",
            )
        if c.fecha is None:
            raise _rejected("301", "Falta el atributo Fecha.", "The Fecha attribute is missing.")
        try:
            cert.check_valid_at(c.fecha)
        except CredentialError as exc:
            raise _rejected(
                "305",
                "La fecha de emisión no está dentro de la vigencia del CSD del emisor. "
                + exc.message_es,
                "The issue date is outside the validity of the issuer's CSD. " + exc.message_en,
            ) from exc

    def _check_window(self, c: Comprobante, now: dt.datetime) -> None:
        zone = seal.place_zone(c.lugar_expedicion)
        fecha = c.fecha.replace(tzinfo=zone) if c.fecha.tzinfo is None else c.fecha
        if now - fecha > STAMP_WINDOW or fecha - now > CLOCK_SKEW:
            raise _rejected(
                "401",
                f"Fecha y hora de generación fuera de rango: Fecha {c.fecha:%Y-%m-%dT%H:%M:%S}"
                " debe estar dentro de las 72 horas anteriores al timbrado (y no en el futuro).",
                f"Issue date and time out of range: Fecha {c.fecha:%Y-%m-%dT%H:%M:%S} must be "
                "within the 72 hours before stamping (and not in the future).",
            )

    # -- cancellation --

    def cancel(
        self, uuid, motive, replacement_uuid, issuer_rfc, receiver_rfc, total, credential
    ) -> CancelResult:
        check_motive(motive, replacement_uuid)
        uuid = uuid.upper()
        if credential is not None:
            credential.certificate.require_csd()
            if credential.certificate.rfc != issuer_rfc.upper():
                return _cancel_rejected(
                    uuid,
                    "203",
                    "No corresponde el RFC del emisor y de quien solicita la cancelación.",
                )
        now = self.clock()
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
            if row is None or not _matches(row, issuer_rfc, receiver_rfc, total):
                return _cancel_rejected(
                    uuid, "205", "UUID no existe (no encontrado para ese emisor, receptor y total)."
                )
            row = self._expire(db, row, now)
            if row["estado"] == "Cancelado":
                return CancelResult(uuid, "cancelled", "202", "Previamente cancelado", row["acuse"])
            if motive == "01":
                replacement = self.store.by_uuid(db, replacement_uuid)
                if replacement is None or replacement["estado"] != "Vigente":
                    return _cancel_rejected(
                        uuid,
                        "208",
                        "El folio de sustitución no corresponde a un CFDI vigente timbrado.",
                    )
            acuse = _acuse(uuid, issuer_rfc, now)
            if _needs_acceptance(row, now):
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

    def respond_to_cancellation(self, uuid: str, accept: bool) -> StatusResult:
        """The receiver's answer to a pending cancellation (sandbox only, for tests)."""
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
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
        return self.status(row["uuid"], row["issuer"], row["receiver"], Decimal(row["total"]))

    def status(self, uuid, issuer_rfc, receiver_rfc, total) -> StatusResult:
        now = self.clock()
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
            if row is None or not _matches(row, issuer_rfc, receiver_rfc, total):
                return StatusResult("No Encontrado", "", "", NOT_FOUND, "")
            row = self._expire(db, row, now)
        cancelable = (
            "Cancelable con aceptación"
            if _needs_acceptance(row, now)
            else "Cancelable sin aceptación"
        )
        return StatusResult(row["estado"], cancelable, row["estatus_cancelacion"], FOUND, "200")

    def stamped_xml(self, uuid: str) -> bytes | None:
        """The stamped document by UUID (Finkok's get_xml / SW's storage)."""
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
        return row["xml"] if row is not None else None

    def receipt(self, uuid: str) -> bytes | None:
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
        return row["acuse"] if row is not None else None

    def _expire(self, db: sqlite3.Connection, row: sqlite3.Row, now: dt.datetime) -> sqlite3.Row:
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
        return self.store.by_uuid(db, row["uuid"])


# --- helpers -----------------------------------------------------------------


def _rejected(code: str, es: str, en: str) -> Rejected:
    return Rejected(es, en, code=code)


def _cancel_rejected(uuid: str, code: str, message: str) -> CancelResult:
    return CancelResult(uuid, "rejected", code, message, None)


def _total_mxn(c: Comprobante) -> Decimal:
    total = c.total or Decimal("0")
    if c.moneda not in ("MXN", "XXX") and c.tipo_cambio:
        return total * c.tipo_cambio
    return total


def _matches(row: sqlite3.Row, issuer: str, receiver: str | None, total) -> bool:
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
    return row["issuer"] == (issuer or "").upper()


def _needs_acceptance(row: sqlite3.Row, now: dt.datetime) -> bool:
    if row["tipo"] in NO_ACCEPTANCE_TYPES:
        return False
    if row["receiver"] in (PUBLICO_EN_GENERAL, EXTRANJERO):
        return False
    if Decimal(row["total_mxn"]) <= NO_ACCEPTANCE_LIMIT:
        return False
    return now - dt.datetime.fromisoformat(row["stamped_at"]) > FREE_CANCEL_WINDOW


def _acuse(uuid: str, issuer_rfc: str, now: dt.datetime) -> bytes:
    """A cancellation acknowledgment shaped like SAT's (unsigned: sandbox only)."""
    ns = "http://cancelacfd.sat.gob.mx"
    root = etree.Element(f"{{{ns}}}Acuse", nsmap={None: ns})
    root.set("Fecha", mexico_local(now).strftime(FECHA_FORMAT))
    root.set("RfcEmisor", issuer_rfc.upper())
    root.append(etree.Comment(f" {LEYENDA} "))
    folios = etree.SubElement(root, f"{{{ns}}}Folios")
    etree.SubElement(folios, f"{{{ns}}}UUID").text = uuid
    etree.SubElement(folios, f"{{{ns}}}EstatusUUID").text = "201"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
