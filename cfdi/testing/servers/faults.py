"""Fault injection for the test servers: a queue of faults the next answers suffer.

A server's ``reply`` asks ``FaultPlan.take(operation)``; the first queued fault for
that operation (or for any operation) shapes the answer:

- ``delay``: do the work, then wait ``seconds`` before answering (client timeout
  after the server acted: the retry must find the stamp, not stamp twice)
- ``http500``: HTML error page with status 500
- ``soap_fault``: a SOAP 1.1 Fault (status 500)
- ``garbage``: status 200 with bytes that are not XML/JSON
- ``truncated``: status 200 announcing the full length, half the body, then close
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from ...pac.soap import fault as soap_fault

KINDS = ("delay", "http500", "soap_fault", "garbage", "truncated")


@dataclass
class Fault:
    kind: str
    operation: str | None = None
    seconds: float = 0.0


class FaultPlan:
    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._lock = threading.Lock()
        self.served: list[str] = []  # operations answered, in order

    def add(self, kind: str, operation: str | None = None, seconds: float = 0.0) -> None:
        assert kind in KINDS, kind
        with self._lock:
            self._queue.append(Fault(kind, operation, seconds))

    def take(self, operation: str) -> Fault | None:
        with self._lock:
            self.served.append(operation)
            for index, item in enumerate(self._queue):
                if item.operation in (None, operation):
                    return self._queue.pop(index)
        return None


def send_with_faults(
    handler: BaseHTTPRequestHandler,
    plan: FaultPlan | None,
    operation: str,
    status: int,
    content_type: str,
    body: bytes,
) -> None:
    """Write an answer, shaped by the next planned fault for ``operation``."""
    item = plan.take(operation) if plan is not None else None
    kind = item.kind if item else None
    if item is not None and kind == "delay":
        time.sleep(item.seconds)
    elif kind == "http500":
        status, content_type, body = (
            500,
            "text/html",
            b"<html><body>Internal Server Error</body></html>",
        )
    elif kind == "soap_fault":
        status, content_type = 500, "text/xml; charset=utf-8"
        body = soap_fault("Server", "Simulated failure of the provider")
    elif kind == "garbage":
        body = b"\x00\xff<<this is not what you asked for"
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if kind == "truncated":
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (timeout): the work was done all the same
