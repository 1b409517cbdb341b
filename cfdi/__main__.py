"""Command line: ``python -m cfdi build|validate|demo|stamp|cancel|status|sandbox``.

Exit status: 0 done / valid; 1 the document has errors or the PAC/SAT refused it;
2 the command could not run (bad arguments, unreadable file, wrong credentials).

Key passwords never need to be typed on the command line: ``--password-file F``,
``--password-env VAR`` or the ``CFDI_CSD_PASSWORD`` environment variable.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import types
import typing
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from . import amounts, cancel, document, rules, seal, tfd
from . import xml as cfdi_xml
from .credentials import Credential, load_files
from .errors import CfdiError
from .pac import cli as pac_cli
from .pac import get_connector
from .pac.base import Rejected

PASSWORD_ENV = "CFDI_CSD_PASSWORD"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
TEST_CSD = Path(__file__).parent / "tests" / "fixtures" / "csd"


class InputError(CfdiError):
    code = "INPUT"


# --- JSON (Anexo 20 names) -> dataclasses ------------------------------------


@cache
def _fields_by_xml_name(cls: type) -> dict[str, tuple[str, Any]]:
    """Anexo 20 name -> (attribute name, type hint) for a document dataclass."""
    hints = typing.get_type_hints(cls, vars(document))
    out: dict[str, tuple[str, Any]] = {}
    for f in dataclasses.fields(cls):
        name = f.metadata.get("xml")
        if name is None and dataclasses.is_dataclass(_unwrap(hints[f.name])[0]):
            # Complemento and its children carry no xml name: their class names are
            # the element names (Complemento, Pagos, ImpuestosLocales, TimbreFiscalDigital).
            name = _unwrap(hints[f.name])[0].__name__
        if name is not None:
            out[name] = (f.name, hints[f.name])
    return out


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(inner type, is_list) of ``X``, ``Optional[X]``, ``list[X]``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        return typing.get_args(hint)[0], True
    return hint, False


def _bad(path: str, es: str, en: str) -> InputError:
    return InputError(f"{path}: {es}", f"{path}: {en}")


def _scalar(value: Any, kind: Any, path: str) -> Any:
    if isinstance(value, bool) or value is None:
        raise _bad(path, "valor no válido.", "invalid value.")
    if kind is Decimal:
        try:
            number = Decimal(value) if isinstance(value, (str, int, Decimal)) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _bad(path, f"'{value}' no es un número.", f"'{value}' is not a number.")
        return number
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(path, f"'{value}' no es un entero.", f"'{value}' is not an integer.") from None
    if kind is datetime:
        try:
            return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise _bad(
                path, f"'{value}' no es AAAA-MM-DDThh:mm:ss.", f"'{value}' is not YYYY-MM-DDThh:mm:ss."
            ) from None
    if not isinstance(value, str):
        raise _bad(path, "se esperaba texto (entre comillas).", "text (in quotes) was expected.")
    return value


def _item(value: Any, kind: Any, path: str) -> Any:
    if dataclasses.is_dataclass(kind):
        return from_json(value, kind, path)
    if kind is str and isinstance(value, dict) and set(value) == {"UUID"}:
        return _scalar(value["UUID"], str, path)  # CfdiRelacionado: {"UUID": ...} or "..."
    return _scalar(value, kind, path)


def from_json(data: Any, cls: type = document.Comprobante, path: str = "") -> Any:
    """A document dataclass from JSON using Anexo 20 names ({"Serie": "A", "Emisor": {...}})."""
    where = path or cls.__name__
    if not isinstance(data, dict):
        raise _bad(where, "se esperaba un objeto {...}.", "an object {...} was expected.")
    known = _fields_by_xml_name(cls)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise _bad(
            where,
            f"nombres desconocidos {unknown}; use los del Anexo 20: {sorted(known)}.",
            f"unknown names {unknown}; use Anexo 20's: {sorted(known)}.",
        )
    values: dict[str, Any] = {}
    for xml_name, value in data.items():
        attribute, hint = known[xml_name]
        kind, is_list = _unwrap(hint)
        child = f"{path}.{xml_name}" if path else xml_name
        if is_list:
            if not isinstance(value, list):
                raise _bad(child, "se esperaba una lista [...].", "a list [...] was expected.")
            values[attribute] = [_item(v, kind, f"{child}[{i}]") for i, v in enumerate(value)]
        else:
            values[attribute] = _item(value, kind, child)
    return cls(**values)


def comprobante_from_json(text: str | bytes) -> document.Comprobante:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"JSON mal formado: {exc}", f"Malformed JSON: {exc}") from None
    if isinstance(data, dict) and set(data) == {"Comprobante"}:
        data = data["Comprobante"]
    return from_json(data)


def to_json(obj: Any) -> Any:
    """The reverse of ``from_json``: Anexo 20 names, text for numbers and dates, no empties."""
    if dataclasses.is_dataclass(obj):
        out: dict[str, Any] = {}
        for xml_name, (attribute, _) in _fields_by_xml_name(type(obj)).items():
            value = to_json(getattr(obj, attribute))
            if value not in (None, [], {}):
                out[xml_name] = value
        return out
    if isinstance(obj, list):
        return [to_json(v) for v in obj]
    if isinstance(obj, (Decimal, datetime, int)) and not isinstance(obj, bool):
        return cfdi_xml.format_value(obj)
    return obj


# --- credentials and passwords -------------------------------------------------


def add_credential_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--cer", required=required, help="CSD certificate (.cer)")
    parser.add_argument("--key", required=required, help="CSD private key (.key)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password", help="key password (prefer --password-file / --password-env)")
    group.add_argument("--password-file", help="file whose first line is the key password")
    group.add_argument(
        "--password-env", metavar="VAR", help=f"environment variable with the password "
        f"(default {PASSWORD_ENV})"
    )


def read_password(args: argparse.Namespace) -> str:
    if args.password is not None:
        return args.password
    if args.password_file:
        try:
            lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(
                f"No se pudo leer el archivo de contraseña {args.password_file}: {exc.strerror}.",
                f"Could not read the password file {args.password_file}: {exc.strerror}.",
            ) from None
        return lines[0] if lines else ""
    variable = args.password_env or PASSWORD_ENV
    if variable in os.environ:
        return os.environ[variable]
    raise InputError(
        f"Falta la contraseña de la llave: use --password-file, --password-env o {PASSWORD_ENV}.",
        f"The key password is missing: use --password-file, --password-env or {PASSWORD_ENV}.",
    )


def credential_from_args(args: argparse.Namespace) -> Credential | None:
    if not args.cer and not args.key:
        return None
    if not (args.cer and args.key):
        raise InputError("Indique --cer y --key juntos.", "Give --cer and --key together.")
    return load_files(args.cer, args.key, read_password(args))


# --- build / validate ----------------------------------------------------------


def build_document(c: document.Comprobante, credential: Credential | None) -> bytes:
    """Computed amounts, then sealed when a credential is given."""
    c = amounts.compute(c)
    if credential is not None:
        return seal.seal_bytes(c, credential)
    if c.fecha is None:
        c.fecha = seal.local_now(c.lugar_expedicion)
    return cfdi_xml.to_bytes(c)


def _write(data: bytes, output: str | None) -> None:
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def cmd_build(args: argparse.Namespace) -> int:
    text = sys.stdin.buffer.read() if args.input == "-" else _read_file(args.input)
    data = build_document(comprobante_from_json(text), credential_from_args(args))
    _write(data, args.output)
    return EXIT_OK


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"No se pudo leer {path}: {exc.strerror}.", f"Could not read {path}: {exc.strerror}."
        ) from None


def is_blocking(finding: rules.Finding) -> bool:
    return getattr(finding, "severity", "error") != "warning"


def format_finding(finding: rules.Finding) -> str:
    """``CODE path: message_es / message_en`` (one line; no path for whole-file findings)."""
    where = f" {finding.path}" if finding.path else ""
    return f"{finding.code}{where}: {finding.message_es} / {finding.message_en}"


def cmd_validate(args: argparse.Namespace) -> int:
    findings = rules.validate(_read_file(args.file))
    blocking = any(is_blocking(f) for f in findings)
    if args.json:
        report = {
            "file": args.file,
            "valid": not blocking,
            "findings": [dataclasses.asdict(f) for f in findings],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        for finding in findings:
            print(format_finding(finding))
        if not findings:
            print(f"OK {args.file}")
    return EXIT_FINDINGS if blocking else EXIT_OK


# --- demo ------------------------------------------------------------------------

DEMO_EMISOR = {"Rfc": "EKU9003173C9", "Nombre": "ESCUELA KEMPER URGATE", "RegimenFiscal": "601"}
DEMO_RECEPTOR = {
    "Rfc": "XIA190128J61", "Nombre": "XENON INDUSTRIAL ARTICLES",
    "DomicilioFiscalReceptor": "76343", "RegimenFiscalReceptor": "601",
}
DEMO_LUGAR = "42501"
DEMO_PLACEHOLDER_UUID = "00000000-0000-4000-8000-000000000000"  # only with --no-stamp
IVA16 = {"Impuesto": "002", "TipoFactor": "Tasa", "TasaOCuota": "0.160000"}


def demo_invoice() -> dict[str, Any]:
    """I, PPD (paid later with a payment complement), two lines with IVA 16 %."""
    return {
        "Serie": "A", "Folio": "1001", "FormaPago": "99", "MetodoPago": "PPD", "Moneda": "MXN",
        "TipoDeComprobante": "I", "Exportacion": "01", "LugarExpedicion": DEMO_LUGAR,
        "Emisor": DEMO_EMISOR, "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": "G03"},
        "Conceptos": [
            {"ClaveProdServ": "84111506", "Cantidad": "3", "ClaveUnidad": "E48",
             "Unidad": "Servicio", "Descripcion": "Asesoría contable mensual",
             "ValorUnitario": "1500.00", "ObjetoImp": "02",
             "Impuestos": {"Traslados": [IVA16]}},
            {"ClaveProdServ": "43211503", "NoIdentificacion": "LAP-14", "Cantidad": "1",
             "ClaveUnidad": "H87", "Unidad": "Pieza", "Descripcion": "Computadora portátil",
             "ValorUnitario": "12500.00", "Descuento": "500.00", "ObjetoImp": "02",
             "Impuestos": {"Traslados": [IVA16]}},
        ],
    }


def demo_credit_note(invoice_uuid: str) -> dict[str, Any]:
    """E related to the invoice (TipoRelacion 01: nota de crédito): a 10 % discount on the services."""
    return {
        "Serie": "NC", "Folio": "1", "FormaPago": "03", "MetodoPago": "PUE", "Moneda": "MXN",
        "TipoDeComprobante": "E", "Exportacion": "01", "LugarExpedicion": DEMO_LUGAR,
        "CfdiRelacionados": [{"TipoRelacion": "01", "CfdiRelacionado": [invoice_uuid]}],
        "Emisor": DEMO_EMISOR, "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": "G02"},
        "Conceptos": [
            {"ClaveProdServ": "84111506", "Cantidad": "1", "ClaveUnidad": "ACT",
             "Descripcion": "Bonificación 10 % sobre asesoría (factura A-1001)",
             "ValorUnitario": "450.00", "ObjetoImp": "02", "Impuestos": {"Traslados": [IVA16]}},
        ],
    }


def demo_payment(invoice: document.Comprobante, invoice_uuid: str, saldo: Decimal) -> dict[str, Any]:
    """P paying half of what the invoice still owes, with its taxes in proportion."""
    paid = amounts.quantize(saldo / 2, 2)
    impuestos_dr = amounts.docto_impuestos(invoice, paid)
    docto = {
        "IdDocumento": invoice_uuid, "Serie": invoice.serie, "Folio": invoice.folio,
        "MonedaDR": "MXN", "EquivalenciaDR": "1", "NumParcialidad": "1",
        "ImpSaldoAnt": str(saldo), "ImpPagado": str(paid), "ImpSaldoInsoluto": str(saldo - paid),
        "ObjetoImpDR": "02",
    }
    if impuestos_dr is not None:
        docto["ImpuestosDR"] = to_json(impuestos_dr)
    fecha_pago = seal.local_now(DEMO_LUGAR).replace(hour=9, minute=0, second=0)
    return {
        "Serie": "P", "Folio": "1", "Moneda": "XXX", "TipoDeComprobante": "P",
        "Exportacion": "01", "LugarExpedicion": DEMO_LUGAR,
        "Emisor": DEMO_EMISOR, "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": "CP01"},
        "Conceptos": [
            {"ClaveProdServ": "84111506", "Cantidad": "1", "ClaveUnidad": "ACT",
             "Descripcion": "Pago", "ValorUnitario": "0", "ObjetoImp": "01"},
        ],
        "Complemento": {"Pagos": {"Version": "2.0", "Pago": [{
            "FechaPago": cfdi_xml.format_value(fecha_pago), "FormaDePagoP": "03",
            "MonedaP": "MXN", "TipoCambioP": "1", "Monto": str(paid),
            "DoctoRelacionado": [docto],
        }]}},
    }


class _Demo:
    """Writes each step's file under ``out`` and says what happened, one line each."""

    def __init__(self, out: Path, credential: Credential, connector: Any | None):
        self.out = out
        self.credential = credential
        self.connector = connector

    def write(self, name: str, data: bytes) -> Path:
        path = self.out / name
        path.write_bytes(data)
        print(f"{path}")
        return path

    def issue(self, kind: str, data: dict[str, Any]) -> tuple[document.Comprobante, bytes, str | None]:
        """JSON -> sealed XML -> validated -> stamped (when a connector is given)."""
        self.write(f"{kind}.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        sealed = build_document(from_json(json.loads(json.dumps(data), parse_float=Decimal)),
                                self.credential)
        self.write(f"{kind}_sealed.xml", sealed)
        findings = rules.validate(sealed)
        for finding in findings:
            print(f"  {format_finding(finding)}")
        if any(is_blocking(f) for f in findings):
            raise InputError(
                f"El comprobante de ejemplo {kind} no pasó la validación.",
                f"The sample document {kind} did not pass validation.",
            )
        print(f"  {kind}: valid" + (f" ({len(findings)} warnings)" if findings else ""))
        if self.connector is None:
            return cfdi_xml.from_bytes(sealed), sealed, None
        result = self.connector.stamp(sealed)
        self.write(f"{kind}_stamped.xml", result.xml)
        stamped = cfdi_xml.from_bytes(result.xml)
        print(f"  {kind}: stamped UUID {result.uuid}")
        print(f"  {kind}: QR {tfd.verification_url_of(stamped)}")
        return stamped, result.xml, result.uuid

    def cancel(self, kind: str, c: document.Comprobante, uuid: str) -> None:
        request = cancel.cancellation_request(self.credential, uuid, "02")
        self.write(f"{kind}_cancelacion.xml", request)
        result = self.connector.cancel(
            uuid, "02", None, c.emisor.rfc, c.receptor.rfc, c.total, self.credential
        )
        print(f"  {kind}: cancellation {result.outcome} ({result.status_code} {result.message})")
        if result.acknowledgment:
            self.write(f"{kind}_acuse_cancelacion.xml", result.acknowledgment)
        status = self.connector.status(uuid, c.emisor.rfc, c.receptor.rfc, c.total)
        print(f"  {kind}: SAT status {status.estado} / {status.estatus_cancelacion or '-'}")


