"""The sandbox PAC in-process: SAT's stamping checks, idempotency, credits, cancellation."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from cfdi import seal
from cfdi import xml as cfdi_xml
from cfdi.cadena import cadena_tfd
from cfdi.pac import get_connector
from cfdi.pac.base import AlreadyStamped, NoCredits, Rejected, stamp_once
from cfdi.pac.sandbox import LEYENDA, SANDBOX_RFC, SandboxPac
from cfdi.testing import verify
from cfdi.testing.documents import (
    ISSUER,
    RECEIVER,
    force_signed,
    invoice,
    load_credential,
    signed,
    total_of,
)

UTC = dt.timezone.utc


class Clock:
    """A movable now (UTC), starting at the real time."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(tmp_path, clock) -> SandboxPac:
    return SandboxPac(tmp_path / "state", clock=clock)


def test_stamp_adds_a_tfd_sealed_by_the_sandbox_certificate(
    sandbox, credential, assert_sat_valid, sat_cadena_tfd
):
    data = signed(credential)
    result = sandbox.stamp(data)

    assert_sat_valid(result.xml)
    stamped = cfdi_xml.from_bytes(result.xml)
    timbre = stamped.complemento.timbre
    assert timbre == result.tfd and timbre.uuid == result.uuid
    assert timbre.leyenda == LEYENDA and timbre.rfc_prov_certif == SANDBOX_RFC
    assert timbre.sello_cfd == stamped.sello
    assert seal.verify_seal(stamped), "the issuer's seal must survive stamping"
    assert cadena_tfd(timbre) == sat_cadena_tfd(result.xml)
    assert verify.verify_sello_sat(timbre, sandbox.pac_credential.certificate)
    # every byte the issuer signed is kept: the stamped XML differs only by the TFD
    assert result.xml.count(b"TimbreFiscalDigital") >= 1
    assert stamped.folio == cfdi_xml.from_bytes(data).folio


def test_resend_returns_the_same_uuid_and_uses_one_credit(tmp_path, credential, clock):
    sandbox = SandboxPac(tmp_path, credits=5, clock=clock)
    data = signed(credential)
    first = sandbox.stamp(data)
    with pytest.raises(AlreadyStamped) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.result.uuid == first.uuid
    assert excinfo.value.result.xml == first.xml
    assert sandbox.find_stamped(data).uuid == first.uuid
    assert stamp_once(sandbox, data).uuid == first.uuid
    assert sandbox.balance().stamps_left == 4


def test_find_stamped_of_an_unknown_document_is_none(sandbox, credential):
    assert sandbox.find_stamped(signed(credential)) is None


def test_no_credits_refuses_before_stamping(tmp_path, credential, clock):
    sandbox = SandboxPac(tmp_path, credits=1, clock=clock)
    sandbox.stamp(signed(credential))
    second = signed(credential)
    with pytest.raises(NoCredits) as excinfo:
        sandbox.stamp(second)
    assert "Sin folios disponibles" in excinfo.value.message_es
    assert sandbox.find_stamped(second) is None
    assert sandbox.balance().stamps_left == 0
    sandbox.set_credits(2)
    assert sandbox.stamp(second).uuid
    assert sandbox.balance().stamps_left == 1


