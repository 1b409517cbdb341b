"""Monthly SAT filings from the books: contabilidad electrónica (Anexo 24, 1.3) and DIOT.

Pure Python (never imports odoo). The Odoo layer translates accounts and journal
items into the dataclasses of ``documents`` (and ``diot``) and calls one writer
per file; see ``README.md`` in this folder for the whole flow.
"""

from . import files
from .agrupador import propose_agrupador, propose_nature
from .checks import (
    check_auxiliar_cuentas,
    check_balanza,
    check_catalogo,
    check_periodo,
    check_polizas,
    check_solicitud,
)
from .cuentas import AccountTotals, balanza, catalogo
from .documents import (
    Cheque,
    CompExt,
    CompNal,
    CompNalOtr,
    ContabilidadError,
    Cuenta,
    CuentaAuxiliar,
    DetalleAux,
    DetAuxFol,
    OtrMetodoPago,
    Periodo,
    Poliza,
    SaldoCuenta,
    Solicitud,
    Transaccion,
    Transferencia,
    folios_de_poliza,
)
from .files import file_name, sat_zip
from .writers import (
    write_auxiliar_cuentas,
    write_auxiliar_folios,
    write_balanza,
    write_catalogo,
    write_polizas,
)
