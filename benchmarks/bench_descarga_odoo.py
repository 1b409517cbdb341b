#!/usr/bin/env python3
"""Import 20,000 received CFDI from SAT's download packages into a real Odoo database,
beside satcfdi parsing and verifying the same files.

The supplier CFDI (1 to 3 lines, IVA 16 %, ISR 10 % retained on every fifth) are built
with the engine, sealed with SAT's test CSD CACX7605101P8 (the one supplier CSD SAT
publishes besides the company's) and stamped by the sandbox PAC, to the demo company
EKU9003173C9. They are packed as the SAT simulator serves them: ZIP packages of 1,000
``<UUID>.xml`` members (``cfdi.descarga.simulator``'s package size).

The Odoo side is what the scheduled action does with stored packages: each package is
an attachment of a received-CFDI download request, read with ``cfdi.descarga.package``
into ``l10n_mx_einvoice.sat.cfdi`` rows and turned into draft vendor bills through the
vendor import (seal check, supplier by RFC, products, purchase taxes, XML attached; SAT
status not queried). It runs in one transaction rolled back at the end. After the
measure, the first package is imported again (SAT delivers a package again when asked):
bills must still equal the distinct UUIDs.

In the same run, satcfdi (the peer) parses each file and verifies its seal:
``CFDI.from_string`` + ``cadena_original()`` (SAT's XSLT) + RSA-SHA256 check.

Peak memory is the growth of the process' peak resident set (VmHWM, reset through
/proc/self/clear_refs before each phase) over its resident set when the phase starts,
so neither side pays for tracing.

Usage: python3 benchmarks/bench_descarga_odoo.py [--database DB] [--files 20000] [--recreate]
       [--profile FILE]
"""

import argparse
import base64
import cProfile
import io
import runpy
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))  # open_registry
SETUP = runpy.run_path(str(ROOT / "scripts" / "odoo_demo_setup.py"))
PACKAGE_SIZE = 1000  # the SAT simulator's package size


def supplier_files(docs, sandbox, count):
    """``count`` stamped supplier CFDI as (``<UUID>.xml``, bytes)."""
    from lxml import etree

    credential = docs.supplier_credential()
    files = []
    for n in range(count):
        lines = [
            docs.Line(
                descripcion=f"Artículo {n % 50}-{k}",
                cantidad=str(1 + k),
                valor_unitario=f"{100 + n % 97}.{k * 7:02d}",
                retenciones=[("001", Decimal("0.100000"))] if n % 5 == 0 and k == 0 else [],
            )
            for k in range(1 + n % 3)
        ]
        data = docs.stamped(sandbox, docs.supplier_invoice(lines, folio=f"D{n:06d}"), credential)
        uuid = etree.fromstring(data).find(".//{*}TimbreFiscalDigital").get("UUID").upper()
        files.append((f"{uuid}.xml", data))
        if (n + 1) % 2000 == 0:
            print(f"   {n + 1} stamped", flush=True)
    return files


def packages(files, request_id):
    """SAT-style ZIP packages ``{package_id: bytes}``."""
    packed = {}
    for number, start in enumerate(range(0, len(files), PACKAGE_SIZE), 1):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files[start : start + PACKAGE_SIZE]:
                archive.writestr(name, data)
        packed[f"{request_id}_{number:02d}"] = buffer.getvalue()
    return packed


def _status_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """Peak resident-set growth (MiB) of the process over the ``with`` block."""

    def __enter__(self):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        self.start = _status_kib("VmRSS")
        return self

    def __exit__(self, *exc):
        self.mib = (_status_kib("VmHWM") - self.start) / 1024


def satcfdi_parse_and_verify(files):
    from satcfdi.cfdi import CFDI
    from satcfdi.models import Certificate

    verified = 0
    start = time.perf_counter()
    for _name, data in files:
        cfdi = CFDI.from_string(data)
        certificate = Certificate.load_certificate(base64.b64decode(cfdi["Certificado"]))
        if certificate.verify_sha256(
            cfdi.cadena_original().encode(), base64.b64decode(cfdi["Sello"])
        ):
            verified += 1
    return time.perf_counter() - start, verified


