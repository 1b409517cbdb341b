"""``python -m cfdi stamp|cancel|status|sandbox`` (the PAC sub-commands)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfdi import xml as cfdi_xml
from cfdi.__main__ import main
from cfdi.pac.finkok import FinkokConnector
from cfdi.pac.sandbox import SandboxPac
from cfdi.pac.sandbox.server import running
from cfdi.testing import FIXTURES
from cfdi.testing.documents import ISSUER, RECEIVER, signed, total_of
from cfdi.testing.servers import sat_server

ROOT = Path(__file__).resolve().parents[2]
CSD = FIXTURES / "csd"


@pytest.fixture
def document(tmp_path, credential) -> tuple[Path, bytes]:
    data = signed(credential, "700.00")
    path = tmp_path / "factura.xml"
    path.write_bytes(data)
    return path, data


def test_stamp_with_the_sandbox_twice_gives_one_uuid(tmp_path, document, capsys):
    path, data = document
    state, out = tmp_path / "state", tmp_path / "out.xml"
    args = ["stamp", str(path), "--pac", "sandbox", "--state-dir", str(state), "-o", str(out)]
    assert main(args) == 0
    uuid = cfdi_xml.from_bytes(out.read_bytes()).complemento.timbre.uuid
    assert main(args) == 0
    assert cfdi_xml.from_bytes(out.read_bytes()).complemento.timbre.uuid == uuid
    assert capsys.readouterr().out.count(uuid) == 2
    assert SandboxPac(state).balance().unlimited


def test_stamp_through_finkok_reads_the_password_from_the_environment(
    tmp_path, document, monkeypatch, capsys
):
    path, _ = document
    with running(tmp_path / "state", users={"cli-user": "cli-Secret-99"}) as server:
        monkeypatch.setenv("CFDI_PAC_PASSWORD", "cli-Secret-99")
        out = tmp_path / "stamped.xml"
        assert (
            main(
                [
                    "stamp",
                    str(path),
                    "--pac",
                    "finkok",
                    "--url",
                    server.url,
                    "--user",
                    "cli-user",
                    "-o",
                    str(out),
                ]
            )
            == 0
        )
        assert b"TimbreFiscalDigital" in out.read_bytes()
        monkeypatch.setenv("WRONG_PASSWORD", "not-the-Secret-77")
        code = main(
            [
                "stamp",
                str(path),
                "--pac",
                "finkok",
                "--url",
                server.url,
                "--user",
                "cli-user",
                "--password-env",
                "WRONG_PASSWORD",
                "-o",
                str(out),
            ]
        )
    captured = capsys.readouterr()
    assert code != 0 and "PAC_AUTH" in captured.err
    assert "not-the-Secret-77" not in captured.err + captured.out


def test_cancel_and_status(tmp_path, document, capsys):
    path, data = document
    state = tmp_path / "state"
    assert main(["stamp", str(path), "--state-dir", str(state), "-o", str(tmp_path / "s.xml")]) == 0
    uuid = cfdi_xml.from_bytes((tmp_path / "s.xml").read_bytes()).complemento.timbre.uuid
    total = str(total_of(data))
    common = ["--issuer", ISSUER, "--receiver", RECEIVER, "--total", total]
    assert main(["status", uuid, *common, "--pac", "sandbox", "--state-dir", str(state)]) == 0
    assert "Estado: Vigente" in capsys.readouterr().out
    acuse = tmp_path / "acuse.xml"
    assert (
        main(
            [
                "cancel",
                uuid,
                "--motive",
                "02",
                *common,
                "--cer",
                str(CSD / "EKU9003173C9.cer"),
                "--key",
                str(CSD / "EKU9003173C9.key"),
                "--password-file",
                str(CSD / "EKU9003173C9.password.txt"),
                "--state-dir",
                str(state),
                "-o",
                str(acuse),
            ]
        )
        == 0
    )
    assert "cancelled (201" in capsys.readouterr().out
    assert b"EstatusUUID" in acuse.read_bytes()
    with sat_server.running(SandboxPac(state).status) as sat:
        assert main(["status", uuid, *common, "--url", sat.url]) == 0
    assert "Estado: Cancelado" in capsys.readouterr().out


def test_sandbox_command_serves_finkok_protocol(tmp_path, credential):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cfdi",
            "sandbox",
            "--port",
            str(port),
            "--state-dir",
            str(tmp_path / "state"),
            "--credits",
            "3",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        pac = FinkokConnector(
            "anyone", "any-password", url=f"http://127.0.0.1:{port}/servicios/soap/", timeout=10
        )
        result = pac.stamp(signed(credential))
        assert result.uuid
        assert pac.balance().stamps_left == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
