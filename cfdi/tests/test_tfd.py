"""TimbreFiscalDigital: reading stamped samples, QR URL, building and SelloSAT."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import satcfdi
from lxml import etree

from cfdi import tfd
from cfdi.credentials import Certificate, Credential
from cfdi.document import Comprobante, Emisor, Receptor, TimbreFiscalDigital
from cfdi.testing import FIXTURES, verify

SAMPLES = FIXTURES / "samples"
TFD_XSLT = os.path.join(
    os.path.dirname(satcfdi.__file__),
    "transform",
    "schemas",
    "www.sat.gob.mx",
    "sitio_internet",
    "cfd",
    "TimbreFiscalDigital",
    "cadenaoriginal_TFD_1_1.xslt",
)

STAMPED = {
    "I_PUE_stamped_testpac.xml": (
        "6F35D3B5-3651-5370-BC2C-14CDBE384CD7",
        datetime(2025, 2, 19, 8, 37, 30),
        "CVD110412TF6",
        "30001000000500003456",
    ),
    "I_PPD_retenciones_stamped_finkok_demo.xml": (
        "1E5A6E1B-9C1B-5319-BFED-123BD143A310",
        datetime(2024, 6, 12, 2, 20, 2),
        "CVD110412TF6",
        "30001000000500003456",
    ),
    "I_real_production_stamped.xml": (
        "C2832671-DA6D-11EF-A83D-00155D012007",
        datetime(2025, 1, 24, 10, 10, 42),
        "TBN040609RKA",
        "00001000000708361114",
    ),
}


def sat_certificate(number: str) -> Certificate:
    return Certificate.from_der((FIXTURES / "sat_certs" / f"{number}.cer").read_bytes())


def xslt_cadena_tfd(tfd_element: etree._Element) -> str:
    """SAT's own XSLT (oracle), applied to the TFD element on its own."""
    transform = etree.XSLT(etree.parse(TFD_XSLT))
    return str(transform(etree.ElementTree(tfd_element)))


def load_credential(folder: str, stem: str) -> Credential:
    base = FIXTURES / folder / stem
    return Credential.load(
        base.with_suffix(".cer").read_bytes(), base.with_suffix(".key").read_bytes(), "12345678a"
    )


@pytest.mark.parametrize("name", sorted(STAMPED))
def test_read_stamped_samples(name):
    data = (SAMPLES / name).read_bytes()
    uuid, fecha, rfc_prov, no_sat = STAMPED[name]
    timbre = tfd.read(data)
    assert timbre is not None
    assert (timbre.version, timbre.uuid, timbre.fecha_timbrado) == ("1.1", uuid, fecha)
    assert (timbre.rfc_prov_certif, timbre.no_certificado_sat) == (rfc_prov, no_sat)
    root = etree.fromstring(data)
    assert timbre.sello_cfd == root.get("Sello")
    # The same from an element: the Comprobante or the TFD itself.
    assert tfd.read(root) == timbre
    assert tfd.read(root.find(".//" + tfd.TFD_TAG)) == timbre


@pytest.mark.parametrize("name", sorted(STAMPED))
def test_sello_sat_of_samples_verifies_with_sat_certificate(name):
    data = (SAMPLES / name).read_bytes()
    timbre = tfd.read(data)
    certificate = sat_certificate(timbre.no_certificado_sat)
    element = etree.fromstring(data).find(".//" + tfd.TFD_TAG)
    cadena = xslt_cadena_tfd(element)
    assert certificate.verify(base64.b64decode(timbre.sello_sat), cadena.encode("utf-8"))
    assert verify.verify_sello_sat(timbre, certificate)
    # A changed UUID breaks it; the wrong SAT certificate does not verify.
    forged = TimbreFiscalDigital(**{**timbre.__dict__, "uuid": "0" * 8 + timbre.uuid[8:]})
    assert not verify.verify_sello_sat(forged, certificate)
    other = (
        "30001000000500003456"
        if timbre.no_certificado_sat != "30001000000500003456"
        else ("00001000000708361114")
    )
    assert not verify.verify_sello_sat(timbre, sat_certificate(other))


def test_unstamped_document_has_no_tfd():
    assert tfd.read((SAMPLES / "invoice_I_sealed_unstamped.xml").read_bytes()) is None


def test_malformed_fecha_timbrado_is_an_error():
    el = etree.Element(tfd.TFD_TAG, Version="1.1", UUID="X", FechaTimbrado="24/01/2025")
    with pytest.raises(tfd.TfdError):
        tfd.read(el)


@pytest.mark.parametrize(
    "total, expected",
    [
        (Decimal("1000.00"), "1000.0"),
        (Decimal("3327.01"), "3327.01"),
        ("123.450000", "123.45"),
        (Decimal("0"), "0.0"),
        (Decimal("0.1234567"), "0.123457"),
        (Decimal("999999999999999999.999999"), "999999999999999999.999999"),
        ("1,191.95", "1191.95"),
    ],
)
def test_qr_total_format(total, expected):
    assert tfd.format_qr_total(total) == expected


@pytest.mark.parametrize("total", ["abc", "-1", Decimal("1000000000000000000")])
def test_qr_total_out_of_range(total):
    with pytest.raises(tfd.TfdError):
        tfd.format_qr_total(total)