def odoo_import(env, company, packed):
    """Store and read every package as the scheduled action does; return the download."""
    from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_sat_download import _Store

    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
    )
    download = env["l10n_mx_einvoice.sat.download"].create(
        {
            "company_id": company.id,
            "direction": "received",
            "kind": "CFDI",
            "date_from": date.today() - timedelta(days=30),
            "date_to": date.today(),
            "journal_id": journal.id,
            "create_bills": True,
        }
    )
    problems = []
    for package_id, data in packed.items():
        _Store(download).put(package_id, data)
        problems += download._import_package(package_id, download._package(package_id))
    env.flush_all()
    return download, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", "--db", dest="db", default="einvoice_bench_descarga")
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the Odoo import into FILE")
    args = parser.parse_args()

    odoo, registry = BENCH_DB["open_registry"](args.db, args.recreate)
    if odoo is None:
        print(registry)
        return 1
    from odoo.addons.l10n_mx_einvoice.cfdi.pac.sandbox import SandboxPac
    from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents

    print(f"== building {args.files} stamped supplier CFDI", flush=True)
    start = time.perf_counter()
    sandbox = SandboxPac(tempfile.mkdtemp(prefix="bench_descarga_pac_"))
    files = supplier_files(supplier_documents, sandbox, args.files)
    packed = packages(files, "BENCH0001-0000-0000-0000-000000000000")
    uuids = {name.rsplit(".", 1)[0] for name, _data in files}
    size = sum(len(data) for _name, data in files) / len(files)
    print(f"   built in {time.perf_counter() - start:.0f} s: {len(packed)} packages", flush=True)

    print("== satcfdi parse + verify", flush=True)
    with PeakMemory() as satcfdi_memory:
        satcfdi_seconds, satcfdi_ok = satcfdi_parse_and_verify(files)

    print("== Odoo: packages -> SAT CFDI rows -> vendor bills", flush=True)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company, _customer, _product, _tax = SETUP["demo_company"](env)
        cr.commit()
        env = company.env
        with PeakMemory() as odoo_memory:
            profiler = cProfile.Profile() if args.profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            download, problems = odoo_import(env, company, packed)
            odoo_seconds = time.perf_counter() - start
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
        first = next(iter(packed))
        problems_again = download._import_package(first, download._package(first))
        env.flush_all()
        bills = env["account.move"].search(
            [("company_id", "=", company.id), ("l10n_mx_einvoice_vendor_uuid", "in", list(uuids))]
        )
        bill_uuids = bills.mapped("l10n_mx_einvoice_vendor_uuid")
        rows = env["l10n_mx_einvoice.sat.cfdi"].search(
            [("company_id", "=", company.id), ("uuid", "in", list(uuids))]
        )
        linked = len(rows.filtered("move_id"))
        cr.rollback()  # leave the database as it was

    count = len(files)
    print(
        f"files: {count} received CFDI ({size / 1024:.1f} KiB average) in {len(packed)} "
        f"packages; distinct UUIDs {len(uuids)}; SAT CFDI rows {len(rows)} ({linked} linked "
        f"to their bill); bills {len(bills)} ({len(set(bill_uuids))} distinct UUIDs); "
        f"problems {len(problems)}; the first package imported again: "
        f"{len(problems_again)} problems, bills counted after it"
    )
    print(
        f"Odoo (package read + SAT CFDI rows + vendor import: seal check, supplier, products, "
        f"taxes, draft bill, XML attached): {odoo_seconds:.1f} s -> "
        f"{count / odoo_seconds:.1f} files/s, peak memory +{odoo_memory.mib:.0f} MiB"
    )
    print(
        f"satcfdi parse + verify (from_string + cadena XSLT + RSA check): "
        f"{satcfdi_seconds:.1f} s -> {count / satcfdi_seconds:.1f} files/s "
        f"({satcfdi_ok} seals verified), peak memory +{satcfdi_memory.mib:.0f} MiB"
    )
    print(
        f"ratio Odoo import / satcfdi parse+verify: {odoo_seconds / satcfdi_seconds:.2f}x the "
        f"time, {odoo_memory.mib / max(satcfdi_memory.mib, 1):.2f}x the peak memory"
    )
    for problem in problems[:5]:
        print(f"   problem: {problem}")
    exact = len(bills) == len(set(bill_uuids)) == len(uuids) == len(rows) == linked == count
    return 0 if exact and not problems and satcfdi_ok == count else 1


if __name__ == "__main__":
    sys.exit(main())
