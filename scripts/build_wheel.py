#!/usr/bin/env python3
"""Build the addon's wheel, ``odoo_addon_l10n_mx_einvoice-<manifest version>-py3-none-any.whl``,
the OCA way: pip builds it with whool (pyproject.toml's build backend), which takes the
version from the manifest and the dependencies from its ``external_dependencies``.

whool names the package after the addon's folder and copies the whole folder when it is
not a git checkout, so the files that belong in the addon (the checkout's tracked and new
files, less the paths marked ``export-ignore`` in .gitattributes: scripts, benchmarks, CI
and editor settings) are copied to a temporary folder named ``l10n_mx_einvoice`` and the
wheel is built from there: never .venv/, build output or caches.

Each bridge of ``bridges/`` is built the same way as its own wheel,
``odoo_addon_<bridge>-<its manifest version>-py3-none-any.whl``: its tracked files staged in
a folder named after it, with the build-system part of pyproject.toml (whool), so that its
dependencies are the addons of its manifest (``odoo-addon-l10n_mx_einvoice``,
``odoo-addon-queue_job``, ...).

Usage: python3 scripts/build_wheel.py [--out DIR] [--bridges]   (default dist/; prints the
wheels' paths; --bridges: the bridges' wheels too)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "l10n_mx_einvoice"
WHEELS = "odoo_addon_l10n_mx_einvoice-*.whl"
BRIDGES = ROOT / "bridges"
# a bridge's folder has no pyproject.toml of its own: whool's build system is all it needs
BRIDGE_PYPROJECT = '[build-system]\nrequires = ["whool"]\nbuild-backend = "whool.buildapi"\n'


def git(*arguments: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def addon_files() -> list[str]:
    """The checkout's files that belong in the addon, relative to the checkout."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    files = sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})
    # check-attr -z answers path NUL attribute NUL value NUL for each path
    answer = git("check-attr", "-z", "--stdin", "export-ignore", stdin="\0".join(files)).split("\0")
    ignored = {answer[i] for i in range(0, len(answer) - 2, 3) if answer[i + 2] == "set"}
    return [name for name in files if name not in ignored]


def stage(folder: Path) -> Path:
    addon = folder / ADDON
    for name in addon_files():
        target = addon / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return addon


def bridge_names() -> list[str]:
    """The bridges of bridges/ (a folder with a manifest)."""
    return sorted(path.parent.name for path in BRIDGES.glob("*/__manifest__.py"))


def bridge_files(bridge: str) -> list[str]:
    """A bridge's tracked and new files, relative to its folder."""
    listed = git(
        "ls-files", "-z", "--cached", "--others", "--exclude-standard", f"bridges/{bridge}"
    )
    prefix = f"bridges/{bridge}/"
    return sorted(
        {name[len(prefix) :] for name in listed.split("\0") if name and (ROOT / name).is_file()}
    )


def stage_bridge(folder: Path, bridge: str) -> Path:
    addon = folder / bridge
    for name in bridge_files(bridge):
        target = addon / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BRIDGES / bridge / name, target)
    (addon / "pyproject.toml").write_text(BRIDGE_PYPROJECT, encoding="utf-8")
    return addon


def pip_wheel(out: Path, pattern: str, python: str, staged) -> Path:
    """Build the wheel of the addon ``staged(folder)`` puts in a scratch folder into
    ``out`` (replacing an older one matching ``pattern``)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(pattern):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="l10n_mx_einvoice_wheel_") as folder:
        addon = staged(Path(folder))
        command = [python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(addon)]
        subprocess.run(command, check=True, cwd=folder)
    (wheel,) = out.glob(pattern)
    return wheel


def build_wheel(out: Path, python: str = sys.executable) -> Path:
    return pip_wheel(out, WHEELS, python, stage)


def build_bridge_wheel(bridge: str, out: Path, python: str = sys.executable) -> Path:
    """``odoo_addon_<bridge>-<version>-py3-none-any.whl`` in ``out``."""
    return pip_wheel(
        out, f"odoo_addon_{bridge}-*.whl", python, lambda folder: stage_bridge(folder, bridge)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--bridges", action="store_true", help="the bridges' wheels too")
    arguments = parser.parse_args()
    out = arguments.out.resolve()
    print(build_wheel(out))
    for bridge in bridge_names() if arguments.bridges else ():
        print(build_bridge_wheel(bridge, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
