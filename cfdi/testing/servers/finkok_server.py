"""The sandbox's Finkok SOAP server with fault injection (``server.faults``)."""

from __future__ import annotations

from ...pac.sandbox.server import FinkokSoapHandler
from .faults import FaultPlan, send_with_faults


class FaultyFinkokHandler(FinkokSoapHandler):
    def reply(self, operation: str, status: int, body: bytes) -> None:
        plan: FaultPlan | None = getattr(self.server, "faults", None)
        send_with_faults(self, plan, operation, status, "text/xml; charset=utf-8", body)
