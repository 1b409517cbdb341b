"""Archive of a company's CFDI (issued and received) for a date range: one ZIP with the
XML files, SAT's cancellation acknowledgments, the PDFs (optional), an index CSV and an
integrity report (CFF art. 30: keep every CFDI for at least five years)."""

import base64
import csv
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..cfdi import reception
from ..cfdi.errors import CfdiError

INDEX_COLUMNS = [
    "uuid",
    "type",
    "tipo_comprobante",
    "issuer_rfc",
    "receiver_rfc",
    "date",
    "total",
    "currency",
    "sat_status",
    "file",
    "sha256",
    "integrity",
]
ISSUED_SAT_STATUS = {
    "cancelled": "Cancelado",
    "cancel_requested": "Vigente (cancelación en proceso)",
}
RECEIVED_SAT_STATUS = {
    "vigente": "Vigente",
    "cancelado": "Cancelado",
    "not_found": "No Encontrado",
    "unavailable": "Sin consultar",
}


# what prints each issued CFDI: its journal entry's report (a global invoice prints none)
PDF_REPORTS = {
    "invoice": "account.account_invoices",
    "payment": "account.action_report_payment_receipt",
}


@dataclass
class ArchiveEntry:
    direction: str  # "issued" | "received"
    attachment: models.Model
    move: models.Model
    sat_status: str
    document: models.Model | None = None  # an issued CFDI's stamping document
    cancelled_uuid: str = ""  # set on SAT's acknowledgment of a cancellation

    @property
    def folder(self):
        return f"{self.direction}/cancellations" if self.cancelled_uuid else self.direction


