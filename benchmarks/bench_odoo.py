#!/usr/bin/env python3
"""Stamp 200 ten-line invoices in a real Odoo database with the sandbox PAC.

The drafts are created first (data entry, timed apart) and PostgreSQL is let finish the
upkeep that bulk insert calls for (VACUUM ANALYZE, CHECKPOINT). Then the clock runs over
``action_post`` and the stamping action on all of them, as an accountant's list view
selection does. Prints invoices per second (post + stamp, and stamp alone; target: 20
post + stamp), the cost of stamping as a multiple of Odoo's own posting of the same
invoices (the peer, measured in the same run), and the share of the time spent outside
the engine: every function of the ``cfdi`` package is wrapped with a timer (outermost
call only, so nested engine calls are counted once), and what is not inside those
wrappers is Odoo-side work (ORM, SQL, commits, attachments).

Chatter tracking is off by default; ``--tracking`` keeps it on, so that posting and
stamping each log one message per invoice, as they do for a user in the web client.

With ``--pac-latency 0.4`` the PAC is the sandbox over HTTP in its own process
(``python -m cfdi sandbox --latency 0.4``, the Finkok protocol), as a real PAC answering
in 0.4 s; ``--invoices`` (default 1000 then) are posted and stamped twice in the same run,
first one PAC call at a time (the stamp account's ``concurrency`` = 1: the sequential
path, the baseline), then ``--concurrency`` calls at once; it prints invoices/s of each,
their ratio, the peak RSS, and checks zero duplicates (one document, one UUID per invoice,
as many stamps at the PAC) and credits = UUIDs (one ledger line of -1 per UUID). With
``--queue-workers 2``, queue_job is installed in the database (and the bridge
l10n_mx_einvoice_queue with it) and the same invoices are stamped a third time as jobs
(a job per batch), taken by two worker processes as queue_job's runner would.

Usage: python3 benchmarks/bench_odoo.py [--db einvoice_bench] [--invoices 200]
       [--lines 10] [--recreate] [--tracking] [--profile FILE] [--sql]
       [--pac-latency S [--pac-jitter S] [--concurrency 24] [--queue-workers 2]]
The database is created with l10n_mx and the addon when missing (or with --recreate),
else the addon is updated to the checkout first.
"""

import argparse
import cProfile
import functools
import importlib
import inspect
import os
import pkgutil
import pstats
import resource
import runpy
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = runpy.run_path(str(ROOT / "benchmarks" / "odoo_bench_db.py"))
SETUP = runpy.run_path(str(ROOT / "scripts" / "odoo_demo_setup.py"))


