#!/usr/bin/env python3
"""The addon as a pip package, end to end (called by scripts/test).

1. Builds the wheel (scripts/build_wheel.py) and checks what it holds: exactly the addon's
   files (the engine's catalogs, WSDLs and fixtures included), nothing of .venv/, caches,
   build output or the checkout's tooling; and what it declares: its name, the manifest's
   version, and as dependencies Odoo 18 plus the manifest's external_dependencies, which
   must name requirements.txt's packages.
2. Installs it with pip into a scratch virtual environment beside Odoo 18 (the scratch
   environment sees the Odoo Python's packages through a .pth file; the addon itself is
   only in the scratch one), then runs scripts/demo with that Python and
   DEMO_FROM_INSTALLED=1: a fresh database gets the module from the wheel, and an invoice
   is stamped, its PDF printed, a payment complement stamped and an invoice cancelled.
3. Builds the job queue bridge's own wheel (odoo-addon-l10n_mx_einvoice_queue: its files,
   version, and the main addon and queue_job as dependencies), installs it beside the main
   one and has Odoo install the bridge from it in the demo's database.

Prints "wheel: passed" or the problems ("wheel: FAILED"); exit 0 or 1.
Env: PYTHON, ODOO_SOURCE (see scripts/bootstrap.py); KEEP_DB=1 keeps the database.
"""

from __future__ import annotations

import ast
import email.parser
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT = runpy.run_path(str(ROOT / "scripts" / "bootstrap.py"))
BUILD = runpy.run_path(str(ROOT / "scripts" / "build_wheel.py"))
PREFIX = "odoo/addons/l10n_mx_einvoice/"
QUEUE_BRIDGE = "l10n_mx_einvoice_queue"  # the bridge installed from its wheel
JUNK_PARTS = {".venv", ".git", "__pycache__", "build", "dist", "demo_out", "node_modules"}
# kinds of files the addon reads at run time: SAT catalogs, WSDLs, SAT's test CSD
RUNTIME_DATA = (".csv", ".wsdl", ".cer", ".key")


def manifest() -> dict:
    return ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))


def requirements_txt() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def names(requirements) -> set[str]:
    """Normalized distribution names (PEP 503) of requirement lines."""
    return {re.sub(r"[-_.]+", "-", re.match(r"[\w.-]+", text)[0]).lower() for text in requirements}


def content_problems(names: list[str]) -> list[str]:
    addon = {name[len(PREFIX) :] for name in names if name.startswith(PREFIX)}
    outside = [name for name in names if not name.startswith(PREFIX) and ".dist-info/" not in name]
    expected = set(BUILD["addon_files"]()) - {"pyproject.toml"}
    junk = [
        name
        for name in addon
        if JUNK_PARTS & set(Path(name).parts)
        or any(part.startswith(".") for part in Path(name).parts)
        or name.endswith((".pyc", ".whl"))
    ]
    problems = [f"outside the addon: {name}" for name in outside]
    problems += [f"junk in the wheel: {name}" for name in sorted(junk)]
    problems += [f"missing from the wheel: {name}" for name in sorted(expected - addon)]
    problems += [f"not an addon file: {name}" for name in sorted(addon - expected)]
    for data in manifest()["data"]:
        if data not in addon:
            problems.append(f"manifest data file missing: {data}")
    for suffix in RUNTIME_DATA:
        if not any(name.startswith("cfdi/") and name.endswith(suffix) for name in addon):
            problems.append(f"no {suffix} file of the engine in the wheel")
    return problems


