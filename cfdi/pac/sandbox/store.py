"""The sandbox's state: one sqlite database in the state folder (default
``~/.local/share/cfdi-sandbox``) of what it stamped, keyed by the SHA-256 of the signed
XML (a re-send finds the same UUID), with each CFDI's cancellation state, and the
optional credit balance."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from ...document import Comprobante

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


def default_state_dir() -> Path:
    return (
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cfdi-sandbox"
    )


def digest(signed_xml: bytes) -> str:
    return hashlib.sha256(signed_xml).hexdigest()


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
        pid, kept = getattr(self.local, "connection", (None, None))
        if pid == os.getpid() and kept is not None:
            db: sqlite3.Connection = kept
        else:  # none yet, or inherited through fork
            if kept is not None:
                _INHERITED.append(kept)  # never used nor closed in the child: sqlite forbids it
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
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM stamps WHERE digest = ?", (key,)
        ).fetchone()
        return row

    def by_uuid(self, db: sqlite3.Connection, uuid: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM stamps WHERE uuid = ?", (uuid.upper(),)
        ).fetchone()
        return row

    def credits(self, db: sqlite3.Connection) -> int | None:
        credits: int | None = db.execute("SELECT credits FROM account WHERE id = 1").fetchone()[
            "credits"
        ]
        return credits

    def set_credits(self, db: sqlite3.Connection, credits: int | None) -> None:
        db.execute("UPDATE account SET credits = ? WHERE id = 1", (credits,))

    def record_stamp(
        self, db: sqlite3.Connection, key: str, uuid: str, xml: bytes, c: Comprobante, at: str
    ) -> None:
        """One stamp: the document's parties, total (and its MXN value) and type."""
        db.execute(
            "INSERT INTO stamps (digest, uuid, xml, issuer, receiver, total, total_mxn, tipo,"
            " stamped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                uuid,
                xml,
                c.emisor.rfc,
                c.receptor.rfc,
                str(c.total),
                str(_total_mxn(c)),
                c.tipo_de_comprobante,
                at,
            ),
        )


def _total_mxn(c: Comprobante) -> Decimal:
    total = c.total or Decimal("0")
    if c.moneda not in ("MXN", "XXX") and c.tipo_cambio:
        return total * c.tipo_cambio
    return total