class EngineClock:
    """Time spent inside the engine, counted at the outermost engine call of each thread."""

    def __init__(self):
        self.total = 0.0
        self.calls = 0
        self.local = threading.local()

    def wrap(self, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            depth = getattr(self.local, "depth", 0)
            self.local.depth = depth + 1
            start = time.perf_counter() if depth == 0 else None
            try:
                return function(*args, **kwargs)
            finally:
                self.local.depth = depth
                if start is not None:
                    self.total += time.perf_counter() - start
                    self.calls += 1

        return timed

    def install(self, package_prefix):
        """Wrap the functions and the methods of the classes of every engine module."""
        package = importlib.import_module(package_prefix)
        for info in pkgutil.walk_packages(package.__path__, package_prefix + "."):
            if ".tests" not in info.name and not info.name.endswith("__main__"):
                importlib.import_module(info.name)  # lazily imported ones too (PAC connectors)
        for name, module in list(sys.modules.items()):
            if (
                not (name == package_prefix or name.startswith(package_prefix + "."))
                or module is None
            ):
                continue
            if ".tests" in name:
                continue
            for attr, value in list(vars(module).items()):
                if inspect.isfunction(value) and value.__module__ == name:
                    setattr(module, attr, self.wrap(value))
                elif (
                    inspect.isclass(value)
                    and value.__module__ == name
                    and not issubclass(value, BaseException)
                ):
                    for method_name, method in list(vars(value).items()):
                        if inspect.isfunction(method) and not method_name.startswith("__"):
                            setattr(value, method_name, self.wrap(method))


def watch_sql(odoo):
    """Seconds and count per SQL statement (first 150 characters)."""
    costs = {}
    execute = odoo.sql_db.Cursor.execute

    def timed_execute(self, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return execute(self, query, params, log_exceptions)
        finally:
            text = " ".join(str(getattr(query, "code", query)).split())[:150]
            seconds, count = costs.get(text, (0.0, 0))
            costs[text] = (seconds + time.perf_counter() - start, count + 1)

    odoo.sql_db.Cursor.execute = timed_execute
    return costs


def settle(odoo, db):
    """Vacuum and checkpoint now the upkeep a bulk insert calls for.

    Creating the drafts writes thousands of rows in seconds; left alone, autovacuum and
    the checkpoint would run on the other core while the clock runs, measuring them with
    the posting. The drafts stand for data entered over a day, when that upkeep is done.
    """
    import psycopg2

    _db, info = odoo.sql_db.connection_info_for(db)
    connection = psycopg2.connect(**info)
    done = []
    try:
        connection.autocommit = True  # VACUUM runs outside a transaction
        with connection.cursor() as cursor:
            for statement in ("VACUUM ANALYZE account_move, account_move_line", "CHECKPOINT"):
                try:
                    cursor.execute(statement)
                    done.append(statement.split()[0])
                except psycopg2.errors.InsufficientPrivilege:
                    pass  # CHECKPOINT needs a superuser (or pg_checkpoint)
    finally:
        connection.close()
    return " + ".join(done) or "nothing (not allowed)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="einvoice_bench")
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of the timed phases to this file")
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL statements that cost most"
    )
    parser.add_argument(
        "--tracking",
        action="store_true",
        help="keep the chatter's field tracking on while posting and stamping "
        "(one message per invoice for each; off by default, as in bulk runs)",
    )
    parser.add_argument(
        "--pac-latency",
        type=float,
        help="seconds each PAC call takes: the sandbox over HTTP in its own process; "
        "compares the sequential and the concurrent path",
    )
    parser.add_argument("--pac-jitter", type=float, default=0.0, help="random extra seconds")
    # 8 calls at 0.4 s cap stamping at 20/s: the concurrent path gets more by default
    parser.add_argument("--concurrency", type=int, default=24, help="PAC calls at once")
    parser.add_argument(
        "--queue-workers",
        type=int,
        default=0,
        metavar="N",
        help="with --pac-latency: also stamp as queue_job jobs (queue_job installed in the "
        "database, with the bridge) taken by N worker processes",
    )
    parser.add_argument("--queue-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-addons", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue_worker:
        return queue_worker(args)
    if args.pac_latency is not None and "--invoices" not in " ".join(sys.argv):
        args.invoices = 1000

    try:
        odoo_cmd, addons = BENCH_DB["odoo_command_and_addons"]()
    except BENCH_DB["BOOT"]["BootstrapError"] as error:
        print(f"NO ODOO: {error}")
        return 1
    if args.recreate or not BENCH_DB["database_exists"](args.db):
        print(f"== creating database {args.db} with l10n_mx_einvoice", flush=True)
        subprocess.run(["dropdb", "--if-exists", args.db])
        install = ["-i", "l10n_mx_einvoice"]
    else:
        print(f"== updating l10n_mx_einvoice in {args.db} to this checkout", flush=True)
        install = ["-u", "l10n_mx_einvoice"]
    if args.queue_workers:
        install += ["-i", "queue_job"]  # the bridge l10n_mx_einvoice_queue comes with it
    subprocess.run(
        [
            *odoo_cmd,
            "-d",
            args.db,
            f"--addons-path={addons}",
            "--without-demo=all",
            *install,
            "--stop-after-init",
            "--log-level=warn",
            "--no-http",
        ],
        check=True,
    )

    os.chdir("/tmp")  # never import the checkout as a top-level package
    import odoo
    from odoo.tools import config

    config.parse_config(["-d", args.db, f"--addons-path={addons}", "--log-level=warn", "--no-http"])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.db)
    clock = EngineClock()
    sql_costs = watch_sql(odoo) if args.sql else None
    clock.install("odoo.addons.l10n_mx_einvoice.cfdi")

    lines = [
        (f"Concepto {n + 1}", float(n % 3 + 1), 100.0 + 7.31 * n, 5.0 if n % 4 == 0 else 0.0)
        for n in range(args.lines)
    ]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company, customer, product, tax = SETUP["demo_company"](env, credits=10**7)
        cr.commit()
        env = company.env
        if args.pac_latency is not None:
            args.worker_addons = addons
            return latency_run(args, odoo, env, company, (customer, product, tax, lines))
        # warm-up: caches (credential, connector, catalogs) are not what we measure
        SETUP["post_invoice"](
            env, company, customer, product, tax, lines
        ).action_l10n_mx_einvoice_stamp()
        cr.commit()

        # The drafts are data entry (typed in by accountants over the day), not what
        # "post and stamp" costs: they are created first and timed on their own.
        created = time.perf_counter()
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "name": name,
                                "quantity": quantity,
                                "price_unit": price,
                                "discount": discount,
                                "tax_ids": [(6, 0, tax.ids)],
                            },
                        )
                        for name, quantity, price, discount in lines
                    ],
                }
                for _ in range(args.invoices)
            ]
        )
        cr.commit()
        created = time.perf_counter() - created
        settled = settle(odoo, args.db)
        if args.tracking:
            moves = moves.with_context(tracking_disable=False)
        env.invalidate_all()  # the drafts are read back from the database, as a later request would

        clock.total, clock.calls = 0.0, 0
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        moves.action_post()
        cr.commit()
        posted = time.perf_counter()
        engine_before_stamp = clock.total
        if sql_costs is not None:
            sql_costs.clear()
        # at once, not as a background run (a large selection's default): what is measured
        now = moves.with_context(l10n_mx_einvoice_stamp_now=True)
        now.action_l10n_mx_einvoice_stamp()  # commits twice per invoice, as in production
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        done = time.perf_counter()
        stamped = env["account.move"].search_count(
            [("id", "in", moves.ids), ("l10n_mx_einvoice_state", "=", "stamped")]
        )

    total, stamping = done - start, done - posted
    engine_stamping = clock.total - engine_before_stamp
    print(
        f"invoices: {args.invoices} x {args.lines} lines, stamped: {stamped}, "
        f"chatter tracking: {'on' if args.tracking else 'off'}"
    )
    print(
        f"creating the drafts beforehand (Odoo's create, not timed below): {created:.2f} s; "
        f"then PostgreSQL's upkeep of that bulk insert: {settled}"
    )
    print(f"post + stamp: {total:.2f} s -> {args.invoices / total:.1f} invoices/s")
    print(f"  posting (Odoo's action_post on the drafts): {posted - start:.2f} s")
    print(
        f"  stamping (collect, check, seal, commit, PAC, store): {stamping:.2f} s "
        f"-> {args.invoices / stamping:.1f} invoices/s"
    )
    print(
        f"  stamping / Odoo's own posting of the same invoices: {stamping / (posted - start):.2f}x"
    )
    print(
        f"engine time (cfdi.*, {clock.calls} outermost calls): {clock.total:.2f} s; "
        f"outside the engine: {100 * (1 - clock.total / total):.0f} % of post + stamp, "
        f"{100 * (1 - engine_stamping / stamping):.0f} % of stamping"
    )
    if sql_costs:
        print("costliest SQL during stamping (seconds, count, statement):")
        for text, (seconds, count) in sorted(sql_costs.items(), key=lambda kv: -kv[1][0])[:15]:
            print(f"  {seconds:6.2f} {count:5d}  {text}")
    if profiler:
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
    return 0 if stamped == args.invoices else 1


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_pac(latency, jitter, state_dir):
    """The sandbox PAC over HTTP in its own process; (process, its URL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cfdi", "sandbox", "--port", "0", "--state-dir", state_dir]
        + ["--latency", str(latency), "--latency-jitter", str(jitter)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    banner = process.stdout.readline()
    if " on http" not in banner:
        process.kill()
        raise RuntimeError(f"the sandbox PAC did not start: {banner!r}")
    return process, banner.split(" on ", 1)[1].split(" - ", 1)[0]


def http_account(env, company, url):
    """The company's stamp account for this run: the sandbox over HTTP (Finkok protocol)."""
    account = env["l10n_mx_einvoice.stamp.account"].create(
        {
            "name": f"Sandbox PAC over HTTP (benchmark {url})",
            "company_id": company.id,
            "provider": "finkok",
            "username": "bench",
            "password": "bench",
            "url": url,
        }
    )
    env["l10n_mx_einvoice.credit.move"].create(
        {"account_id": account.id, "quantity": 10**7, "kind": "adjustment", "reason": "benchmark"}
    )
    company.l10n_mx_einvoice_stamp_account_id = account
    return account


