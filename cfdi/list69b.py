"""SAT's list of taxpayers presumed to invoice non-existent operations (CFF article 69-B).

SAT publishes it as ``Listado_completo_69-B.csv`` (open data, updated monthly), in
Windows' Latin encoding (cp1252, the Latin-1 letters Spanish needs), laid out as:

1. a quoted legend: "Información actualizada al 31 de diciembre de 2025; ...";
2. a title line: ``Listado completo de contribuyentes (Artículo 69-B del CFF)``;
3. the header: ``No,RFC,Nombre del Contribuyente,Situación del contribuyente,`` then
   sixteen columns pairing each stage (presunción, desvirtuados, definitivos,
   sentencia favorable) with its "Número y fecha de oficio global ... SAT/DOF" and
   its "Publicación página SAT / DOF ..." date (dd/mm/yyyy);
4. one row per taxpayer.

``parse`` finds the header by its columns (not by position), so a changed preamble
does not shift the data, and returns RFC -> situation. A taxpayer listed twice keeps
its most severe situation (Definitivo, then Presunto, then Sentencia favorable, then
Desvirtuado).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from .errors import CfdiError

MAX_BYTES = 64 * 1024 * 1024  # the real file is about 5 MB
_AS_OF = re.compile(r"actualizada al (\d{1,2}) de ([a-z]+) de (\d{4})")
_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()


class List69BError(CfdiError):
    code = "LIST69B"


class Situation(str, Enum):
    PRESUNTO = "Presunto"  # SAT presumes the operations did not exist
    DESVIRTUADO = "Desvirtuado"  # the taxpayer disproved it
    DEFINITIVO = "Definitivo"  # confirmed: its CFDI have no tax effect
    SENTENCIA_FAVORABLE = "Sentencia Favorable"  # a court ruled for the taxpayer

    @property
    def flagged(self) -> bool:
        """Bills from such a supplier need attention (deductions may be denied)."""
        return self in (Situation.PRESUNTO, Situation.DEFINITIVO)


_SEVERITY = (
    Situation.DESVIRTUADO,
    Situation.SENTENCIA_FAVORABLE,
    Situation.PRESUNTO,
    Situation.DEFINITIVO,
)


@dataclass(frozen=True)
class Listed:
    rfc: str
    name: str
    situation: Situation
    number: str  # the "No" column
    presumed_on: date | None  # "Publicación página SAT presuntos"
    definitive_on: date | None  # "Publicación página SAT definitivos"
    columns: tuple[tuple[str, str], ...]  # every column as written, for display


@dataclass(frozen=True)
class List69B:
    as_of: date | None  # the legend's "Información actualizada al ..."
    entries: dict[str, Listed]

    def __len__(self) -> int:
        return len(self.entries)

    def situation(self, rfc: str) -> Situation | None:
        listed = self.entries.get((rfc or "").strip().upper())
        return listed.situation if listed else None

    def situations(self) -> dict[str, Situation]:
        return {rfc: listed.situation for rfc, listed in self.entries.items()}


def _plain(text: str) -> str:
    """Lower case without accents or extra spaces: how headers and situations compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _situation(text: str, line: int) -> Situation:
    wanted = _plain(text)
    for situation in Situation:
        if _plain(situation.value) == wanted:
            return situation
    raise List69BError(
        f"Listado 69-B, línea {line}: la situación «{text}» no es una de las del SAT "
        "(Presunto, Desvirtuado, Definitivo, Sentencia Favorable).",
        f"69-B list, line {line}: situation «{text}» is not one of SAT's "
        "(Presunto, Desvirtuado, Definitivo, Sentencia Favorable).",
    )


def _date(text: str) -> date | None:
    try:
        return datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _as_of(preamble: list[list[str]]) -> date | None:
    for row in preamble:
        match = _AS_OF.search(_plain(" ".join(row)))
        if match and match.group(2) in _MONTHS:
            day, month, year = (
                int(match.group(1)),
                _MONTHS.index(match.group(2)) + 1,
                match.group(3),
            )
            return date(int(year), month, day)
    return None


def _header_index(rows: list[list[str]]) -> int:
    for index, row in enumerate(rows[:20]):
        cells = [_plain(cell) for cell in row]
        if "rfc" in cells and any(cell.startswith("situacion") for cell in cells):
            return index
    raise List69BError(
        "El archivo no es el «Listado completo 69-B» del SAT: no tiene el encabezado con las "
        "columnas RFC y «Situación del contribuyente». Descárguelo de nuevo del portal de "
        "datos abiertos del SAT y súbalo sin modificar.",
        "The file is not SAT's «Listado completo 69-B»: it lacks the header with the RFC and "
        "«Situación del contribuyente» columns. Download it again from SAT's open data portal "
        "and upload it unchanged.",
    )


@dataclass(frozen=True)
class _Columns:
    names: tuple[str, ...]
    rfc: int
    situation: int
    name: int | None
    number: int | None
    presumed: int | None
    definitive: int | None

    @classmethod
    def of(cls, header: list[str]) -> _Columns:
        plain = [_plain(cell) for cell in header]

        def find(test) -> int | None:
            return next((i for i, cell in enumerate(plain) if test(cell)), None)

        rfc, situation = find(lambda c: c == "rfc"), find(lambda c: c.startswith("situacion"))
        assert rfc is not None and situation is not None  # _header_index found them
        return cls(
            names=tuple(cell.strip() for cell in header),
            rfc=rfc,
            situation=situation,
            name=find(lambda c: c.startswith("nombre")),
            number=find(lambda c: c == "no"),
            presumed=find(lambda c: c == "publicacion pagina sat presuntos"),
            definitive=find(lambda c: c == "publicacion pagina sat definitivos"),
        )


def _listed(row: list[str], columns: _Columns, line: int) -> Listed:
    cells = [cell.strip() for cell in row] + [""] * (len(columns.names) - len(row))

    def cell(index: int | None) -> str:
        return cells[index] if index is not None else ""

    rfc = cell(columns.rfc).upper()
    if not rfc:
        raise List69BError(
            f"Listado 69-B, línea {line}: fila sin RFC.",
            f"69-B list, line {line}: a row without RFC.",
        )
    return Listed(
        rfc=rfc,
        name=cell(columns.name),
        situation=_situation(cell(columns.situation), line),
        number=cell(columns.number),
        presumed_on=_date(cell(columns.presumed)),
        definitive_on=_date(cell(columns.definitive)),
        columns=tuple(zip(columns.names, cells, strict=False)),
    )


def parse(data: bytes) -> List69B:
    """RFC -> situation (and the row) of SAT's 69-B CSV, as published."""
    if len(data) > MAX_BYTES:
        raise List69BError(
            f"El archivo pesa {len(data) // (1024 * 1024)} MiB; el listado del SAT pesa unos 5.",
            f"The file is {len(data) // (1024 * 1024)} MiB; SAT's list is about 5.",
        )
    rows = list(csv.reader(io.StringIO(_decode(data), newline="")))
    start = _header_index(rows)
    columns = _Columns.of(rows[start])
    entries: dict[str, Listed] = {}
    for line, row in enumerate(rows[start + 1 :], start + 2):
        if not any(cell.strip() for cell in row):
            continue
        listed = _listed(row, columns, line)
        earlier = entries.get(listed.rfc)
        if earlier is None or _SEVERITY.index(listed.situation) > _SEVERITY.index(
            earlier.situation
        ):
            entries[listed.rfc] = listed
    return List69B(_as_of(rows[:start]), entries)
