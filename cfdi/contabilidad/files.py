"""SAT's names for the Anexo 24 files, and the ZIP each one is uploaded in.

Anexo 24 names every file RFC + Ejercicio (4 digits) + Periodo (2 digits) + a
key: CT catálogo de cuentas, BN/BC balanza normal/complementaria, PL pólizas,
XC auxiliar de cuentas, XF auxiliar de folios; e.g. ``AAA010101AAA201501CT.xml``.
SAT's portal takes each XML compressed alone in a ZIP of the same name
(``AAA010101AAA201501CT.zip``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from .documents import ENVIO_COMPLEMENTARIO, ENVIO_NORMAL, ContabilidadError, Periodo

CATALOGO = "CT"
BALANZA_NORMAL = "BN"
BALANZA_COMPLEMENTARIA = "BC"
POLIZAS = "PL"
AUXILIAR_CUENTAS = "XC"
AUXILIAR_FOLIOS = "XF"
KINDS = (
    CATALOGO,
    BALANZA_NORMAL,
    BALANZA_COMPLEMENTARIA,
    POLIZAS,
    AUXILIAR_CUENTAS,
    AUXILIAR_FOLIOS,
)
BALANZA_KIND = {ENVIO_NORMAL: BALANZA_NORMAL, ENVIO_COMPLEMENTARIO: BALANZA_COMPLEMENTARIA}


def file_name(periodo: Periodo, kind: str) -> str:
    """``RFC`` + ``YYYY`` + ``MM`` + kind, without extension."""
    if kind not in KINDS:
        raise ContabilidadError(
            f"Tipo de archivo «{kind}» desconocido; use uno de {', '.join(KINDS)}.",
            f"Unknown file kind «{kind}»; use one of {', '.join(KINDS)}.",
            code="EINV-CE-ARCHIVO",
        )
    return f"{periodo.rfc}{periodo.anio:04d}{periodo.mes_text}{kind}"


@contextmanager
def sat_zip(out: IO[bytes], periodo: Periodo, kind: str) -> Iterator[IO[bytes]]:
    """A writable member ``<name>.xml`` of a new ZIP written to ``out``.

    The XML is deflated as it is written (nothing is held in memory), e.g.::

        with sat_zip(fh, periodo, POLIZAS) as xml:
            write_polizas(periodo, solicitud, polizas, xml)
    """
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"{file_name(periodo, kind)}.xml", "w", force_zip64=True) as member:
            yield member
