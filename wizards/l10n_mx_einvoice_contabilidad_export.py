"""Contabilidad electrónica (Anexo 24, 1.3): one SAT file of a month, zipped with SAT's name."""

import base64
import io

from odoo import api, fields, models

from ..cfdi import contabilidad as ce
from ..cfdi.contabilidad import files
from ..models.l10n_mx_einvoice_utils import finding_message

FILE_KINDS = [
    ("catalogo", "Chart of accounts (CT)"),
    ("balanza", "Trial balance (BN / BC)"),
    ("polizas", "Journal entries (PL)"),
    ("auxiliar_cuentas", "Account ledger (XC)"),
    ("auxiliar_folios", "Voucher ledger (XF)"),
]
REQUESTED = ("polizas", "auxiliar_cuentas", "auxiliar_folios")
MONTHS = [(str(m), f"{m:02d}") for m in range(1, 13)]


class L10nMxEinvoiceContabilidadExport(models.TransientModel):
    _name = "l10n_mx_einvoice.contabilidad.export"
    _description = "Contabilidad electrónica export (Anexo 24)"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    year = fields.Integer(required=True, default=lambda self: fields.Date.today().year)
    month = fields.Selection(
        MONTHS, required=True, default=lambda self: str(fields.Date.today().month)
    )
    file_kind = fields.Selection(FILE_KINDS, string="File", required=True, default="balanza")
    tipo_envio = fields.Selection(
        [("N", "Normal"), ("C", "Complementary")], string="Submission", default="N"
    )
    fecha_mod_bal = fields.Date(
        string="Last change to the books",
        help="FechaModBal: required for a complementary trial balance.",
    )
    tipo_solicitud = fields.Selection(
        [
            ("AF", "AF - Audit (acto de fiscalización)"),
            ("FC", "FC - Third-party audit (fiscalización compulsa)"),
            ("DE", "DE - Refund (devolución)"),
            ("CO", "CO - Offset (compensación)"),
        ],
        string="Request type",
        help="TipoSolicitud of requested journal entries and ledgers.",
    )
    num_orden = fields.Char(string="Order number", help="NumOrden (AF, FC): ABC1234567/25.")
    num_tramite = fields.Char(
        string="Procedure number", help="NumTramite (DE, CO): AB123456789012."
    )
    state = fields.Selection([("draft", "Options"), ("done", "Download")], default="draft")
    zip_file = fields.Binary(string="ZIP file", attachment=False, readonly=True)
    zip_filename = fields.Char(readonly=True)
    warnings = fields.Text(readonly=True)

    @api.onchange("tipo_solicitud")
    def _onchange_tipo_solicitud(self):
        if self.tipo_solicitud in ce.documents.NEEDS_NUM_ORDEN:
            self.num_tramite = False
        elif self.tipo_solicitud in ce.documents.NEEDS_NUM_TRAMITE:
            self.num_orden = False

    def action_generate(self):
        self.ensure_one()
        books = self.env["l10n_mx_einvoice.contabilidad"]
        company = self.company_id
        periodo = books._periodo(company, self.year, int(self.month))
        date_from, date_to = books._bounds(self.year, int(self.month))
        out = io.BytesIO()
        warnings = getattr(self, f"_write_{self.file_kind}")(
            books, periodo, date_from, date_to, out
        )
        kind = self._kind()
        self.write(
            {
                "state": "done",
                "zip_file": base64.b64encode(out.getvalue()),
                "zip_filename": f"{files.file_name(periodo, kind)}.zip",
                "warnings": "\n".join(finding_message(self.env, w) for w in warnings) or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env.ref(
                "l10n_mx_einvoice.action_l10n_mx_einvoice_contabilidad_export"
            ).name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _kind(self):
        if self.file_kind == "balanza":
            return files.BALANZA_KIND[self.tipo_envio or "N"]
        return {
            "catalogo": files.CATALOGO,
            "polizas": files.POLIZAS,
            "auxiliar_cuentas": files.AUXILIAR_CUENTAS,
            "auxiliar_folios": files.AUXILIAR_FOLIOS,
        }[self.file_kind]

    def _solicitud(self, books):
        solicitud = ce.Solicitud(
            tipo_solicitud=self.tipo_solicitud or "",
            num_orden=(self.num_orden or "").strip().upper() or None,
            num_tramite=(self.num_tramite or "").strip().upper() or None,
        )
        books._raise_findings(
            ce.check_solicitud(solicitud), self.env._("Complete the request (TipoSolicitud)")
        )
        return solicitud

    def _write_catalogo(self, books, periodo, date_from, date_to, out):
        catalogo = books._catalogo(self.company_id)
        with files.sat_zip(out, periodo, files.CATALOGO) as xml:
            ce.write_catalogo(periodo, catalogo, xml)
        return []

    def _write_balanza(self, books, periodo, date_from, date_to, out):
        tipo_envio = self.tipo_envio or "N"
        fecha = (self.fecha_mod_bal or None) if tipo_envio == "C" else None
        catalogo, saldos = books._balanza(self.company_id, date_from, date_to)
        warnings = books._raise_findings(
            ce.check_balanza(catalogo, saldos, tipo_envio=tipo_envio, fecha_mod_bal=fecha),
            self.env._("The trial balance cannot be filed"),
        )
        with files.sat_zip(out, periodo, files.BALANZA_KIND[tipo_envio]) as xml:
            ce.write_balanza(periodo, saldos, xml, tipo_envio=tipo_envio, fecha_mod_bal=fecha)
        return warnings

    def _check_polizas(self, books, periodo, date_from, date_to, catalogo):
        """Every póliza checked (balanced, on catalogued accounts, known UUIDs) before the
        file is written: a second pass reads the entries again rather than keeping them."""
        return books._raise_findings(
            ce.check_polizas(
                books._polizas(self.company_id, date_from, date_to),
                periodo=periodo,
                cuentas={c.num_cta for c in catalogo},
                uuids=books._company_uuids(self.company_id),
            ),
            self.env._("The journal entries cannot be filed"),
        )

    def _write_polizas(self, books, periodo, date_from, date_to, out):
        solicitud = self._solicitud(books)
        catalogo = books._catalogo(self.company_id)
        warnings = self._check_polizas(books, periodo, date_from, date_to, catalogo)
        polizas = books._polizas(self.company_id, date_from, date_to)
        with files.sat_zip(out, periodo, files.POLIZAS) as xml:
            ce.write_polizas(periodo, solicitud, polizas, xml)
        return warnings

    def _write_auxiliar_folios(self, books, periodo, date_from, date_to, out):
        solicitud = self._solicitud(books)
        catalogo = books._catalogo(self.company_id)
        warnings = self._check_polizas(books, periodo, date_from, date_to, catalogo)
        detalles = (
            ce.folios_de_poliza(p) for p in books._polizas(self.company_id, date_from, date_to)
        )
        with files.sat_zip(out, periodo, files.AUXILIAR_FOLIOS) as xml:
            ce.write_auxiliar_folios(periodo, solicitud, detalles, xml)
        return warnings

    def _write_auxiliar_cuentas(self, books, periodo, date_from, date_to, out):
        solicitud = self._solicitud(books)
        catalogo, saldos = books._balanza(self.company_id, date_from, date_to)
        natures = {c.num_cta: c.natur for c in catalogo}
        cuentas = list(books._auxiliar_cuentas(self.company_id, date_from, date_to, saldos))
        warnings = books._raise_findings(
            ce.check_auxiliar_cuentas(cuentas, natures),
            self.env._("The account ledger cannot be filed"),
        )
        cuentas = books._auxiliar_cuentas(self.company_id, date_from, date_to, saldos)
        with files.sat_zip(out, periodo, files.AUXILIAR_CUENTAS) as xml:
            ce.write_auxiliar_cuentas(periodo, solicitud, cuentas, xml)
        return warnings
