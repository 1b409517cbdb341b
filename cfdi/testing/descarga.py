"""Shared by the mass download tests (engine and Odoo): SAT's test e.firma, stamped CFDI
to serve, a simulator on 127.0.0.1 and a client pointed at it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import catalogs, seal
from ..credentials import Credential
from ..descarga.client import DescargaClient, Endpoints
from ..descarga.simulator import SatSimulator
from ..descarga.simulator_server import SimulatorServer, running
from ..document import Emisor, Receptor
from ..pac.sandbox import SandboxPac
from ..reception import summary_of
from . import FIXTURES
from .documents import invoice

COMPANY = "EKU9003173C9"
SUPPLIER = "CACX7605101P8"
CUSTOMERS = ("XIA190128J61", "MCI7306249Y1")
TEST_CA = FIXTURES / "sat_certs" / "test_ca"
TRUSTED_CAS = tuple(
    (TEST_CA / name).read_bytes() for name in ("AC_UAT_2022.cer", "ARC_UAT_2022.cer")
)
# Issue dates of the served CFDI: March to June 2026, Mexico's local time.
ISSUED_DATES = tuple(dt.datetime(2026, month, day, 10, 0) for month in (3, 4, 5) for day in (3, 17))
RECEIVED_DATES = tuple(dt.datetime(2026, month, 9, 12, 30) for month in (3, 4, 5, 6))


def credential(folder: str, name: str) -> Credential:
    base = FIXTURES / folder / name
    password = base.with_name(f"{name}.password.txt").read_text().strip()
    return Credential.load(
        base.with_suffix(".cer").read_bytes(), base.with_suffix(".key").read_bytes(), password
    )


def fiel() -> Credential:
    return credential("fiel", "EKU9003173C9_FIEL")


def _stamp(sandbox_dir: Path, signed_xml: bytes, fecha: dt.datetime) -> bytes:
    when = fecha.replace(tzinfo=catalogs.mexico_city()) + dt.timedelta(minutes=3)
    return (
        SandboxPac(sandbox_dir, clock=lambda: when.astimezone(dt.timezone.utc))
        .stamp(signed_xml)
        .xml
    )


def write_documents(folder: Path) -> dict[str, list[str]]:
    """Stamp CFDI the company issued (to two customers) and received (from a supplier),
    and one between two other taxpayers; return the UUIDs by kind ("issued",
    "received", "foreign")."""
    company_csd = credential("csd", COMPANY)
    supplier_csd = credential("csd", SUPPLIER)
    sandbox = folder / ".sandbox"
    made: dict[str, list[str]] = {"issued": [], "received": [], "foreign": []}
    for index, fecha in enumerate(ISSUED_DATES):
        c = dataclasses.replace(
            invoice(f"{100 + index}.00"),
            receptor=dataclasses.replace(
                invoice().receptor, rfc=CUSTOMERS[index % 2], nombre=f"CLIENTE {index % 2}"
            ),
        )
        stamped = _stamp(sandbox, seal.seal_bytes(c, company_csd, fecha), fecha)
        made["issued"].append(_save(folder, stamped))
    for index, fecha in enumerate(RECEIVED_DATES):
        c = dataclasses.replace(
            invoice(f"{500 + index}.00"),
            emisor=Emisor(rfc=SUPPLIER, nombre="XOCHILT CASAS CHAVEZ", regimen_fiscal="612"),
            receptor=Receptor(
                rfc=COMPANY,
                nombre="ESCUELA KEMPER URGATE",
                domicilio_fiscal="42501",
                regimen_fiscal="601",
                uso_cfdi="G03",
            ),
        )
        stamped = _stamp(sandbox, seal.seal_bytes(c, supplier_csd, fecha), fecha)
        made["received"].append(_save(folder, stamped))
    fecha = RECEIVED_DATES[0]
    foreign = dataclasses.replace(
        invoice("999.00"),
        emisor=Emisor(rfc=SUPPLIER, nombre="XOCHILT CASAS CHAVEZ", regimen_fiscal="612"),
    )
    stamped = _stamp(sandbox, seal.seal_bytes(foreign, supplier_csd, fecha), fecha)
    made["foreign"].append(_save(folder, stamped))
    return made


def _save(folder: Path, stamped: bytes) -> str:
    uuid = summary_of(stamped).uuid
    (folder / f"{uuid}.xml").write_bytes(stamped)
    return uuid


@contextmanager
def sat(
    cfdi_dir: Path, state_dir: Path, **options
) -> Iterator[tuple[SatSimulator, SimulatorServer]]:
    options.setdefault("trusted_cas", TRUSTED_CAS)
    simulator = SatSimulator(state_dir, cfdi_dir, **options)
    with running(simulator) as server:
        yield simulator, server


def client_for(
    server: SimulatorServer, credential: Credential | None = None, **options
) -> DescargaClient:
    options.setdefault("timeout", 10)
    options.setdefault("clock", server.simulator.now)
    return DescargaClient(credential or fiel(), Endpoints.at(server.url), **options)