def run_demo(out: Path, credential: Credential, *, stamp: bool = True,
             state_dir: str | None = None) -> int:
    """Invoice I, credit note E related to it, payment P; sealed, validated, stamped with the
    sandbox PAC, and the credit note cancelled (motive 02)."""
    out.mkdir(parents=True, exist_ok=True)
    connector = None
    if stamp:
        connector = get_connector("sandbox", state_dir=state_dir or str(out / "sandbox"))
    demo = _Demo(out, credential, connector)
    invoice, _, invoice_uuid = demo.issue("I", demo_invoice())
    invoice_uuid = invoice_uuid or DEMO_PLACEHOLDER_UUID
    credit_note, _, credit_uuid = demo.issue("E", demo_credit_note(invoice_uuid))
    demo.issue("P", demo_payment(invoice, invoice_uuid, invoice.total - credit_note.total))
    if connector is not None and credit_uuid:
        demo.cancel("E", credit_note, credit_uuid)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    if args.cer or args.key:
        credential = credential_from_args(args)
    else:
        credential = load_files(
            TEST_CSD / "EKU9003173C9.cer", TEST_CSD / "EKU9003173C9.key",
            (TEST_CSD / "EKU9003173C9.password.txt").read_text().strip(),
        )
    return run_demo(Path(args.out), credential, stamp=not args.no_stamp, state_dir=args.state_dir)


