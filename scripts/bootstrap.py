#!/usr/bin/env python3
"""Set up what the project's commands need: a Python that imports Odoo 18, PostgreSQL
running with a role for the current user, wkhtmltopdf and Chromium.

Odoo: a Python that already imports Odoo 18 is used as it is ($PYTHON when set; else this
interpreter, python3 on PATH, or the interpreter of $ODOO_BIN or an ``odoo``/``odoo-bin`` on
PATH). Otherwise the checkout gets its own virtual environment ``.venv/`` (git-ignored):
Odoo 18 is unpacked from ODOO_SOURCE (a .tar.xz/.tar.gz/.zip path or URL, or a source
directory), its requirements are installed (psycopg2 as psycopg2-binary), then Odoo itself
with ``pip install --no-deps -e`` (so the ``odoo`` distribution exists and ``odoo-addon-*``
packages install with pip), then the project's requirements. A stamp file in .venv/
records the source and requirement files installed: a second run only checks them, and
a changed source or requirements file is installed again.

Default ODOO_SOURCE: the newest ``shared/odoo/odoo-18.0-*.tar.*`` beside the checkout or
one of its parent folders (or beside the clone's origin, for a clone of a local path),
else Odoo's official nightly 18.0 source tarball.

System parts: PostgreSQL, wkhtmltopdf and Chromium (for scripts/browser_walk.py) are installed with apt-get when missing and this
runs as root on Debian/Ubuntu (otherwise the command to run is printed and it stops);
a stopped PostgreSQL cluster on the port used (PGPORT, default 5432) is started, and the
role of the current user (PGUSER) is created when missing.

Usage: python3 scripts/bootstrap.py [--requirements FILE]... [--shell] [--system-only]
Prints the Python's path (with --shell: ODOO_PYTHON=..., ODOO_ADDONS_PATH=... and BRIDGE_MODULES=... lines
for ``eval``); progress and errors go to stderr. Exit 1 with the reason when it cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / "bootstrap-stamp.json"
NIGHTLY_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
SHARED_TARBALLS = "shared/odoo/odoo-18.0-*.tar.*"
ARCHIVE_SUFFIXES = (".tar.xz", ".tar.gz", ".tgz", ".zip")
SOURCE_HELP = (
    "Set ODOO_SOURCE to an Odoo 18 source tarball (.tar.xz/.tar.gz/.zip), its URL or an "
    "unpacked Odoo 18 source directory, or PYTHON to a Python where Odoo 18 is installed."
)


class BootstrapError(Exception):
    """What could not be set up, and what to do about it."""


def say(text: str) -> None:
    print(f"== {text}", file=sys.stderr, flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, text=True, **kwargs)


def is_root() -> bool:
    return os.geteuid() == 0


# --- a Python that imports Odoo 18 ---------------------------------------------------------


def imports_odoo18(python: str) -> bool:
    check = "import sys, odoo.release as r; sys.exit(r.version_info[:2] != (18, 0))"
    try:
        # outside the checkout, which must never be imported as a top-level package
        found = run([python, "-c", check], cwd=tempfile.gettempdir(), capture_output=True)
    except OSError:
        return False
    return found.returncode == 0


def shebang_python(command: str | None) -> str | None:
    if not command:
        return None
    try:
        first = Path(command).read_bytes()[:200].split(b"\n", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        return None
    words = first[2:].split() if first.startswith("#!") else []
    if words and Path(words[0]).name == "env" and len(words) > 1:
        return shutil.which(words[1])
    return words[0] if words else None


def candidate_pythons() -> list[str]:
    if os.environ.get("PYTHON"):
        return [os.environ["PYTHON"]]
    found = [sys.executable, shutil.which("python3")]
    for command in (os.environ.get("ODOO_BIN"), shutil.which("odoo"), shutil.which("odoo-bin")):
        found.append(shebang_python(command))
    return list(dict.fromkeys(python for python in found if python))


def installed_odoo_python() -> str | None:
    return next((python for python in candidate_pythons() if imports_odoo18(python)), None)


def base_python() -> str:
    return os.environ.get("PYTHON") or sys.executable or "python3"


# --- where Odoo comes from -------------------------------------------------------------------


def origin_path() -> Path | None:
    try:
        found = run(["git", "-C", str(ROOT), "remote", "get-url", "origin"], capture_output=True)
    except OSError:  # no git
        return None
    url = found.stdout.strip() if found.returncode == 0 else ""
    url = url.removeprefix("file://")
    if not url or re.match(r"^[\w.+-]+://", url) or re.match(r"^[\w.-]+@[\w.-]+:", url):
        return None
    path = (ROOT / url).resolve()
    return path if path.exists() else None


def shared_tarball() -> Path | None:
    for start in (ROOT, origin_path()):
        for folder in start.parents if start else ():
            found = sorted(folder.glob(SHARED_TARBALLS))
            if found:
                return found[-1]
    return None


def odoo_source() -> str:
    return os.environ.get("ODOO_SOURCE") or str(shared_tarball() or NIGHTLY_URL)


def is_url(source: str) -> bool:
    return bool(re.match(r"^(https?|ftp)://", source))


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_fingerprint(source: str) -> str:
    """Changes when the source does: a file's content, a URL, a directory's Odoo release."""
    if is_url(source):
        return source
    path = Path(source).expanduser().resolve()
    if path.is_file():
        return "sha256:" + file_digest(path)
    release = path / "odoo" / "release.py"
    if release.is_file():
        return f"{path}:{file_digest(release)}"
    raise BootstrapError(
        f"ODOO_SOURCE={source} is neither a file, a URL nor an Odoo source "
        f"directory (no odoo/release.py in it). {SOURCE_HELP}"
    )


def download(url: str, folder: Path) -> Path:
    target = folder / (Path(url.split("?")[0]).name or "odoo-source.tar.gz")
    say(f"downloading Odoo 18 from {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer, target.open("wb") as out:
            shutil.copyfileobj(answer, out)
    except OSError as error:
        raise BootstrapError(
            f"Odoo 18 could not be downloaded from {url} ({error}). {SOURCE_HELP}"
        ) from error
    return target


def unpack(archive: Path, folder: Path) -> Path:
    """The Odoo source directory (the one holding setup.py and odoo/) inside ``archive``."""
    if not archive.name.endswith(ARCHIVE_SUFFIXES):
        raise BootstrapError(f"ODOO_SOURCE={archive} is not a .tar.xz, .tar.gz or .zip file.")
    say(f"unpacking {archive.name}")
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(folder)
    else:
        with tarfile.open(archive) as bundle:
            if hasattr(tarfile, "data_filter"):
                bundle.extractall(folder, filter="data")
            else:
                bundle.extractall(folder)  # noqa: S202 (Python without extraction filters)
    for setup in sorted(folder.glob("*/setup.py")) + sorted(folder.glob("setup.py")):
        if (setup.parent / "odoo" / "release.py").is_file():
            return setup.parent
    raise BootstrapError(f"{archive} holds no Odoo source (setup.py beside odoo/release.py).")


def odoo_source_dir(source: str) -> Path:
    """An Odoo source directory for ``source``, unpacked into .venv/src when an archive."""
    path = Path(source).expanduser()
    unpacked = VENV / "src"
    shutil.rmtree(unpacked, ignore_errors=True)
    if not is_url(source) and path.is_dir():
        return path.resolve()
    unpacked.mkdir(parents=True)
    if is_url(source):
        with tempfile.TemporaryDirectory(prefix="odoo_download_") as folder:
            return unpack(download(source, Path(folder)), unpacked)
    if not path.is_file():
        raise BootstrapError(f"ODOO_SOURCE={source}: no such file or directory. {SOURCE_HELP}")
    return unpack(path, unpacked)


def odoo_series(source_dir: Path) -> tuple[int, int] | None:
    text = (source_dir / "odoo" / "release.py").read_text(encoding="utf-8")
    found = re.search(r"^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)", text, re.MULTILINE)
    return (int(found.group(1)), int(found.group(2))) if found else None


def binary_psycopg2(requirements: str) -> str:
    """Odoo's requirements with psycopg2 (built from source) replaced by psycopg2-binary."""
    return re.sub(
        r"^(\s*)psycopg2(?=\s|[=<>!~;\[]|$)", r"\1psycopg2-binary", requirements, flags=re.MULTILINE
    )


