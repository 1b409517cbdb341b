"""The resumable download job against the SAT simulator over HTTP: interrupted after
any step it resumes from what was saved, and no stored package is downloaded again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cfdi.descarga.codes import NextStep
from cfdi.descarga.job import DownloadJob, JobStatus, step
from cfdi.descarga.package import Package
from cfdi.descarga.query import Direction, DownloadKind, FolioQuery, Query
from cfdi.descarga.simulator import Fault
from cfdi.testing.descarga import client_for, sat, write_documents

SPRING = (dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1))


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sat_cfdi")
    return folder, write_documents(folder)


class FolderStore:
    """Packages kept as files: what survives a crash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(exist_ok=True)

    def __contains__(self, package_id: object) -> bool:
        return (self.folder / f"{package_id}.zip").exists()

    def put(self, package_id: str, data: bytes) -> None:
        (self.folder / f"{package_id}.zip").write_bytes(data)


def run(job: DownloadJob, client, store, simulator, limit: int = 50) -> DownloadJob:
    """Step until finished, jumping SAT's clock to whenever the job wants to act."""
    for _ in range(limit):
        if job.finished:
            return job
        if job.not_before and not job.due(simulator.now()):
            simulator.advance((job.not_before - simulator.now()).total_seconds() + 1)
        job = step(job, client, store, simulator.now())
    raise AssertionError(f"the job did not finish: {job}")


def test_a_job_downloads_every_package_once(documents, tmp_path):
    _, made = documents
    store = FolderStore(tmp_path / "store")
    with sat(documents[0], tmp_path / "sat", package_size=2) as (simulator, server):
        job = run(
            DownloadJob(Query(Direction.ISSUED, *SPRING, DownloadKind.CFDI)),
            client_for(server),
            store,
            simulator,
        )
        assert job.status == JobStatus.DONE
        assert job.cfdi_count == 6 and len(job.package_ids) == 3
        assert simulator.downloads == {p: 1 for p in job.package_ids}
    uuids = set()
    for package_id in job.package_ids:
        with Package(tmp_path / "store" / f"{package_id}.zip") as package:
            uuids |= {f.uuid for f in package.cfdi()}
    assert uuids == set(made["issued"])


def test_a_job_interrupted_after_every_step_resumes_and_downloads_nothing_twice(
    documents, tmp_path
):
    """Each kind of step is first run by a process that dies before saving the job; the
    next process loads the last saved job (JSON), makes a new client (no token), and
    goes on. The lost submission reached SAT: the job moves its period one second."""
    store = FolderStore(tmp_path / "store")
    saved = json.dumps(DownloadJob(Query(Direction.RECEIVED, *SPRING, DownloadKind.CFDI)).to_dict())
    crashed: set[tuple[str, int]] = set()
    with sat(documents[0], tmp_path / "sat", package_size=1) as (simulator, server):
        for _ in range(60):
            job = DownloadJob.from_dict(json.loads(saved))
            if job.finished:
                break
            if job.not_before and not job.due(simulator.now()):
                simulator.advance((job.not_before - simulator.now()).total_seconds() + 1)
            advanced = step(job, client_for(server), store, simulator.now())
            where = (job.status.value, len(job.stored))
            if where in crashed:
                saved = json.dumps(advanced.to_dict())
            crashed.add(where)
        final = DownloadJob.from_dict(json.loads(saved))
        assert final.status == JobStatus.DONE
        assert len(final.package_ids) == 4  # four received CFDI, one per package
        assert simulator.downloads == {p: 1 for p in final.package_ids}
        assert len(simulator.requests) == 2  # the lost submission and the shifted one
        assert final.query.end == SPRING[1] + dt.timedelta(seconds=1)
    assert {(s, n) for s, n in crashed} >= {("new", 0), ("submitted", 0), ("downloading", 3)}