# --- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cfdi",
        description="CFDI 4.0: build, seal, validate, stamp and cancel.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="JSON (Anexo 20 names) -> CFDI XML, sealed with --cer/--key")
    build.add_argument("input", metavar="INPUT.json", help="JSON document ('-' = stdin)")
    add_credential_arguments(build)
    build.add_argument("-o", "--output", metavar="OUT.xml", help="output file (default stdout)")
    build.set_defaults(handler=cmd_build)

    validate = sub.add_parser("validate", help="check a CFDI XML (structure, catalogs, amounts, seals)")
    validate.add_argument("file", metavar="FILE.xml")
    validate.add_argument("--json", action="store_true", help="findings as JSON")
    validate.set_defaults(handler=cmd_validate)

    demo = sub.add_parser("demo", help="build, seal, validate, stamp (sandbox) and cancel samples")
    demo.add_argument("--out", required=True, metavar="DIR", help="folder for the files")
    add_credential_arguments(demo)
    demo.add_argument("--no-stamp", action="store_true", help="stop after sealing and validating")
    demo.add_argument("--state-dir", metavar="DIR", help="sandbox PAC state (default DIR/sandbox)")
    demo.set_defaults(handler=cmd_demo)

    pac_cli.add_subcommands(sub)  # stamp, cancel, status, sandbox (cfdi/pac/cli.py)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CfdiError as exc:
        print(f"{exc.code}: {exc.message_es} / {exc.message_en}", file=sys.stderr)
        # A PAC/SAT rejection is about the document (1); anything else stopped the command (2).
        return EXIT_FINDINGS if isinstance(exc, Rejected) else EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
