"""A download job a scheduler can stop anywhere and resume: one SAT call per ``step``.

The job is plain data (``to_dict``/``from_dict`` give JSON): the query, SAT's request
id, the package ids, which packages are stored, and when to act next. Each ``step``
makes at most one call and returns the job to persist. Packages go to a
``PackageStore`` the caller owns; a package already in the store is never downloaded
again, so a crash after storing (before the job was saved) costs nothing, and a
crash before storing loses nothing (the package is still at SAT, which allows two
downloads).

A submission whose answer never arrived (a timeout, or a crash before the job was
saved) may have reached SAT: a second identical one is then refused as a duplicate
(5005) without SAT saying the first one's id. The job then moves the end of the
period one second later, which SAT treats as a different request (at most
``MAX_SHIFTS`` times in a row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from .. import catalogs
from ..credentials import CredentialError
from .client import DescargaClient
from .codes import NextStep
from .errors import DescargaError, SatRefused
from .query import DATE_FORMAT, Direction, DocumentStatus, DownloadKind, FolioQuery, Query

RETRY_DELAY = timedelta(minutes=5)
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_SHIFTS = 3


class JobStatus(str, Enum):
    NEW = "new"  # nothing accepted by SAT yet
    SUBMITTED = "submitted"  # SAT's request id is known; SAT is preparing the packages
    DOWNLOADING = "downloading"  # the packages are known; some are not stored yet
    DONE = "done"  # every package is stored (or SAT found nothing)
    FAILED = "failed"  # stopped; the message says why and what to do


class PackageStore(Protocol):
    def __contains__(self, package_id: object) -> bool: ...

    def put(self, package_id: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class DownloadJob:
    query: Query | FolioQuery
    status: JobStatus = JobStatus.NEW
    request_id: str = ""
    package_ids: tuple[str, ...] = ()
    stored: tuple[str, ...] = ()
    cfdi_count: int = 0
    waits: int = 0  # verifications answered "not yet" in a row (the wait doubles)
    shifts: int = 0  # periods moved one second after a duplicate (5005) in a row
    not_before: datetime | None = None  # UTC; act again from then on
    message_es: str = ""
    message_en: str = ""

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def due(self, now: datetime) -> bool:
        return not self.finished and (self.not_before is None or now >= self.not_before)

    # --- persistence ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": _query_to_dict(self.query),
            "status": self.status.value,
            "request_id": self.request_id,
            "package_ids": list(self.package_ids),
            "stored": list(self.stored),
            "cfdi_count": self.cfdi_count,
            "waits": self.waits,
            "shifts": self.shifts,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "message_es": self.message_es,
            "message_en": self.message_en,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DownloadJob:
        return cls(
            query=_query_from_dict(data["query"]),
            status=JobStatus(data["status"]),
            request_id=data["request_id"],
            package_ids=tuple(data["package_ids"]),
            stored=tuple(data["stored"]),
            cfdi_count=data["cfdi_count"],
            waits=data["waits"],
            shifts=data["shifts"],
            not_before=datetime.fromisoformat(data["not_before"]) if data["not_before"] else None,
            message_es=data["message_es"],
            message_en=data["message_en"],
        )


def _query_to_dict(query: Query | FolioQuery) -> dict[str, Any]:
    if isinstance(query, FolioQuery):
        return {"uuid": query.uuid}
    return {
        "direction": query.direction.value,
        "start": query.start.strftime(DATE_FORMAT),
        "end": query.end.strftime(DATE_FORMAT),
        "kind": query.kind.value,
        "counterparts": list(query.counterparts),
        "document_type": query.document_type,
        "status": query.status.value if query.status else None,
        "on_behalf_rfc": query.on_behalf_rfc,
        "complement": query.complement,
    }


def _query_from_dict(data: dict[str, Any]) -> Query | FolioQuery:
    if "uuid" in data:
        return FolioQuery(data["uuid"])
    return Query(
        direction=Direction(data["direction"]),
        start=datetime.strptime(data["start"], DATE_FORMAT),
        end=datetime.strptime(data["end"], DATE_FORMAT),
        kind=DownloadKind(data["kind"]),
        counterparts=tuple(data["counterparts"]),
        document_type=data["document_type"],
        status=DocumentStatus(data["status"]) if data["status"] else None,
        on_behalf_rfc=data["on_behalf_rfc"],
        complement=data["complement"],
    )


# --- stepping ---------------------------------------------------------------------------


def _tomorrow(now: datetime) -> datetime:
    local = now.astimezone(catalogs.mexico_city())
    return (local + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)


def _stopped(
    job: DownloadJob, error: DescargaError | CredentialError, now: datetime
) -> DownloadJob:
    """The job after ``error``: wait and retry, resubmit, or fail, as its next step says."""
    next_step = getattr(error, "next_step", NextStep.GIVE_UP)
    job = replace(job, message_es=error.message_es, message_en=error.message_en)
    if next_step == NextStep.RETRY_LATER:
        return replace(job, not_before=now + RETRY_DELAY)
    if next_step == NextStep.RETRY_TOMORROW:
        return replace(job, not_before=_tomorrow(now))
    if next_step == NextStep.RESUBMIT:
        return _resubmit(job)
    return replace(job, status=JobStatus.FAILED, not_before=None)


def _resubmit(job: DownloadJob) -> DownloadJob:
    return replace(
        job, status=JobStatus.NEW, request_id="", package_ids=(), waits=0, not_before=None
    )


def step(
    job: DownloadJob, client: DescargaClient, store: PackageStore, now: datetime
) -> DownloadJob:
    """Do the next thing the job needs (at most one call to SAT); return the new job."""
    if job.finished:
        return job
    try:
        if job.status == JobStatus.NEW:
            return _submit(job, client, now)
        if job.status == JobStatus.SUBMITTED:
            return _verify(job, client, now)
        return _download(job, client, store)
    except (DescargaError, CredentialError) as error:
        return _stopped(job, error, now)


def _submit(job: DownloadJob, client: DescargaClient, now: datetime) -> DownloadJob:
    try:
        submission = client.submit(job.query)
    except SatRefused as error:
        if (
            error.sat_code != "5005"
            or isinstance(job.query, FolioQuery)
            or job.shifts >= MAX_SHIFTS
        ):
            raise
        # An earlier submission exists at SAT under an id this job never got: ask for
        # a period one second longer, which SAT takes as another request.
        query = replace(job.query, end=job.query.end + timedelta(seconds=1))
        return replace(job, query=query, shifts=job.shifts + 1, not_before=None)
    return replace(
        job,
        status=JobStatus.SUBMITTED,
        request_id=submission.request_id,
        shifts=0,
        waits=0,
        not_before=now + FIRST_WAIT,
        message_es="Solicitud aceptada por el SAT.",
        message_en="Request accepted by SAT.",
    )


def _verify(job: DownloadJob, client: DescargaClient, now: datetime) -> DownloadJob:
    verification = client.verify(job.request_id)
    job = replace(job, message_es=verification.reason_es, message_en=verification.reason_en)
    next_step = verification.next_step
    if next_step == NextStep.WAIT:
        wait = min(FIRST_WAIT * 2**job.waits, LONGEST_WAIT)
        return replace(job, waits=job.waits + 1, not_before=now + wait)
    if next_step == NextStep.DOWNLOAD:
        return replace(
            job,
            status=JobStatus.DOWNLOADING,
            package_ids=verification.package_ids,
            cfdi_count=verification.cfdi_count,
            not_before=None,
        )
    if next_step == NextStep.NOTHING_FOUND:
        return replace(job, status=JobStatus.DONE, cfdi_count=0, not_before=None)
    if next_step == NextStep.RESUBMIT:
        return _resubmit(job)
    return replace(job, status=JobStatus.FAILED, not_before=None)


def _download(job: DownloadJob, client: DescargaClient, store: PackageStore) -> DownloadJob:
    pending = [p for p in job.package_ids if p not in job.stored]
    package_id = pending[0]
    if package_id not in store:
        store.put(package_id, client.download_bytes(package_id))
    stored = (*job.stored, package_id)
    if len(pending) > 1:
        return replace(job, stored=stored, not_before=None)
    return replace(
        job,
        status=JobStatus.DONE,
        stored=stored,
        not_before=None,
        message_es=f"{len(stored)} paquete(s) descargado(s).",
        message_en=f"{len(stored)} package(s) downloaded.",
    )
