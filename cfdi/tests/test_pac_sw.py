"""SW sapien connector (requests, SW's REST routes) against a local SW server on 127.0.0.1
that stamps with the sandbox; status through a local SAT ConsultaCFDIService server."""

from __future__ import annotations

import pytest

from cfdi import xml as cfdi_xml
from cfdi.pac import get_connector
from cfdi.pac.base import (
    AlreadyStamped,
    AuthenticationFailed,
    NoCredits,
    Rejected,
    Unavailable,
    stamp_once,
)
from cfdi.pac.sandbox import SandboxPac
from cfdi.pac.sw import SwConnector
from cfdi.testing import CSD_PASSWORD as PASSWORD
from cfdi.testing.documents import (
    ISSUER,
    RECEIVER,
    capture_debug_logs,
    closed_port,
    signed,
    total_of,
)
from cfdi.testing.servers import sat_server, sw_server

USER, SECRET, TOKEN = "sw-user@example.com", "Sw-s3cret-Pa55word", "long-lived-token-0123456789"


@pytest.fixture
def logs(caplog):
    capture_debug_logs(caplog)
    return caplog


@pytest.fixture
def sandbox(tmp_path) -> SandboxPac:
    return SandboxPac(tmp_path / "state", credits=10)


@pytest.fixture
def servers(sandbox):
    with (
        sw_server.running(sandbox, {USER: SECRET}, {TOKEN}) as sw,
        sat_server.running(sandbox.status) as sat,
    ):
        yield sw, sat


@pytest.fixture
def sw(servers):
    return servers[0]


def connector(
    sw,
    servers=None,
    *,
    password: str | None = SECRET,
    token: str | None = None,
    timeout: float = 10.0,
) -> SwConnector:
    pac = get_connector(
        "sw",
        username=None if token else USER,
        password=None if token else password,
        token=token,
        url=sw.url,
        timeout=timeout,
    )
    if servers is not None:
        pac.sat_status_url = servers[1].url
    return pac


def assert_no_secrets(text: str, *extra: str) -> None:
    for secret in (SECRET, TOKEN, PASSWORD, *extra):
        assert secret not in text


def test_stamp_with_user_and_password(sw, sandbox, credential, assert_sat_valid, logs):
    pac = connector(sw)
    data = signed(credential)
    result = pac.stamp(data)
    assert_sat_valid(result.xml)
    assert result.uuid == cfdi_xml.from_bytes(result.xml).complemento.timbre.uuid
    assert sandbox.find_stamped(data).uuid == result.uuid
    issued = set(sw.tokens) - {TOKEN}
    assert issued, "the connector authenticated"
    assert_no_secrets(logs.text, *issued)


def test_stamp_with_a_long_lived_token(sw, credential):
    assert connector(sw, token=TOKEN).stamp(signed(credential)).uuid


def test_resend_is_already_stamped_with_the_earlier_tfd(sw, sandbox, credential):
    pac = connector(sw)
    data = signed(credential)
    first = pac.stamp(data)
    with pytest.raises(AlreadyStamped) as excinfo:
        pac.stamp(data)
    earlier = excinfo.value.result
    assert earlier.uuid == first.uuid
    assert earlier.tfd.sello_sat == first.tfd.sello_sat
    assert cfdi_xml.from_bytes(earlier.xml).complemento.timbre.uuid == first.uuid
    assert stamp_once(pac, data).uuid == first.uuid
    assert sandbox.balance().stamps_left == 9


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"password": "Wrong-Pa55"}, AuthenticationFailed),
        ({"token": "not-a-token-at-all"}, AuthenticationFailed),
    ],
)
def test_bad_credentials(sw, credential, kwargs, expected, logs):
    with pytest.raises(expected) as excinfo:
        connector(sw, **kwargs).stamp(signed(credential))
    assert_no_secrets(str(excinfo.value), *kwargs.values())
    assert_no_secrets(logs.text, *kwargs.values())


def test_no_credits(tmp_path, credential):
    with sw_server.running(SandboxPac(tmp_path, credits=0), {USER: SECRET}) as server:
        with pytest.raises(NoCredits) as excinfo:
            connector(server).stamp(signed(credential))
    assert "Sin folios disponibles" in excinfo.value.message_es


def test_rejection_keeps_sat_code(sw, credential):
    tampered = signed(credential).replace(
        b'Descripcion="Servicio de prueba"', b'Descripcion="Otro servicio"'
    )
    with pytest.raises(Rejected) as excinfo:
        connector(sw).stamp(tampered)
    assert excinfo.value.code == "302"


def test_timeout_after_the_server_stamped_then_retry_gets_the_same_uuid(
    sw, sandbox, credential, logs
):
    data = signed(credential)
    pac = connector(sw, timeout=0.5)
    pac._get_token()  # authenticate first: the delay below is for the stamp call
    sw.faults.add("delay", "stamp", seconds=1.5)
    with pytest.raises(Unavailable):
        pac.stamp(data)
    stored = sandbox.find_stamped(data)
    assert stored is not None
    with pytest.raises(AlreadyStamped) as excinfo:
        connector(sw).stamp(data)
    assert excinfo.value.result.uuid == stored.uuid
    assert sandbox.balance().stamps_left == 9
    assert_no_secrets(logs.text, *sw.tokens)


@pytest.mark.parametrize("kind", ["http500", "garbage", "truncated"])
def test_broken_answers_are_unavailable(sw, sandbox, credential, kind, logs):
    pac = connector(sw)
    pac._get_token()
    data = signed(credential)
    sw.faults.add(kind, "stamp")
    with pytest.raises(Unavailable) as excinfo:
        pac.stamp(data)
    assert "SW" in excinfo.value.message_es
    assert stamp_once(pac, data).uuid == sandbox.find_stamped(data).uuid
    assert sandbox.balance().stamps_left == 9
    assert_no_secrets(logs.text, *sw.tokens)


def test_connection_refused_is_unavailable(credential):
    port = closed_port()
    pac = SwConnector(token=TOKEN, url=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(Unavailable):
        pac.stamp(signed(credential))


def test_cancel_with_csd_and_status_from_sat(servers, sandbox, credential, logs):
    sw, _ = servers
    pac = connector(sw, servers)
    data = signed(credential, "300.00")
    result = pac.stamp(data)
    total = total_of(data)
    assert pac.status(result.uuid, ISSUER, RECEIVER, total).estado == "Vigente"
    cancelled = pac.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
    assert (cancelled.outcome, cancelled.status_code) == ("cancelled", "201")
    assert b"EstatusUUID" in cancelled.acknowledgment
    status = pac.status(result.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.estatus_cancelacion) == ("Cancelado", "Cancelado sin aceptación")
    unknown = pac.cancel(
        "11111111-2222-3333-4444-555555555555", "02", None, ISSUER, RECEIVER, total, credential
    )
    assert (unknown.outcome, unknown.status_code) == ("rejected", "205")
    assert_no_secrets(logs.text, *sw.tokens)


def test_balance(sw, sandbox):
    balance = connector(sw).balance()
    assert (balance.stamps_left, balance.unlimited) == (10, False)
    assert balance.expires is not None and balance.expires.year == 2030


def test_configuration():
    with pytest.raises(ValueError):
        SwConnector()
    assert SwConnector(token=TOKEN).base_url == "https://services.test.sw.com.mx"
    assert SwConnector(token=TOKEN, test=False).base_url == "https://services.sw.com.mx"
    assert TOKEN not in repr(SwConnector(token=TOKEN))
