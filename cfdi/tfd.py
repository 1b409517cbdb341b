"""TimbreFiscalDigital 1.1: read it from a stamped CFDI, build and seal one, and
the verification URL SAT asks to print as the QR code of the printed CFDI.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lxml import etree

from . import catalogs
from . import xml as cfdi_xml
from .cadena import cadena_tfd
from .credentials import Credential
from .document import NS_CFDI, NS_TFD, Comprobante, TimbreFiscalDigital
from .errors import CfdiError
from .sat import FECHA_FORMAT, UUID_RE

VERIFICATION_BASE = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx"
TFD_TAG = f"{{{NS_TFD}}}TimbreFiscalDigital"
_TFD_PATH = f"{{{NS_CFDI}}}Complemento/{TFD_TAG}"
_SIX_DECIMALS = Decimal("0.000001")
# TimbreFiscalDigitalv11.xsd, Leyenda: no "/", ".", "(" ... allowed.
_LEYENDA = re.compile(r"^[A-Za-z0-9 ÑñáéíóúÁÉÍÓÚüÜ!\"%&'´\-:;>=<@_,{}`~]{1,150}$")


class TfdError(CfdiError):
    code = "TFD"


# --- read -------------------------------------------------------------------


def _find_tfd(root: etree._Element) -> etree._Element | None:
    if root.tag == TFD_TAG:
        return root
    return root.find(_TFD_PATH)


def read(data: bytes | etree._Element) -> TimbreFiscalDigital | None:
    """The TFD of a CFDI (bytes or element: the Comprobante or the TFD itself), or None."""
    root = cfdi_xml.parse(data) if isinstance(data, (bytes, bytearray)) else data
    el = _find_tfd(root)
    if el is None:
        return None
    values: dict[str, Any] = {}
    for f in dataclasses.fields(TimbreFiscalDigital):
        text = el.get(f.metadata["xml"])
        if text is None:
            continue
        if f.name == "fecha_timbrado":
            try:
                values[f.name] = datetime.strptime(text.strip(), FECHA_FORMAT)
            except ValueError:
                raise TfdError(
                    f"FechaTimbrado '{text}' no tiene el formato AAAA-MM-DDThh:mm:ss.",
                    f"FechaTimbrado '{text}' is not in the format YYYY-MM-DDThh:mm:ss.",
                ) from None
        else:
            values[f.name] = text
    return TimbreFiscalDigital(**values)


# --- verification URL (QR) --------------------------------------------------


def format_qr_total(total: Decimal | str) -> str:
    """``tt`` of the QR: up to 18 integer digits and 6 decimals, non-significant zeros
    left out, at least one decimal kept (1000.00 -> "1000.0", 123.45 -> "123.45").

    Anexo 20 (since CFDI 3.3, unchanged in 4.0), "Especificación técnica del código de
    barras bidimensional": total "máximo a 25 posiciones (18 para los enteros, 1 para
    carácter '.', 6 para los decimales), se deben omitir los ceros no significativos";
    SAT's example ends "&tt=1000.0&fe=...". Both eclipxe13/CfdiUtils
    (ConsultaCfdiSat/RequestParameters::expressionVersion40, same as 3.3) and
    phpcfdi/cfdi-expresiones (FormatTotal18x6) format it this way. The zero-padded
    17-character form (0000000123.450000) was CFDI 3.2's and is not used any more.
    """
    try:
        value = Decimal(str(total).strip().replace(",", ""))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 18:
        raise TfdError(
            f"El total '{total}' no cabe en el código QR (hasta 18 enteros y 6 decimales).",
            f"Total '{total}' does not fit the QR code (up to 18 integer digits, 6 decimals).",
        )
    text = format(value.quantize(_SIX_DECIMALS, rounding=ROUND_HALF_UP), "f").rstrip("0")
    return text + "0" if text.endswith(".") else text


def _qr_rfc(rfc: str) -> str:
    # SAT's QR expression writes an RFC holding "&" (e.g. "A&C010101AAA") as "&amp;", the
    # XML escape, as CfdiUtils and phpcfdi/cfdi-expresiones (FormatRfcXml) do; "Ñ" stays.
    return rfc.strip().replace("&", "&amp;")


def verification_url(
    uuid: str, issuer_rfc: str, receiver_rfc: str, total: Decimal | str, sello: str
) -> str:
    """SAT's verification URL of a stamped CFDI 4.0 (the content of its QR code)."""
    return (
        f"{VERIFICATION_BASE}?id={uuid.strip().upper()}&re={_qr_rfc(issuer_rfc)}"
        f"&rr={_qr_rfc(receiver_rfc)}&tt={format_qr_total(total)}&fe={(sello or '')[-8:]}"
    )


def verification_url_of(c: Comprobante) -> str:
    """The verification URL of a stamped Comprobante."""
    timbre = c.complemento.timbre
    if timbre is None or not timbre.uuid:
        raise TfdError(
            "El CFDI no está timbrado (no tiene TimbreFiscalDigital); tímbrelo primero.",
            "The CFDI is not stamped (no TimbreFiscalDigital); stamp it first.",
        )
    return verification_url(
        timbre.uuid,
        c.emisor.rfc,
        c.receptor.rfc,
        c.total if c.total is not None else "0",
        c.sello or timbre.sello_cfd,
    )


# --- build and verify -------------------------------------------------------


def build_tfd(
    c: Comprobante,
    uuid: str,
    fecha_timbrado: datetime,
    rfc_prov_certif: str,
    leyenda: str | None,
    pac_credential: Credential,
) -> TimbreFiscalDigital:
    """A TimbreFiscalDigital 1.1 for the sealed ``c``, sealed (SelloSAT) by ``pac_credential``.

    SelloSAT = base64(RSA-SHA256 over the TFD cadena original, UTF-8); SelloCFD is the
    Comprobante's Sello; NoCertificadoSAT is the stamping certificate's number.
    """
    if not c.sello:
        raise TfdError(
            "El comprobante no está sellado (falta Sello); séllelo con el CSD antes de timbrar.",
            "The document is not sealed (Sello missing); seal it with the CSD before stamping.",
        )
    if not UUID_RE.match(uuid.strip()):
        raise TfdError(
            f"El UUID '{uuid}' no tiene la forma 8-4-4-4-12 hexadecimal.",
            f"UUID '{uuid}' is not of the form 8-4-4-4-12 hexadecimal.",
        )
    if leyenda and not _LEYENDA.match(leyenda):
        raise TfdError(
            f"La Leyenda '{leyenda}' tiene caracteres que el XSD del TFD no admite (p. ej. '/' o "
            "'.'); use letras, dígitos, espacios y - : ; , (hasta 150).",
            f"Leyenda '{leyenda}' holds characters the TFD XSD refuses (e.g. '/' or '.'); use "
            "letters, digits, spaces and - : ; , (up to 150).",
        )
    timbre = TimbreFiscalDigital(
        version="1.1",
        uuid=uuid.strip().upper(),
        fecha_timbrado=catalogs.local_time(fecha_timbrado),
        rfc_prov_certif=rfc_prov_certif,
        leyenda=leyenda or None,
        sello_cfd=c.sello,
        no_certificado_sat=pac_credential.certificate.no_certificado,
        sello_sat="",
    )
    signature = pac_credential.sign(cadena_tfd(timbre).encode("utf-8"))
    timbre.sello_sat = base64.b64encode(signature).decode("ascii")
    return timbre
