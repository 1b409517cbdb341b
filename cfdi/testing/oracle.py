"""SAT's oracles, from the schema copies the ``satcfdi`` package ships (a test-only
dependency; its files are used, never its code): one XMLSchema of cfdv40 + Pagos 2.0 +
implocal + TFD 1.1 + Comercio Exterior 2.0 + Carta Porte 3.1, and SAT's XSLT for the cadena original of CFDI 4.0 and of the TFD.
Read from disk only: no network, no DTD."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

PARSER = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
_OFFLINE = etree.XSLTAccessControl(
    read_network=False, write_network=False, write_file=False, create_dir=False
)
_TFD = "{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"


@functools.cache
def sat_cfd() -> Path:
    """satcfdi's copy of www.sat.gob.mx/sitio_internet/cfd."""
    import satcfdi

    return Path(satcfdi.__file__).parent.joinpath(
        "transform", "schemas", "www.sat.gob.mx", "sitio_internet", "cfd"
    )


def xsd_by_namespace() -> dict[str, Path]:
    cfd = sat_cfd()
    return {
        "http://www.sat.gob.mx/cfd/4": cfd / "4" / "cfdv40.xsd",
        "http://www.sat.gob.mx/Pagos20": cfd / "Pagos" / "Pagos20.xsd",
        "http://www.sat.gob.mx/implocal": cfd / "implocal" / "implocal.xsd",
        "http://www.sat.gob.mx/TimbreFiscalDigital": cfd
        / "TimbreFiscalDigital"
        / "TimbreFiscalDigitalv11.xsd",
        "http://www.sat.gob.mx/ComercioExterior20": cfd
        / "ComercioExterior20"
        / "ComercioExterior20.xsd",
        "http://www.sat.gob.mx/CartaPorte31": cfd / "CartaPorte" / "CartaPorte31.xsd",
    }


@functools.cache
def schema() -> etree.XMLSchema:
    """One schema: cfdv40 + Pagos 2.0 + implocal + TFD 1.1 + Comercio Exterior 2.0 +
    Carta Porte 3.1 (SAT's XSD)."""
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in xsd_by_namespace().items()
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), PARSER))


def schema_errors(data: bytes) -> str | None:
    """SAT's schema error log for CFDI bytes, or None when they are valid."""
    xsd = schema()
    if xsd.validate(etree.fromstring(data, PARSER)):
        return None
    return "\n".join(str(e) for e in xsd.error_log)


def _xslt(path: Path) -> etree.XSLT:
    return etree.XSLT(etree.parse(str(path), PARSER), access_control=_OFFLINE)


@functools.cache
def _cadena_xslt() -> etree.XSLT:
    return _xslt(sat_cfd() / "4" / "cadenaoriginal_4_0" / "cadenaoriginal_4_0.xslt")


@functools.cache
def _tfd_xslt() -> etree.XSLT:
    return _xslt(sat_cfd() / "TimbreFiscalDigital" / "cadenaoriginal_TFD_1_1.xslt")


def cadena(data: bytes) -> str:
    """Cadena original of CFDI 4.0 bytes by SAT's own XSLT."""
    return str(_cadena_xslt()(etree.fromstring(data, PARSER).getroottree()))


def cadena_tfd(data: bytes) -> str:
    """Cadena original of the TimbreFiscalDigital inside CFDI bytes, by SAT's XSLT."""
    tfd = etree.fromstring(data, PARSER).find(f".//{_TFD}")
    if tfd is None:
        raise AssertionError("no TimbreFiscalDigital in the document")
    return str(_tfd_xslt()(etree.ElementTree(tfd)))
