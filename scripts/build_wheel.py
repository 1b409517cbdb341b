#!/usr/bin/env python3
"""Build the addon's wheel, ``odoo_addon_l10n_mx_einvoice-<manifest version>-py3-none-any.whl``,
the OCA way: pip builds it with whool (pyproject.toml's build backend), which takes the
version from the manifest and the dependencies from its ``external_dependencies``.

whool names the package after the addon's folder and copies the whole folder when it is
not a git checkout, so the files that belong in the addon (the checkout's tracked and new
files, less the paths marked ``export-ignore`` in .gitattributes: scripts, benchmarks, CI
and editor settings) are copied to a temporary folder named ``l10n_mx_einvoice`` and the
wheel is built from there: never .venv/, build output or caches.

Usage: python3 scripts/build_wheel.py [--out DIR]   (default dist/; prints the wheel's path)
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


def build_wheel(out: Path, python: str = sys.executable) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(WHEELS):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="l10n_mx_einvoice_wheel_") as folder:
        addon = stage(Path(folder))
        command = [python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(addon)]
        subprocess.run(command, check=True, cwd=folder)
    (wheel,) = out.glob(WHEELS)
    return wheel


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    print(build_wheel(parser.parse_args().out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