def test_an_interrupted_transaction_never_keeps_the_write_lock(tmp_path, credential, clock):
    sandbox = SandboxPac(tmp_path, credits=5, clock=clock)
    with pytest.raises(KeyboardInterrupt), sandbox.store.transaction() as db:
        sandbox.store.set_credits(db, 0)
        raise KeyboardInterrupt  # e.g. a signal handler's exception mid-request
    other = sqlite3.connect(tmp_path / "sandbox.sqlite3", timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if the lock were still held
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert sandbox.balance().stamps_left == 5  # rolled back; the thread's next call works
    assert sandbox.stamp(signed(credential)).uuid


def test_state_and_pac_certificate_survive_a_restart(tmp_path, credential, clock):
    first = SandboxPac(tmp_path, clock=clock)
    data = signed(credential)
    result = first.stamp(data)
    again = SandboxPac(tmp_path, clock=clock)
    assert again.pac_credential.certificate.der == first.pac_credential.certificate.der
    assert again.find_stamped(data).uuid == result.uuid
    other = again.stamp(signed(credential))
    assert verify.verify_sello_sat(other.tfd, first.pac_credential.certificate)


def test_modified_after_sealing_is_302(sandbox, credential):
    data = signed(credential).replace(
        b'Descripcion="Servicio de prueba"', b'Descripcion="Servicio cambiado"'
    )
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == "302"
    assert "Sello" in excinfo.value.message_es
    assert "no lo modifique" in excinfo.value.hint_es and "do not change" in excinfo.value.hint_en


def test_fecha_more_than_72_hours_before_stamping_is_401(sandbox, credential, clock):
    data = signed(credential)
    clock.advance(hours=71)
    assert sandbox.find_stamped(data) is None
    sandbox.validate(data)  # still inside the window
    clock.advance(hours=2)
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == "401"
    assert "fuera de rango" in excinfo.value.message_es
    assert "72 horas" in excinfo.value.hint_es


def test_fecha_in_the_future_is_401(sandbox, credential, clock):
    data = signed(credential)
    clock.advance(hours=-1)
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == "401"


def test_expired_certificate_is_304(tmp_path):
    expired = load_credential("csd_expired", "EKU9003173C9_2019")
    fecha = dt.datetime(2023, 1, 10, 12, 0, 0)
    data = seal.seal_bytes(invoice(), expired, fecha)
    sandbox = SandboxPac(tmp_path, clock=lambda: dt.datetime(2023, 1, 10, 20, 0, tzinfo=UTC))
    assert sandbox.stamp(data).uuid  # stamped while the certificate was valid
    late = SandboxPac(tmp_path / "late")
    with pytest.raises(Rejected) as excinfo:
        late.stamp(data)
    assert excinfo.value.code == "304"


def test_fecha_before_the_certificate_is_305(tmp_path, credential):
    # the 2023 CSD is valid from 2023-05-18 11:43:51 UTC
    fecha = dt.datetime(2023, 5, 18, 0, 0, 0)
    data = force_signed(invoice(), credential, fecha)
    sandbox = SandboxPac(tmp_path, clock=lambda: dt.datetime(2023, 5, 18, 12, 0, tzinfo=UTC))
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == "305"


@pytest.mark.parametrize(
    ("folder", "name", "code"),
    [
        ("fiel", "EKU9003173C9_FIEL", "306"),
        ("csd_not_sat", "non_sat_selfsigned", "308"),
        ("csd", "CACX7605101P8", "303"),
    ],
)
def test_certificate_problems_have_sat_codes(sandbox, clock, folder, name, code):
    other = load_credential(folder, name)
    fecha = seal.local_now("42501")
    data = force_signed(invoice(), other, fecha)
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    "data",
    [
        b"<cfdi:Comprobante",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    ],
)
def test_malformed_or_hostile_xml_is_301(sandbox, data):
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code == "301"


def test_a_document_stamped_elsewhere_is_already_stamped(sandbox, credential):
    stamped = sandbox.stamp(signed(credential)).xml
    other = SandboxPac(sandbox.state_dir / "other", clock=sandbox.clock)
    with pytest.raises(AlreadyStamped) as excinfo:
        other.stamp(stamped)
    assert excinfo.value.result.uuid == cfdi_xml.from_bytes(stamped).complemento.timbre.uuid


def test_engine_rule_errors_reject_with_their_code(sandbox, credential):
    c = invoice()
    c.total = c.total + Decimal("1.00")  # Total no longer SubTotal + taxes
    data = seal.seal_bytes(c, credential)
    with pytest.raises(Rejected) as excinfo:
        sandbox.stamp(data)
    assert excinfo.value.code.startswith("CFDI40")


def test_get_connector_gives_the_sandbox(tmp_path, credential):
    connector = get_connector("sandbox", state_dir=tmp_path, credits=3)
    assert isinstance(connector, SandboxPac)
    assert connector.balance().stamps_left == 3
    with pytest.raises(ValueError):
        get_connector("nobody")


# --- cancellation -------------------------------------------------------------


def _stamp(sandbox, credential, price="1000.00", tipo="I"):
    data = signed(credential, price, tipo=tipo)
    return sandbox.stamp(data), total_of(data)


def test_small_total_cancels_without_acceptance(sandbox, credential, clock):
    result, total = _stamp(sandbox, credential, "100.00")
    clock.advance(days=3)
    status = sandbox.status(result.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.es_cancelable) == ("Vigente", "Cancelable sin aceptación")
    cancelled = sandbox.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
    assert (cancelled.outcome, cancelled.status_code) == ("cancelled", "201")
    assert b"EstatusUUID" in cancelled.acknowledgment
    status = sandbox.status(result.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.estatus_cancelacion) == ("Cancelado", "Cancelado sin aceptación")
    again = sandbox.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
    assert (again.outcome, again.status_code) == ("cancelled", "202")


