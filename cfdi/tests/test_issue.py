"""``cfdi.issue``: compute, check, seal and serialize in one call; ``stamp_once`` with the
look-up a retry needs. SAT's XSD and XSLT are the oracles."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

import pytest

from cfdi import rules
from cfdi import xml as cfdi_xml
from cfdi.cadena import cadena_original
from cfdi.credentials import CredentialError
from cfdi.document import Comprobante, Concepto, ConceptoImpuestos, Emisor, Receptor, Traslado
from cfdi.issue import TOTAL_MISMATCH, IssueRefused, issue
from cfdi.pac import get_connector
from cfdi.pac.base import AuthenticationFailed, LookupFailed, Unavailable, stamp_once


def unfilled(price: str = "1234.56", receptor_rfc: str = "XIA190128J61") -> Comprobante:
    """An invoice as the Odoo layer hands it over: Importe, taxes and totals left out."""
    return Comprobante(
        serie="A",
        folio=datetime.now().strftime("%H%M%S%f"),
        forma_pago="03",
        moneda="MXN",
        tipo_de_comprobante="I",
        exportacion="01",
        metodo_pago="PUE",
        lugar_expedicion="42501",
        emisor=Emisor(rfc="EKU9003173C9", nombre="ESCUELA KEMPER URGATE", regimen_fiscal="601"),
        receptor=Receptor(
            rfc=receptor_rfc,
            nombre="XENON INDUSTRIAL ARTICLES",
            domicilio_fiscal="76343",
            regimen_fiscal="601",
            uso_cfdi="G03",
        ),
        conceptos=[
            Concepto(
                clave_prod_serv="84111506",
                cantidad=Decimal("2"),
                clave_unidad="E48",
                descripcion="Servicio",
                valor_unitario=Decimal(price),
                objeto_imp="02",
                impuestos=ConceptoImpuestos(
                    traslados=[
                        Traslado(
                            impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000")
                        )
                    ]
                ),
            )
        ],
    )


def test_issue_computes_checks_seals_and_serializes(credential, assert_sat_valid, sat_cadena):
    c = unfilled()
    issued = issue(c, credential, expected_total=Decimal("2864.18"))

    assert_sat_valid(issued.xml)
    assert sat_cadena(issued.xml) == cadena_original(cfdi_xml.from_bytes(issued.xml))
    assert rules.validate(issued.xml) == []
    assert issued.digest == hashlib.sha256(issued.xml).hexdigest()
    sealed = issued.comprobante
    assert (sealed.subtotal, sealed.total) == (Decimal("2469.12"), Decimal("2864.18"))
    assert sealed.no_certificado == credential.certificate.no_certificado
    assert c.total is None and c.sello is None  # the caller's document is left as it was


def test_hand_built_documents(built_document, credential, assert_sat_valid):
    name, c = built_document
    if name == "invoice_all_features":
        # a serialization fixture whose declared Total does not add up: refused, not sealed
        with pytest.raises(IssueRefused) as refused:
            issue(c, credential)
        assert "CFDI40119" in {finding.code for finding in refused.value.findings}
        return
    issued = issue(c, credential)
    assert_sat_valid(issued.xml)
    assert rules.validate(issued.xml) == []


def test_in_place_fills_the_callers_document(credential):
    c = unfilled()
    fecha = datetime(2025, 3, 1, 10, 30, 0)
    issued = issue(c, None, fecha=fecha, in_place=True)
    assert c.total == Decimal("2864.18")  # filled in place, not copied
    assert issued.comprobante is c and c.fecha == fecha
    assert b'Fecha="2025-03-01T10:30:00"' in issued.xml
    assert b"Sello=" not in issued.xml  # no credential: serialized unsealed


def test_blocking_findings_refuse_before_sealing(credential):
    with pytest.raises(IssueRefused) as refused:
        issue(unfilled(receptor_rfc="XIA19"), credential)
    codes = {finding.code for finding in refused.value.findings}
    assert codes and all(finding.blocking for finding in refused.value.findings)
    assert "XIA19" in refused.value.message_es and "XIA19" in refused.value.message_en


def test_expected_total_is_the_books_total(credential):
    with pytest.raises(IssueRefused) as refused:
        issue(unfilled(), credential, expected_total=Decimal("2864.19"))
    (finding,) = refused.value.findings
    assert finding.code == TOTAL_MISMATCH
    assert "2864.18" in finding.message_en and "2864.19" in finding.message_es


def test_check_false_leaves_validation_to_the_caller(credential):
    issued = issue(unfilled(receptor_rfc="XIA19"), None, check=False)
    assert cfdi_xml.from_bytes(issued.xml).receptor.rfc == "XIA19"
    assert issued.comprobante.fecha is not None


def test_certificate_of_another_rfc_is_refused(credential):
    c = unfilled()
    c.emisor.rfc = "XIA190128J61"
    with pytest.raises(CredentialError):
        issue(c, credential, check=False)


# --- stamp_once -----------------------------------------------------------------


class CountingSandbox:
    """The real sandbox PAC, counting the calls ``stamp_once`` makes to it."""

    def __init__(self, state_dir):
        self.pac = get_connector("sandbox", state_dir=state_dir)
        self.calls: list[str] = []

    def find_stamped(self, signed_xml):
        self.calls.append("find_stamped")
        return self.pac.find_stamped(signed_xml)

    def stamp(self, signed_xml):
        self.calls.append("stamp")
        return self.pac.stamp(signed_xml)


def test_first_attempt_skips_the_lookup_a_retry_asks_first(tmp_path, credential):
    pac = CountingSandbox(tmp_path)
    data = issue(unfilled(), credential).xml

    first = stamp_once(pac, data, sent_before=False)
    assert pac.calls == ["stamp"]
    again = stamp_once(pac, data)
    assert pac.calls == ["stamp", "find_stamped"]
    assert again.uuid == first.uuid
    # a re-send without the look-up still gets the earlier stamp (AlreadyStamped)
    assert stamp_once(pac, data, sent_before=False).uuid == first.uuid


def test_a_failed_lookup_is_unavailable_never_a_new_stamp(tmp_path, credential, monkeypatch):
    pac = CountingSandbox(tmp_path)
    data = issue(unfilled(), credential).xml
    refused = AuthenticationFailed("Usuario o contraseña inválidos.", "Wrong user or password.")

    def refuse(_signed_xml):
        raise refused

    monkeypatch.setattr(pac.pac, "find_stamped", refuse)
    with pytest.raises(LookupFailed) as failed:
        stamp_once(pac, data)
    assert isinstance(failed.value, Unavailable)
    assert failed.value.cause is refused and failed.value.code == refused.code
    assert failed.value.message_en == "Wrong user or password."
    assert pac.calls == ["find_stamped"]  # nothing was sent to be stamped
