"""SAT's oracles for the Odoo tests: the XSD (cfdv40 + Pagos 2.0 + implocal + TFD 1.1)
from the schema copies shipped in the ``satcfdi`` package (test-only dependency), as the
engine tests build it in ``cfdi/tests/conftest.py``; plus the engine's own rules."""

import functools
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree
from odoo.addons.l10n_mx_einvoice.cfdi import rules

_PARSER = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)


def _sat_cfd():
    import satcfdi

    return Path(satcfdi.__file__).parent.joinpath(
        "transform", "schemas", "www.sat.gob.mx", "sitio_internet", "cfd"
    )


@functools.cache
def sat_schema():
    cfd = _sat_cfd()
    xsd_by_namespace = {
        "http://www.sat.gob.mx/cfd/4": cfd / "4" / "cfdv40.xsd",
        "http://www.sat.gob.mx/Pagos20": cfd / "Pagos" / "Pagos20.xsd",
        "http://www.sat.gob.mx/implocal": cfd / "implocal" / "implocal.xsd",
        "http://www.sat.gob.mx/TimbreFiscalDigital": cfd
        / "TimbreFiscalDigital"
        / "TimbreFiscalDigitalv11.xsd",
    }
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in xsd_by_namespace.items()
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), _PARSER))


@functools.cache
def sat_cadena_xslt():
    path = _sat_cfd() / "4" / "cadenaoriginal_4_0" / "cadenaoriginal_4_0.xslt"
    access = etree.XSLTAccessControl(
        read_network=False, write_network=False, write_file=False, create_dir=False
    )
    return etree.XSLT(etree.parse(str(path), _PARSER), access_control=access)


class CfdiOracleMixin:
    """``assertSatValid(xml)``: SAT's XSD, SAT's XSLT cadena equals the engine's, no findings."""

    def assertSatValid(self, data):
        from ..cfdi import cadena
        from ..cfdi import xml as cfdi_xml

        schema = sat_schema()
        document = etree.fromstring(data, _PARSER)
        self.assertTrue(schema.validate(document), "\n".join(str(e) for e in schema.error_log))
        self.assertEqual(
            str(sat_cadena_xslt()(document.getroottree())),
            cadena.cadena_original(cfdi_xml.from_bytes(data)),
        )
        self.assertEqual(rules.validate(data), [])

    def assertCliValid(self, data):
        """``python -m cfdi validate`` (the partner's command line) finds nothing."""
        addon = Path(__file__).resolve().parent.parent
        with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
            handle.write(data)
            handle.flush()
            run = subprocess.run(
                [sys.executable, "-m", "cfdi", "validate", handle.name],
                cwd=addon,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("OK", run.stdout)