# --- the checkout's virtual environment ------------------------------------------------------


def venv_python() -> Path:
    return VENV / "bin" / "python"


def venv_runs() -> bool:
    try:
        return run([str(venv_python()), "-c", ""], capture_output=True).returncode == 0
    except OSError:
        return False


def read_stamp() -> dict:
    try:
        return json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return {}


def write_stamp(stamp: dict) -> None:
    STAMP.write_text(json.dumps(stamp, indent=1, sort_keys=True))


def pip_install(python: str, *arguments: str) -> None:
    """pip install, its output shown only when it fails (build backends warn at length)."""
    command = [python, "-m", "pip", "install", "-q", "--progress-bar", "off", *arguments]
    done = run(command, capture_output=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-5000:], sep="\n", file=sys.stderr)
        raise BootstrapError(f"pip install failed (output above): {shlex.join(command)}")


def create_venv(base: str) -> None:
    say(f"creating {VENV} with {base}")
    shutil.rmtree(VENV, ignore_errors=True)
    made = run([base, "-m", "venv", str(VENV)], capture_output=True)
    if made.returncode != 0:
        shutil.rmtree(VENV, ignore_errors=True)
        hint = "python3-venv" if "ensurepip" in made.stderr else "a Python with the venv module"
        raise BootstrapError(
            f"{base} could not create a virtual environment ({made.stderr.strip()[-300:]}). "
            f"Install {hint} (Debian/Ubuntu: apt-get install -y python3-venv) and run again."
        )
    write_stamp({})
    pip_install(str(venv_python()), "--upgrade", "pip")  # the bundled one may predate -e options


