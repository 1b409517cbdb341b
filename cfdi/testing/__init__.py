"""Test helpers shared by the engine's tests, the Odoo tests, the scripts and the
benchmarks; they ship with the engine and import without pytest.

- ``fixtures/``: SAT's public test certificates (CSD, FIEL, an expired CSD, a non-SAT
  look-alike, SAT's stamping certificates), SAT's samples and cancellation schema;
- ``documents``: signed invoices for PAC tests; ``supplier_documents``: stamped supplier
  CFDI for reception tests; ``descarga``: SAT's test e.firma, CFDI for the SAT simulator;
- ``oracle``: SAT's XSD and XSLT (from the ``satcfdi`` package's copies);
- ``servers``: local HTTP servers speaking SAT's and the PACs' protocols, with faults.

(``collect_as_dirs`` is a pytest plugin, loaded by pytest only.)
"""

from __future__ import annotations

from pathlib import Path

from ..credentials import Credential

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CSD_DIR = FIXTURES / "csd"
TEST_RFC = "EKU9003173C9"  # ESCUELA KEMPER URGATE, SAT's public test taxpayer
CSD_PASSWORD = "12345678a"  # every test certificate of SAT's shares it


def csd_files(rfc: str = TEST_RFC, folder: str = "csd") -> tuple[bytes, bytes, str]:
    """(.cer, .key, password) of one of the test certificates in ``fixtures/<folder>``."""
    base = FIXTURES / folder / rfc
    password = base.with_name(f"{rfc}.password.txt").read_text().strip()
    return base.with_suffix(".cer").read_bytes(), base.with_suffix(".key").read_bytes(), password


def credential(rfc: str = TEST_RFC, folder: str = "csd") -> Credential:
    """A loaded test certificate and key (SAT's public test CSD by default)."""
    return Credential.load(*csd_files(rfc, folder))
