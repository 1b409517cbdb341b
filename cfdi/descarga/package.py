"""A package SAT delivered: a ZIP of CFDI XML files, or of one Metadata text file.

Everything the ZIP's directory declares is checked *before any member is inflated*:
the number of members, each member's name (flat, ``.xml`` or ``.txt``), encryption,
compression method, each member's size and compression ratio, and the total size.
Python's ``zipfile`` never inflates a member beyond its declared size (and checks its
CRC), so these checks bound the work however the archive was built. A package that
fails one is refused whole, naming the reason, and nothing of it is read.

Members are then read one at a time (``cfdi()``, ``metadata()``), so a package of
200,000 CFDI never sits in memory at once.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import PackageRefused
from .metadata import MetadataRecord, read_metadata, read_third_parties

MIB = 1024 * 1024
GIB = 1024 * MIB
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(xml|txt)$", re.IGNORECASE)
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
THIRD_PARTY_SUFFIX = "_tercero.txt"


@dataclass(frozen=True)
class PackageLimits:
    max_members: int = 250_000  # SAT puts up to 200,000 CFDI in a package
    max_xml_bytes: int = 5 * MIB  # one CFDI (one with thousands of concepts is ~2 MiB)
    max_text_bytes: int = 2 * GIB  # one Metadata file (1,000,000 lines of ~300 bytes)
    max_total_bytes: int = 8 * GIB  # everything the package expands to
    max_ratio: int = 200  # declared size / compressed size of one member
    ratio_floor: int = MIB  # members smaller than this are not ratio-checked


DEFAULT_LIMITS = PackageLimits()


@dataclass(frozen=True)
class PackageFile:
    name: str
    data: bytes

    @property
    def uuid(self) -> str:
        """SAT names each CFDI ``<UUID>.xml``."""
        return self.name.rsplit(".", 1)[0].upper()


class Package:
    """Open with a path, bytes or a binary file; use as a context manager."""

    def __init__(
        self,
        source: str | Path | bytes | BinaryIO,
        package_id: str = "",
        limits: PackageLimits = DEFAULT_LIMITS,
    ) -> None:
        self.package_id = package_id or (
            Path(source).stem if isinstance(source, str | Path) else ""
        )
        self.limits = limits
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        try:
            self._zip = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise self._refused("no es un ZIP legible", "it is not a readable ZIP") from exc
        try:
            self.members = self._checked(self._zip.infolist())
        except PackageRefused:
            self._zip.close()
            raise

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # --- checks before inflating -----------------------------------------------

    def _refused(self, es: str, en: str) -> PackageRefused:
        name = self.package_id or "(sin nombre)"
        return PackageRefused(
            f"El paquete {name} se rechazó sin abrirlo: {es}.",
            f"Package {self.package_id or '(unnamed)'} was refused unopened: {en}.",
        )

    def _checked(self, members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        limits = self.limits
        if len(members) > limits.max_members:
            raise self._refused(
                f"contiene {len(members)} archivos (máximo {limits.max_members})",
                f"it holds {len(members)} files (limit {limits.max_members})",
            )
        names = [info.filename for info in members]
        if len(set(names)) != len(names):
            raise self._refused("repite nombres de archivo", "it repeats file names")
        for info in members:
            self._check_member(info)
        total = sum(info.file_size for info in members)
        if total > limits.max_total_bytes:
            raise self._refused(
                f"se expande a {total // MIB} MiB (máximo {limits.max_total_bytes // MIB})",
                f"it expands to {total // MIB} MiB (limit {limits.max_total_bytes // MIB})",
            )
        return members

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        name, limits = info.filename, self.limits
        if not _NAME.match(name):
            raise self._refused(
                f"el archivo «{name[:80]}» no es un .xml ni un .txt con nombre simple",
                f"member «{name[:80]}» is not a plainly named .xml or .txt",
            )
        if info.flag_bits & 0x1:
            raise self._refused(f"«{name}» está cifrado", f"«{name}» is encrypted")
        if info.compress_type not in _METHODS:
            raise self._refused(
                f"«{name}» usa una compresión no soportada", f"«{name}» uses an unknown compression"
            )
        limit = limits.max_xml_bytes if name.lower().endswith(".xml") else limits.max_text_bytes
        if info.file_size > limit:
            raise self._refused(
                f"«{name}» se expande a {info.file_size // MIB} MiB (máximo {limit // MIB})",
                f"«{name}» expands to {info.file_size // MIB} MiB (limit {limit // MIB})",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise self._refused(
                f"«{name}» se comprime {ratio:.0f}:1 (máximo {limits.max_ratio}:1): bomba ZIP",
                f"«{name}» compresses {ratio:.0f}:1 (limit {limits.max_ratio}:1): a ZIP bomb",
            )

    # --- reading, one member at a time -------------------------------------------

    @property
    def kind(self) -> str:
        """``CFDI`` or ``Metadata`` (what the members are), ``""`` when empty."""
        if any(info.filename.lower().endswith(".xml") for info in self.members):
            return "CFDI"
        return "Metadata" if self.members else ""

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self._zip.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise self._refused(
                f"«{info.filename}» está dañado", f"«{info.filename}» is damaged"
            ) from exc
        if len(data) != info.file_size:
            raise self._refused(
                f"«{info.filename}» no mide lo que declara",
                f"«{info.filename}» is not its declared size",
            )
        return data

    def cfdi(self) -> Iterator[PackageFile]:
        """Each ``.xml`` member, as bytes (parse it with the engine's safe parser)."""
        for info in self.members:
            if info.filename.lower().endswith(".xml"):
                yield PackageFile(info.filename, self._read(info))

    def _lines(self, info: zipfile.ZipInfo) -> Iterator[str]:
        try:
            with self._zip.open(info) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="\n")
                yield from text
        except UnicodeDecodeError as exc:
            raise self._refused(
                f"«{info.filename}» no está en UTF-8", f"«{info.filename}» is not UTF-8"
            ) from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise self._refused(
                f"«{info.filename}» está dañado", f"«{info.filename}» is damaged"
            ) from exc

    def metadata(self) -> Iterator[MetadataRecord]:
        """The records of every Metadata file, with their third-party data merged."""
        texts = [info for info in self.members if info.filename.lower().endswith(".txt")]
        third_parties: dict[str, tuple[str, str]] = {}
        for info in texts:
            if info.filename.lower().endswith(THIRD_PARTY_SUFFIX):
                third_parties.update(read_third_parties(self._lines(info), info.filename))
        for info in texts:
            if not info.filename.lower().endswith(THIRD_PARTY_SUFFIX):
                yield from read_metadata(self._lines(info), third_parties, info.filename)
