"""``python -m cfdi addenda``: append a customer addenda to a stamped CFDI."""

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from ..build import InputError
from . import addenda


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"No se pudo leer {path}: {exc.strerror}.", f"Could not read {path}: {exc.strerror}."
        ) from None


def cmd_addenda(args: argparse.Namespace) -> int:
    stamped = _read(args.file)
    try:
        values = json.loads(_read(args.values), parse_float=Decimal) if args.values else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"JSON mal formado: {exc}", f"Malformed JSON: {exc}") from None
    if args.name:
        result = addenda.add_built_in(stamped, args.name, values)
    else:
        xsd = Path(args.xsd) if args.xsd else None
        result = addenda.add(stamped, _read(args.template), values, xsd)
    if args.output:
        Path(args.output).write_bytes(result)
    else:
        sys.stdout.buffer.write(result)
    return 0


def add_subcommands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "addenda",
        help="append a customer addenda to a stamped CFDI (outside the seal)",
        description="Render an addenda template with values (JSON), check it against the "
        "buyer's XSD and append it to a stamped CFDI. Built-in: "
        + ", ".join(f"{a.name} ({a.buyer})" for a in addenda.BUILT_IN.values()),
    )
    parser.add_argument("file", metavar="STAMPED.xml")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", choices=sorted(addenda.BUILT_IN), help="a built-in addenda")
    which.add_argument("--template", metavar="T.xml", help="an addenda template")
    parser.add_argument("--xsd", metavar="X.xsd", help="the buyer's XSD (with --template)")
    parser.add_argument("--values", metavar="V.json", help="the template's values")
    parser.add_argument("-o", "--output", metavar="OUT.xml", help="output file (default stdout)")
    parser.set_defaults(handler=cmd_addenda)
