"""``python -m cfdi sat-simulator`` as a separate process: SAT's protocol on a port,
faults from the command line, the control endpoint, state kept across restarts."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from cfdi.descarga.client import DescargaClient, Endpoints
from cfdi.descarga.codes import NextStep, RequestState
from cfdi.descarga.errors import SatRefused, SatUnavailable
from cfdi.descarga.package import Package
from cfdi.descarga.query import Direction, Query
from cfdi.testing.descarga import TEST_CA, fiel, write_documents

ROOT = Path(__file__).resolve().parents[2]
QUERY = Query(Direction.RECEIVED, dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def simulator_process(*arguments: str):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cfdi", "sat-simulator", "--port", str(port), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        banner = process.stdout.readline()
        assert f"127.0.0.1:{port}" in banner, banner + process.stdout.read()
        yield f"http://127.0.0.1:{port}", banner
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def cfdi_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sat_cfdi")
    write_documents(folder)
    return folder


def test_the_simulator_command(cfdi_dir, tmp_path):
    options = ["--cfdi-dir", str(cfdi_dir), "--state-dir", str(tmp_path), "--steps", "1"]
    options += ["--trusted-ca", str(TEST_CA / "AC_UAT_2022.cer"), "--fault", "verify:code=404"]
    with simulator_process(*options) as (url, banner):
        assert "11 CFDI" in banner  # six issued, four received, one foreign
        client = DescargaClient(fiel(), Endpoints.at(url), timeout=10)
        request_id = client.submit(QUERY).request_id
        with pytest.raises(SatUnavailable):
            client.verify(request_id)  # the fault from the command line
        assert client.verify(request_id).state == RequestState.ACCEPTED
        finished = client.verify(request_id)
        assert finished.next_step == NextStep.DOWNLOAD
        # The control endpoint: cancel a CFDI, inject a fault, read the state.
        state = requests.get(f"{url}/__simulator__/state", timeout=5).json()
        assert state["requests"][request_id]["cfdi"] == 4
        with Package(client.download_bytes(finished.package_ids[0])) as package:
            uuid = next(package.metadata()).uuid
        assert requests.post(f"{url}/__simulator__/cancel", json={"uuid": uuid}, timeout=5).ok
        fault = {"operation": "download", "action": "code", "value": "5011"}
        assert requests.post(f"{url}/__simulator__/faults", json=fault, timeout=5).ok
        bad = requests.post(
            f"{url}/__simulator__/faults", json={"operation": "x", "action": "y"}, timeout=5
        )
        assert bad.status_code == 400
        token = client.token
    # A new process on the same state folder knows the request, the token, the fault.
    with simulator_process(*options[:-2]) as (url, _):
        client = DescargaClient(fiel(), Endpoints.at(url), token=token, timeout=10)
        again = client.verify(request_id)
        assert again.package_ids == finished.package_ids and client.token is token
        with pytest.raises(SatRefused) as refused:
            client.download_bytes(finished.package_ids[0])
        assert refused.value.sat_code == "5011"
        cancelled = Query(Direction.RECEIVED, QUERY.start, QUERY.end + dt.timedelta(seconds=1))
        request_id = client.submit(cancelled).request_id
        client.verify(request_id)
        package_id = client.verify(request_id).package_ids[0]
        with Package(client.download_bytes(package_id)) as package:
            assert {r.uuid for r in package.metadata() if r.cancelled} == {uuid}


def test_a_malformed_fault_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "cfdi", "sat-simulator", "--fault", "download:explode"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--fault" in result.stderr