def test_a_submission_lost_in_a_timeout_is_followed_by_a_shifted_one(documents, tmp_path):
    store = FolderStore(tmp_path / "store")
    query = Query(Direction.RECEIVED, *SPRING)
    with sat(documents[0], tmp_path / "sat") as (simulator, server):
        client = client_for(server, timeout=0.3)
        simulator.add_fault(Fault("query", "delay", "1"))
        job = step(DownloadJob(query), client, store, simulator.now())
        assert job.status == JobStatus.NEW and job.not_before is not None  # retry later
        assert len(simulator.requests) == 1  # SAT has it; the job does not know its id
        client.timeout = 10
        job = run(job, client, store, simulator)
        assert job.status == JobStatus.DONE
        assert job.query.end == SPRING[1] + dt.timedelta(seconds=1)
        assert len(simulator.requests) == 2


def test_expired_packages_are_requested_again(documents, tmp_path):
    store = FolderStore(tmp_path / "store")
    with sat(documents[0], tmp_path / "sat", steps=0, package_size=2) as (simulator, server):
        client = client_for(server)
        job = DownloadJob(Query(Direction.ISSUED, *SPRING))
        for _ in range(3):  # submit, verify, first package
            job = step(job, client, store, simulator.now())
        first_request = job.request_id
        assert job.status == JobStatus.DOWNLOADING and len(job.stored) == 1
        simulator.advance(73 * 3600)  # the rest expired at SAT (5007)
        job = step(job, client, store, simulator.now())
        assert (job.status, job.request_id) == (JobStatus.NEW, "")
        assert "72 horas" in job.message_es
        job = run(job, client, store, simulator)
        assert job.status == JobStatus.DONE and job.request_id != first_request


@pytest.mark.parametrize(
    ("options", "fault", "expected"),
    [
        ({"max_metadata": 3}, None, "divida"),  # 5003: split the period
        ({}, Fault("query", "code", "5001"), "Tercero no autorizado"),
    ],
)
def test_a_job_that_cannot_go_on_fails_saying_why(documents, tmp_path, options, fault, expected):
    with sat(documents[0], tmp_path / "sat", **options) as (simulator, server):
        if fault:
            simulator.add_fault(fault)
        job = run(
            DownloadJob(Query(Direction.ISSUED, *SPRING)),
            client_for(server),
            FolderStore(tmp_path / "s"),
            simulator,
        )
    assert job.status == JobStatus.FAILED
    assert expected in job.message_es


def test_the_daily_limit_waits_until_tomorrow(documents, tmp_path):
    with sat(documents[0], tmp_path / "sat", steps=0, daily_downloads=0) as (simulator, server):
        client = client_for(server)
        job = DownloadJob(FolioQuery(documents[1]["issued"][0]))
        job = step(
            step(job, client, FolderStore(tmp_path / "s"), simulator.now()),
            client,
            FolderStore(tmp_path / "s"),
            simulator.now(),
        )
        waiting = step(job, client, FolderStore(tmp_path / "s"), simulator.now())
    assert waiting.status == JobStatus.DOWNLOADING
    assert waiting.not_before is not None and waiting.not_before > simulator.now()
    local = waiting.not_before.astimezone(dt.timezone(dt.timedelta(hours=-6)))
    assert (local.hour, local.minute) == (0, 5)
    assert "mañana" in waiting.message_es


def test_waiting_backs_off_and_round_trips_through_json(documents, tmp_path):
    with sat(documents[0], tmp_path / "sat", steps=5) as (simulator, server):
        client = client_for(server)
        job = step(
            DownloadJob(Query(Direction.ISSUED, *SPRING)),
            client,
            FolderStore(tmp_path / "s"),
            simulator.now(),
        )
        waits = []
        for _ in range(3):
            now = job.not_before
            job = step(job, client, FolderStore(tmp_path / "s"), now)
            waits.append(job.not_before - now)
    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    assert DownloadJob.from_dict(json.loads(json.dumps(job.to_dict()))) == job
    assert NextStep.WAIT.value == "wait"
