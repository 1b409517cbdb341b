"""HTTP plumbing shared by the PAC connectors.

``QuietTransport``: a zeep transport that never fetches WSDL/XSD from the network and
never logs SOAP bodies (they carry PAC passwords and, when cancelling, keys).
``PacSession``: a requests session that reads the environment's proxy and CA settings
once per address.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import requests
import zeep
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)


# connections kept per address: as many as stamp_many's threads may use at once
POOL_SIZE = 32


class PacSession(requests.Session):
    """One per connector: its connections are kept and reused by every call (and by the
    threads of ``stamp_many``, up to ``POOL_SIZE`` at once).

    requests re-reads every environment variable (proxies, no_proxy, CA bundle) on each
    call, which cost a third of a SOAP call's own CPU time over loopback; here they are
    read on the first call to an address and kept for the session's life (a change of
    HTTPS_PROXY takes effect with a new connector, as with a restarted server)."""

    def __init__(self) -> None:
        super().__init__()
        for prefix in ("https://", "http://"):
            self.mount(prefix, HTTPAdapter(pool_maxsize=POOL_SIZE))
        self._environment: dict[tuple[Any, ...], Any] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlparse(url)
        key = (
            parts.scheme,
            parts.netloc,
            tuple(sorted((proxies or {}).items())),
            stream,
            verify,
            cert,
            tuple(sorted(self.proxies.items())),
            self.verify,
            self.cert,
        )
        if key not in self._environment:
            self._environment[key] = super().merge_environment_settings(
                url, proxies, stream, verify, cert
            )
        settings = self._environment[key]
        return {**settings, "proxies": dict(settings["proxies"])}


class QuietTransport(zeep.Transport):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("session", PacSession())
        super().__init__(*args, **kwargs)

    def load(self, url: str) -> bytes:
        if urlparse(url).scheme in ("http", "https"):
            raise ValueError(f"refusing to fetch {url} at run time: ship it in cfdi/pac/wsdl")
        return super().load(url)

    def post(self, address, message, headers):
        response = self.session.post(
            address, data=message, headers=headers, timeout=self.operation_timeout
        )
        logger.debug(
            "SOAP POST %s -> HTTP %s (%d bytes)",
            address,
            response.status_code,
            len(response.content),
        )
        return response