def drafts(env, company, customer, product, tax, lines, count):
    return env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "company_id": company.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "name": name,
                            "quantity": quantity,
                            "price_unit": price,
                            "discount": discount,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    )
                    for name, quantity, price, discount in lines
                ],
            }
            for _ in range(count)
        ]
    )


def stamping_checks(env, moves, account, pac_state):
    """(stamped, duplicates, credits == UUIDs) of ``moves``; the PAC's own count too."""
    documents = moves.l10n_mx_einvoice_document_ids.filtered(lambda d: d.kind == "stamp")
    stamped = documents.filtered(lambda d: d.state == "stamped")
    uuids = set(stamped.mapped("uuid"))
    duplicates = len(documents) - len(uuids) + (len(moves) - len(stamped.move_id))
    ledger = env["l10n_mx_einvoice.credit.move"].search(
        [("account_id", "=", account.id), ("uuid", "in", list(uuids))]
    )
    credits_ok = len(ledger) == len(uuids) and sum(ledger.mapped("quantity")) == -len(uuids)
    with sqlite3.connect(Path(pac_state) / "sandbox.sqlite3") as db:
        at_pac = db.execute("SELECT count(*) FROM stamps").fetchone()[0]
    return len(stamped), duplicates, credits_ok, at_pac


def start_queue_workers(args):
    """N worker processes, their registry loaded, waiting for the word to take the jobs."""
    command = [sys.executable, str(Path(__file__).resolve()), "--db", args.db, "--queue-worker"]
    workers = [
        subprocess.Popen(
            [*command, "--worker-addons", args.worker_addons],
            cwd="/tmp",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.queue_workers)
    ]
    for worker in workers:
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a queue worker did not start")
    return workers


