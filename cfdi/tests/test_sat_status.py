"""SAT status client (zeep, self-contained WSDL) against a local ConsultaCFDIService on
127.0.0.1 answering from the sandbox's state; SAT's own answer sample parses too."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from cfdi.pac import sat_status
from cfdi.pac.base import Unavailable
from cfdi.pac.sandbox import SandboxPac
from cfdi.testing import FIXTURES
from cfdi.testing.documents import (
    ISSUER,
    RECEIVER,
    capture_debug_logs,
    closed_port,
    signed,
    total_of,
)
from cfdi.testing.servers import sat_server

SAMPLE = FIXTURES / "sat_status" / "ConsultaCFDIService-response-sample.xml"
UUID = "6F35D3B5-3651-5370-BC2C-14CDBE384CD7"


def test_expression_short_form():
    assert (
        sat_status.expression(UUID.lower(), "eku9003173c9", "XIA190128J61", Decimal("1160.00"))
        == f"?re=EKU9003173C9&rr=XIA190128J61&tt=1160.0&id={UUID}"
    )
    assert (
        sat_status.expression(UUID, "A&C010101AAA", "XAXX010101000", "0.123456")
        == f"?re=A&amp;C010101AAA&rr=XAXX010101000&tt=0.123456&id={UUID}"
    )


def test_expression_with_sello_is_the_verification_url():
    text = sat_status.expression(UUID, ISSUER, RECEIVER, "100", sello="x" * 40 + "ABCD1234")
    assert text == (
        "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?"
        f"id={UUID}&re={ISSUER}&rr={RECEIVER}&tt=100.0&fe=ABCD1234"
    )


@pytest.fixture
def stamped(tmp_path, credential):
    sandbox = SandboxPac(tmp_path)
    data = signed(credential, "2500.00")
    return sandbox, sandbox.stamp(data), total_of(data)


def test_query_over_http(stamped, caplog):
    capture_debug_logs(caplog)
    sandbox, result, total = stamped
    with sat_server.running(sandbox.status) as server:
        client = sat_status.SatStatusClient(server.url, timeout=5)
        status = client.query(result.uuid, ISSUER, RECEIVER, total)
        assert (status.estado, status.es_cancelable, status.validacion_efos) == (
            "Vigente",
            "Cancelable sin aceptación",
            "200",
        )
        assert status.codigo_estatus == "S - Comprobante obtenido satisfactoriamente."
        assert server.expressions[-1] == sat_status.expression(result.uuid, ISSUER, RECEIVER, total)
        with_sello = sat_status.status(
            result.uuid, ISSUER, RECEIVER, total, sello=result.tfd.sello_cfd, url=server.url
        )
        assert with_sello.estado == "Vigente"
        assert server.expressions[-1].endswith("&fe=" + result.tfd.sello_cfd[-8:])
        missing = client.query(result.uuid, ISSUER, RECEIVER, total + 1)
        assert (missing.estado, missing.codigo_estatus) == (
            "No Encontrado",
            "N - 602: Comprobante no encontrado.",
        )


def test_soap_action_is_sats(stamped):
    sandbox, result, total = stamped
    with sat_server.running(sandbox.status) as server:
        answer = requests.post(
            server.url, data=b"<x/>", headers={"SOAPAction": "http://tempuri.org/Other"}, timeout=5
        )
        assert answer.status_code == 500 and b"Unknown SOAPAction" in answer.content
        assert sat_status.status(result.uuid, ISSUER, RECEIVER, total, url=server.url).estado


@pytest.mark.parametrize("kind", ["http500", "soap_fault", "garbage", "truncated", "delay"])
def test_failures_are_unavailable(stamped, kind):
    sandbox, result, total = stamped
    with sat_server.running(sandbox.status) as server:
        server.faults.add(kind, seconds=1.5)
        with pytest.raises(Unavailable) as excinfo:
            sat_status.status(result.uuid, ISSUER, RECEIVER, total, url=server.url, timeout=0.5)
    assert "SAT" in excinfo.value.message_es and excinfo.value.message_en


def test_connection_refused_is_unavailable():
    port = closed_port()
    with pytest.raises(Unavailable):
        sat_status.status(
            UUID, ISSUER, RECEIVER, "1", url=f"http://127.0.0.1:{port}/x.svc", timeout=2
        )


def test_sats_own_answer_parses_with_the_shipped_wsdl():
    """SAT's published ConsultaResponse (phpcfdi/sat-estado-cfdi sample) read through the
    same zeep binding the client uses."""
    client = sat_status.SatStatusClient("http://127.0.0.1:9/unused")
    operation = client._service._binding._operations["Consulta"]

    class Reply:
        status_code = 200
        content = SAMPLE.read_bytes()
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        encoding = "utf-8"

    answer = client._service._binding.process_reply(client._client, operation, Reply())
    assert (answer.Estado, answer.EsCancelable, answer.EstatusCancelacion) == (
        "Vigente",
        "Cancelable con aceptación",
        "Solicitud rechazada",
    )
    assert answer.CodigoEstatus.startswith("S - ")


def test_status_service_sandbox_answers_for_its_own_stamps(stamped):
    sandbox, result, total = stamped
    built = []

    def connector():
        built.append(sandbox)
        return sandbox

    # Issued CFDI of a sandbox company: the sandbox, even with a SAT address configured.
    service = sat_status.status_service(
        "sandbox", connector, url=f"http://127.0.0.1:{closed_port()}/"
    )
    assert service(result.uuid, ISSUER, RECEIVER, total).estado == "Vigente"
    assert built == [sandbox]


def test_status_service_received_cfdi_go_to_the_configured_sat_address(stamped):
    sandbox, result, total = stamped
    with sat_server.running(sandbox.status) as server:
        service = sat_status.status_service(
            "sandbox",
            lambda: pytest.fail("the connector is not needed"),
            url=server.url,
            received=True,
        )
        assert service(result.uuid, ISSUER, RECEIVER, total).estado == "Vigente"
        assert f"id={result.uuid}" in server.expressions[-1]
    # without an address, a sandbox company asks the sandbox about received CFDI too
    own = sat_status.status_service("sandbox", lambda: sandbox, received=True)
    assert own(result.uuid, ISSUER, RECEIVER, total).estado == "Vigente"


def test_status_service_real_pac_asks_sat_even_for_issued_cfdi(stamped):
    sandbox, result, total = stamped
    with sat_server.running(sandbox.status) as server:
        service = sat_status.status_service(
            "finkok", lambda: pytest.fail("SAT answers, not the PAC"), url=server.url, timeout=5
        )
        assert service(
            result.uuid, ISSUER, RECEIVER, total, sello="x" * 40 + "ABCD1234"
        ).estado == ("Vigente")
        assert server.expressions[-1].endswith("&fe=ABCD1234")
    down = sat_status.status_service(
        "sw", lambda: sandbox, url=f"http://127.0.0.1:{closed_port()}/"
    )
    with pytest.raises(Unavailable):
        down(result.uuid, ISSUER, RECEIVER, total)
