#!/usr/bin/env python3
"""The global invoice of 10,000 Point of Sale tickets of one month against issuing the same
tickets as individual invoices.

Each side runs in its own process (its own peak RSS), in a database with the POS bridge
(``l10n_mx_einvoice_pos``) and the sandbox PAC:

- ``prepare``: a shop (demo company, cash and card payment methods) and ``--orders`` paid
  tickets of this month, created in batches with ``pos.order.create`` (fast data entry,
  not timed: not what is measured);
- ``global``: the clock runs over the global invoice request (the wizard proposing the
  month's free tickets) and *Create and stamp*: one CFDI with one Concepto per ticket,
  sealed, stamped by the sandbox PAC and stored;
- ``individual`` (the baseline): ``--sample`` tickets with a customer, each invoiced as the
  POS does (``pos.order.action_pos_order_invoice``: invoice, posting, the CFDI stamped),
  committed one by one; per ticket, and PROJECTED to ``--orders`` tickets (clearly a
  projection: sample time / sample x orders). No PDF is rendered (``generate_pdf`` off) on
  this side: only the accounting and the CFDI are compared.

Prints the time and the peak RSS of each side and their ratio.

Usage: python3 benchmarks/bench_pos_global.py [--db pos_bench] [--orders 10000]
       [--sample 500] [--recreate]
"""

import argparse
import json
import random
import resource
import runpy
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))
SETUP = runpy.run_path(str(ROOT / "scripts" / "odoo_demo_setup.py"))
SHOP = ROOT / "bridges" / "l10n_mx_einvoice_pos" / "tests" / "common.py"
BATCH = 500


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def environment(db, recreate=False):
    """Odoo and the registry of ``db``, created with the POS bridge when missing."""
    odoo, registry = BENCH_DB["open_registry"](db, recreate, module="l10n_mx_einvoice_pos")
    if odoo is None:
        sys.exit(registry)
    return odoo, registry


def shop(env):
    company, customer, product, tax = SETUP["demo_company"](env)
    env.cr.commit()  # the company whole (chart, CSD, PAC) even if a later step fails
    # the administrator (a POS user), as superuser
    env = env(user=env.ref("base.user_admin").id, su=True)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    product = product.with_env(env)
    product.write({"taxes_id": [(6, 0, tax.ids)], "available_in_pos": True})
    config = env["pos.config"].search(
        [("company_id", "=", company.id), ("name", "=like", "Bench POS%")], limit=1
    )
    if config and config.current_session_id:
        session = config.current_session_id
        return env, company.with_env(env), customer.with_env(env), product, session
    if not env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1):
        env["stock.warehouse"].create({"name": "Bench", "code": "BNCH", "company_id": company.id})
    helpers = runpy.run_path(str(SHOP))
    config, session, _cash, _card = helpers["setup_shop"](env, company, product, "Bench POS")
    return env, company.with_env(env), customer.with_env(env), product, session


def create_tickets(env, session, product, count, partner=None):
    """``count`` paid tickets of this month, created in batches (not timed)."""
    tax = product.taxes_id
    cash, card = (
        session.payment_method_ids.filtered("is_cash_count")[:1],
        session.payment_method_ids.filtered(lambda m: not m.is_cash_count)[:1],
    )
    now = datetime.now()
    start = now.replace(day=1, hour=6, minute=0, second=0, microsecond=0)
    span = max(int((now - start).total_seconds()) - 60, 1)
    created = env["pos.order"]
    rng = random.Random(15)
    for first in range(0, count, BATCH):
        values = []
        for number in range(first, min(first + BATCH, count)):
            price = round(rng.uniform(10, 500), 2)
            qty = rng.randint(1, 3)
            computed = tax.compute_all(price, session.currency_id, qty, product=product)
            total = computed["total_included"]
            values.append(
                {
                    "session_id": session.id,
                    "partner_id": partner.id if partner else False,
                    "date_order": start + timedelta(seconds=rng.randrange(span)),
                    "pos_reference": f"Order B{number:06d}-{rng.randrange(10**6):06d}",
                    "lines": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "full_product_name": product.display_name,
                                "qty": qty,
                                "price_unit": price,
                                "price_subtotal": computed["total_excluded"],
                                "price_subtotal_incl": total,
                                "tax_ids": [(6, 0, tax.ids)],
                            },
                        )
                    ],
                    "payment_ids": [
                        (
                            0,
                            0,
                            {
                                "amount": total,
                                "payment_method_id": (cash if number % 3 else card).id,
                            },
                        )
                    ],
                    "amount_total": total,
                    "amount_tax": total - computed["total_excluded"],
                    "amount_paid": total,
                    "amount_return": 0.0,
                    "state": "paid",
                }
            )
        created |= env["pos.order"].create(values)
        env.cr.commit()
    return created


