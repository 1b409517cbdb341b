"""Stamping providers (PAC): one interface (``cfdi.pac.base``), three connectors.

``get_connector("sandbox")`` is the embedded default (no contract, not valid for
tax purposes); ``"finkok"`` speaks Finkok's SOAP services, ``"sw"`` SW sapien's
REST API. ``test=True`` selects the provider's test environment; ``url=`` points
a connector elsewhere (local test servers). See ``cfdi/pac/README.md``.
"""

from __future__ import annotations

from .base import (
    AlreadyStamped,
    AuthenticationFailed,
    Balance,
    CancelResult,
    Connector,
    LookupFailed,
    NoCredits,
    PacError,
    Rejected,
    StampOutcome,
    StampResult,
    StatusResult,
    Unavailable,
    stamp_many,
    stamp_once,
)

PROVIDERS = ("sandbox", "finkok", "sw")


def get_connector(
    provider: str,
    *,
    test: bool = True,
    username: str | None = None,
    password: str | None = None,
    token: str | None = None,
    url: str | None = None,
    timeout: float = 30.0,
    state_dir=None,
    credits: int | None = None,
    latency: float = 0.0,
    latency_jitter: float = 0.0,
) -> Connector:
    """The connector for ``provider`` ("sandbox" | "finkok" | "sw"); ``latency`` and
    ``latency_jitter`` delay the sandbox's calls (see ``SandboxPac``)."""
    if provider == "sandbox":
        from .sandbox import SandboxPac

        return SandboxPac(
            state_dir, credits=credits, latency=latency, latency_jitter=latency_jitter
        )
    if provider == "finkok":
        from .finkok import FinkokConnector

        return FinkokConnector(
            username=username or "", password=password or "", test=test, url=url, timeout=timeout
        )
    if provider == "sw":
        from .sw import SwConnector

        return SwConnector(
            username=username, password=password, token=token, test=test, url=url, timeout=timeout
        )
    raise ValueError(f"unknown PAC provider {provider!r}; use one of {', '.join(PROVIDERS)}")
