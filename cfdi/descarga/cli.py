"""Command line of the mass download: ``python -m cfdi sat-simulator``.

    python -m cfdi sat-simulator --port N [--state-dir D] [--cfdi-dir DIR] [--steps N]
        [--package-size N] [--trusted-ca CA.cer ...] [--fault OP:ACTION[=VALUE][@ID][*TIMES] ...]

serves SAT's mass download protocol on 127.0.0.1 from the stamped CFDI in DIR
(see ``simulator_server``); faults are described in ``simulator.Fault``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .simulator import Fault, SatSimulator
from .simulator_server import serve


def _fault(text: str) -> Fault:
    try:
        return Fault.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_sat_simulator(args: argparse.Namespace) -> int:
    simulator = SatSimulator(
        args.state_dir,
        args.cfdi_dir,
        steps=args.steps,
        package_size=args.package_size,
        trusted_cas=[Path(path).read_bytes() for path in args.trusted_ca],
        faults=args.fault,
    )
    serve(simulator, args.port)
    return 0


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sat-simulator", help="serve SAT's mass download service (descarga masiva) locally"
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--state-dir", metavar="D", help="keep requests and tokens here")
    parser.add_argument("--cfdi-dir", metavar="DIR", help="stamped CFDI XML files SAT holds")
    parser.add_argument(
        "--steps", type=int, default=2, help="verifications before a request finishes (2)"
    )
    parser.add_argument("--package-size", type=int, default=1000, help="CFDI per package (1000)")
    parser.add_argument(
        "--trusted-ca",
        action="append",
        default=[],
        metavar="CA.cer",
        help="accept only e.firmas issued by this CA (repeatable; default: any SAT issuer)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        type=_fault,
        metavar="SPEC",
        help="inject a fault, e.g. download:code=5008*2, verify:delay=3, query:drop",
    )
    parser.set_defaults(handler=cmd_sat_simulator)
