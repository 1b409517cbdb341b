"""SAT's mass download of CFDI (``Descarga masiva``, web service version 1.5).

- ``DescargaClient``: authenticate with the e.firma, submit a ``Query`` (issued or
  received, CFDI or Metadata) or a ``FolioQuery``, verify it, download its packages.
- ``DownloadJob`` / ``step``: the same, resumable one call at a time (for a cron).
- ``Package``: read a downloaded package (CFDI XML or Metadata records), bounded.
- ``check_fiel``: the e.firma checks (a FIEL, not a CSD; the company's RFC; valid).
- ``SatSimulator`` (``python -m cfdi sat-simulator``): SAT's side, on 127.0.0.1.

The protocol, SAT's codes and limits, with sources: ``PROTOCOL.md``.
"""

from .client import DescargaClient, Endpoints
from .codes import NextStep, RequestState
from .errors import (
    AuthenticationRefused,
    DescargaError,
    PackageRefused,
    QueryError,
    SatRefused,
    SatUnavailable,
)
from .fiel import check_fiel
from .job import DownloadJob, JobStatus, PackageStore, step
from .messages import Submission, Token, Verification
from .metadata import MetadataRecord
from .package import Package, PackageLimits
from .query import Direction, DocumentStatus, DownloadKind, FolioQuery, Query
