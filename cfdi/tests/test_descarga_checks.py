"""What is checked before anything reaches SAT: the e.firma (FIEL, not a CSD; the
company's RFC; valid) and SAT's v1.5 query rules; and what each SAT state asks for."""

from __future__ import annotations

import datetime as dt

import pytest

from cfdi.credentials import (
    CertificateExpired,
    CertificateNotYetValid,
    NotACSD,
    NotAFiel,
    WrongRfc,
)
from cfdi.descarga.codes import NextStep, RequestState, decide
from cfdi.descarga.errors import QueryError, SatRefused
from cfdi.descarga.fiel import check_fiel
from cfdi.descarga.query import (
    Direction,
    DocumentStatus,
    DownloadKind,
    FolioQuery,
    Query,
    attributes,
    check,
    oldest_start,
)
from cfdi.testing.descarga import credential, fiel

NOW = dt.datetime(2026, 12, 3, 10, 0)
UTC_NOW = dt.datetime(2026, 12, 3, 16, 0, tzinfo=dt.timezone.utc)


# --- the e.firma ----------------------------------------------------------------------


def test_the_company_fiel_passes():
    check_fiel(fiel(), "eku9003173c9 ", UTC_NOW)
    fiel().require_fiel()
    with pytest.raises(NotACSD):
        fiel().require_csd()  # and the other way round


def test_a_csd_is_not_a_fiel():
    with pytest.raises(NotAFiel) as error:
        check_fiel(credential("csd", "EKU9003173C9"), "EKU9003173C9", UTC_NOW)
    assert "Certificado de Sello Digital" in error.value.message_es
    assert "e.firma (FIEL)" in error.value.message_en


def test_a_certificate_sat_did_not_issue_is_not_a_fiel():
    with pytest.raises(NotAFiel) as error:
        check_fiel(credential("csd_not_sat", "non_sat_selfsigned"), "EKU9003173C9", UTC_NOW)
    assert "no es una e.firma emitida por el SAT" in error.value.message_es


def test_the_fiel_of_another_rfc():
    with pytest.raises(WrongRfc) as error:
        check_fiel(fiel(), "CACX7605101P8", UTC_NOW)
    assert "CACX7605101P8" in error.value.message_es and "EKU9003173C9" in error.value.message_es


def test_validity_of_the_fiel():
    certificate = fiel().certificate
    with pytest.raises(CertificateExpired) as error:
        check_fiel(certificate, "EKU9003173C9", certificate.valid_to + dt.timedelta(seconds=1))
    assert "Renuévela" in error.value.message_es
    with pytest.raises(CertificateNotYetValid):
        check_fiel(certificate, "EKU9003173C9", certificate.valid_from - dt.timedelta(seconds=1))
    check_fiel(certificate, "EKU9003173C9", certificate.valid_to.replace(tzinfo=None))


# --- SAT's query rules --------------------------------------------------------------


def query(**changes) -> Query:
    values = {
        "direction": Direction.ISSUED,
        "start": dt.datetime(2026, 1, 1),
        "end": dt.datetime(2026, 2, 1),
    }
    return Query(**{**values, **changes})


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"end": dt.datetime(2026, 1, 1)}, "debe ser anterior"),
        ({"start": dt.datetime(2020, 12, 2, 23, 59, 59)}, "seis años"),
        ({"counterparts": ("XIA190128J61",) * 6}, "hasta 5"),
        (
            {"direction": Direction.RECEIVED, "counterparts": ("XIA190128J61", "CACX7605101P8")},
            "un solo",
        ),
        ({"counterparts": ("XIA19012J61",)}, "no tiene forma válida"),
        ({"on_behalf_rfc": "NOT-AN-RFC"}, "no tiene forma válida"),
        ({"document_type": "X"}, "no existe"),
        (
            {
                "direction": Direction.RECEIVED,
                "kind": DownloadKind.CFDI,
                "status": DocumentStatus.ALL,
            },
            "cancelados",
        ),
    ],
)
def test_queries_sat_would_refuse(changes, fragment):
    with pytest.raises(QueryError) as error:
        check(query(**changes), NOW)
    assert fragment in error.value.message_es


def test_the_oldest_start_is_six_years_back_at_midnight():
    assert oldest_start(NOW) == dt.datetime(2020, 12, 3)
    assert oldest_start(dt.datetime(2028, 2, 29, 8)) == dt.datetime(2022, 2, 28)
    check(query(start=dt.datetime(2020, 12, 3)), NOW)


def test_a_folio_must_be_a_uuid():
    check(FolioQuery("96623061-61FE-49DE-B298-C7156476AA8B"), NOW)
    with pytest.raises(QueryError):
        check(FolioQuery("96623061-61FE-49DE-B298"), NOW)


def test_received_cfdi_default_to_active_and_the_attributes_sat_reads():
    received = query(
        direction=Direction.RECEIVED, kind=DownloadKind.CFDI, counterparts=("CACX7605101P8",)
    )
    check(received, NOW)
    assert attributes(received, "EKU9003173C9") == {
        "EstadoComprobante": "Vigente",
        "FechaFinal": "2026-02-01T00:00:00",
        "FechaInicial": "2026-01-01T00:00:00",
        "RfcEmisor": "CACX7605101P8",
        "RfcReceptor": "EKU9003173C9",
        "RfcSolicitante": "EKU9003173C9",
        "TipoSolicitud": "CFDI",
    }
    issued = query(document_type="P", complement="pagos20", on_behalf_rfc="CACX7605101P8")
    assert attributes(issued, "EKU9003173C9") == {
        "Complemento": "pagos20",
        "EstadoComprobante": "Todos",
        "FechaFinal": "2026-02-01T00:00:00",
        "FechaInicial": "2026-01-01T00:00:00",
        "RfcACuentaTerceros": "CACX7605101P8",
        "RfcEmisor": "EKU9003173C9",
        "RfcSolicitante": "EKU9003173C9",
        "TipoComprobante": "P",
        "TipoSolicitud": "Metadata",
    }


# --- what each state asks for --------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "code", "packages", "expected"),
    [
        (RequestState.ACCEPTED, "5000", 0, NextStep.WAIT),
        (RequestState.IN_PROGRESS, "5000", 0, NextStep.WAIT),
        (RequestState.FINISHED, "5000", 2, NextStep.DOWNLOAD),
        (RequestState.FINISHED, "5000", 0, NextStep.NOTHING_FOUND),
        (RequestState.REJECTED, "5004", 0, NextStep.NOTHING_FOUND),
        (RequestState.REJECTED, "5003", 0, NextStep.SPLIT),
        (RequestState.REJECTED, "5002", 0, NextStep.GIVE_UP),
        (RequestState.REJECTED, "5005", 0, NextStep.GIVE_UP),
        (RequestState.ERROR, "5000", 0, NextStep.RESUBMIT),
        (RequestState.EXPIRED, "5000", 0, NextStep.RESUBMIT),
    ],
)
def test_decisions(state, code, packages, expected):
    decision = decide(state, code, packages)
    assert decision.next_step == expected
    assert decision.reason_es and decision.reason_en


def test_a_refusal_names_the_code_sats_message_and_the_fix():
    refused = SatRefused(
        "SolicitaDescargaEmitidos", "5002", "Se han agotado las solicitudes de por vida"
    )
    assert refused.code == "SAT-5002"
    assert "5002" in refused.message_es and "agotado" in refused.message_es
    assert "change the period" in refused.message_en
    unknown = SatRefused("Descargar", "9999")
    assert unknown.next_step == NextStep.GIVE_UP and "9999" in unknown.message_en
