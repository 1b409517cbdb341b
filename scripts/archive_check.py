#!/usr/bin/env python3
"""Build the CFDI archive of a database's demo company and check it against the records.

Optionally imports ``--import N`` stamped supplier CFDI first (built with the engine,
sealed with SAT's test CSD CACX7605101P8, stamped by the sandbox PAC; committed), so the
archive holds issued and received CFDI. Then runs the archive wizard for the company
EKU9003173C9 over ``--from``/``--to``, writes the ZIP to ``--out``, opens it and checks
that index.csv lists exactly the stamped issued CFDI and the imported supplier CFDI of
the period, that every row's UUID, RFCs, total and currency equal the record's and the
XML bytes in the ZIP, and that every SHA-256 matches. Exit 0 when all holds.

Usage: python3 scripts/archive_check.py --database DB [--import 3] [--from 2026-01-01]
       [--to 2026-12-31] [--out /tmp/cfdi_archive.zip]
"""

import argparse
import base64
import csv
import io
import runpy
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))


def expected_rows(env, company, date_from, date_to):
    """{uuid: (type, issuer, receiver, total text, currency, xml bytes)} from the records."""
    from odoo.addons.l10n_mx_einvoice.cfdi import reception

    start, end = str(date_from), str(date_to) + "T99"
    rows = {}
    documents = env["l10n_mx_einvoice.document"].search(
        [
            ("company_id", "=", company.id),
            ("kind", "=", "stamp"),
            ("state", "in", ("stamped", "cancel_requested", "cancelled")),
            ("attachment_id", "!=", False),
            ("cfdi_date", ">=", start),
            ("cfdi_date", "<", end),
        ]
    )
    bills = env["account.move"].search(
        [
            ("company_id", "=", company.id),
            ("l10n_mx_einvoice_vendor_attachment_id", "!=", False),
            ("l10n_mx_einvoice_vendor_fecha", ">=", start),
            ("l10n_mx_einvoice_vendor_fecha", "<", end),
        ]
    )
    for kind, uuid, attachment in [("issued", d.uuid, d.attachment_id) for d in documents] + [
        ("received", b.l10n_mx_einvoice_vendor_uuid, b.l10n_mx_einvoice_vendor_attachment_id)
        for b in bills
    ]:
        summary = reception.summary_of(attachment.raw)
        assert summary.uuid == uuid.upper(), (summary.uuid, uuid)
        rows[summary.uuid] = (
            kind,
            summary.issuer_rfc,
            summary.receiver_rfc,
            summary.total,
            summary.moneda,
            attachment.raw,
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", "--db", dest="db", required=True)
    parser.add_argument("--import", dest="count", type=int, default=0)
    parser.add_argument("--from", dest="date_from", default="2026-01-01")
    parser.add_argument("--to", dest="date_to", default="2026-12-31")
    parser.add_argument("--out", default="/tmp/cfdi_archive.zip")
    args = parser.parse_args()
    odoo, registry = BENCH_DB["open_registry"](args.db)
    if odoo is None:
        print(registry)
        return 1
    from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([("vat", "=", "EKU9003173C9")], limit=1)
        env = env(context={"allowed_company_ids": [company.id]})
        if args.count:
            connector = company.l10n_mx_einvoice_stamp_account_id._get_connector()
            files = [
                (f"proveedor-{n}.xml", docs.stamped(connector, docs.supplier_invoice()))
                for n in range(args.count)
            ]
            journal = env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
            )
            wizard = env["l10n_mx_einvoice.vendor.import"].create({"journal_id": journal.id})
            wizard._import_files(files)
            print("imported:", ", ".join(f"{line.name} {line.state}" for line in wizard.line_ids))
            cr.commit()
        archive_wizard = env["l10n_mx_einvoice.archive"].create(
            {"company_id": company.id, "date_from": args.date_from, "date_to": args.date_to}
        )
        archive_wizard.action_build()
        data = base64.b64decode(archive_wizard.zip_file)
        Path(args.out).write_bytes(data)
        expected = expected_rows(env, company, archive_wizard.date_from, archive_wizard.date_to)
        report = archive_wizard.integrity_report
        cr.rollback()

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8"))))
    problems = []
    if sorted(row["uuid"] for row in rows) != sorted(expected):
        problems.append(
            f"UUIDs differ: index {sorted(r['uuid'] for r in rows)} records {sorted(expected)}"
        )
    for row in rows:
        kind, issuer, receiver, total, currency, xml = expected.get(row["uuid"], (None,) * 6)
        got = (row["type"], row["issuer_rfc"], row["receiver_rfc"], row["total"], row["currency"])
        if got != (kind, issuer, receiver, total, currency):
            problems.append(
                f"{row['uuid']}: index {got} != record {(kind, issuer, receiver, total, currency)}"
            )
        if archive.read(row["file"]) != xml or row["integrity"] != "ok":
            problems.append(
                f"{row['uuid']}: XML in the ZIP differs from the record or integrity {row['integrity']}"
            )
    issued = sum(row["type"] == "issued" for row in rows)
    print(
        f"archive {args.out}: {len(archive.namelist())} files, index rows {len(rows)} "
        f"(issued {issued}, received {len(rows) - issued}); integrity: {report}"
    )
    for row in rows:
        print(
            "  "
            + ",".join(
                row[key]
                for key in (
                    "uuid",
                    "type",
                    "tipo_comprobante",
                    "issuer_rfc",
                    "receiver_rfc",
                    "date",
                    "total",
                    "currency",
                    "sat_status",
                )
            )
        )
    print("\n".join(problems) or "index.csv matches the records and the XML files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