class L10nMxEinvoiceArchive(models.TransientModel):
    _name = "l10n_mx_einvoice.archive"
    _description = "CFDI archive export (ZIP of issued and received CFDI with an index)"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.today().replace(month=1, day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    include_pdf = fields.Boolean(
        string="Include PDFs",
        help="Also add the PDF of every issued CFDI (printed now from its stamped XML) and "
        "the PDF files attached to the supplier bills.",
    )
    state = fields.Selection([("draft", "Options"), ("done", "Download")], default="draft")
    zip_file = fields.Binary(string="Archive", attachment=False, readonly=True)
    zip_filename = fields.Char(readonly=True)
    issued_count = fields.Integer(readonly=True)
    received_count = fields.Integer(readonly=True)
    integrity_report = fields.Text(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The start date must be on or before the end date."))

    def _bounds(self):
        return self.date_from.isoformat(), (self.date_to + timedelta(days=1)).isoformat()

    def _issued_entries(self):
        start, end = self._bounds()
        documents = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("kind", "=", "stamp"),
                    ("state", "in", ("stamped", "cancel_requested", "cancelled")),
                    ("attachment_id", "!=", False),
                    ("cfdi_date", ">=", start),
                    ("cfdi_date", "<", end),
                ],
                order="cfdi_date, id",
            )
        )
        entries = [
            ArchiveEntry(
                "issued",
                document.attachment_id,
                document.move_id,
                ISSUED_SAT_STATUS.get(document.state, "Vigente"),
                document=document,
            )
            for document in documents
        ]
        return entries + self._acknowledgment_entries()

    def _acknowledgment_entries(self):
        """SAT's acknowledgments (acuses) of the cancellations requested in the range."""
        start, end = self._bounds()
        requests = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("kind", "=", "cancel"),
                    ("attachment_id", "!=", False),
                    ("create_date", ">=", start),
                    ("create_date", "<", end),
                ],
                order="create_date, id",
            )
        )
        return [
            ArchiveEntry(
                "issued",
                request.attachment_id,
                request.move_id,
                ISSUED_SAT_STATUS.get(request.origin_id.state, "Vigente"),
                cancelled_uuid=request.origin_id.uuid or "",
            )
            for request in requests
        ]

    def _received_entries(self):
        start, end = self._bounds()
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("l10n_mx_einvoice_vendor_attachment_id", "!=", False),
                    ("l10n_mx_einvoice_vendor_fecha", ">=", start),
                    ("l10n_mx_einvoice_vendor_fecha", "<", end),
                ],
                order="l10n_mx_einvoice_vendor_fecha, id",
            )
        )
        return [
            ArchiveEntry(
                "received",
                move.l10n_mx_einvoice_vendor_attachment_id,
                move,
                RECEIVED_SAT_STATUS.get(move.l10n_mx_einvoice_vendor_sat_state, "Sin consultar"),
            )
            for move in moves
        ]

    def _index_row(self, entry, data, path):
        summary = None
        if not entry.cancelled_uuid:
            try:
                summary = reception.summary_of(data)
            except CfdiError:
                summary = None
        integrity = entry.attachment._l10n_mx_einvoice_integrity()
        return {
            "uuid": summary.uuid if summary else entry.cancelled_uuid,
            "type": "cancellation" if entry.cancelled_uuid else entry.direction,
            "tipo_comprobante": summary.tipo if summary else "",
            "issuer_rfc": summary.issuer_rfc if summary else "",
            "receiver_rfc": summary.receiver_rfc if summary else "",
            "date": summary.fecha if summary else "",
            "total": summary.total if summary else "",
            "currency": summary.moneda if summary else "",
            "sat_status": entry.sat_status,
            "file": path,
            "sha256": entry.attachment.l10n_mx_einvoice_sha256 or "",
            "integrity": integrity,
        }

    def _build_archive(self):
        """(zip bytes, index rows, integrity problems) of the company's CFDI in the range."""
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:  # records are read as superuser
            raise AccessError(
                self.env._("You have no access to the company %s.", self.company_id.name)
            )
        entries = self._issued_entries() + self._received_entries()
        rows, problems = [], []
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry in entries:
                data = entry.attachment.raw or b""
                path = f"{entry.folder}/{entry.attachment.name}"
                archive.writestr(path, data)
                row = self._index_row(entry, data, path)
                rows.append(row)
                # acknowledgments carry no stored SHA-256 (only stamped CFDI do): the index
                # says "unknown" for them, the report lists only CFDI
                if row["integrity"] != "ok" and not entry.cancelled_uuid:
                    problems.append(
                        self.env._(
                            "%(file)s (%(uuid)s): %(what)s",
                            file=entry.attachment.name,
                            uuid=row["uuid"],
                            what=self.env._(
                                "the content no longer matches the SHA-256 stored when it was created"
                            )
                            if row["integrity"] == "mismatch"
                            else self.env._("no SHA-256 was stored for it"),
                        )
                    )
                if self.include_pdf and not entry.cancelled_uuid:
                    self._add_pdfs(archive, entry)
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=INDEX_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr("index.csv", text.getvalue().encode("utf-8"))
            if problems:
                archive.writestr("INTEGRITY_REPORT.txt", "\n".join(problems).encode("utf-8"))
        return buffer.getvalue(), rows, problems

    def _add_pdfs(self, archive, entry):
        """The PDF beside its XML, named like it: an issued CFDI printed now (the PDF a
        customer got may have been detached or replaced since), a bill's supplier PDFs."""
        stem = os.path.splitext(entry.attachment.name)[0]
        if entry.direction == "issued":
            pdf = self._issued_pdf(entry.document)
            if pdf:
                archive.writestr(f"issued/pdf/{stem}.pdf", pdf)
            return
        pdfs = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", entry.move.id),
                    ("mimetype", "=", "application/pdf"),
                ],
                order="id",
            )
        )
        for number, pdf in enumerate(pdfs, 1):
            suffix = f"-{number}" if number > 1 else ""
            archive.writestr(f"received/pdf/{stem}{suffix}.pdf", pdf.raw or b"")

    def _issued_pdf(self, document):
        report = PDF_REPORTS.get(document.document_type)
        record = document.move_id
        if document.document_type == "payment":
            record = record.origin_payment_id
        if not report or not record:
            return None
        reports = self.env["ir.actions.report"].sudo()
        return reports._render_qweb_pdf(report, record.ids)[0]

    def action_build(self):
        self.ensure_one()
        data, rows, problems = self._build_archive()
        rfc = self.company_id.vat or self.company_id.name
        self.write(
            {
                "state": "done",
                "zip_file": base64.b64encode(data),
                "zip_filename": f"CFDI-{rfc}-{self.date_from}-{self.date_to}.zip",
                "issued_count": sum(row["type"] == "issued" for row in rows),
                "received_count": sum(row["type"] == "received" for row in rows),
                "integrity_report": "\n".join(problems)
                or self.env._("Every file matches its stored SHA-256."),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("CFDI archive"),
        }