def side_prepare(db, orders):
    _odoo, registry = environment(db)
    with registry.cursor() as cr:
        from odoo import SUPERUSER_ID, api

        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env, _company, _customer, product, session = shop(env)
        started = time.perf_counter()
        create_tickets(env, session, product, orders)
        return {"created": orders, "seconds": time.perf_counter() - started}


def side_global(db):
    _odoo, registry = environment(db)
    with registry.cursor() as cr:
        from odoo import SUPERUSER_ID, api

        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env, company, _customer, _product, _session = shop(env)
        cr.commit()
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        request = env["l10n_mx_einvoice.global.invoice"].create(
            {"company_id": company.id, "periodicidad": "04"}
        )
        proposed = time.perf_counter() - started
        tickets = len(request.pos_order_ids)
        action = request.action_create_global_invoice()
        seconds = time.perf_counter() - started
        document = env["l10n_mx_einvoice.document"].browse(action["res_id"])
        data = document.attachment_id.raw or b""
        return {
            "tickets": tickets,
            "seconds": seconds,
            "proposal_seconds": proposed,
            "state": document.state,
            "conceptos": data.count(b"<cfdi:Concepto "),
            "xml_kb": len(data) / 1024,
            "linked": env["pos.order"].search_count(
                [("l10n_mx_einvoice_global_document_id", "=", document.id)]
            ),
            "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mb(),
        }


def side_individual(db, sample):
    _odoo, registry = environment(db)
    with registry.cursor() as cr:
        from odoo import SUPERUSER_ID, api

        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env, _company, customer, product, session = shop(env)
        orders = create_tickets(env, session, product, sample, partner=customer)
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        for order in orders:
            order.with_context(generate_pdf=False).action_pos_order_invoice()
            cr.commit()
        seconds = time.perf_counter() - started
        stamped = orders.account_move.filtered(lambda m: m.l10n_mx_einvoice_uuid)
        return {
            "sample": sample,
            "seconds": seconds,
            "stamped": len(stamped),
            "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mb(),
        }


def run_side(args, side):
    command = [sys.executable, __file__, "--side", side, "--db", args.db]
    command += ["--orders", str(args.orders), "--sample", str(args.sample)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode or not lines:
        sys.exit(f"side {side} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pos_bench")
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--side", choices=["prepare", "global", "individual"])
    args = parser.parse_args()
    if args.side == "prepare":
        print(json.dumps(side_prepare(args.db, args.orders)))
        return
    if args.side == "global":
        print(json.dumps(side_global(args.db)))
        return
    if args.side == "individual":
        print(json.dumps(side_individual(args.db, args.sample)))
        return
    if args.recreate or not BENCH_DB["database_exists"](args.db):
        environment(args.db, args.recreate)
    prepared = run_side(args, "prepare")
    print(f"prepared {prepared['created']} paid tickets in {prepared['seconds']:.1f} s (not timed)")
    base = run_side(args, "individual")
    per_order = base["seconds"] / base["sample"]
    projected = per_order * args.orders
    print(
        f"individual invoices (baseline, measured on a sample): {base['sample']} tickets in "
        f"{base['seconds']:.1f} s = {per_order * 1000:.0f} ms per ticket, {base['stamped']} "
        f"stamped; peak RSS {base['peak_rss_mb']:.0f} MB (before: {base['rss_before_mb']:.0f})"
    )
    print(f"  PROJECTED to {args.orders} tickets: {projected:.0f} s ({projected / 60:.1f} min)")
    glob = run_side(args, "global")
    print(
        f"global invoice: {glob['tickets']} tickets -> 1 CFDI ({glob['state']}, "
        f"{glob['conceptos']} Conceptos, {glob['xml_kb']:.0f} KB, {glob['linked']} tickets "
        f"linked) in {glob['seconds']:.1f} s (proposal {glob['proposal_seconds']:.1f} s); "
        f"peak RSS {glob['peak_rss_mb']:.0f} MB (before: {glob['rss_before_mb']:.0f})"
    )
    print(
        f"ratio: the global invoice takes {glob['seconds'] / projected:.3f} of the projected "
        f"individual time ({projected / glob['seconds']:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
