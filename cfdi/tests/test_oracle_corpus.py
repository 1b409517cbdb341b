"""The corpus (cfdi/tests/corpus.py) sealed with SAT's test CSD and checked against SAT.

For each document: the sealed bytes validate against SAT's XSD (cfdv40 + Pagos 2.0 +
implocal + TFD), the engine's cadena original equals SAT's XSLT output byte for
byte, the Sello verifies (here and independently), and a parse/serialize round
trip changes neither the data nor the cadena.
"""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cfdi import cadena, seal, xml
from cfdi.tests.corpus import documents

CORPUS = dict(documents())


def test_corpus_is_broad():
    assert len(CORPUS) >= 40
    kinds = {c.tipo_de_comprobante for c in CORPUS.values()}
    assert kinds >= {"I", "E", "P"}
    assert any(c.complemento.pagos for c in CORPUS.values())
    assert any(c.complemento.impuestos_locales for c in CORPUS.values())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_document_against_sat(name, credential, sat_cadena, assert_sat_valid):
    data = seal.seal_bytes(CORPUS[name], credential)
    assert_sat_valid(data)

    parsed = xml.from_bytes(data)
    ours = cadena.cadena_original(parsed)
    assert ours == sat_cadena(data)
    assert seal.verify_seal(parsed)

    root = xml.parse(data)
    certificate = x509.load_der_x509_certificate(base64.b64decode(root.get("Certificado")))
    certificate.public_key().verify(
        base64.b64decode(root.get("Sello")),
        ours.encode("utf-8"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )

    again = xml.to_bytes(parsed)
    assert again == data
    assert xml.from_bytes(again) == parsed
