"""The sandbox PAC: validates like SAT, stamps with a test certificate, no contract.

Every stamp carries the Leyenda "Sandbox: sin validez fiscal - not valid for tax
purposes" and the RFC of a fake PAC. ``connector`` is the PAC itself; ``checks`` what it
verifies before stamping (SAT's codes); ``certificate`` its own stamping certificate;
``store`` the sqlite state (stamps, cancellations, credits); ``cancellation`` SAT's
cancellation rules; ``server`` the same sandbox over HTTP in Finkok's SOAP protocol
(``python -m cfdi sandbox``).
"""

from .certificate import LEYENDA, SANDBOX_RFC
from .connector import SandboxPac

__all__ = ["LEYENDA", "SANDBOX_RFC", "SandboxPac"]
