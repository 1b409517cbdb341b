#!/usr/bin/env python3
"""Import 1,000 supplier CFDI into a real Odoo database, beside satcfdi parsing and
verifying the same files.

The supplier CFDI (1 to 3 lines, IVA 16 %, ISR 10 % retained on every fifth) are built
with the engine, sealed with SAT's test CSD CACX7605101P8 and stamped by the sandbox
PAC, to the demo company EKU9003173C9. They are imported through the import wizard's
own code path (read, seal check, supplier by RFC, products, purchase taxes, draft bill,
XML attachment; SAT status not queried: the cron does that) in one transaction that is
rolled back at the end, so the database is left as it was.

In the same run, satcfdi (the peer) parses each file and verifies its seal:
``CFDI.from_string`` + ``cadena_original()`` (SAT's XSLT) + RSA-SHA256 check with the
embedded certificate. Printed: files per second of the Odoo import, of satcfdi's
parse + verify and of this engine's ``cfdi.reception.read_cfdi`` alone, and the ratios.

Usage: python3 benchmarks/bench_reception.py [--database DB] [--files 1000] [--recreate]
The database (default einvoice_bench_reception) is created with the addon when missing;
the demo company (EKU9003173C9) is created in it once and committed.
"""

import argparse
import base64
import runpy
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))  # open_registry
SETUP = runpy.run_path(str(ROOT / "scripts" / "odoo_demo_setup.py"))


def supplier_files(engine, count):
    """``count`` stamped supplier CFDI as (file name, bytes)."""
    docs = engine["supplier_documents"]
    sandbox = engine["SandboxPac"](tempfile.mkdtemp(prefix="bench_reception_pac_"))
    credential = docs.supplier_credential()
    files = []
    for n in range(count):
        lines = [
            docs.Line(
                descripcion=f"Artículo {n}-{k}",
                cantidad=str(1 + k),
                valor_unitario=f"{100 + n % 97}.{k * 7:02d}",
                retenciones=[("001", Decimal("0.100000"))] if n % 5 == 0 and k == 0 else [],
            )
            for k in range(1 + n % 3)
        ]
        c = docs.supplier_invoice(lines, folio=f"B{n:05d}")
        files.append((f"CACX-B{n:05d}.xml", docs.stamped(sandbox, c, credential)))
    return files


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


def engine_read(reception, files):
    start = time.perf_counter()
    verified = sum(reception.read_cfdi(name, data).seal_ok for name, data in files)
    return time.perf_counter() - start, verified


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", "--db", dest="db", default="einvoice_bench_reception")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()

    odoo, registry = BENCH_DB["open_registry"](args.db, args.recreate)
    if odoo is None:
        print(registry)
        return 1
    from odoo.addons.l10n_mx_einvoice.cfdi import reception
    from odoo.addons.l10n_mx_einvoice.cfdi.pac.sandbox import SandboxPac
    from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents

    print(f"== building {args.files} stamped supplier CFDI", flush=True)
    files = supplier_files(
        {"supplier_documents": supplier_documents, "SandboxPac": SandboxPac}, args.files
    )
    size = sum(len(data) for _name, data in files) / len(files)

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company, _customer, _product, _tax = SETUP["demo_company"](env)
        cr.commit()
        env = company.env
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
        )
        wizard = env["l10n_mx_einvoice.vendor.import"].create(
            {"company_id": company.id, "journal_id": journal.id, "check_sat_status": False}
        )
        # warm-up outside the measure (ORM caches, tax index); rolled back like the rest
        wizard._import_files(files[:1])
        warm_lines = wizard.line_ids
        start = time.perf_counter()
        moves = wizard._import_files(files[1:])
        env.flush_all()
        odoo_seconds = time.perf_counter() - start
        states = (wizard.line_ids - warm_lines).mapped("state")
        created = len(moves)
        cr.rollback()  # leave the database as it was

    imported = args.files - 1
    satcfdi_seconds, satcfdi_ok = satcfdi_parse_and_verify(files[1:])
    engine_seconds, engine_ok = engine_read(reception, files[1:])
    print(
        f"files: {imported} supplier CFDI ({size / 1024:.1f} KiB average), bills created: {created}, "
        f"results: {', '.join(f'{s} {states.count(s)}' for s in sorted(set(states)))}"
    )
    print(
        f"Odoo import (read + seal check + supplier/products/taxes + draft bill + XML attached): "
        f"{odoo_seconds:.2f} s -> {imported / odoo_seconds:.1f} files/s"
    )
    print(
        f"satcfdi parse + verify (from_string + cadena XSLT + RSA check): {satcfdi_seconds:.2f} s "
        f"-> {imported / satcfdi_seconds:.1f} files/s ({satcfdi_ok} seals verified)"
    )
    print(
        f"this engine alone (cfdi.reception.read_cfdi: safe parse + dataclasses + seal check): "
        f"{engine_seconds:.2f} s -> {imported / engine_seconds:.1f} files/s ({engine_ok} seals verified)"
    )
    print(
        f"ratio Odoo import / satcfdi parse+verify: {odoo_seconds / satcfdi_seconds:.2f}x the time "
        f"(the whole import costs {odoo_seconds / satcfdi_seconds:.2f} times satcfdi's reading alone)"
    )
    print(f"ratio satcfdi / this engine (reading alone): {satcfdi_seconds / engine_seconds:.2f}x")
    return 0 if created == imported and satcfdi_ok == engine_ok == imported else 1


if __name__ == "__main__":
    sys.exit(main())
