"""What SAT holds: one row per CFDI the mass download returned (metadata or XML), linked to
the Odoo record that books it, and what differs between the two (the reconciliation)."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..cfdi.descarga import Package
from ..cfdi.pac.base import StatusResult

DIRECTIONS = [("issued", "Issued"), ("received", "Received")]
SAT_STATES = [("vigente", "Valid"), ("cancelado", "Cancelled")]
TIPOS = [
    ("I", "I - Income"),
    ("E", "E - Expense (credit note)"),
    ("T", "T - Transfer"),
    ("N", "N - Payroll"),
    ("P", "P - Payment"),
]
BOOKED_TIPOS = ("I", "E")  # what a bill or an invoice books (payroll, payments elsewhere)
DISCREPANCIES = [
    ("not_in_books", "At SAT, not in Odoo"),
    ("cancelled_at_sat", "Cancelled at SAT, active in Odoo"),
    ("amount_differs", "Amount differs"),
    ("ok", "Matches"),
    ("not_booked", "Not booked (type not reconciled)"),
]


class L10nMxEinvoiceSatCfdi(models.Model):
    _name = "l10n_mx_einvoice.sat.cfdi"
    _description = "CFDI at SAT (mass download)"
    _order = "fecha desc, id desc"
    _rec_name = "uuid"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    uuid = fields.Char(string="UUID", required=True, readonly=True, index=True)
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True, index=True)
    rfc_emisor = fields.Char(string="Issuer RFC", readonly=True, index=True)
    nombre_emisor = fields.Char(string="Issuer", readonly=True)
    rfc_receptor = fields.Char(string="Receiver RFC", readonly=True, index=True)
    nombre_receptor = fields.Char(string="Receiver", readonly=True)
    tipo = fields.Selection(TIPOS, string="Type", readonly=True)
    total = fields.Float(digits=(16, 2), readonly=True)
    fecha = fields.Datetime(string="Issued on", readonly=True, index=True)
    sat_state = fields.Selection(SAT_STATES, string="SAT status", readonly=True, index=True)
    fecha_cancelacion = fields.Datetime(string="Cancelled on", readonly=True)
    download_ids = fields.Many2many(
        "l10n_mx_einvoice.sat.download",
        "l10n_mx_einvoice_sat_cfdi_download_rel",
        "sat_cfdi_id",
        "download_id",
        string="Downloaded by",
        readonly=True,
    )
    package_attachment_id = fields.Many2one(
        "ir.attachment", string="Package", readonly=True, help="The ZIP holding its XML."
    )
    package_member = fields.Char(string="File in the package", readonly=True)
    has_xml = fields.Boolean(string="XML downloaded", compute="_compute_has_xml")
    move_id = fields.Many2one("account.move", string="Odoo entry", readonly=True, index=True)
    document_id = fields.Many2one(
        "l10n_mx_einvoice.document", string="CFDI document", readonly=True, index=True
    )
    discrepancy = fields.Selection(
        DISCREPANCIES, compute="_compute_discrepancy", store=True, index=True
    )
    list69b_situation = fields.Char(
        string="69-B situation",
        readonly=True,
        help="The issuer's situation in SAT's 69-B list (presumed non-existent operations), "
        "as of the last list imported.",
    )
    list69b_flagged = fields.Boolean(string="Issuer in 69-B", readonly=True, index=True)

    _sql_constraints = [
        ("uuid_company_unique", "unique(company_id, uuid)", "A CFDI is listed once per company."),
    ]

    @api.depends("package_member")
    def _compute_has_xml(self):
        for row in self:
            row.has_xml = bool(row.package_member)

    @api.depends(
        "direction",
        "tipo",
        "sat_state",
        "total",
        "move_id.state",
        "move_id.amount_total",
        "document_id.state",
    )
    def _compute_discrepancy(self):
        for row in self:
            row.discrepancy = row._discrepancy()

    def _discrepancy(self):
        booked = self.document_id if self.direction == "issued" else self.move_id
        if self.tipo not in BOOKED_TIPOS:
            return "not_booked"
        if not booked:
            return "ok" if self.sat_state == "cancelado" else "not_in_books"
        if self.sat_state == "cancelado" and self._active_in_books():
            return "cancelled_at_sat"
        move = self.move_id
        if move and float_compare(move.amount_total, self.total, precision_digits=2):
            return "amount_differs"
        return "ok"

    def _active_in_books(self):
        if self.direction == "issued":
            return self.document_id.state in ("stamped", "cancel_requested")
        return self.move_id.state != "cancel"  # a draft bill is booked too

    # --- import (the download calls these) ----------------------------------------------

    @api.model
    def _upsert(self, company, rows, keep_known=()):
        """Create or update the rows ``{uuid: values}`` of ``company``; return them all.

        ``keep_known``: fields an update writes only where the row has no value yet (an XML
        package knows a CFDI was active when requested, not that it still is).
        """
        existing = self.search([("company_id", "=", company.id), ("uuid", "in", list(rows))])
        by_uuid = {row.uuid: row for row in existing}
        for uuid, values in rows.items():
            if uuid in by_uuid:
                row = by_uuid[uuid]
                row.write({k: v for k, v in values.items() if k not in keep_known or not row[k]})
        created = self.create(
            [
                dict(values, uuid=uuid, company_id=company.id)
                for uuid, values in rows.items()
                if uuid not in by_uuid
            ]
        )
        rows = (existing | created)._link_records()
        self.env["l10n_mx_einvoice.list69b"].sudo()._flag_sat_cfdi(rows)
        return rows

    def _link_records(self):
        """Link each row to the Odoo record booking its UUID (a bill, or an issued CFDI)."""
        for company in self.company_id:
            rows = self.filtered(lambda r, c=company: r.company_id == c)
            rows.filtered(lambda r: r.direction == "received" and not r.move_id)._link_bills(
                company
            )
            rows.filtered(lambda r: r.direction == "issued" and not r.document_id)._link_documents(
                company
            )
        self._update_bills_status()
        return self

    def _link_bills(self, company):
        bills = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("l10n_mx_einvoice_vendor_uuid", "in", self.mapped("uuid")),
            ]
        )
        bill_of = {bill.l10n_mx_einvoice_vendor_uuid: bill for bill in bills}
        for row in self:
            if row.uuid in bill_of:
                row.move_id = bill_of[row.uuid]

    def _link_documents(self, company):
        documents = self.env["l10n_mx_einvoice.document"].search(
            [
                ("company_id", "=", company.id),
                ("kind", "=", "stamp"),
                ("uuid", "in", self.mapped("uuid")),
            ]
        )
        document_of = {document.uuid.upper(): document for document in documents}
        for row in self:
            document = document_of.get(row.uuid)
            if document:
                row.write({"document_id": document.id, "move_id": document.move_id.id})

    def _update_bills_status(self):
        """SAT's metadata says a supplier CFDI was cancelled: the bill learns it (and says so)."""
        for row in self.filtered(
            lambda r: (
                r.sat_state == "cancelado"
                and r.move_id.l10n_mx_einvoice_vendor_uuid
                and r.move_id.l10n_mx_einvoice_vendor_sat_state != "cancelado"
            )
        ):
            row.move_id._l10n_mx_einvoice_vendor_store_status(
                StatusResult(
                    estado="Cancelado",
                    es_cancelable="",
                    estatus_cancelacion="",
                    codigo_estatus=self.env._("SAT mass download (metadata)"),
                    validacion_efos="",
                )
            )

    # --- actions ----------------------------------------------------------------------

    def _xml(self):
        self.ensure_one()
        if not self.package_member:
            raise UserError(
                self.env._(
                    "SAT's XML of CFDI %(uuid)s was not downloaded (only its metadata). Create "
                    "a download of CFDI for its date, or import the supplier's XML file.",
                    uuid=self.uuid,
                )
            )
        attachment = self.package_attachment_id.sudo()
        with Package(attachment.raw, attachment.name.removesuffix(".zip")) as package:
            for member in package.cfdi():
                if member.name == self.package_member:
                    return member.name, member.data
        raise UserError(
            self.env._("CFDI %(uuid)s is missing from its package.", uuid=self.uuid)
        )  # pragma: no cover (a stored package is never rewritten)

    def action_create_bill(self):
        """Import the downloaded supplier CFDI as a vendor bill (the vendor import's checks)."""
        rows = self.filtered(lambda r: r.direction == "received" and not r.move_id)
        if not rows:
            raise UserError(self.env._("Select received CFDI that have no bill in Odoo yet."))
        company = rows.company_id[:1]
        wizard = (
            self.env["l10n_mx_einvoice.vendor.import"]
            .with_company(company)
            .create({"company_id": company.id, "check_sat_status": False})
        )
        wizard._import_files([row._xml() for row in rows])
        rows.sudo()._link_records()
        return wizard.action_open_bills()

    def action_open_record(self):
        self.ensure_one()
        record = self.move_id or self.document_id
        if not record:
            raise UserError(self.env._("CFDI %(uuid)s has no record in Odoo yet.", uuid=self.uuid))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    def action_check_status(self):
        """Ask SAT's status service about the linked Odoo records now."""
        self.document_id.action_check_sat_status()
        self.move_id.filtered(
            "l10n_mx_einvoice_vendor_uuid"
        )._l10n_mx_einvoice_vendor_check_status()
        return True

    @api.model
    def action_open_reconciliation(self):
        """The reconciliation list, with every row linked to what Odoo holds today."""
        self.sudo().search(
            [("company_id", "in", self.env.companies.ids), ("move_id", "=", False)]
        )._link_records()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_einvoice.action_l10n_mx_einvoice_sat_cfdi"
        )

    @api.model
    def action_open_books_not_at_sat(self):
        """Entries of Odoo whose CFDI no download from SAT listed, over the periods downloaded
        whole: issued invoices and payments, and received vendor bills."""
        downloads = self.env["l10n_mx_einvoice.sat.download"].search(
            [("state", "=", "done"), ("folio_uuid", "=", False)]
        )
        moves = self.env["account.move"]
        for download in downloads:
            moves |= download._books_not_at_sat()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("In Odoo, not at SAT"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("l10n_mx_einvoice.view_move_list_not_at_sat").id, "list"),
                (False, "form"),
            ],
            "domain": [("id", "in", moves.ids)],
            "context": {"group_by": ["invoice_date:month"], "create": False},
        }
