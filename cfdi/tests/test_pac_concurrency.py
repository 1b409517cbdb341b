"""A PAC's round trip (the sandbox's latency knob) and ``stamp_many``: bounded concurrent
calls over real HTTP on 127.0.0.1, each document stamped once, one credit per UUID."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cfdi.pac import get_connector
from cfdi.pac.base import Connector, Rejected, StampResult, stamp_many
from cfdi.pac.sandbox import SandboxPac
from cfdi.pac.sandbox import connector as sandbox_connector
from cfdi.pac.sandbox.server import FinkokSoapHandler, running
from cfdi.testing.documents import signed

ROOT = Path(__file__).resolve().parents[2]


class Sleeps(list):
    """The delays the sandbox asked for, instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps(monkeypatch) -> Sleeps:
    recorded = Sleeps()
    monkeypatch.setattr(sandbox_connector.time, "sleep", recorded)
    return recorded


class CountingHandler(FinkokSoapHandler):
    """Counts the requests in progress at once and the client connections seen."""

    guard = threading.Lock()
    in_flight = 0
    peak = 0
    clients: set[tuple[str, int]] = set()

    def do_POST(self) -> None:  # noqa: N802
        cls = type(self)
        with cls.guard:
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
            cls.clients.add(self.client_address)
        try:
            return super().do_POST()
        finally:
            with cls.guard:
                cls.in_flight -= 1


@pytest.fixture
def counting():
    CountingHandler.in_flight = CountingHandler.peak = 0
    CountingHandler.clients = set()
    return CountingHandler


def documents(credential, count: int) -> list[bytes]:
    return [signed(credential, f"{1000 + n}.00") for n in range(count)]


def test_every_call_waits_the_latency_plus_a_random_jitter(tmp_path, credential, sleeps):
    pac = SandboxPac(tmp_path, latency=0.4, latency_jitter=0.1)
    data = signed(credential)
    assert pac.find_stamped(data) is None
    result = pac.stamp(data)
    pac.status(result.uuid, "EKU9003173C9", "XIA190128J61", None)
    pac.balance()
    assert len(sleeps) == 4  # stamping asks its own store, not itself: one wait per call
    assert all(0.4 <= delay <= 0.5 for delay in sleeps)
    assert len(set(sleeps)) > 1  # random per call


def test_no_latency_by_default_and_negative_latency_is_refused(tmp_path, credential, sleeps):
    pac = get_connector("sandbox", state_dir=tmp_path)
    pac.stamp(signed(credential))
    assert sleeps == []
    with pytest.raises(ValueError):
        SandboxPac(tmp_path, latency=-1)
    assert get_connector("sandbox", state_dir=tmp_path, latency=0.3).latency == 0.3


def test_the_http_sandbox_waits_the_latency_given_on_the_command_line(tmp_path, credential):
    server = subprocess.Popen(
        [sys.executable, "-m", "cfdi", "sandbox", "--port", "0", "--state-dir", str(tmp_path)]
        + ["--latency", "0.4", "--latency-jitter", "0.1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert "latency 0.4 s + up to 0.1 s" in banner, banner
        url = banner.split(" on ", 1)[1].split(" - ", 1)[0]
        pac = get_connector("finkok", username="u", password="p", url=url)
        started = time.monotonic()
        result = pac.stamp(signed(credential))
        assert time.monotonic() - started >= 0.4  # the server slept before answering
        assert result.uuid
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_stamp_many_calls_at_once_within_the_bound_and_reuses_connections(
    tmp_path, credential, counting
):
    data = documents(credential, 12)
    with running(tmp_path, credits=100, handler=counting, latency=0.2) as server:
        pac = get_connector("finkok", username="u", password="p", url=server.url)
        outcomes = stamp_many(pac, [(xml, False) for xml in data], workers=4)
        balance = server.sandbox.balance().stamps_left
    assert all(isinstance(outcome, StampResult) for outcome in outcomes)
    assert len({outcome.uuid for outcome in outcomes}) == 12  # type: ignore[union-attr]
    assert balance == 100 - 12  # one credit per UUID
    assert 2 <= counting.peak <= 4  # concurrent, never more than asked for
    assert len(counting.clients) <= 4  # each thread keeps its HTTP connection


def test_stamp_many_keeps_the_order_and_each_document_stamped_once(tmp_path, credential):
    first, second = documents(credential, 2)
    batch = [(first, False), (second, False), (first, False), (first, True), (second, True)]
    with running(tmp_path, credits=10, latency=0.05, latency_jitter=0.05) as server:
        pac = get_connector("finkok", username="u", password="p", url=server.url)
        outcomes = stamp_many(pac, batch, workers=5)
        balance = server.sandbox.balance().stamps_left
    uuids = [outcome.uuid for outcome in outcomes]  # type: ignore[union-attr]
    assert uuids[0] == uuids[2] == uuids[3] != uuids[1] == uuids[4]
    assert balance == 8


def test_a_refused_or_unreachable_document_is_its_own_outcome(tmp_path, credential):
    good, other = documents(credential, 2)
    tampered = good.replace(b"1000.00", b"1000.01", 1)
    with running(tmp_path, credits=10, latency=0.05) as server:
        pac = get_connector("finkok", username="u", password="p", url=server.url)
        outcomes = stamp_many(pac, [(good, False), (tampered, False), (other, True)], workers=3)
    assert isinstance(outcomes[0], StampResult)
    assert isinstance(outcomes[1], Rejected)
    assert isinstance(outcomes[2], StampResult)


def test_the_providers_limit_caps_the_threads(tmp_path, credential, counting, monkeypatch):
    monkeypatch.setattr(Connector, "max_concurrency", 2)
    with running(tmp_path, handler=counting, latency=0.1) as server:
        pac = get_connector("finkok", username="u", password="p", url=server.url)
        outcomes = stamp_many(pac, [(xml, False) for xml in documents(credential, 6)], workers=8)
    assert all(isinstance(outcome, StampResult) for outcome in outcomes)
    assert counting.peak <= 2
