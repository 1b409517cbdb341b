"""Errors of the mass download: each one carries the ``NextStep`` the caller should take.

- ``SatUnavailable``: the network, a timeout, an HTTP error or an unreadable answer;
  SAT's own "try again" codes (404, 5006) too. Repeat the same call later.
- ``SatRefused``: SAT answered and refused (``sat_code`` is SAT's ``CodEstatus``);
  ``next_step`` says whether to resubmit, split, wait a day or give up.
- ``QueryError``: the query breaks one of SAT's rules; nothing was sent.
- ``PackageRefused``: a downloaded package is not safe or not readable; nothing
  of it was inflated.

Tokens, keys and request bodies never appear in these messages.
"""

from __future__ import annotations

from ..errors import CfdiError
from .codes import ADVICE, STATUS_NEXT_STEP, NextStep, status_text


class DescargaError(CfdiError):
    code = "DESCARGA"
    next_step = NextStep.GIVE_UP


class QueryError(DescargaError):
    code = "DESCARGA-QUERY"


class SatUnavailable(DescargaError):
    code = "DESCARGA-UNAVAILABLE"
    next_step = NextStep.RETRY_LATER
    sat_code = ""  # SAT's CodEstatus when SAT itself said "try again" (404, 5006)


class SatRefused(DescargaError):
    """SAT answered ``sat_code`` (not 5000) to ``operation``."""

    def __init__(self, operation: str, sat_code: str, sat_message: str = ""):
        self.operation = operation
        self.sat_code = sat_code
        self.sat_message = sat_message
        self.next_step = STATUS_NEXT_STEP.get(sat_code, NextStep.GIVE_UP)
        known_es, known_en = status_text(sat_code)
        advice_es, advice_en = ADVICE.get(sat_code, ("", ""))
        said = f" ({sat_message})" if sat_message and sat_message != known_es else ""
        super().__init__(
            f"El SAT rechazó {operation}: {sat_code} {known_es}{said}. {advice_es}".strip(),
            f"SAT refused {operation}: {sat_code} {known_en}{said}. {advice_en}".strip(),
            code=f"SAT-{sat_code}",
        )


class AuthenticationRefused(SatRefused):
    """SAT did not accept the signed authentication (a SOAP fault) or the token (300)."""


class PackageRefused(DescargaError):
    code = "DESCARGA-PACKAGE"
