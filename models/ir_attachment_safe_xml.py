"""Odoo's EDI import (mail alias, dashboard upload, chatter) parses every XML attachment
with lxml's default parser; a file declaring a DOCTYPE or entities is not given to it
(it is passed on as ``hostile_xml``, with the reason, and parsed by nobody)."""

import logging

from odoo import models

from ..cfdi import xml as cfdi_xml

_logger = logging.getLogger(__name__)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _decode_edi_xml(self, filename, content):
        # EXTENDS account: refuse DTD/entity tricks before any parser sees them
        try:
            cfdi_xml.parse(content)
        except cfdi_xml.XmlError as error:
            if error.code == "XML-HOSTILE":
                _logger.info("XML attachment %s not decoded: %s", filename, error.message_en)
                # no tree for any decoder; the vendor-bill import tells the user why
                return [
                    {
                        "attachment": self,
                        "filename": filename,
                        "content": content,
                        "type": "hostile_xml",
                        "error": error,
                        "sort_weight": 10,
                    }
                ]
        return super()._decode_edi_xml(filename, content)
