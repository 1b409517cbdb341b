"""The mass download client against the SAT simulator over real HTTP on 127.0.0.1:
every request state, SAT's codes, token handling, signatures refused, faults."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from lxml import etree

from cfdi.credentials import NotAFiel
from cfdi.descarga import messages as m
from cfdi.descarga.client import DescargaClient, Endpoints
from cfdi.descarga.codes import NextStep, RequestState
from cfdi.descarga.errors import (
    AuthenticationRefused,
    PackageRefused,
    QueryError,
    SatRefused,
    SatUnavailable,
)
from cfdi.descarga.package import Package
from cfdi.descarga.query import Direction, DocumentStatus, DownloadKind, FolioQuery, Query
from cfdi.descarga.simulator import Fault
from cfdi.descarga.xmldsig import NS_WSU
from cfdi.reception import summary_of
from cfdi.testing.descarga import (
    CUSTOMERS,
    SUPPLIER,
    TEST_CA,
    client_for,
    credential,
    fiel,
    sat,
    write_documents,
)
from cfdi.testing.documents import capture_debug_logs

SPRING = (dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1))
ISSUED_CFDI = Query(Direction.ISSUED, *SPRING, DownloadKind.CFDI)
RECEIVED_METADATA = Query(Direction.RECEIVED, *SPRING)


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("sat_cfdi")
    return folder, write_documents(folder)


@pytest.fixture
def simulator(documents, tmp_path, request):
    options = getattr(request, "param", {})
    with sat(documents[0], tmp_path / "state", steps=2, package_size=4, **options) as running:
        yield running


@pytest.fixture
def client(simulator):
    return client_for(simulator[1])


def finished(client: DescargaClient, query) -> m.Verification:
    request_id = client.submit(query).request_id
    while True:
        verification = client.verify(request_id)
        if verification.next_step != NextStep.WAIT:
            return verification


def post(server, path: str, action: str, body: bytes, token: str | None = None):
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    if token:
        headers["Authorization"] = f'WRAP access_token="{token}"'
    return requests.post(server.url + path, data=body, headers=headers, timeout=10)


def status_of(response, operation: str) -> m.Answer:
    return m.read_status(m.parse_answer(response.content), f"{operation}Response/{operation}Result")


# --- the whole flow ------------------------------------------------------------------


def test_issued_cfdi_walk_accepted_in_progress_finished_and_download(client, documents):
    folder, made = documents
    request_id = client.submit(ISSUED_CFDI).request_id
    states = [client.verify(request_id) for _ in range(3)]
    assert [v.state for v in states] == [
        RequestState.ACCEPTED,
        RequestState.IN_PROGRESS,
        RequestState.FINISHED,
    ]
    assert [v.next_step for v in states] == [NextStep.WAIT, NextStep.WAIT, NextStep.DOWNLOAD]
    done = states[-1]
    assert done.cfdi_count == len(made["issued"]) == 6
    assert len(done.package_ids) == 2  # four CFDI per package
    served = {}
    for package_id in done.package_ids:
        with Package(client.download_bytes(package_id), package_id) as package:
            assert package.kind == "CFDI"
            served |= {f.uuid: f.data for f in package.cfdi()}
    assert set(served) == set(made["issued"])
    for uuid, data in served.items():
        assert data == (folder / f"{uuid}.xml").read_bytes()  # the XML exactly as stamped


def test_received_metadata_reports_cancellations(client, simulator, documents):
    folder, made = documents
    cancelled = made["received"][1]
    simulator[0].cancel(cancelled, dt.datetime(2026, 6, 20, 9, 30, tzinfo=dt.timezone.utc))
    verification = finished(client, RECEIVED_METADATA)
    records = []
    for package_id in verification.package_ids:
        with Package(client.download_bytes(package_id), package_id) as package:
            assert package.kind == "Metadata"
            records += list(package.metadata())
    assert {r.uuid for r in records} == set(made["received"])
    by_uuid = {r.uuid: r for r in records}
    assert by_uuid[cancelled].cancelled
    assert by_uuid[cancelled].fecha_cancelacion == dt.datetime(2026, 6, 20, 3, 30)  # local
    assert all(r.rfc_emisor == SUPPLIER and r.rfc_receptor == "EKU9003173C9" for r in records)
    for record in records:  # Monto is the CFDI's Total, as Decimal
        total = summary_of((folder / f"{record.uuid}.xml").read_bytes()).total
        assert record.monto == Decimal(total)
    assert sum(not r.cancelled for r in records) == 3
    # The XML of received CFDI: only the active ones (SAT's v1.5 rule).
    xml = finished(client, Query(Direction.RECEIVED, *SPRING, DownloadKind.CFDI))
    assert xml.cfdi_count == 3


def test_filters_receivers_type_and_folio(client, documents):
    _, made = documents
    one_customer = finished(client, dataclasses.replace(ISSUED_CFDI, counterparts=CUSTOMERS[:1]))
    assert one_customer.cfdi_count == 3
    credit_notes = finished(client, Query(Direction.ISSUED, *SPRING, document_type="E"))
    assert (credit_notes.state, credit_notes.state_code) == (RequestState.REJECTED, "5004")
    assert credit_notes.next_step == NextStep.NOTHING_FOUND
    folio = finished(client, FolioQuery(made["received"][0]))
    assert folio.cfdi_count == 1
    with Package(client.download_bytes(folio.package_ids[0])) as package:
        assert [f.uuid for f in package.cfdi()] == [made["received"][0]]


def test_folio_of_other_taxpayers_is_refused(client, documents):
    with pytest.raises(SatRefused) as refused:
        client.submit(FolioQuery(documents[1]["foreign"][0]))
    assert refused.value.sat_code == "5001"
    assert refused.value.next_step == NextStep.GIVE_UP
    assert "Tercero no autorizado" in refused.value.message_es


# --- tokens --------------------------------------------------------------------------


def test_token_is_reused_then_renewed_when_it_expires(client, simulator):
    client.submit(RECEIVED_METADATA)
    first = client.token
    client.submit(Query(Direction.ISSUED, *SPRING))
    assert client.token is first  # no second authentication
    simulator[0].advance(6 * 60)  # SAT's tokens last five minutes
    client.submit(Query(Direction.ISSUED, *SPRING, DownloadKind.CFDI))
    assert client.token is not first and client.token.value != first.value


def test_a_token_sat_no_longer_knows_is_replaced_once(client, simulator):
    client.authenticate()
    simulator[0].tokens.clear()  # e.g. SAT restarted: it answers 300
    client.submit(RECEIVED_METADATA)
    assert client.token.value in simulator[0].tokens


def test_a_persistent_300_is_an_authentication_refusal(client, simulator):
    simulator[0].add_fault(Fault("query", "code", "300", times=2))
    with pytest.raises(AuthenticationRefused) as refused:
        client.submit(RECEIVED_METADATA)
    assert refused.value.sat_code == "300"
    assert client.token.value not in str(refused.value)


def test_a_stored_token_resumes_without_authenticating(client, simulator):
    token = client.authenticate()
    resumed = client_for(simulator[1], token=token)
    resumed.submit(RECEIVED_METADATA)
    assert resumed.token is token


# --- credentials and signatures refused ------------------------------------------------


def test_a_csd_is_refused_before_anything_is_sent(simulator):
    with pytest.raises(NotAFiel) as refused:
        client_for(simulator[1], credential("csd", "EKU9003173C9"))
    assert "e.firma" in refused.value.message_es
    assert simulator[0].tokens == {}


def test_the_simulator_refuses_an_authentication_signed_by_a_csd(simulator):
    body = m.authentication_request(credential("csd", "EKU9003173C9"), simulator[0].now())
    response = post(simulator[1], "/Autenticacion/Autenticacion.svc", m.ACTION_AUTHENTICATE, body)
    assert response.status_code == 500
    assert m.fault_code(m.parse_answer(response.content)) == "InvalidSecurity"


def test_the_simulator_refuses_a_tampered_authentication(simulator):
    body = m.authentication_request(fiel(), simulator[0].now())
    envelope = etree.fromstring(body)
    expires = envelope.find(f".//{{{NS_WSU}}}Expires")
    expires.text = "2099-01-01T00:00:00.000Z"  # a token for longer than SAT allows
    tampered = etree.tostring(envelope)
    response = post(
        simulator[1], "/Autenticacion/Autenticacion.svc", m.ACTION_AUTHENTICATE, tampered
    )
    assert response.status_code == 500
    assert m.fault_code(m.parse_answer(response.content)) == "InvalidSecurity"
    # The untouched request is accepted: the refusal was the tampering.
    ok = post(simulator[1], "/Autenticacion/Autenticacion.svc", m.ACTION_AUTHENTICATE, body)
    assert ok.status_code == 200 and m.read_token(m.parse_answer(ok.content)).value


def test_the_simulator_refuses_a_tampered_request_302(client, simulator):
    token = client.authenticate().value
    action, body = m.query_request(fiel(), RECEIVED_METADATA)
    tampered = body.replace(
        b'FechaFinal="2026-07-01T00:00:00"', b'FechaFinal="2026-12-01T00:00:00"'
    )
    assert tampered != body
    answer = status_of(
        post(simulator[1], "/SolicitaDescargaService.svc", action, tampered, token),
        "SolicitaDescargaRecibidos",
    )
    assert answer.status_code == "302"
    assert simulator[0].requests == {}


def test_the_simulator_refuses_a_request_signed_by_a_csd_305(client, simulator):
    token = client.authenticate().value
    action, body = m.query_request(credential("csd", "EKU9003173C9"), RECEIVED_METADATA)
    answer = status_of(
        post(simulator[1], "/SolicitaDescargaService.svc", action, body, token),
        "SolicitaDescargaRecibidos",
    )
    assert answer.status_code == "305"


def test_the_simulator_refuses_another_rfc_as_requester_303(client, simulator):
    token = client.authenticate().value
    body = m._signed_request(
        "VerificaSolicitudDescarga",
        "solicitud",
        {"IdSolicitud": "abc", "RfcSolicitante": CUSTOMERS[0]},
        fiel(),
    )
    response = post(
        simulator[1], "/VerificaSolicitudDescargaService.svc", m.ACTION_VERIFY, body, token
    )
    verification = m.read_verification(m.parse_answer(response.content), "abc")
    assert verification.status_code == "303" and verification.state is None


def test_an_expired_fiel_is_refused_304(documents, tmp_path):
    with sat(documents[0], tmp_path) as (simulator, server):
        expiry = fiel().certificate.valid_to
        simulator.advance((expiry - simulator.now()).total_seconds() - 120)
        client = client_for(server)
        request_id = client.submit(RECEIVED_METADATA).request_id
        simulator.advance(180)  # the token still lives; the e.firma does not
        with pytest.raises(SatRefused) as refused:
            client.verify(request_id)
    assert refused.value.sat_code == "304"
    assert "venció" in refused.value.message_es


@pytest.mark.parametrize(
    "simulator", [{"trusted_cas": [(TEST_CA / "ARC_UAT_2022.cer").read_bytes()]}], indirect=True
)
def test_an_e_firma_of_an_untrusted_issuer_cannot_authenticate(client):
    with pytest.raises(AuthenticationRefused) as refused:
        client.authenticate()
    assert refused.value.sat_code == "InvalidSecurity"


def test_a_wrong_soap_action_is_a_fault(simulator):
    action, body = m.query_request(fiel(), RECEIVED_METADATA)
    response = post(
        simulator[1], "/SolicitaDescargaService.svc", action.replace("Recibidos", "Emitidos"), body
    )
    assert response.status_code == 500
    assert m.fault_code(m.parse_answer(response.content)) == "ActionNotSupported"


# --- SAT's rules and limits --------------------------------------------------------------


def test_received_cfdi_with_cancelled_is_refused_by_the_client_and_by_sat(client, simulator):
    query = Query(Direction.RECEIVED, *SPRING, DownloadKind.CFDI, status=DocumentStatus.ALL)
    with pytest.raises(QueryError):
        client.submit(query)
    assert simulator[0].requests == {}
    token = client.authenticate().value
    action, body = m.query_request(fiel(), query)
    answer = status_of(
        post(simulator[1], "/SolicitaDescargaService.svc", action, body, token),
        "SolicitaDescargaRecibidos",
    )
    assert answer.status_code == "301"
    assert "cancelados" in answer.message


def test_a_duplicate_request_5005(client):
    client.submit(RECEIVED_METADATA)
    with pytest.raises(SatRefused) as refused:
        client.submit(RECEIVED_METADATA)
    assert refused.value.sat_code == "5005"
    assert refused.value.next_step == NextStep.GIVE_UP


def test_the_same_cfdi_period_only_twice_5002(client, simulator):
    for _ in range(2):
        request_id = client.submit(ISSUED_CFDI).request_id
        simulator[0].add_fault(Fault("verify", "state", "6"))
        assert client.verify(request_id).next_step == NextStep.RESUBMIT
    with pytest.raises(SatRefused) as refused:
        client.submit(ISSUED_CFDI)
    assert (refused.value.sat_code, refused.value.next_step) == ("5002", NextStep.GIVE_UP)
    assert "un segundo" in refused.value.message_es
    moved = Query(
        Direction.ISSUED, SPRING[0], SPRING[1] + dt.timedelta(seconds=1), DownloadKind.CFDI
    )
    assert client.submit(moved).request_id  # another period: another request


@pytest.mark.parametrize("simulator", [{"max_cfdi": 5}], indirect=True)
def test_too_many_documents_5003_asks_to_split(client):
    verification = finished(client, ISSUED_CFDI)
    assert (verification.state, verification.state_code) == (RequestState.REJECTED, "5003")
    assert verification.next_step == NextStep.SPLIT
    assert "divida" in verification.reason_es


def test_an_error_at_sat_asks_to_resubmit(client, simulator):
    request_id = client.submit(RECEIVED_METADATA).request_id
    simulator[0].add_fault(Fault("verify", "state", "4", target=request_id))
    verification = client.verify(request_id)
    assert (verification.state, verification.next_step) == (RequestState.ERROR, NextStep.RESUBMIT)


def test_packages_expire_after_72_hours(client, simulator):
    verification = finished(client, RECEIVED_METADATA)
    simulator[0].advance(73 * 3600)
    again = client.verify(verification.request_id)
    assert (again.state, again.next_step, again.package_ids) == (
        RequestState.EXPIRED,
        NextStep.RESUBMIT,
        (),
    )
    with pytest.raises(SatRefused) as refused:
        client.download_bytes(verification.package_ids[0])
    assert (refused.value.sat_code, refused.value.next_step) == ("5007", NextStep.RESUBMIT)


def test_a_package_downloads_twice_at_most_5008(client):
    package_id = finished(client, RECEIVED_METADATA).package_ids[0]
    assert client.download_bytes(package_id) == client.download_bytes(package_id)
    with pytest.raises(SatRefused) as refused:
        client.download_bytes(package_id)
    assert (refused.value.sat_code, refused.value.next_step) == ("5008", NextStep.RESUBMIT)


@pytest.mark.parametrize("simulator", [{"daily_downloads": 1}], indirect=True)
def test_the_daily_limit_5011_waits_for_tomorrow(client):
    packages = finished(client, ISSUED_CFDI).package_ids
    client.download_bytes(packages[0])
    with pytest.raises(SatRefused) as refused:
        client.download_bytes(packages[1])
    assert (refused.value.sat_code, refused.value.next_step) == ("5011", NextStep.RETRY_TOMORROW)


def test_an_unknown_request_is_reported_not_found(client):
    with pytest.raises(SatRefused) as refused:
        client.verify("00000000-0000-0000-0000-000000000000")
    assert refused.value.sat_code == "5004"


# --- faults: timeouts, HTTP errors, SAT's "try again", partial availability ---------------


def test_a_timeout_is_retryable_and_the_work_was_done(client, simulator):
    request_id = client.submit(RECEIVED_METADATA).request_id
    simulator[0].add_fault(Fault("verify", "delay", "1.5"))
    client.timeout = 0.3
    with pytest.raises(SatUnavailable) as unavailable:
        client.verify(request_id)
    assert unavailable.value.next_step == NextStep.RETRY_LATER
    client.timeout = 10
    assert client.verify(request_id).state == RequestState.IN_PROGRESS  # SAT counted it


@pytest.mark.parametrize("action", ["http500", "drop"])
def test_http_errors_and_dropped_connections_are_retryable(client, simulator, action):
    simulator[0].add_fault(Fault("query", action))
    with pytest.raises(SatUnavailable):
        client.submit(RECEIVED_METADATA)


@pytest.mark.parametrize("code", ["404", "5006"])
def test_sat_asking_to_try_again_is_retryable(client, simulator, code):
    request_id = client.submit(RECEIVED_METADATA).request_id
    simulator[0].add_fault(Fault("verify", "code", code))
    with pytest.raises(SatUnavailable) as unavailable:
        client.verify(request_id)
    assert unavailable.value.sat_code == code
    assert client.verify(request_id).status_code == "5000"


def test_partial_availability_one_package_missing_for_a_while(client, simulator):
    packages = finished(client, ISSUED_CFDI).package_ids
    simulator[0].add_fault(Fault("download", "code", "404", times=2, target=packages[1]))
    assert client.download_bytes(packages[0])
    for _ in range(2):
        with pytest.raises(SatUnavailable):
            client.download_bytes(packages[1])
    assert client.download_bytes(packages[1])


def test_a_dropped_download_still_counts_at_sat(client, simulator):
    package_id = finished(client, RECEIVED_METADATA).package_ids[0]
    simulator[0].add_fault(Fault("download", "drop"))
    with pytest.raises(SatUnavailable):
        client.download_bytes(package_id)
    client.download_bytes(package_id)
    with pytest.raises(SatRefused):
        client.download_bytes(package_id)  # SAT counted the lost one: 5008


def test_a_refused_connection_is_retryable(tmp_path):
    with sat(tmp_path, tmp_path) as (_, server):
        url = server.url
    client = DescargaClient(fiel(), Endpoints.at(url), timeout=2)
    with pytest.raises(SatUnavailable):
        client.authenticate()


# --- large packages ------------------------------------------------------------------


def test_a_package_larger_than_libxml2s_text_limit_arrives_whole(documents, tmp_path):
    """Three 4 MB CFDI: the base64 package text exceeds libxml2's 10 MB node limit."""
    folder, made = documents
    big = tmp_path / "big"
    big.mkdir()
    source = (folder / f"{made['issued'][0]}.xml").read_bytes()
    for index in range(3):
        uuid = f"0BADBEEF-0000-4000-8000-00000000000{index}"
        noise = base64.b64encode(os.urandom(3 * 1024 * 1024))
        data = source.replace(made["issued"][0].encode(), uuid.encode()).replace(
            b"</cfdi:Comprobante>", b"<!-- " + noise + b" --></cfdi:Comprobante>"
        )
        (big / f"{uuid}.xml").write_bytes(data)
    with sat(big, tmp_path / "state", steps=0, package_size=10) as (simulator, server):
        client = client_for(server)
        verification = finished(client, ISSUED_CFDI)
        output = io.BytesIO()
        size = client.download(verification.package_ids[0], output)
    assert size == len(output.getvalue()) > 9 * 1024 * 1024
    with zipfile.ZipFile(output) as archive:
        assert sorted(i.file_size for i in archive.infolist()) == sorted(
            len((big / name).read_bytes()) for name in archive.namelist()
        )


def test_a_package_over_the_clients_limit_is_refused_while_it_arrives(simulator):
    client = client_for(simulator[1], max_package_bytes=1000)
    package_id = finished(client, ISSUED_CFDI).package_ids[0]
    with pytest.raises(PackageRefused):
        client.download_bytes(package_id)


def test_no_token_or_request_body_reaches_the_logs(client, caplog):
    capture_debug_logs(caplog)
    verification = finished(client, RECEIVED_METADATA)
    client.download_bytes(verification.package_ids[0])
    assert caplog.records  # the libraries did log, at DEBUG
    assert client.token.value not in caplog.text
    assert "WRAP" not in caplog.text and "SignatureValue" not in caplog.text
