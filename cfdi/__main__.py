"""Command line: ``python -m cfdi build|validate|demo|stamp|cancel|status|sandbox|sat-simulator|addenda``.

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
from pathlib import Path

from . import demo as engine_demo
from . import rules, testing
from .build import InputError, build_document, comprobante_from_json
from .complements import cli as addenda_cli
from .credentials import Credential, load_files
from .descarga import cli as descarga_cli
from .errors import CfdiError
from .pac import cli as pac_cli
from .pac.base import Rejected

PASSWORD_ENV = "CFDI_CSD_PASSWORD"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


# --- credentials and passwords -------------------------------------------------


def add_credential_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--cer", required=required, help="CSD certificate (.cer)")
    parser.add_argument("--key", required=required, help="CSD private key (.key)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password", help="key password (prefer --password-file / --password-env)")
    group.add_argument("--password-file", help="file whose first line is the key password")
    group.add_argument(
        "--password-env",
        metavar="VAR",
        help=f"environment variable with the password (default {PASSWORD_ENV})",
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


def cmd_validate(args: argparse.Namespace) -> int:
    findings = rules.validate(_read_file(args.file))
    blocking = any(f.blocking for f in findings)
    if args.json:
        report = {
            "file": args.file,
            "valid": not blocking,
            "findings": [dataclasses.asdict(f) for f in findings],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        for finding in findings:
            print(finding.one_line())
        if not findings:
            print(f"OK {args.file}")
    return EXIT_FINDINGS if blocking else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    # SAT's public test CSD unless the user gives one
    credential = credential_from_args(args) or testing.credential()
    engine_demo.run_demo(
        Path(args.out), credential, stamp=not args.no_stamp, state_dir=args.state_dir
    )
    return EXIT_OK


# --- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cfdi",
        description="CFDI 4.0: build, seal, validate, stamp and cancel.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build", help="JSON (Anexo 20 names) -> CFDI XML, sealed with --cer/--key"
    )
    build.add_argument("input", metavar="INPUT.json", help="JSON document ('-' = stdin)")
    add_credential_arguments(build)
    build.add_argument("-o", "--output", metavar="OUT.xml", help="output file (default stdout)")
    build.set_defaults(handler=cmd_build)

    validate = sub.add_parser(
        "validate", help="check a CFDI XML (structure, catalogs, amounts, seals)"
    )
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
    descarga_cli.add_subcommands(sub)  # sat-simulator (cfdi/descarga/cli.py)
    addenda_cli.add_subcommands(sub)  # addenda (cfdi/complements/cli.py)
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
