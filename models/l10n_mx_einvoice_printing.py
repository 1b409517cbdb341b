"""What the printed CFDI shows (Anexo 20's "representación impresa"), read from the stamped XML."""

import base64
import io
from decimal import Decimal

from ..cfdi import cadena, catalogs, tfd
from ..cfdi import xml as cfdi_xml

CURRENCY_WORDS = {"MXN": ("PESOS", "M.N."), "USD": ("DÓLARES", "USD"), "EUR": ("EUROS", "EUR")}


def described(catalog, code):
    """``G03 — Gastos en general``: a catalog code with SAT's description, as printed."""
    text = catalogs.description(catalog, code) if code else None
    return f"{code} — {text}" if text else (code or "")


def pdf_values(data):
    """The stamped CFDI's data the invoice PDF prints."""
    comprobante = cfdi_xml.from_bytes(data)
    timbre = comprobante.complemento.timbre
    url = tfd.verification_url_of(comprobante)
    return {
        "uuid": timbre.uuid,
        "fecha": comprobante.fecha.isoformat() if comprobante.fecha else "",
        "fecha_timbrado": timbre.fecha_timbrado.isoformat(),
        "no_certificado": comprobante.no_certificado,
        "no_certificado_sat": timbre.no_certificado_sat,
        "rfc_prov_certif": timbre.rfc_prov_certif,
        "leyenda": timbre.leyenda or "",
        "sello": comprobante.sello,
        "sello_sat": timbre.sello_sat,
        "cadena_tfd": cadena.cadena_tfd(timbre),
        "qr_src": qr_data_uri(url),
        "url": url,
        "emisor_nombre": comprobante.emisor.nombre,
        "receptor_nombre": comprobante.receptor.nombre,
        "emisor_rfc": comprobante.emisor.rfc,
        "emisor_regimen": described("c_RegimenFiscal", comprobante.emisor.regimen_fiscal),
        "receptor_rfc": comprobante.receptor.rfc,
        "receptor_regimen": described("c_RegimenFiscal", comprobante.receptor.regimen_fiscal),
        "receptor_cp": comprobante.receptor.domicilio_fiscal,
        "uso_cfdi": described("c_UsoCFDI", comprobante.receptor.uso_cfdi),
        "lugar_expedicion": comprobante.lugar_expedicion,
        "tipo": described("c_TipoDeComprobante", comprobante.tipo_de_comprobante),
        "metodo_pago": described("c_MetodoPago", comprobante.metodo_pago),
        "forma_pago": described("c_FormaPago", comprobante.forma_pago),
        "moneda": comprobante.moneda,
        "tipo_cambio": str(comprobante.tipo_cambio) if comprobante.tipo_cambio else "",
        "exportacion": described("c_Exportacion", comprobante.exportacion),
        "relacionados": [
            (described("c_TipoRelacion", r.tipo_relacion), u)
            for r in comprobante.cfdi_relacionados
            for u in r.uuids
        ],
        "total_words": amount_in_words(comprobante.total, comprobante.moneda),
    }


def pdf_pagos(data):
    """The Pago and DoctoRelacionado lines the printed payment receipt shows."""
    pagos = cfdi_xml.from_bytes(data).complemento.pagos
    return [
        {
            "fecha_pago": pago.fecha_pago.isoformat(),
            "forma": described("c_FormaPago", pago.forma_de_pago),
            "moneda": pago.moneda,
            "tipo_cambio": str(pago.tipo_cambio or ""),
            "monto": str(pago.monto),
            "doctos": [
                {
                    "uuid": d.id_documento,
                    "serie_folio": f"{d.serie or ''}{d.folio or ''}",
                    "moneda": d.moneda,
                    "equivalencia": str(d.equivalencia or ""),
                    "parcialidad": d.num_parcialidad,
                    "saldo_ant": str(d.imp_saldo_ant),
                    "pagado": str(d.imp_pagado),
                    "insoluto": str(d.imp_saldo_insoluto),
                }
                for d in pago.doctos
            ],
        }
        for pago in (pagos.pagos if pagos else [])
    ]


def qr_data_uri(text):
    """SAT's QR (the verification URL) as a PNG data URI for the printed invoice."""
    import qrcode

    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def amount_in_words(total, currency):
    """(MIL DOSCIENTOS TREINTA Y CUATRO PESOS 56/100 M.N.), as Mexican invoices print it."""
    from num2words import num2words

    total = Decimal(total or 0).quantize(Decimal("0.01"))
    units = int(total)
    cents = int((total - units) * 100)
    name, suffix = CURRENCY_WORDS.get(currency, (currency, currency))
    words = num2words(units, lang="es").upper()
    # before a noun Spanish apocopates: "UN PESO", "VEINTIÚN MIL", "CIENTO UN PESOS"
    words = words.replace("VEINTIUNO MIL", "VEINTIÚN MIL").replace("UNO MIL", "UN MIL")
    if words.endswith("VEINTIUNO"):
        words = words[: -len("VEINTIUNO")] + "VEINTIÚN"
    elif words.endswith("UNO"):
        words = words[: -len("UNO")] + "UN"
    if units == 1 and currency == "MXN":
        name = "PESO"
    # "un millón de pesos": Spanish puts "DE" after exact millions
    if units and units % 1_000_000 == 0:
        name = f"DE {name}"
    return f"({words} {name} {cents:02d}/100 {suffix})"
