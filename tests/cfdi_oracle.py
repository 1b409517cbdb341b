"""SAT's oracles for the Odoo tests (``cfdi.testing.oracle``: SAT's XSD and XSLT from the
``satcfdi`` package's copies, as the engine tests use them); plus the engine's own rules."""

import subprocess
import sys
import tempfile
from pathlib import Path

from odoo.addons.l10n_mx_einvoice.cfdi import rules
from odoo.addons.l10n_mx_einvoice.cfdi.testing import oracle


class CfdiOracleMixin:
    """``assertSatValid(xml)``: SAT's XSD, SAT's XSLT cadena equals the engine's, no findings."""

    def assertSatValid(self, data):
        from ..cfdi import cadena
        from ..cfdi import xml as cfdi_xml

        self.assertIsNone(oracle.schema_errors(data))
        self.assertEqual(oracle.cadena(data), cadena.cadena_original(cfdi_xml.from_bytes(data)))
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
