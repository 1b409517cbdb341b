"""A zeep transport that never fetches WSDL/XSD from the network and never logs
SOAP bodies (they carry PAC passwords and, when cancelling, keys)."""
from __future__ import annotations

import logging
from urllib.parse import urlparse

import zeep

logger = logging.getLogger(__name__)


class QuietTransport(zeep.Transport):
    def load(self, url: str) -> bytes:
        if urlparse(url).scheme in ("http", "https"):
            raise ValueError(f"refusing to fetch {url} at run time: ship it in cfdi/pac/wsdl")
        return super().load(url)

    def post(self, address, message, headers):
        response = self.session.post(address, data=message, headers=headers,
                                     timeout=self.operation_timeout)
        logger.debug("SOAP POST %s -> HTTP %s (%d bytes)", address, response.status_code,
                     len(response.content))
        return response
