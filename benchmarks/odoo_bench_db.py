"""Open (and create when missing) the Odoo database a benchmark runs in.

``open_registry(db, recreate)`` makes sure the calling script runs in a Python with Odoo 18
(scripts/bootstrap.py: the one found, or the checkout's .venv/; the script is executed
again in it when needed), links the checkout as ``addons/l10n_mx_einvoice`` in a
temporary directory, creates ``db`` with the addon installed when it is missing (or
with ``recreate``), loads Odoo as a library and returns ``(odoo, registry)``; it
returns ``(None, message)`` when Odoo or PostgreSQL cannot be set up.
"""

import base64
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT = runpy.run_path(str(ROOT / "scripts" / "bootstrap.py"))
BENCH_SECRET_KEY = base64.urlsafe_b64encode(b"l10n_mx_einvoice benchmark only!").decode()


def odoo_command_and_addons():
    """``([python, -m, odoo], addons path)`` in the Python that runs this script (re-executed
    in the Odoo 18 Python first when this one has none); raises BootstrapError."""
    BOOT["run_with_odoo"](("requirements-test.txt", "requirements-odoo-addons.txt"))
    # secrets at rest need a key outside the database (README, "Secret key"); a benchmark
    # database holds SAT's public test CSD only and is reused between runs: a fixed key
    os.environ.setdefault("L10N_MX_EINVOICE_SECRET_KEY", BENCH_SECRET_KEY)
    addons = (
        f"{BOOT['addon_link']('einvoice_bench_')},{BOOT['standard_addons_path'](sys.executable)}"
    )
    return [sys.executable, "-m", "odoo"], addons


def database_exists(db):
    found = subprocess.run(
        ["psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'", "postgres"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def open_registry(db, recreate=False, module="l10n_mx_einvoice"):
    try:
        odoo_cmd, addons = odoo_command_and_addons()
    except BOOT["BootstrapError"] as error:
        return None, f"NO ODOO: {error}"
    if recreate or not database_exists(db):
        print(f"== creating database {db} with {module}", flush=True)
        subprocess.run(["dropdb", "--if-exists", db])
        subprocess.run(
            [
                *odoo_cmd,
                "-d",
                db,
                f"--addons-path={addons}",
                "--without-demo=all",
                "-i",
                module,
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
