#!/usr/bin/env python3
"""A year of journal items in real Odoo → balanza and pólizas (Anexo 24): time and memory.

Creates (once, in the benchmark database) a company with l10n_mx's chart and one year of
posted entries: ``--items`` journal items in entries of ``--lines`` lines, spread over
the twelve months. Then, for each of the twelve months, the addon's way and a naive way
produce the same two files:

* ``addon``: ``l10n_mx_einvoice.contabilidad`` — balances with grouped SQL sums
  (``_read_group``), pólizas read 500 entries at a time (their journal items in one
  query per batch, account codes read once) and streamed by the engine's incremental
  writer into the SAT ZIP;
* ``naive``: every journal item of the month (and before it, for the opening balances)
  read as records and added up in Python; the pólizas built as one lxml tree from
  ``move.line_ids`` and serialized at the end.

Printed: seconds (the fastest of ``--rounds`` untraced runs, the two ways taking turns)
and peak Python memory (a further run under tracemalloc) of each way over the year, and
the addon's ratios against the naive way, measured in the same run. Both outputs are
checked equal in figures (balanza lines and póliza count) so the run compares like with
like.

The year is created once per database, in batches of 500 entries (``create`` of the
batch, then ``action_post``, committed), mail tracking off, each line with the values Odoo
would otherwise compute one by one (a profile showed line creation's precomputed fields and
the analytic lines of posting dominating).

Usage: python3 benchmarks/bench_contabilidad_odoo.py [--db conta_bench] [--items 50000]
       [--lines 10] [--year 2025] [--rounds 3] [--recreate]
"""

import argparse
import io
import runpy
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))
COMPANY = "CONTABILIDAD BENCH"
BATCH = 500  # entries created, posted and committed at a time


def company_with_a_year(env, year, items, lines):
    company = env["res.company"].search([("name", "=", COMPANY)], limit=1)
    if company:
        return company
    print(f"== creating {items} journal items of {year}", flush=True)
    company = env["res.company"].create(
        {
            "name": COMPANY,
            "country_id": env.ref("base.mx").id,
            "currency_id": env.ref("base.MXN").id,
            "vat": "EKU9003173C9",
        }
    )
    env["account.chart.template"].try_loading("mx", company, install_demo=False)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    accounts = env["account.account"].with_company(company)
    expense, bank = (
        accounts.search([("company_ids", "in", company.ids), ("code", "=", code)], limit=1)
        for code in ("601.84.01", "102.01.01")
    )
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "general")], limit=1
    )
    entries = items // lines
    began = time.perf_counter()
    for start in range(0, entries, BATCH):
        batch = range(start, min(start + BATCH, entries))
        values = [entry_values(i, year, lines, journal, expense, bank) for i in batch]
        env["account.move"].create(values).action_post()
        env.cr.commit()
        print(
            f"   {batch.stop}/{entries} entries ({time.perf_counter() - began:.0f} s)", flush=True
        )
    return company


def entry_values(i, year, lines, journal, expense, bank):
    """The i-th entry: ``lines - 1`` expenses paid from the bank. Each line says what Odoo
    would otherwise compute for it one by one (currency, no taxes, no analytic
    distribution): nearly half the time to create and post the year."""
    amount = i % 997 + 1.37
    plain = {
        "currency_id": journal.company_id.currency_id.id,
        "display_type": "product",
        "partner_id": False,
        "tax_ids": [],
        "analytic_distribution": False,
    }
    rows = [
        {"name": f"Gasto {i}-{j}", "account_id": expense.id, "debit": amount, **plain}
        for j in range(lines - 1)
    ]
    rows.append(
        {"name": f"Pago {i}", "account_id": bank.id, "credit": amount * (lines - 1), **plain}
    )
    for row in rows:
        row["balance"] = row["amount_currency"] = row.get("debit", 0.0) - row.get("credit", 0.0)
    return {
        "journal_id": journal.id,
        "date": date(year, i % 12 + 1, i % 28 + 1),
        "ref": f"Entry {i}",
        "line_ids": [(0, 0, row) for row in rows],
    }


def addon_month(env, company, year, month):
    from odoo.addons.l10n_mx_einvoice.cfdi import contabilidad as ce

    books = env["l10n_mx_einvoice.contabilidad"]
    date_from, date_to = books._bounds(year, month)
    periodo = ce.Periodo(company.vat, year, month)
    _catalogo, saldos = books._balanza(company, date_from, date_to)
    out = io.BytesIO()
    with ce.sat_zip(out, periodo, ce.files.BALANZA_NORMAL) as xml:
        ce.write_balanza(periodo, saldos, xml)
    polizas = io.BytesIO()
    count = 0

    def counted():
        nonlocal count
        for poliza in books._polizas(company, date_from, date_to):
            count += 1
            yield poliza

    with ce.sat_zip(polizas, periodo, ce.files.POLIZAS) as xml:
        ce.write_polizas(periodo, ce.Solicitud("AF", num_orden="ABC1234567/25"), counted(), xml)
    return {s.num_cta: (s.debe, s.haber) for s in saldos}, count