def wheel_metadata(wheel: zipfile.ZipFile):
    (path,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    return email.parser.HeaderParser().parsestr(wheel.read(path).decode())


def metadata_problems(wheel: zipfile.ZipFile) -> list[str]:
    metadata = wheel_metadata(wheel)
    declared = manifest()["external_dependencies"]["python"]
    problems = []
    if metadata["Name"] != "odoo-addon-l10n_mx_einvoice":
        problems.append(f"package name {metadata['Name']}")
    if metadata["Version"] != manifest()["version"]:
        problems.append(f"version {metadata['Version']} != manifest {manifest()['version']}")
    requires = metadata.get_all("Requires-Dist")
    if "odoo==18.0.*" not in requires or names(requires) != names(["odoo", *declared]):
        problems.append(f"Requires-Dist {requires} != Odoo 18 and {declared}")
    if names(declared) != names(requirements_txt()):
        problems.append(
            f"manifest external_dependencies {sorted(names(declared))} != "
            f"requirements.txt {sorted(names(requirements_txt()))}"
        )
    return problems


def bridge_problems(wheel_path: Path, bridge: str = QUEUE_BRIDGE) -> list[str]:
    """A bridge's wheel: exactly its files, its name and version, and as dependencies
    Odoo 18 and the addons its manifest depends on (the main addon's wheel, queue_job)."""
    prefix = f"odoo/addons/{bridge}/"
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        metadata = wheel_metadata(wheel)
    files = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    expected = set(BUILD["bridge_files"](bridge))
    problems = [f"{bridge}: missing from its wheel: {name}" for name in sorted(expected - files)]
    problems += [f"{bridge}: not its file: {name}" for name in sorted(files - expected)]
    manifest_path = ROOT / "bridges" / bridge / "__manifest__.py"
    bridge_manifest = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
    if metadata["Name"] != f"odoo-addon-{bridge}":
        problems.append(f"{bridge}: package name {metadata['Name']}")
    if metadata["Version"] != bridge_manifest["version"]:
        problems.append(f"{bridge}: version {metadata['Version']}")
    requires = set(metadata.get_all("Requires-Dist"))
    needed = {"odoo==18.0.*", "odoo-addon-l10n_mx_einvoice==18.0.*", "odoo-addon-queue_job==18.0.*"}
    if not needed <= requires:
        problems.append(
            f"{bridge}: Requires-Dist {sorted(requires)} lacks {sorted(needed - requires)}"
        )
    return problems


def bridge_from_wheel(python: str, db: str, bridge: str = QUEUE_BRIDGE) -> list[str]:
    """Odoo installs ``bridge`` from its wheel in the demo's database (the main addon from
    its wheel is there already)."""
    addons = BOOT["standard_addons_path"](python)
    install = subprocess.run(
        [python, "-m", "odoo", "-d", db, f"--addons-path={addons}", "-i", bridge]
        + ["--stop-after-init", "--no-http", "--log-level=warn"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    state = subprocess.run(
        ["psql", "-d", db, "-tAc", f"SELECT state FROM ir_module_module WHERE name = '{bridge}'"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    site = python_output(python, "import sysconfig; print(sysconfig.get_path('purelib'))")
    where = python_output(python, f"import odoo.addons.{bridge} as m; print(m.__file__)")
    print(f"== {bridge} from its wheel: {state or 'not installed'} ({where})")
    problems = []
    if install.returncode != 0 or state != "installed":
        print(install.stderr[-3000:])
        problems.append(f"{bridge} did not install from its wheel ({state or 'absent'})")
    if not where.startswith(site):
        problems.append(f"{bridge} was not loaded from its wheel in {site}: {where}")
    return problems


def python_output(python: str, code: str) -> str:
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    return done.stdout.strip()


def scratch_venv_beside(odoo_python: str, folder: Path) -> str:
    """A new virtual environment that also sees ``odoo_python``'s installed packages.

    The folder holding the ``odoo`` package comes first: with an Odoo installed in
    setuptools' strict editable mode, the wheel's ``odoo/addons/`` folder would otherwise
    make ``odoo`` a bare namespace package."""
    subprocess.run([odoo_python, "-m", "venv", str(folder)], check=True)
    python = str(folder / "bin" / "python")
    odoo_home = python_output(
        odoo_python, "import odoo, os; print(os.path.dirname(odoo.__path__[0]))"
    )
    sites = python_output(odoo_python, "import site; print('\\n'.join(site.getsitepackages()))")
    own_site = Path(python_output(python, "import sysconfig; print(sysconfig.get_path('purelib'))"))
    lines = [odoo_home] + [f"import site; site.addsitedir({d!r})" for d in sites.splitlines()]
    (own_site / "odoo_beside.pth").write_text("\n".join(lines) + "\n")
    return python


def demo_from_wheel(python: str, work: Path) -> list[str]:
    """scripts/demo with the scratch Python and the addon from its wheel."""
    db = f"l10n_mx_einvoice_wheel_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    env = dict(
        os.environ, PYTHON=python, DEMO_DB=db, DEMO_OUT=str(work / "out"), DEMO_FROM_INSTALLED="1"
    )
    try:
        demo = subprocess.run(
            [python, str(ROOT / "scripts" / "demo")], env=env, capture_output=True, text=True
        )
        bridge = bridge_from_wheel(python, db) if demo.returncode == 0 else []
    finally:
        if os.environ.get("KEEP_DB") != "1":
            subprocess.run(["dropdb", "--if-exists", db], capture_output=True)
    print(demo.stdout[-2500:])
    loaded = [line for line in demo.stdout.splitlines() if line.startswith("Addon loaded from: ")]
    site = python_output(python, "import sysconfig; print(sysconfig.get_path('purelib'))")
    problems = []
    if demo.returncode != 0:
        print(demo.stderr[-3000:])
        problems.append(f"scripts/demo exited {demo.returncode}")
    if "UUID: " not in demo.stdout:
        problems.append("the demo invoice was not stamped")
    if not loaded or not loaded[0].split(": ", 1)[1].startswith(site):
        problems.append(f"the addon was not loaded from the wheel in {site}: {loaded}")
    return problems + bridge


def main() -> int:
    try:
        odoo_python = BOOT["odoo_python"]()
    except BOOT["BootstrapError"] as error:
        print(f"NO ODOO: {error}\nwheel: FAILED")
        return 1
    work = Path(tempfile.mkdtemp(prefix="l10n_mx_einvoice_wheel_check_"))
    try:
        wheel_path = BUILD["build_wheel"](work / "dist", odoo_python)
        print(f"== built {wheel_path.name}")
        with zipfile.ZipFile(wheel_path) as wheel:
            problems = content_problems(wheel.namelist()) + metadata_problems(wheel)
            print(f"== {len(wheel.namelist())} files in the wheel")
        bridge_path = BUILD["build_bridge_wheel"](QUEUE_BRIDGE, work / "dist", odoo_python)
        print(f"== built {bridge_path.name}")
        problems += bridge_problems(bridge_path)
        if not problems:
            python = scratch_venv_beside(odoo_python, work / "venv")
            print(f"== pip install {wheel_path.name} {bridge_path.name} into {work / 'venv'}")
            subprocess.run(
                [python, "-m", "pip", "install", "-q", str(wheel_path), str(bridge_path)],
                check=True,
            )
            print("== scripts/demo with the addon from the wheel")
            problems = demo_from_wheel(python, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(problems))
    print("wheel: passed" if not problems else "wheel: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
