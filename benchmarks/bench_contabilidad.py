#!/usr/bin/env python3
"""Pólizas del periodo (Anexo 24, 1.3) for 50,000 journal items: time and peak memory.

Three ways to write the same pólizas (5,000 entries of 10 lines, with a CFDI UUID on
every entry's last line), each in its own fresh Python process so its peak resident
memory is its own:

* ``engine``: ``cfdi.contabilidad.write_polizas`` fed by a generator, streaming with
  lxml's incremental writer (the pólizas never exist all at once);
* ``satcfdi``: the peer, satcfdi's ``PLZ13.Polizas`` built from the same entries and
  written with ``xml_write`` (its API takes the whole list, then builds the tree);
* ``tree``: the same XML built as one lxml tree in memory, then serialized (what a
  writer without streaming does).

Printed per way: seconds, peak RSS (ru_maxrss) and its growth over the process after
its imports, and the engine's speed and peak-RSS ratios against the other two. The engine's file
is validated against SAT's XSD (satcfdi ships it) so the run measures a valid file.

Usage: python3 benchmarks/bench_contabilidad.py [--entries 5000] [--lines 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, ROOT)
from datetime import date
from decimal import Decimal
from lxml import etree
from cfdi.contabilidad import CompNal, Periodo, Poliza, Solicitud, Transaccion, write_polizas
from cfdi.contabilidad.writers import NS_POLIZAS, money

import satcfdi.create.contabilidad.PLZ13 as plz

def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def entries(count, lines):
    for i in range(count):
        amount = Decimal(i % 997 + 1) + Decimal("0.37")
        uuid = f"{i:08X}-0000-4000-8000-000000000000"
        rows = [
            Transaccion("601.84.01", "Otros gastos generales", f"Gasto {i}-{j}", amount, Decimal(0))
            for j in range(lines - 1)
        ]
        rows.append(
            Transaccion(
                "201.01.01", "Proveedores nacionales", f"Proveedor {i}", Decimal(0),
                amount * (lines - 1),
                comp_nal=[CompNal(uuid, "ICV060329BY0", amount * (lines - 1), "MXN")],
            )
        )
        yield Poliza(f"BILL/2025/{i:06d}", date(2025, 1, 1 + i % 28), f"Factura {i}", rows)

PERIODO = Periodo("EKU9003173C9", 2025, 1)
SOLICITUD = Solicitud("AF", num_orden="ABC1234567/25")

def engine(out, count, lines):
    with open(out, "wb") as fh:
        write_polizas(PERIODO, SOLICITUD, entries(count, lines), fh)

def satcfdi_peer(out, count, lines):
    polizas = [
        plz.Poliza(
            p.num_un_iden_pol, p.fecha, p.concepto,
            [
                plz.Transaccion(
                    t.num_cta, t.des_cta, t.concepto, t.debe, t.haber,
                    comp_nal=[plz.CompNal(c.uuid_cfdi, c.rfc, c.monto_total, c.moneda) for c in t.comp_nal] or None,
                )
                for t in p.transacciones
            ],
        )
        for p in entries(count, lines)
    ]
    doc = plz.Polizas("EKU9003173C9", "01", 2025, "AF", polizas, num_orden="ABC1234567/25")
    doc.xml_write(out)

def tree(out, count, lines):
    q = lambda tag: f"{{{NS_POLIZAS}}}{tag}"
    root = etree.Element(q("Polizas"), {"Version": "1.3", "RFC": "EKU9003173C9", "Mes": "01",
        "Anio": "2025", "TipoSolicitud": "AF", "NumOrden": "ABC1234567/25"}, nsmap={"PLZ": NS_POLIZAS})
    for p in entries(count, lines):
        pe = etree.SubElement(root, q("Poliza"), {"NumUnIdenPol": p.num_un_iden_pol,
            "Fecha": p.fecha.isoformat(), "Concepto": p.concepto})
        for t in p.transacciones:
            te = etree.SubElement(pe, q("Transaccion"), {"NumCta": t.num_cta, "DesCta": t.des_cta,
                "Concepto": t.concepto, "Debe": money(t.debe), "Haber": money(t.haber)})
            for c in t.comp_nal:
                etree.SubElement(te, q("CompNal"), {"UUID_CFDI": c.uuid_cfdi, "RFC": c.rfc,
                    "MontoTotal": money(c.monto_total), "Moneda": c.moneda})
    etree.ElementTree(root).write(out, xml_declaration=True, encoding="UTF-8")

way, out, count, lines = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
before = rss_kb()
start = time.perf_counter()
{"engine": engine, "satcfdi": satcfdi_peer, "tree": tree}[way](out, count, lines)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_kb": rss_kb(), "base_kb": before}))
"""


def run(way: str, out: Path, entries: int, lines: int) -> dict:
    code = CHILD.replace("sys.path.insert(0, ROOT)", f"sys.path.insert(0, {str(ROOT)!r})")
    result = subprocess.run(
        [sys.executable, "-c", code, way, str(out), str(entries), str(lines)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["bytes"] = out.stat().st_size
    return figures


def validate(path: Path) -> None:
    import satcfdi
    from lxml import etree

    xsd = Path(satcfdi.__file__).parent.joinpath(
        "transform/schemas/www.sat.gob.mx/esquemas/ContabilidadE/1_3/PolizasPeriodo",
        "PolizasPeriodo_1_3.xsd",
    )
    parser = etree.XMLParser(no_network=True, huge_tree=True)
    schema = etree.XMLSchema(etree.parse(str(xsd), parser))
    if not schema.validate(etree.parse(str(path), parser)):
        raise SystemExit(f"engine output is not valid against SAT's XSD: {schema.error_log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=10)
    args = parser.parse_args()
    items = args.entries * args.lines
    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench_contabilidad_") as tmp:
        for way in ("engine", "satcfdi", "tree"):
            figures[way] = run(way, Path(tmp) / f"{way}.xml", args.entries, args.lines)
        validate(Path(tmp) / "engine.xml")
    print(f"Pólizas del periodo, {args.entries:,} entries x {args.lines} lines = {items:,} items")
    for way, f in figures.items():
        growth = (f["peak_kb"] - f["base_kb"]) / 1024
        print(
            f"  {way:8s} {f['seconds']:7.2f} s   peak RSS {f['peak_kb'] / 1024:7.1f} MB "
            f"(+{growth:6.1f} MB over imports)   file {f['bytes'] / 1e6:6.1f} MB"
        )
    engine = figures["engine"]
    for peer in ("satcfdi", "tree"):
        other = figures[peer]
        print(
            f"  engine vs {peer}: {other['seconds'] / engine['seconds']:.2f}x the speed, "
            f"{other['peak_kb'] / engine['peak_kb']:.2f}x less peak RSS"
        )
    print("  engine file validated against SAT's PolizasPeriodo_1_3.xsd")


if __name__ == "__main__":
    main()
