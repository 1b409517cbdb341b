"""The command line, run as users run it: ``python -m cfdi ...`` in a subprocess."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from cfdi import tfd
from cfdi.credentials import Certificate
from cfdi.testing import FIXTURES, oracle

REPO = Path(__file__).resolve().parents[2]
CSD = FIXTURES / "csd"
PASSWORD_FILE = CSD / "EKU9003173C9.password.txt"
NS = {
    "cfdi": "http://www.sat.gob.mx/cfd/4",
    "pago20": "http://www.sat.gob.mx/Pagos20",
    "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital",
}

INVOICE = {
    "Serie": "A",
    "Folio": "7",
    "FormaPago": "03",
    "MetodoPago": "PUE",
    "LugarExpedicion": "42501",
    "Emisor": {"Rfc": "EKU9003173C9", "Nombre": "ESCUELA KEMPER URGATE", "RegimenFiscal": "601"},
    "Receptor": {
        "Rfc": "XIA190128J61",
        "Nombre": "XENON INDUSTRIAL ARTICLES",
        "DomicilioFiscalReceptor": "76343",
        "RegimenFiscalReceptor": "601",
        "UsoCFDI": "G03",
    },
    "Conceptos": [
        {
            "ClaveProdServ": "84111506",
            "Cantidad": "3",
            "ClaveUnidad": "E48",
            "Descripcion": "Servicio & <prueba>",
            "ValorUnitario": "33.333",
            "ObjetoImp": "02",
            "Impuestos": {
                "Traslados": [
                    {"Impuesto": "002", "TipoFactor": "Tasa", "TasaOCuota": "0.160000"},
                ]
            },
        }
    ],
}


def run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None):
    environment = {k: v for k, v in os.environ.items() if k != "CFDI_CSD_PASSWORD"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cfdi", *args],
        cwd=REPO,
        capture_output=True,
        input=stdin,
        env=environment,
        check=False,
        timeout=300,
    )


def sealed_args() -> list[str]:
    return ["--cer", str(CSD / "EKU9003173C9.cer"), "--key", str(CSD / "EKU9003173C9.key")]


def seal_verifies_with_sat_xslt(data: bytes) -> bool:
    """Independent of the engine's cadena: SAT's XSLT, then the embedded certificate."""
    root = etree.fromstring(data)
    certificate = Certificate.from_base64(root.get("Certificado"))
    return certificate.verify(base64.b64decode(root.get("Sello")), oracle.cadena(data).encode())


@pytest.fixture
def invoice_json(tmp_path: Path) -> Path:
    path = tmp_path / "invoice.json"
    path.write_text(json.dumps(INVOICE, ensure_ascii=False), encoding="utf-8")
    return path


def test_build_unsealed_computes_amounts(invoice_json, tmp_path):
    out = tmp_path / "out.xml"
    result = run("build", str(invoice_json), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    root = etree.parse(str(out)).getroot()
    assert (root.get("SubTotal"), root.get("Total")) == ("100.00", "116.00")
    concepto = root.find("cfdi:Conceptos/cfdi:Concepto", NS)
    assert concepto.get("Importe") == "100.00"
    assert concepto.get("Descripcion") == "Servicio & <prueba>"
    traslado = root.find("cfdi:Impuestos/cfdi:Traslados/cfdi:Traslado", NS)
    assert (traslado.get("Base"), traslado.get("Importe")) == ("100.00", "16.00")
    assert root.get("Sello") is None and root.get("Fecha")
    # Without -o the XML goes to stdout; '-' reads the JSON from stdin.
    piped = run("build", "-", stdin=invoice_json.read_bytes())
    assert piped.returncode == 0 and piped.stdout.startswith(b"<?xml")


@pytest.mark.parametrize("how", ["file", "env", "named-env", "argument"])
def test_build_sealed_is_valid_for_sat(how, invoice_json, tmp_path):
    out = tmp_path / "sealed.xml"
    password = PASSWORD_FILE.read_text().strip()
    extra, env = {
        "file": (["--password-file", str(PASSWORD_FILE)], {}),
        "env": ([], {"CFDI_CSD_PASSWORD": password}),
        "named-env": (["--password-env", "MY_CSD_PW"], {"MY_CSD_PW": password}),
        "argument": (["--password", password], {}),
    }[how]
    result = run("build", str(invoice_json), *sealed_args(), *extra, "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr.decode()
    data = out.read_bytes()
    assert oracle.schema().validate(etree.fromstring(data))
    assert seal_verifies_with_sat_xslt(data)
    assert etree.fromstring(data).get("NoCertificado") == "30001000000500003416"
    validated = run("validate", str(out))
    assert validated.returncode == 0, validated.stdout.decode()


def test_build_with_wrong_password_says_so_without_echoing_it(invoice_json, tmp_path):
    result = run("build", str(invoice_json), *sealed_args(), "--password", "Clave-Mala-77")
    assert result.returncode == 2
    error = result.stderr.decode()
    assert "CRED_WRONG_PASSWORD" in error and "contraseña" in error
    assert "Clave-Mala-77" not in error + result.stdout.decode()


def test_build_without_any_password_explains_the_options(invoice_json):
    result = run("build", str(invoice_json), *sealed_args())
    assert result.returncode == 2
    assert "--password-file" in result.stderr.decode()


def test_build_with_a_fiel_is_refused(invoice_json):
    fiel = FIXTURES / "fiel"
    result = run(
        "build",
        str(invoice_json),
        "--cer",
        str(fiel / "EKU9003173C9_FIEL.cer"),
        "--key",
        str(fiel / "EKU9003173C9_FIEL.key"),
        "--password-file",
        str(PASSWORD_FILE),
    )
    assert result.returncode == 2
    assert "CRED_NOT_CSD" in result.stderr.decode()


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.update(Sery="A"), "Sery"),
        (lambda d: d["Conceptos"][0].update(Cantidad="tres"), "Conceptos[0].Cantidad"),
        (lambda d: d.update(Conceptos={"ClaveProdServ": "1"}), "Conceptos"),
    ],
)
def test_build_reports_bad_json_with_its_path(mutate, expected, tmp_path):
    data = json.loads(json.dumps(INVOICE))
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    result = run("build", str(path))
    assert result.returncode == 2
    assert expected in result.stderr.decode()


def test_validate_tampered_document_fails_with_code(invoice_json, tmp_path):
    out = tmp_path / "sealed.xml"
    assert (
        run(
            "build",
            str(invoice_json),
            *sealed_args(),
            "--password-file",
            str(PASSWORD_FILE),
            "-o",
            str(out),
        ).returncode
        == 0
    )
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(out.read_bytes().replace(b'Folio="7"', b'Folio="8"'))
    result = run("validate", str(tampered))
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert any(line.startswith("CFDI40102 Sello: ") and " / " in line for line in lines)
    as_json = run("validate", str(tampered), "--json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["valid"] is False
    assert "CFDI40102" in {f["code"] for f in report["findings"]}
    wrong_total = tmp_path / "total.xml"
    wrong_total.write_bytes(out.read_bytes().replace(b' Total="116.00"', b' Total="117.00"'))
    codes = run("validate", str(wrong_total)).stdout.decode()
    assert "CFDI40119 Total:" in codes


def test_validate_valid_sample_and_unreadable_file(tmp_path):
    ok = run("validate", str(FIXTURES / "samples" / "I_PUE_stamped_testpac.xml"), "--json")
    assert ok.returncode == 0, ok.stdout.decode()
    assert json.loads(ok.stdout)["valid"] is True
    assert run("validate", str(tmp_path / "missing.xml")).returncode == 2
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"not xml")
    assert run("validate", str(garbage)).returncode == 1


def test_demo_builds_seals_stamps_and_cancels(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr.decode() + result.stdout.decode()
    printed = result.stdout.decode()
    schema = oracle.schema()
    stamped = {}
    for kind in ("I", "E", "P"):
        assert str(out / f"{kind}_stamped.xml") in printed
        data = (out / f"{kind}_stamped.xml").read_bytes()
        root = etree.fromstring(data)
        assert root.get("TipoDeComprobante") == kind
        assert schema.validate(root), schema.error_log.last_error
        assert seal_verifies_with_sat_xslt(data)
        assert run("validate", str(out / f"{kind}_stamped.xml")).returncode == 0
        stamped[kind] = (root, tfd.read(data))
        # The JSON input the demo wrote builds again with the CLI.
        rebuilt = run("build", str(out / f"{kind}.json"))
        assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    invoice_uuid = stamped["I"][1].uuid
    credit_root = stamped["E"][0]
    assert credit_root.find("cfdi:CfdiRelacionados", NS).get("TipoRelacion") == "01"
    assert credit_root.find("cfdi:CfdiRelacionados/cfdi:CfdiRelacionado", NS).get("UUID") == (
        invoice_uuid
    )
    docto = stamped["P"][0].find(".//pago20:DoctoRelacionado", NS)
    assert docto.get("IdDocumento") == invoice_uuid
    saldo = Decimal(stamped["I"][0].get("Total")) - Decimal(credit_root.get("Total"))
    assert Decimal(docto.get("ImpSaldoAnt")) == saldo
    assert Decimal(docto.get("ImpPagado")) + Decimal(docto.get("ImpSaldoInsoluto")) == saldo
    assert "cancellation cancelled" in printed
    request = (out / "E_cancelacion.xml").read_bytes()
    folio = etree.fromstring(request).find(".//{http://cancelacfd.sat.gob.mx}Folio")
    assert (folio.get("UUID"), folio.get("Motivo")) == (stamped["E"][1].uuid, "02")
    if shutil.which("xmlsec1"):
        (tmp_path / "signer.der").write_bytes((CSD / "EKU9003173C9.cer").read_bytes())
        check = subprocess.run(
            [
                "xmlsec1",
                "--verify",
                "--enabled-key-data",
                "rsa",
                "--pubkey-cert-der",
                str(tmp_path / "signer.der"),
                str(out / "E_cancelacion.xml"),
            ],
            capture_output=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr.decode()


def test_demo_without_stamping(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--no-stamp")
    assert result.returncode == 0, result.stderr.decode()
    for kind in ("I", "E", "P"):
        assert (out / f"{kind}_sealed.xml").exists()
        assert not (out / f"{kind}_stamped.xml").exists()


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("build", "validate", "demo", "stamp", "cancel", "status", "sandbox"):
        assert command in result.stdout.decode()


def test_stamp_status_and_cancel_through_the_main_cli(invoice_json, tmp_path):
    sealed, stamped, state = tmp_path / "sealed.xml", tmp_path / "stamped.xml", tmp_path / "pac"
    assert (
        run(
            "build",
            str(invoice_json),
            *sealed_args(),
            "--password-file",
            str(PASSWORD_FILE),
            "-o",
            str(sealed),
        ).returncode
        == 0
    )
    result = run(
        "stamp", str(sealed), "--pac", "sandbox", "--state-dir", str(state), "-o", str(stamped)
    )
    assert result.returncode == 0, result.stderr.decode()
    timbre = tfd.read(stamped.read_bytes())
    assert timbre is not None and timbre.uuid in result.stdout.decode()
    assert run("validate", str(stamped)).returncode == 0
    parties = ["--issuer", "EKU9003173C9", "--receiver", "XIA190128J61", "--total", "116.00"]
    status = run("status", timbre.uuid, *parties, "--pac", "sandbox", "--state-dir", str(state))
    assert status.returncode == 0 and "Vigente" in status.stdout.decode()
    no_replacement = run(
        "cancel",
        timbre.uuid,
        "--motive",
        "01",
        *parties,
        *sealed_args(),
        "--password-file",
        str(PASSWORD_FILE),
        "--pac",
        "sandbox",
        "--state-dir",
        str(state),
    )
    assert no_replacement.returncode == 1
    assert "208" in no_replacement.stderr.decode()
    cancelled = run(
        "cancel",
        timbre.uuid,
        "--motive",
        "02",
        *parties,
        *sealed_args(),
        "--password-file",
        str(PASSWORD_FILE),
        "--pac",
        "sandbox",
        "--state-dir",
        str(state),
    )
    assert cancelled.returncode == 0, cancelled.stderr.decode()
    status = run("status", timbre.uuid, *parties, "--pac", "sandbox", "--state-dir", str(state))
    assert "Cancelado" in status.stdout.decode()