def test_within_24_hours_cancels_without_acceptance(sandbox, credential, clock):
    result, total = _stamp(sandbox, credential, "5000.00")
    clock.advance(hours=23)
    cancelled = sandbox.cancel(result.uuid, "03", None, ISSUER, RECEIVER, total, credential)
    assert cancelled.outcome == "cancelled"


def test_credit_note_cancels_without_acceptance(sandbox, credential, clock):
    result, total = _stamp(sandbox, credential, "5000.00", tipo="E")
    clock.advance(days=2)
    assert (
        sandbox.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential).outcome
        == "cancelled"
    )


def test_large_invoice_waits_for_the_receiver(sandbox, credential, clock):
    accepted, total = _stamp(sandbox, credential, "5000.00")
    rejected, _ = _stamp(sandbox, credential, "5000.00")
    expired, _ = _stamp(sandbox, credential, "5000.00")
    clock.advance(hours=25)
    for result in (accepted, rejected, expired):
        answer = sandbox.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, credential)
        assert (answer.outcome, answer.status_code) == ("in_process", "201")
    status = sandbox.status(accepted.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.es_cancelable, status.estatus_cancelacion) == (
        "Vigente",
        "Cancelable con aceptación",
        "En proceso",
    )

    assert (
        sandbox.respond_to_cancellation(accepted.uuid, accept=True).estatus_cancelacion
        == "Cancelado con aceptación"
    )
    after_no = sandbox.respond_to_cancellation(rejected.uuid, accept=False)
    assert (after_no.estado, after_no.estatus_cancelacion) == ("Vigente", "Solicitud rechazada")
    clock.advance(hours=73)
    status = sandbox.status(expired.uuid, ISSUER, RECEIVER, total)
    assert (status.estado, status.estatus_cancelacion) == ("Cancelado", "Plazo vencido")
    with pytest.raises(Rejected):
        sandbox.respond_to_cancellation(expired.uuid, accept=True)


def test_motive_01_needs_a_stamped_replacement(sandbox, credential):
    original, total = _stamp(sandbox, credential)
    with pytest.raises(Rejected) as excinfo:
        sandbox.cancel(original.uuid, "01", None, ISSUER, RECEIVER, total, credential)
    assert excinfo.value.code == "208"
    unknown = "11111111-2222-3333-4444-555555555555"
    answer = sandbox.cancel(original.uuid, "01", unknown, ISSUER, RECEIVER, total, credential)
    assert (answer.outcome, answer.status_code) == ("rejected", "208")
    replacement, _ = _stamp(sandbox, credential)
    answer = sandbox.cancel(
        original.uuid, "01", replacement.uuid, ISSUER, RECEIVER, total, credential
    )
    assert answer.outcome == "cancelled"
    with pytest.raises(Rejected) as excinfo:
        sandbox.cancel(original.uuid, "05", None, ISSUER, RECEIVER, total, credential)
    assert excinfo.value.code == "207"


def test_cancel_unknown_or_foreign_is_rejected(sandbox, credential):
    result, total = _stamp(sandbox, credential)
    unknown = sandbox.cancel(
        "11111111-2222-3333-4444-555555555555", "02", None, ISSUER, RECEIVER, total, credential
    )
    assert (unknown.outcome, unknown.status_code) == ("rejected", "205")
    other = load_credential("csd", "CACX7605101P8")
    foreign = sandbox.cancel(result.uuid, "02", None, ISSUER, RECEIVER, total, other)
    assert (foreign.outcome, foreign.status_code) == ("rejected", "203")
    assert sandbox.status(result.uuid, ISSUER, RECEIVER, total).estado == "Vigente"


def test_status_needs_the_right_issuer_receiver_and_total(sandbox, credential):
    result, total = _stamp(sandbox, credential)
    assert sandbox.status(result.uuid, ISSUER, RECEIVER, total).codigo_estatus.startswith("S - ")
    for args in (
        (ISSUER, RECEIVER, total + 1),
        (ISSUER, "AAA010101AAA", total),
        (RECEIVER, RECEIVER, total),
    ):
        status = sandbox.status(result.uuid, *args)
        assert status.estado == "No Encontrado" and status.codigo_estatus.startswith("N - 602")


def test_concurrent_sends_of_one_document_stamp_once(tmp_path, credential, clock):
    import threading

    sandbox = SandboxPac(tmp_path, credits=5, clock=clock)
    data = signed(credential)
    uuids, errors = [], []

    def send() -> None:
        try:
            uuids.append(stamp_once(sandbox, data).uuid)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(uuids) == 6 and len(set(uuids)) == 1
    assert sandbox.balance().stamps_left == 4