def install_odoo(source: str) -> None:
    source_dir = odoo_source_dir(source)
    if odoo_series(source_dir) != (18, 0):
        raise BootstrapError(f"{source_dir} is not Odoo 18.0 (odoo/release.py). {SOURCE_HELP}")
    requirements = VENV / "odoo-requirements.txt"
    requirements.write_text(binary_psycopg2((source_dir / "requirements.txt").read_text()))
    say("installing Odoo 18's requirements (a few minutes the first time)")
    pip_install(str(venv_python()), "-r", str(requirements))
    say(f"installing Odoo 18 from {source_dir} (pip install --no-deps -e)")
    pip_install(str(venv_python()), "--no-deps", "-e", str(source_dir))
    # The source folder on sys.path, so that odoo-addon-* wheels installed later (files in
    # site-packages/odoo/addons/) join Odoo's namespace: with only setuptools' editable
    # finder, that folder would make ``odoo`` an empty namespace package instead.
    site = run(
        [str(venv_python()), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
    ).stdout.strip()
    Path(site, "odoo-source.pth").write_text(f"{source_dir}\n")


# Odoo addons from PyPI (odoo-addon-*): they require the `odoo` distribution's own
# requirements, psycopg2 among them (built from source), which the Python has already (as
# psycopg2-binary): installed without their dependencies.
ODOO_ADDON_REQUIREMENTS = "requirements-odoo-addons.txt"


def install_requirements(python: str, files: list[Path], stamp: dict | None) -> None:
    """pip install -r each file; with a stamp, only the files changed since the last run."""
    done = stamp.setdefault("requirements", {}) if stamp is not None else {}
    for path in files:
        digest = file_digest(path)
        if done.get(path.name) == digest:
            continue
        say(f"installing {path.name}")
        no_deps = ["--no-deps"] if path.name == ODOO_ADDON_REQUIREMENTS else []
        pip_install(python, *no_deps, "-r", str(path))
        done[path.name] = digest
        if stamp is not None:
            write_stamp(stamp)


@contextlib.contextmanager
def venv_lock():
    """One bootstrap at a time per checkout (two scripts started together wait in turn)."""
    VENV.mkdir(exist_ok=True)
    with (VENV.parent / ".venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_venv(files: list[Path], imports_odoo: bool = False) -> str:
    """The checkout's .venv with Odoo from ODOO_SOURCE and ``files`` installed, as stamped.
    ``imports_odoo``: the venv's Python was just seen importing Odoo 18."""
    python = str(venv_python())
    with venv_lock():
        if not venv_runs():
            create_venv(base_python())
            imports_odoo = False
        stamp = read_stamp()
        source = odoo_source()
        fingerprint = source_fingerprint(source)
        if stamp.get("odoo") != fingerprint or not (imports_odoo or imports_odoo18(python)):
            stamp.pop("odoo", None)
            write_stamp(stamp)
            install_odoo(source)
            stamp.update(odoo=fingerprint, odoo_source=source, requirements={})
            write_stamp(stamp)
        install_requirements(python, files, stamp)
    return python


def odoo_python(requirements: tuple[str, ...] = ()) -> str:
    """A Python that imports Odoo 18 and has the project's requirements (and ``requirements``)."""
    files = [ROOT / "requirements.txt", *(ROOT / name for name in requirements)]
    python = installed_odoo_python()
    if python and os.path.abspath(python) != os.path.abspath(venv_python()):
        install_requirements(python, files, stamp=None)
        return python
    return ensure_venv(files, imports_odoo=python is not None)


def standard_addons_path(python: str) -> str:
    """Odoo's own addons folders, as the Odoo of ``python`` knows them."""
    code = (
        "import os, odoo.addons; "
        "print(','.join(p for p in odoo.addons.__path__ if os.path.isdir(p)))"
    )
    found = run([python, "-c", code], capture_output=True, cwd=tempfile.gettempdir())
    if found.returncode != 0:
        raise BootstrapError(f"{python} could not list Odoo's addons: {found.stderr[-500:]}")
    return found.stdout.strip()


def bridge_modules() -> list[str]:
    """The bridge addons of the checkout (``bridges/<name>/__manifest__.py``), sorted."""
    return sorted(p.parent.name for p in (ROOT / "bridges").glob("*/__manifest__.py"))


def addon_link(prefix: str) -> Path:
    """A new temporary addons folder holding the checkout as ``l10n_mx_einvoice`` and each
    bridge addon under its own name (see bridges/README.md)."""
    addons = Path(tempfile.mkdtemp(prefix=prefix)) / "addons"
    addons.mkdir()
    (addons / "l10n_mx_einvoice").symlink_to(ROOT)
    for name in bridge_modules():
        (addons / name).symlink_to(ROOT / "bridges" / name)
    return addons


def run_with_odoo(requirements: tuple[str, ...] = ()) -> None:
    """Make sure this script runs in a Python that imports Odoo 18: re-executes it in that
    Python when the current one is another (benchmarks that load Odoo as a library)."""
    python = odoo_python(requirements)
    ensure_system()
    if os.path.abspath(python) != os.path.abspath(sys.executable):
        sys.stdout.flush()
        os.execv(python, [python, *sys.argv])


# --- system parts: PostgreSQL and wkhtmltopdf ------------------------------------------------


def on_debian() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None


def install_packages(packages: list[str]) -> None:
    command = f"apt-get install -y --no-install-recommends {' '.join(packages)}"
    if not (is_root() and on_debian()):
        where = f"sudo {command}" if on_debian() else "your system's package manager"
        raise BootstrapError(
            f"Missing: {', '.join(packages)}. Install them ({where}), then run this again."
        )
    say(f"installing {', '.join(packages)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for step in ("apt-get update -q", command):
        if run(shlex.split(step), env=env).returncode != 0:
            raise BootstrapError(f"`{step}` failed (see above).")


def postgresql_ready() -> bool:
    return shutil.which("pg_isready") is not None and run(["pg_isready", "-q"]).returncode == 0


def postgresql_installed() -> bool:
    return bool(shutil.which("pg_ctlcluster") or shutil.which("pg_ctl") or postgresql_ready())


def ensure_packages() -> None:
    missing = [] if postgresql_installed() else ["postgresql"]
    if not shutil.which("wkhtmltopdf"):
        missing.append("wkhtmltopdf")
    if not any(map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))):
        missing.append("chromium")  # scripts/browser_walk.py
    if missing:
        install_packages(missing)


def clusters() -> list[dict]:
    """Debian's PostgreSQL clusters (pg_lsclusters), each with version, name, port, status."""
    listed = run(["pg_lsclusters", "--no-header"], capture_output=True).stdout.splitlines()
    keys = ("version", "name", "port", "status")
    return [dict(zip(keys, line.split()[:4], strict=True)) for line in listed if line.strip()]


def start_cluster(port: str) -> None:
    found = clusters()
    down = [c for c in found if c["port"] == port and c["status"] != "online"]
    if not found and is_root():
        versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: float(p.name))
        say(f"creating the PostgreSQL cluster {versions[-1].name}/main on port {port}")
        run(["pg_createcluster", versions[-1].name, "main", "--port", port])
        down = clusters()
    for cluster in down:
        say(f"starting PostgreSQL cluster {cluster['version']}/{cluster['name']} (port {port})")
        started = run(["pg_ctlcluster", cluster["version"], cluster["name"], "start"])
        if started.returncode != 0:
            command = f"sudo pg_ctlcluster {cluster['version']} {cluster['name']} start"
            raise BootstrapError(f"PostgreSQL could not be started; run `{command}`.")