def run_queue_workers(workers):
    """Let the workers take the queued jobs until none is left."""
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        if worker.wait() != 0:
            raise RuntimeError("a queue worker failed")


def queue_worker(args):
    """One worker process: what queue_job's runner and /queue_job/runjob do with each
    waiting job of the CFDI channels (taken with SKIP LOCKED, so workers never share one)."""
    os.chdir("/tmp")
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-d", args.db, f"--addons-path={args.worker_addons}", "--log-level=warn", "--no-http"]
    )
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.db)
    from odoo.addons.queue_job.controllers.main import RunJobController

    print("ready", flush=True)
    sys.stdin.readline()
    while True:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT uuid FROM queue_job WHERE state = 'pending' "
                "AND channel LIKE 'root.l10n_mx_einvoice%%' ORDER BY id LIMIT 1 "
                "FOR UPDATE SKIP LOCKED"
            )
            row = cr.fetchone()
            if not row:
                return 0
            cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", row)
            cr.commit()
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            job = RunJobController._acquire_job(env, row[0])
            if job:
                RunJobController._runjob(env, job)
                cr.commit()


def latency_run(args, odoo, env, company, data):
    """The sequential path and the concurrent one against a PAC that answers in
    ``--pac-latency`` seconds, in the same run (see the module's docstring)."""
    customer, product, tax, lines = data
    cr = env.cr
    state_dir = tempfile.mkdtemp(prefix="einvoice_bench_pac_")
    pac, url = start_pac(args.pac_latency, args.pac_jitter, state_dir)
    previous = company.l10n_mx_einvoice_stamp_account_id
    try:
        account = http_account(env, company, url)
        cr.commit()
        SETUP["post_invoice"](
            env, company, customer, product, tax, lines
        ).action_l10n_mx_einvoice_stamp()  # warm-up: connector, WSDLs, caches
        cr.commit()
        print(
            f"invoices: {args.invoices} x {args.lines} lines per path; PAC: the sandbox over "
            f"HTTP in its own process, {args.pac_latency:g} s + up to {args.pac_jitter:g} s "
            "per call",
            flush=True,
        )
        results, at_pac_before = {}, 1  # the warm-up's stamp
        paths = [("sequential", 1), ("concurrent", args.concurrency)]
        if args.queue_workers:
            paths.append((f"queue_job, {args.queue_workers} workers", args.concurrency))
        for label, concurrency in paths:
            account.concurrency = concurrency
            moves = drafts(env, company, customer, product, tax, lines, args.invoices)
            cr.commit()
            settle(odoo, args.db)
            env.invalidate_all()
            workers = start_queue_workers(args) if label.startswith("queue_job") else None
            start = time.perf_counter()
            moves.action_post()
            cr.commit()
            posted = time.perf_counter()
            documents = env["l10n_mx_einvoice.document"]
            if label.startswith("queue_job"):
                documents._stamp_in_background(moves)  # a job per batch
                cr.commit()
                run_queue_workers(workers)
            else:
                documents._stamp(moves)  # the selection's stamping (no job even if installed)
            done = time.perf_counter()
            env.invalidate_all()
            stamped, duplicates, credits_ok, at_pac = stamping_checks(
                env, moves, account, state_dir
            )
            results[label] = (args.invoices / (done - start), args.invoices / (done - posted))
            print(
                f"{label} ({concurrency} PAC call{'s' if concurrency > 1 else ''} at once): "
                f"post + stamp {done - start:.1f} s -> {results[label][0]:.1f} invoices/s; "
                f"stamping alone {results[label][1]:.1f} invoices/s; stamped {stamped}, "
                f"duplicates {duplicates}, stamps at the PAC {at_pac - at_pac_before}, "
                f"credits = UUIDs: {'yes' if credits_ok else 'NO'}; "
                f"peak RSS so far {peak_rss_mb():.0f} MB",
                flush=True,
            )
            ok = stamped == args.invoices and not duplicates and credits_ok
            ok = ok and at_pac - at_pac_before == stamped
            at_pac_before = at_pac
            if not ok:
                print(f"FAILED: the {label} path did not stamp every invoice exactly once")
                return 1
        if args.queue_workers:
            label = f"queue_job, {args.queue_workers} workers"
            print(
                f"{label} / sequential (post + stamp): "
                f"{results[label][0] / results['sequential'][0]:.1f}x"
            )
        ratio = results["concurrent"][0] / results["sequential"][0]
        print(
            f"concurrent / sequential (post + stamp): {ratio:.1f}x; stamping alone: "
            f"{results['concurrent'][1] / results['sequential'][1]:.1f}x; "
            f"peak RSS {peak_rss_mb():.0f} MB"
        )
        return 0
    finally:
        company.l10n_mx_einvoice_stamp_account_id = previous
        cr.commit()
        pac.terminate()
        pac.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