def test_verification_url_of_real_sample():
    data = (SAMPLES / "I_real_production_stamped.xml").read_bytes()
    root = etree.fromstring(data)
    url = tfd.verification_url(
        "c2832671-da6d-11ef-a83d-00155d012007",
        "ISD950921HE5",
        "COSC8001137NA",
        root.get("Total"),
        root.get("Sello"),
    )
    assert url == (
        "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx"
        "?id=C2832671-DA6D-11EF-A83D-00155D012007&re=ISD950921HE5&rr=COSC8001137NA"
        "&tt=1000.0&fe=hNjeNw=="
    )


def test_verification_url_escapes_ampersand_rfc():
    url = tfd.verification_url("A-B", "A&C010101AAA", "ÑAÑ010101AAA", "1.5", "x" * 20)
    assert "re=A&amp;C010101AAA&" in url and "rr=ÑAÑ010101AAA&" in url
    assert url.endswith("&tt=1.5&fe=xxxxxxxx")


def test_verification_url_of_comprobante_requires_stamp():
    c = Comprobante(emisor=Emisor(rfc="EKU9003173C9"), receptor=Receptor(rfc="XAXX010101000"))
    with pytest.raises(tfd.TfdError):
        tfd.verification_url_of(c)
    c.total = Decimal("116.00")
    c.sello = "A" * 340 + "abcd/+=="
    c.complemento.timbre = TimbreFiscalDigital(uuid="6F35D3B5-3651-5370-BC2C-14CDBE384CD7")
    assert tfd.verification_url_of(c).endswith(
        "re=EKU9003173C9&rr=XAXX010101000&tt=116.0&fe=abcd/+=="
    )


def test_build_tfd_is_verifiable_and_matches_sat_xslt():
    sealed = (SAMPLES / "I_PUE_stamped_testpac.xml").read_bytes()
    root = etree.fromstring(sealed)
    c = Comprobante(sello=root.get("Sello"))
    pac = load_credential("csd", "CACX7605101P8")  # stands in for a PAC's certificate
    timbre = tfd.build_tfd(
        c,
        "a1b2c3d4-0000-4000-8000-000000000001",
        datetime(2026, 1, 15, 18, 30, 5, 123456, tzinfo=timezone.utc),
        "SPR190613I52",
        "Prueba sin validez fiscal",
        pac,
    )
    assert timbre.uuid == "A1B2C3D4-0000-4000-8000-000000000001"
    assert timbre.fecha_timbrado == datetime(2026, 1, 15, 12, 30, 5)  # central time, UTC-6
    assert timbre.sello_cfd == c.sello
    assert timbre.no_certificado_sat == "30001000000500003316"
    assert verify.verify_sello_sat(timbre, pac.certificate)
    assert not verify.verify_sello_sat(timbre, load_credential("csd", "EKU9003173C9").certificate)
    # Independent check: SAT's XSLT over the same TFD as XML gives the signed cadena.
    element = etree.Element(
        tfd.TFD_TAG,
        Version="1.1",
        UUID=timbre.uuid,
        FechaTimbrado="2026-01-15T12:30:05",
        RfcProvCertif="SPR190613I52",
        Leyenda="Prueba sin validez fiscal",
        SelloCFD=timbre.sello_cfd,
        NoCertificadoSAT=timbre.no_certificado_sat,
        SelloSAT=timbre.sello_sat,
    )
    cadena = xslt_cadena_tfd(element)
    assert pac.certificate.verify(base64.b64decode(timbre.sello_sat), cadena.encode("utf-8"))


def test_build_tfd_requires_a_sealed_document():
    with pytest.raises(tfd.TfdError):
        tfd.build_tfd(
            Comprobante(),
            "U",
            datetime(2026, 1, 1),
            "SPR190613I52",
            None,
            load_credential("csd", "CACX7605101P8"),
        )


TFD_XSD = os.path.join(os.path.dirname(TFD_XSLT), "TimbreFiscalDigitalv11.xsd")


@pytest.mark.parametrize(
    "leyenda",
    [
        "Prueba sin validez fiscal",
        "Sandbox - sin validez fiscal; not valid for tax purposes",
        "Ñandú {x} `~ \"q\" 'q' ´ <>=@_,!%&-:;",
        "Sandbox: sin validez fiscal / not valid for tax purposes",
        "con punto.",
        "paréntesis (no)",
        "x" * 151,
    ],
)
def test_leyenda_accepted_exactly_when_sat_xsd_accepts_it(leyenda):
    pac = load_credential("csd", "CACX7605101P8")
    c = Comprobante(sello="c2VsbG8=")
    uuid = "A1B2C3D4-0000-4000-8000-000000000001"
    element = etree.Element(
        tfd.TFD_TAG,
        Version="1.1",
        UUID=uuid,
        FechaTimbrado="2026-01-15T12:30:05",
        RfcProvCertif="SPR190613I52",
        Leyenda=leyenda,
        SelloCFD="c2VsbG8=",
        NoCertificadoSAT="30001000000500003316",
        SelloSAT="c2VsbG8=",
    )
    xsd_accepts = etree.XMLSchema(etree.parse(TFD_XSD)).validate(element)
    try:
        tfd.build_tfd(c, uuid, datetime(2026, 1, 15, 12, 30, 5), "SPR190613I52", leyenda, pac)
        engine_accepts = True
    except tfd.TfdError:
        engine_accepts = False
    assert engine_accepts == xsd_accepts


def test_build_tfd_refuses_a_malformed_uuid():
    with pytest.raises(tfd.TfdError):
        tfd.build_tfd(
            Comprobante(sello="x"),
            "not-a-uuid",
            datetime(2026, 1, 1),
            "SPR190613I52",
            None,
            load_credential("csd", "CACX7605101P8"),
        )