def ensure_postgresql() -> None:
    if postgresql_ready():
        return
    port = os.environ.get("PGPORT", "5432")
    if shutil.which("pg_lsclusters"):
        start_cluster(port)
    for _ in range(30):
        if postgresql_ready():
            return
        time.sleep(1)
    where = os.environ.get("PGHOST", "the local socket") + f", port {port}"
    raise BootstrapError(
        f"PostgreSQL is not accepting connections ({where}) and could not be started here: "
        "start it (e.g. `sudo systemctl start postgresql`), then run this again."
    )


def role_name() -> str:
    return os.environ.get("PGUSER") or getpass.getuser()


def role_missing() -> bool:
    probe = run(["psql", "-d", "postgres", "-Atc", "SELECT 1"], capture_output=True)
    if probe.returncode == 0:
        return False
    if "does not exist" in probe.stderr and "role" in probe.stderr:
        return True
    raise BootstrapError(f"PostgreSQL refused the connection: {probe.stderr.strip()}")


def create_role(role: str) -> None:
    """As root through the postgres system user; otherwise as the postgres role (trust)."""
    create = ["createuser", "--createdb", role]
    attempts: list[tuple[list[str], dict | None]] = []
    if is_root() and shutil.which("runuser"):
        as_postgres = ["runuser", "-u", "postgres", "--", *create]
        attempts.append((as_postgres, None))
        if os.environ.get("PGHOST") in ("127.0.0.1", "localhost", "::1"):
            over_socket = {key: value for key, value in os.environ.items() if key != "PGHOST"}
            attempts.append((as_postgres, over_socket))
    attempts.append((["createuser", "-U", "postgres", "--createdb", role], None))
    for command, env in attempts:
        if run(command, capture_output=True, env=env).returncode == 0:
            say(f"created the PostgreSQL role {role} (may create databases)")
            return
    raise BootstrapError(
        f"The PostgreSQL role {role} does not exist and could not be created here; run "
        f"`sudo -u postgres createuser --createdb {role}`, then run this again."
    )


def ensure_system() -> None:
    ensure_packages()
    ensure_postgresql()
    if role_missing():
        create_role(role_name())


# --- command line ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requirements",
        action="append",
        default=[],
        metavar="FILE",
        help="another requirements file of the checkout to install",
    )
    parser.add_argument(
        "--shell",
        action="store_true",
        help="print ODOO_PYTHON=... and ODOO_ADDONS_PATH=... for eval",
    )
    parser.add_argument(
        "--system-only", action="store_true", help="only PostgreSQL (started, role) and wkhtmltopdf"
    )
    args = parser.parse_args()
    try:
        ensure_system()
        if args.system_only:
            return 0
        python = odoo_python(tuple(args.requirements))
        if args.shell:
            print(f"ODOO_PYTHON={shlex.quote(python)}")
            print(f"ODOO_ADDONS_PATH={shlex.quote(standard_addons_path(python))}")
            print(f"BRIDGE_MODULES={shlex.quote(','.join(bridge_modules()))}")
        else:
            print(python)
    except BootstrapError as error:
        print(f"BOOTSTRAP FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
