"""Finkok connector (zeep, Finkok's WSDLs) against the sandbox's Finkok SOAP server on
127.0.0.1: real HTTP, nothing patched in the transport; faults injected by the server."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization

from cfdi import xml as cfdi_xml
from cfdi.pac import get_connector
from cfdi.pac.base import (
    AlreadyStamped,
    AuthenticationFailed,
    NoCredits,
    PacError,
    Rejected,
    Unavailable,
    stamp_once,
)
from cfdi.pac.finkok import FinkokConnector
from cfdi.pac.sandbox import SandboxPac
from cfdi.pac.sandbox.server import running
from cfdi.pac.transport import QuietTransport
from cfdi.testing import CSD_PASSWORD as PASSWORD
from cfdi.testing.documents import (
    ISSUER,
    RECEIVER,
    capture_debug_logs,
    closed_port,
    load_credential,
    signed,
    total_of,
)
from cfdi.testing.servers.faults import FaultPlan
from cfdi.testing.servers.finkok_server import FaultyFinkokHandler

USER, SECRET = "finkok-user@example.com", "Fk-s3cret-Pa55word"


@pytest.fixture
def logs(caplog):
    capture_debug_logs(caplog)
    return caplog


@pytest.fixture
def sandbox(tmp_path) -> SandboxPac:
    return SandboxPac(tmp_path / "state", credits=10)


@pytest.fixture
def server(sandbox):
    with running(sandbox=sandbox, users={USER: SECRET}, handler=FaultyFinkokHandler) as srv:
        srv.faults = FaultPlan()
        yield srv


def connector(server, password: str = SECRET, timeout: float = 10.0) -> FinkokConnector:
    return get_connector(
        "finkok", username=USER, password=password, url=server.url, timeout=timeout
    )


def assert_no_secrets(text: str, *extra: str) -> None:
    for secret in (SECRET, PASSWORD, *extra):
        assert secret not in text


def test_stamp_over_http(server, sandbox, credential, assert_sat_valid, logs):
    data = signed(credential)
    result = connector(server).stamp(data)
    assert_sat_valid(result.xml)
    assert result.uuid == cfdi_xml.from_bytes(result.xml).complemento.timbre.uuid
    assert sandbox.find_stamped(data).uuid == result.uuid
    assert sandbox.balance().stamps_left == 9
    assert_no_secrets(logs.text)


def test_resend_is_already_stamped_with_the_same_uuid(server, sandbox, credential):
    pac = connector(server)
    data = signed(credential)
    first = pac.stamp(data)
    with pytest.raises(AlreadyStamped) as excinfo:
        pac.stamp(data)
    assert excinfo.value.result.uuid == first.uuid
    assert pac.find_stamped(data).uuid == first.uuid
    assert pac.find_stamped(signed(credential)) is None
    assert sandbox.balance().stamps_left == 9


def test_wrong_password_is_authentication_failed(server, credential, logs):
    wrong = "Wrong-Pa55word-xyz"
    with pytest.raises(AuthenticationFailed) as excinfo:
        connector(server, password=wrong).stamp(signed(credential))
    assert_no_secrets(str(excinfo.value), wrong)
    assert_no_secrets(logs.text, wrong)


def test_no_credits(tmp_path, credential):
    sandbox = SandboxPac(tmp_path, credits=0)
    with running(sandbox=sandbox, users={USER: SECRET}) as srv:
        with pytest.raises(NoCredits) as excinfo:
            connector(srv).stamp(signed(credential))
    assert "Sin folios disponibles" in excinfo.value.message_es


def test_sat_rejections_keep_their_codes(tmp_path, server, credential):
    tampered = signed(credential).replace(
        b'Descripcion="Servicio de prueba"', b'Descripcion="Otro servicio"'
    )
    with pytest.raises(Rejected) as excinfo:
        connector(server).stamp(tampered)
    assert excinfo.value.code == "302"

    data = signed(credential)
    later = SandboxPac(
        tmp_path / "later", clock=lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=73)
    )
    with running(sandbox=later) as srv:
        with pytest.raises(Rejected) as excinfo:
            connector(srv).stamp(data)
    assert excinfo.value.code == "401"
    assert "fuera de rango" in excinfo.value.message_es


def test_timeout_after_the_server_stamped_then_retry_gets_the_same_uuid(
    server, sandbox, credential, logs
):
    data = signed(credential)
    server.faults.add("delay", "stamp", seconds=1.5)
    with pytest.raises(Unavailable) as excinfo:
        connector(server, timeout=0.5).stamp(data)
    assert "0.5" in excinfo.value.message_es
    stored = sandbox.find_stamped(data)
    assert stored is not None, "the request reached the server and was stamped"

    pac = connector(server)
    assert stamp_once(pac, data).uuid == stored.uuid  # asks `stamped` first
    with pytest.raises(AlreadyStamped) as again:
        pac.stamp(data)
    assert again.value.result.uuid == stored.uuid
    assert sandbox.balance().stamps_left == 9, "one credit for one UUID"
    assert_no_secrets(logs.text)


@pytest.mark.parametrize("kind", ["http500", "soap_fault", "garbage", "truncated"])
def test_broken_answers_are_unavailable_and_nothing_is_stamped_twice(
    server, sandbox, credential, kind, logs
):
    data = signed(credential)
    server.faults.add(kind, "stamp")
    with pytest.raises(Unavailable) as excinfo:
        connector(server).stamp(data)
    assert "Finkok" in excinfo.value.message_es
    assert_no_secrets(str(excinfo.value))
    result = stamp_once(connector(server), data)
    assert result.uuid == sandbox.find_stamped(data).uuid
    assert sandbox.balance().stamps_left == 9
    assert_no_secrets(logs.text)


def test_connection_refused_is_unavailable(credential):
    port = closed_port()
    pac = FinkokConnector(USER, SECRET, url=f"http://127.0.0.1:{port}/servicios/soap/", timeout=2)
    with pytest.raises(Unavailable) as excinfo:
        pac.stamp(signed(credential))
    assert "red" in excinfo.value.message_es
    assert_no_secrets(str(excinfo.value))


def test_cancel_status_receipt_and_balance(server, sandbox, credential, logs):
    pac = connector(server)
    data = signed(credential, "500.00")
    result = pac.stamp(data)
    total = total_of(data)

    status = pac.status(result.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.es_cancelable) == ("Vigente", "Cancelable sin aceptación")
    assert status.codigo_estatus.startswith("S - ")

    cancelled = pac.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
    assert (cancelled.outcome, cancelled.status_code) == ("cancelled", "201")
    assert b"EstatusUUID" in cancelled.acknowledgment
    assert pac.status(result.uuid, ISSUER, RECEIVER, total).estado == "Cancelado"
    assert pac.receipt(result.uuid, ISSUER) == cancelled.acknowledgment

    unknown = pac.cancel(
        "11111111-2222-3333-4444-555555555555", "02", None, ISSUER, RECEIVER, total, credential
    )
    assert (unknown.outcome, unknown.status_code) == ("rejected", "205")
    with pytest.raises(Rejected):
        pac.cancel(result.uuid, "01", None, ISSUER, RECEIVER, total, credential)

    assert pac.balance().stamps_left == 9
    key_line = (
        credential.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
        .splitlines()[5]
    )
    assert_no_secrets(logs.text, key_line)


def test_unlimited_balance_and_wrong_password_on_other_services(tmp_path, credential):
    with running(sandbox=SandboxPac(tmp_path), users={USER: SECRET}) as srv:
        assert connector(srv).balance().unlimited
        bad = connector(srv, password="nope-nope")
        for call in (
            bad.balance,
            lambda: bad.status("X", ISSUER, RECEIVER, 1),
            lambda: bad.find_stamped(signed(credential)),
        ):
            with pytest.raises(AuthenticationFailed):
                call()


def test_the_wsdl_is_never_fetched():
    with pytest.raises(ValueError):
        QuietTransport().load("https://facturacion.finkok.com/servicios/soap/stamp.wsdl")
    pac = FinkokConnector(USER, SECRET, test=False)
    assert pac.base_url == "https://facturacion.finkok.com/servicios/soap/"
    assert FinkokConnector(USER, SECRET).base_url.startswith("https://demo-facturacion.")
    assert SECRET not in repr(pac)


def test_errors_are_pac_errors_with_both_languages(server, credential):
    with pytest.raises(PacError) as excinfo:
        connector(server, password="bad-password-1").stamp(signed(credential))
    assert excinfo.value.message_es and excinfo.value.message_en


def test_receiver_accepts_or_rejects_over_http(server, sandbox, credential):
    pac = connector(server)
    clock_offset = dt.timedelta(hours=25)
    data = [signed(credential, "5000.00") for _ in range(2)]
    results = [pac.stamp(d) for d in data]
    total = total_of(data[0])
    sandbox.clock = lambda: dt.datetime.now(dt.timezone.utc) + clock_offset
    for result in results:
        answer = pac.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
        assert (answer.outcome, answer.status_code) == ("in_process", "201")
    receiver = load_credential("csd", "CACX7605101P8")
    assert pac.respond_to_cancellation(results[0].uuid, True, RECEIVER, receiver) == "1000"
    assert pac.respond_to_cancellation(results[1].uuid, False, RECEIVER, receiver) == "1000"
    assert (
        pac.status(results[0].uuid, ISSUER, RECEIVER, total).estatus_cancelacion
        == "Cancelado con aceptación"
    )
    assert (
        pac.status(results[1].uuid, ISSUER, RECEIVER, total).estatus_cancelacion
        == "Solicitud rechazada"
    )
    assert pac.respond_to_cancellation(results[1].uuid, True, RECEIVER, receiver) == "2001"
