"""The sandbox PAC as a connector: stamps what passes SAT's checks (``checks``) with its
own certificate (``certificate``), keeps what it stamped (``store``) and answers
cancellations and status queries as SAT would (``cancellation``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import time
import uuid as uuid_module
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ... import catalogs
from ... import tfd as tfd_module
from ...credentials import Credential
from ...document import Comprobante
from ..base import (
    AlreadyStamped,
    Balance,
    CancelResult,
    Connector,
    StampResult,
    StatusResult,
    no_credits_error,
)
from ..stamped import attach_tfd, result_from_xml
from . import cancellation, checks
from .certificate import LEYENDA, SANDBOX_RFC, load_or_create_pac_credential
from .store import SandboxStore, default_state_dir, digest

logger = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SandboxPac(Connector):
    """The embedded PAC. ``credits``: set the balance (None keeps what is stored;
    a fresh sandbox is unlimited). ``clock``: UTC-aware now, for tests.

    ``latency`` (seconds) and ``latency_jitter`` (seconds, uniformly random on top) delay
    every call (stamp, look-up, cancellation, status, balance) as a real PAC's round trip
    would, so throughput can be measured as users see it. The wait happens before any
    lock: concurrent calls wait side by side, as at a real provider.
    """

    name = "Sandbox PAC"

    def __init__(
        self,
        state_dir: str | os.PathLike[str] | None = None,
        *,
        credits: int | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
    ):
        if latency < 0 or latency_jitter < 0:
            raise ValueError("latency and latency_jitter are seconds, zero or more")
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.state_dir = Path(state_dir) if state_dir else default_state_dir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.store = SandboxStore(self.state_dir)
        with self.store.lock:
            self.pac_credential = load_or_create_pac_credential(self.state_dir)
        if credits is not None:
            self.set_credits(credits)

    def wait(self) -> None:
        """The simulated round trip of one call."""
        delay = self.latency + random.uniform(0.0, self.latency_jitter)  # noqa: S311
        if delay:
            time.sleep(delay)

    # -- credits --

    def set_credits(self, credits: int | None) -> None:
        with self.store.transaction() as db:
            self.store.set_credits(db, credits)

    def balance(self) -> Balance:
        self.wait()
        with self.store.transaction() as db:
            credits = self.store.credits(db)
        return Balance(stamps_left=credits, unlimited=credits is None)

    # -- stamping --

    def stamp(self, signed_xml: bytes) -> StampResult:
        self.wait()
        key = digest(signed_xml)
        earlier = self._find(key)
        if earlier is not None:
            raise AlreadyStamped(earlier)
        comprobante = self.validate(signed_xml)
        now = self.clock()
        timbre = tfd_module.build_tfd(
            comprobante,
            str(uuid_module.uuid4()).upper(),
            catalogs.local_time(now),
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
            self.store.record_stamp(db, key, timbre.uuid, stamped_xml, comprobante, now.isoformat())
            if credits is not None:
                self.store.set_credits(db, credits - 1)
        logger.info("sandbox stamped %s (issuer %s)", timbre.uuid, comprobante.emisor.rfc)
        return StampResult(xml=stamped_xml, uuid=timbre.uuid, tfd=timbre)

    def find_stamped(self, signed_xml: bytes) -> StampResult | None:
        self.wait()
        return self._find(digest(signed_xml))

    def _find(self, key: str) -> StampResult | None:
        with self.store.transaction() as db:
            row = self.store.by_digest(db, key)
        return result_from_xml(row["xml"]) if row is not None else None

    def validate(self, signed_xml: bytes) -> Comprobante:
        """SAT's stamping checks; raises Rejected / AlreadyStamped, returns the document."""
        return checks.validate(signed_xml, self.clock())

    # -- cancellation and status --

    def cancel(
        self,
        uuid: str,
        motive: str,
        replacement_uuid: str | None,
        issuer_rfc: str,
        receiver_rfc: str | None,
        total: Decimal | None,
        credential: Credential | None,
    ) -> CancelResult:
        self.wait()
        return cancellation.cancel(
            self.store,
            self.clock(),
            uuid,
            motive,
            replacement_uuid,
            issuer_rfc,
            receiver_rfc,
            total,
            credential,
        )

    def respond_to_cancellation(self, uuid: str, accept: bool) -> StatusResult:
        """The receiver's answer to a pending cancellation (sandbox only, for tests)."""
        row = cancellation.respond(self.store, uuid, accept)
        return self.status(row["uuid"], row["issuer"], row["receiver"], Decimal(row["total"]))

    def status(
        self, uuid: str, issuer_rfc: str, receiver_rfc: str | None, total: Decimal | None
    ) -> StatusResult:
        self.wait()
        return cancellation.status(self.store, self.clock(), uuid, issuer_rfc, receiver_rfc, total)

    def stamped_xml(self, uuid: str) -> bytes | None:
        """The stamped document by UUID (Finkok's get_xml / SW's storage)."""
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
        return row["xml"] if row is not None else None

    def receipt(self, uuid: str) -> bytes | None:
        with self.store.transaction() as db:
            row = self.store.by_uuid(db, uuid)
        return row["acuse"] if row is not None else None