def naive_month(env, company, year, month):
    """Every journal item as a record, summed in Python; the pólizas as one tree."""
    from lxml import etree
    from odoo.addons.l10n_mx_einvoice.cfdi.contabilidad.writers import NS_POLIZAS, money

    books = env["l10n_mx_einvoice.contabilidad"]
    date_from, date_to = books._bounds(year, month)
    domain = [("company_id", "=", company.id), ("parent_state", "=", "posted")]
    lines = env["account.move.line"].search(domain + [("date", "<=", date_to)])
    sums = {}
    for line in lines:
        if line.date >= date_from:
            debit, credit = sums.get(line.account_id.code, (Decimal(0), Decimal(0)))
            sums[line.account_id.code] = (
                debit + Decimal(str(line.debit)),
                credit + Decimal(str(line.credit)),
            )
    moves = env["account.move"].search(
        [
            ("company_id", "=", company.id),
            ("state", "=", "posted"),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
        ]
    )
    root = etree.Element(f"{{{NS_POLIZAS}}}Polizas", nsmap={"PLZ": NS_POLIZAS})
    for move in moves:
        poliza = etree.SubElement(root, f"{{{NS_POLIZAS}}}Poliza", NumUnIdenPol=move.name)
        for line in move.line_ids:
            etree.SubElement(
                poliza,
                f"{{{NS_POLIZAS}}}Transaccion",
                NumCta=line.account_id.code,
                Debe=money(Decimal(str(line.debit))),
                Haber=money(Decimal(str(line.credit))),
            )
    etree.tostring(root)
    return sums, len(moves)


def timed(env, function, company, year):
    """Seconds of a year's run without tracing, from an empty cache, and its results."""
    env.invalidate_all()
    start = time.perf_counter()
    results = [function(env, company, year, month) for month in range(1, 13)]
    return time.perf_counter() - start, results


def traced(env, function, company, year):
    """Peak Python memory of a year's run under tracemalloc (tracing slows Python down, so
    it never runs under the clock)."""
    env.invalidate_all()
    tracemalloc.start()
    for month in range(1, 13):
        function(env, company, year, month)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(env, company, year, rounds):
    """{way: (best seconds, peak memory, results)}: the two ways take turns ``rounds``
    times, each round in the other order, and each keeps its fastest round, so that the
    load of a shared machine (and a database cache warmed by the way before) weighs on
    both alike."""
    ways = {"naive": naive_month, "addon": addon_month}
    best = {}
    for turn in range(rounds):
        for name in list(ways)[:: 1 if turn % 2 else -1]:
            seconds, results = timed(env, ways[name], company, year)
            print(f"   round {turn + 1} {name}: {seconds:.2f} s", flush=True)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, results)
    return {
        name: (best[name][0], traced(env, ways[name], company, year), best[name][1])
        for name in ways
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="conta_bench")
    parser.add_argument("--items", type=int, default=50000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each way")
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()
    odoo, registry = BENCH_DB["open_registry"](args.db, args.recreate)
    if odoo is None:
        print(registry)
        return 1
    with registry.cursor() as cr:
        quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, quiet)
        company = company_with_a_year(env, args.year, args.items, args.lines)
        env = env(context=dict(env.context, allowed_company_ids=company.ids))
        count = env["account.move.line"].search_count([("company_id", "=", company.id)])
        print(f"== {count} journal items of {args.year}, 12 monthly balanzas and pólizas")
        measured = measure(env, company, args.year, args.rounds)
        naive, addon = measured["naive"], measured["addon"]
        for (a_sums, a_count), (n_sums, n_count) in zip(addon[2], naive[2], strict=True):
            assert a_count == n_count, (a_count, n_count)
            for code, (debit, credit) in n_sums.items():
                assert a_sums[code] == (
                    debit.quantize(Decimal("0.01")),
                    credit.quantize(Decimal("0.01")),
                )
        for name, (seconds, peak, _r) in (("naive", naive), ("addon", addon)):
            print(f"{name:6} {seconds:8.2f} s   peak Python memory {peak / 2**20:8.1f} MiB")
        print(
            f"addon vs naive: {naive[0] / addon[0]:.2f}x faster, "
            f"{naive[1] / addon[1]:.2f}x less peak memory"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
