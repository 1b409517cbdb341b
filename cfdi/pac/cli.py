"""Command line of the PAC package: ``stamp``, ``cancel``, ``status``, ``sandbox``.

Wiring (``cfdi/__main__.py``): ``add_subcommands(subparsers)`` (alias
``add_arguments``) registers the four sub-commands on an argparse sub-parser
collection; each sets ``handler=<function(args) -> exit code>``. Errors are
``CfdiError`` (``Rejected`` = the document or request was refused).

    python -m cfdi stamp FILE.xml --pac sandbox|finkok|sw [--production] [--url U]
        [--user U] [--password-env VAR | --password-file F] [--token-env VAR] -o OUT.xml
    python -m cfdi cancel UUID --motive 02 [--replacement UUID] --issuer RFC
        --receiver RFC --total T --cer C.cer --key C.key --password-file F  (CSD password)
        [--pac ... --pac-password-env VAR | --pac-password-file F]
    python -m cfdi status UUID --issuer RFC --receiver RFC --total T [--pac sat|sandbox|...]
    python -m cfdi sandbox --port N [--state-dir D] [--credits N]
        [--latency S] [--latency-jitter S]  (a PAC's round trip per call)

Secrets are read from files or environment variables, never from the command
line: PAC password ``CFDI_PAC_PASSWORD``, SW token ``CFDI_PAC_TOKEN``, PAC user
``CFDI_PAC_USER``, CSD key password ``CFDI_CSD_PASSWORD`` (defaults of the
``--*-env`` options). ``--test`` (default) / ``--production`` pick the provider's
environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..credentials import load_files
from ..errors import CfdiError
from ..sat import MOTIVES
from . import PROVIDERS, get_connector
from .base import Connector, stamp_once

USER_ENV, PASSWORD_ENV, TOKEN_ENV = "CFDI_PAC_USER", "CFDI_PAC_PASSWORD", "CFDI_PAC_TOKEN"
CSD_PASSWORD_ENV = "CFDI_CSD_PASSWORD"
EXIT_OK, EXIT_REFUSED = 0, 1


class CliError(CfdiError):
    code = "CLI"


# --- secrets -----------------------------------------------------------------


def _secret(
    file: str | None,
    env: str | None,
    default_env: str,
    what_es: str,
    what_en: str,
    required: bool = False,
) -> str | None:
    if file:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CliError(
                f"No se pudo leer {file}: {exc.strerror}.",
                f"Could not read {file}: {exc.strerror}.",
            ) from None
        return lines[0].strip() if lines else ""
    variable = env or default_env
    if variable in os.environ:
        return os.environ[variable]
    if required:
        raise CliError(
            f"Falta {what_es}: use un archivo o la variable {variable}.",
            f"{what_en} is missing: use a file or the variable {variable}.",
        )
    return None


def _connector(
    args: argparse.Namespace, password_file: str | None, password_env: str | None
) -> Connector:
    needs_login = args.pac in ("finkok", "sw")
    token = (
        _secret(None, args.token_env, TOKEN_ENV, "el token", "The token")
        if args.pac == "sw"
        else None
    )
    password = _secret(
        password_file,
        password_env,
        PASSWORD_ENV,
        "la contraseña del PAC",
        "The PAC password",
        required=needs_login and not token,
    )
    return get_connector(
        args.pac,
        test=not args.production,
        username=args.user or os.environ.get(USER_ENV),
        password=password,
        token=token,
        url=args.url,
        timeout=args.timeout,
        state_dir=args.state_dir,
    )


def _total(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CliError(
            f"El total {text!r} no es un número.", f"Total {text!r} is not a number."
        ) from None


# --- handlers ----------------------------------------------------------------


def cmd_stamp(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(
            f"No se pudo leer {args.file}: {exc.strerror}.",
            f"Could not read {args.file}: {exc.strerror}.",
        ) from None
    connector = _connector(args, args.password_file, args.password_env)
    result = stamp_once(connector, data)  # a re-run returns the earlier stamp, never a second
    output = Path(args.output) if args.output else Path(args.file).with_suffix(".timbrado.xml")
    output.write_bytes(result.xml)
    print(f"UUID {result.uuid} -> {output}")
    return EXIT_OK


def cmd_cancel(args: argparse.Namespace) -> int:
    csd_password = _secret(
        args.password_file,
        args.password_env,
        CSD_PASSWORD_ENV,
        "la contraseña de la llave del CSD",
        "The CSD key password",
        required=True,
    )
    credential = load_files(args.cer, args.key, csd_password or "")
    connector = _connector(args, args.pac_password_file, args.pac_password_env)
    result = connector.cancel(
        args.uuid,
        args.motive,
        args.replacement,
        args.issuer,
        args.receiver,
        _total(args.total),
        credential,
    )
    print(f"{result.uuid}: {result.outcome} ({result.status_code} {result.message})")
    if result.acknowledgment and args.output:
        Path(args.output).write_bytes(result.acknowledgment)
        print(f"acuse -> {args.output}")
    return EXIT_REFUSED if result.outcome == "rejected" else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    total = _total(args.total)
    if args.pac == "sat":
        from . import sat_status

        result = sat_status.status(
            args.uuid,
            args.issuer,
            args.receiver,
            total,
            url=args.url or sat_status.PRODUCTION_URL,
            timeout=args.timeout,
        )
    else:
        result = _connector(args, args.password_file, args.password_env).status(
            args.uuid, args.issuer, args.receiver, total
        )
    print(
        f"Estado: {result.estado}\nEsCancelable: {result.es_cancelable}\n"
        f"EstatusCancelacion: {result.estatus_cancelacion}\n"
        f"CodigoEstatus: {result.codigo_estatus}\nValidacionEFOS: {result.validacion_efos}"
    )
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.server import serve

    serve(
        args.port,
        args.state_dir,
        credits=args.credits,
        latency=args.latency,
        latency_jitter=args.latency_jitter,
    )
    return EXIT_OK


# --- parser ------------------------------------------------------------------


def _pac_options(
    parser: argparse.ArgumentParser,
    providers: tuple[str, ...],
    default: str,
    password_prefix: str = "",
) -> None:
    parser.add_argument(
        "--pac", choices=providers, default=default, help=f"provider (default {default})"
    )
    env = parser.add_mutually_exclusive_group()
    env.add_argument(
        "--test",
        dest="production",
        action="store_false",
        help="provider's test environment (default)",
    )
    env.add_argument(
        "--production",
        dest="production",
        action="store_true",
        help="provider's production environment",
    )
    parser.set_defaults(production=False)
    parser.add_argument("--url", help="service address (overrides --test/--production)")
    parser.add_argument("--user", help=f"PAC user (default ${USER_ENV})")
    secret = parser.add_mutually_exclusive_group()
    dest = password_prefix.replace("-", "_")
    secret.add_argument(
        f"--{password_prefix}password-env",
        dest=f"{dest}password_env",
        metavar="VAR",
        help=f"variable with the PAC password (default {PASSWORD_ENV})",
    )
    secret.add_argument(
        f"--{password_prefix}password-file",
        dest=f"{dest}password_file",
        metavar="F",
        help="file whose first line is the PAC password",
    )
    parser.add_argument(
        "--token-env", metavar="VAR", help=f"variable with the SW token (default {TOKEN_ENV})"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--state-dir", metavar="D", help="sandbox state folder")


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``stamp``, ``cancel``, ``status`` and ``sandbox``."""
    stamp = subparsers.add_parser("stamp", help="stamp a sealed CFDI with a PAC")
    stamp.add_argument("file", metavar="FILE.xml")
    stamp.add_argument(
        "-o", "--output", metavar="OUT.xml", help="stamped CFDI (default FILE.timbrado.xml)"
    )
    _pac_options(stamp, PROVIDERS, "sandbox")
    stamp.set_defaults(handler=cmd_stamp)

    cancel = subparsers.add_parser("cancel", help="cancel a stamped CFDI with a SAT motive")
    cancel.add_argument("uuid", metavar="UUID")
    cancel.add_argument("--motive", required=True, choices=tuple(MOTIVES))
    cancel.add_argument("--replacement", metavar="UUID", help="replacing CFDI (motive 01)")
    for name in ("issuer", "receiver", "total"):
        cancel.add_argument(f"--{name}", required=True)
    cancel.add_argument("--cer", required=True, help="issuer's CSD certificate (.cer)")
    cancel.add_argument("--key", required=True, help="issuer's CSD private key (.key)")
    csd = cancel.add_mutually_exclusive_group()
    csd.add_argument("--password-file", metavar="F", help="file with the CSD key password")
    csd.add_argument(
        "--password-env",
        metavar="VAR",
        help=f"variable with the CSD key password (default {CSD_PASSWORD_ENV})",
    )
    cancel.add_argument("-o", "--output", metavar="ACUSE.xml", help="save the acknowledgment")
    _pac_options(cancel, PROVIDERS, "sandbox", password_prefix="pac-")
    cancel.set_defaults(handler=cmd_cancel)

    status = subparsers.add_parser("status", help="SAT status of a stamped CFDI")
    status.add_argument("uuid", metavar="UUID")
    for name in ("issuer", "receiver", "total"):
        status.add_argument(f"--{name}", required=True)
    _pac_options(status, ("sat", *PROVIDERS), "sat")
    status.set_defaults(handler=cmd_status)

    sandbox = subparsers.add_parser("sandbox", help="serve the sandbox PAC (Finkok protocol)")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--state-dir", metavar="D", help="default ~/.local/share/cfdi-sandbox")
    sandbox.add_argument("--credits", type=int, help="set the credit balance (default unlimited)")
    sandbox.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="seconds every call waits"
    )
    sandbox.add_argument(
        "--latency-jitter",
        type=float,
        default=0.0,
        metavar="S",
        help="up to this many more seconds, random per call",
    )
    sandbox.set_defaults(handler=cmd_sandbox)


add_arguments = add_subcommands


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m cfdi.pac.cli``), same sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m cfdi.pac.cli")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CfdiError as exc:
        print(f"{exc.code}: {exc.message_es} / {exc.message_en}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
