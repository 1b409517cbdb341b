"""Open (and create when missing) the Odoo database a benchmark runs in.

``open_registry(db, recreate)`` links the checkout as ``addons/l10n_mx_einvoice`` in a
temporary directory, creates ``db`` with the addon installed when it is missing (or
with ``recreate``), loads Odoo as a library and returns ``(odoo, registry)``; it
returns ``(None, message)`` when Odoo or PostgreSQL is not available.
"""

import os
import runpy
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = runpy.run_path(
    str(ROOT / "scripts" / "demo")
)  # find_odoo, ensure_postgresql, standard_addons


def database_exists(db):
    found = subprocess.run(
        ["psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'", "postgres"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def open_registry(db, recreate=False):
    odoo_cmd = DEMO["find_odoo"]()
    if not odoo_cmd:
        return None, "ODOO NOT FOUND: the benchmark needs an installed Odoo 18 (see README)."
    if not DEMO["ensure_postgresql"]():
        return None, "PostgreSQL is not running."
    work = Path(tempfile.mkdtemp(prefix="einvoice_bench_"))
    (work / "addons").mkdir()
    (work / "addons" / "l10n_mx_einvoice").symlink_to(ROOT)
    addons = f"{work / 'addons'},{DEMO['standard_addons'](odoo_cmd)}"
    if recreate or not database_exists(db):
        print(f"== creating database {db} with l10n_mx_einvoice", flush=True)
        subprocess.run(["dropdb", "--if-exists", db])
        subprocess.run(
            [
                *odoo_cmd,
                "-d",
                db,
                f"--addons-path={addons}",
                "--without-demo=all",
                "-i",
                "l10n_mx_einvoice",
                "--stop-after-init",
                "--log-level=warn",
                "--no-http",
            ],
            check=True,
        )
    os.chdir("/tmp")  # never import the checkout as a top-level package
    import odoo
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={addons}", "--log-level=warn", "--no-http"])
    odoo.service.server.load_server_wide_modules()
    return odoo, odoo.modules.registry.Registry(db)
