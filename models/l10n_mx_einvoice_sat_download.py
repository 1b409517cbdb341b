"""A download request to SAT's mass download service, driven by the engine's resumable job.

The engine's ``DownloadJob`` is kept as JSON on the record; each ``step`` (at most one call
to SAT) is saved with what it stored, in one transaction: a package is an attachment of
the request, saved with the job, so a crash anywhere neither loses a package nor downloads
it twice. Stored packages are then read into ``l10n_mx_einvoice.sat.cfdi`` rows (by UUID:
importing again changes nothing) and, for received CFDI, into vendor bills through the
vendor import (its checks, one bill per UUID).
"""

import logging
from datetime import UTC, datetime, time

from odoo import Command, api, fields, models, modules
from odoo.exceptions import UserError

from ..cfdi import catalogs, reception
from ..cfdi.descarga import (
    DescargaClient,
    Direction,
    DocumentStatus,
    DownloadJob,
    DownloadKind,
    FolioQuery,
    JobStatus,
    Package,
    Query,
    step,
)
from ..cfdi.descarga import query as descarga_query
from ..cfdi.descarga.client import Endpoints
from ..cfdi.errors import CfdiError
from .l10n_mx_einvoice_sat_cfdi import DIRECTIONS, TIPOS
from .l10n_mx_einvoice_utils import engine_message

_logger = logging.getLogger(__name__)

ENDPOINT_PARAM = "l10n_mx_einvoice.descarga_url"  # a local simulator or a proxy
STATES = [
    ("draft", "Draft"),
    (JobStatus.NEW.value, "To submit"),
    (JobStatus.SUBMITTED.value, "SAT is preparing it"),
    (JobStatus.DOWNLOADING.value, "Downloading packages"),
    (JobStatus.DONE.value, "Done"),
    (JobStatus.FAILED.value, "Failed"),
]
RUNNING = (JobStatus.NEW.value, JobStatus.SUBMITTED.value, JobStatus.DOWNLOADING.value)
STEPS_PER_RUN = 20  # SAT calls per request and cron run


class _Store:
    """The engine's package store: the request's ZIP attachments."""

    def __init__(self, download):
        self.download = download

    def __contains__(self, package_id):
        return bool(self.download._package(package_id))

    def put(self, package_id, data):
        self.download.env["ir.attachment"].sudo().create(
            {
                "name": f"{package_id}.zip",
                "raw": data,
                "mimetype": "application/zip",
                "res_model": self.download._name,
                "res_id": self.download.id,
                "company_id": self.download.company_id.id,
            }
        )


class L10nMxEinvoiceSatDownload(models.Model):
    _name = "l10n_mx_einvoice.sat.download"
    _description = "Download from SAT (descarga masiva)"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    direction = fields.Selection(DIRECTIONS, required=True, default="received")
    kind = fields.Selection(
        [(DownloadKind.CFDI.value, "CFDI (XML)"), (DownloadKind.METADATA.value, "Metadata")],
        string="Download",
        required=True,
        default=DownloadKind.METADATA.value,
        help="Metadata lists every CFDI with its SAT status (cancelled ones too); CFDI brings "
        "the XML files (of received CFDI, only the active ones).",
    )
    date_from = fields.Date(string="From")
    date_to = fields.Date(string="To")
    counterpart_rfc = fields.Char(
        string="Counterpart RFC", help="Only CFDI from this issuer (received) or to it (issued)."
    )
    document_type = fields.Selection(TIPOS, string="CFDI type")
    status_filter = fields.Selection(
        [(s.value, s.value) for s in DocumentStatus],
        string="SAT status filter",
        help="Empty: SAT's default (active ones for received CFDI XML, all otherwise).",
    )
    folio_uuid = fields.Char(string="Only the UUID", help="Download this one CFDI by its UUID.")
    create_bills = fields.Boolean(
        string="Create vendor bills",
        default=True,
        help="Received CFDI XML become draft vendor bills (one per UUID, never twice).",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Purchase journal",
        check_company=True,
        domain="[('type', '=', 'purchase'), ('company_id', '=', company_id)]",
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    job = fields.Json(readonly=True, copy=False)
    request_id = fields.Char(string="SAT request", readonly=True, copy=False)
    cfdi_count = fields.Integer(string="CFDI at SAT", readonly=True, copy=False)
    package_count = fields.Integer(string="Packages", readonly=True, copy=False)
    stored_count = fields.Integer(string="Packages downloaded", readonly=True, copy=False)
    imported_packages = fields.Json(readonly=True, copy=False, default=lambda self: [])
    next_run = fields.Datetime(string="Next attempt", readonly=True, copy=False)
    message_es = fields.Text(readonly=True, copy=False)
    message_en = fields.Text(readonly=True, copy=False)
    sat_message = fields.Text(string="SAT's answer", compute="_compute_sat_message")
    import_problems = fields.Text(readonly=True, copy=False)
    sat_cfdi_ids = fields.Many2many(
        "l10n_mx_einvoice.sat.cfdi",
        "l10n_mx_einvoice_sat_cfdi_download_rel",
        "download_id",
        "sat_cfdi_id",
        string="CFDI listed",
        readonly=True,
    )
    sat_cfdi_count = fields.Integer(compute="_compute_sat_cfdi_count")

    @api.depends("direction", "kind", "date_from", "date_to", "folio_uuid")
    def _compute_name(self):
        directions = dict(self._fields["direction"]._description_selection(self.env))
        for download in self:
            if download.folio_uuid:
                download.name = download.folio_uuid.upper()
                continue
            download.name = f"{directions.get(download.direction, '')} {download.kind or ''} " + (
                f"{download.date_from} - {download.date_to}" if download.date_from else ""
            )

    @api.depends("message_es", "message_en")
    @api.depends_context("lang")
    def _compute_sat_message(self):
        spanish = (self.env.lang or "").startswith("es")
        for download in self:
            download.sat_message = download.message_es if spanish else download.message_en

    def _compute_sat_cfdi_count(self):
        for download in self:
            download.sat_cfdi_count = len(download.sat_cfdi_ids)

    # --- the query --------------------------------------------------------------------

    def _query(self):
        self.ensure_one()
        if self.folio_uuid:
            return FolioQuery(self.folio_uuid.strip())
        if not self.date_from or not self.date_to:
            raise UserError(
                self.env._(
                    "Download %(name)s: give the period (from, to) or the UUID to download.",
                    name=self.name,
                )
            )
        return Query(
            direction=Direction(self.direction),
            start=datetime.combine(self.date_from, time.min),
            end=datetime.combine(self.date_to, time(23, 59, 59)),
            kind=DownloadKind(self.kind),
            counterparts=(self.counterpart_rfc.strip().upper(),) if self.counterpart_rfc else (),
            document_type=self.document_type or "",
            status=DocumentStatus(self.status_filter) if self.status_filter else None,
        )

    def action_start(self):
        """Check the query as SAT would, then leave it to the scheduled action (or advance)."""
        now = datetime.now(catalogs.mexico_city()).replace(tzinfo=None)
        for download in self.filtered(lambda d: d.state in ("draft", JobStatus.FAILED.value)):
            query = download._query()
            try:
                descarga_query.check(query, now)
            except CfdiError as error:
                raise UserError(
                    self.env._(
                        "Download %(name)s: %(message)s",
                        name=download.name,
                        message=engine_message(self.env, error),
                    )
                ) from None
            download._fiel()
            download._save_job(DownloadJob(query))
        return True

    def action_advance(self):
        """Do now what the scheduled action would do next."""
        for download in self.filtered(lambda d: d.state in RUNNING):
            download._advance(datetime.now(UTC))
        return True

    def action_view_cfdi(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_einvoice.action_l10n_mx_einvoice_sat_cfdi"
        )
        action["domain"] = [("download_ids", "in", self.ids)]
        action["context"] = {}
        return action

    # --- the job ------------------------------------------------------------------------

    def _fiel(self):
        fiel = self.env["l10n_mx_einvoice.fiel"]._for_company(self.company_id)
        if not fiel:
            raise UserError(
                self.env._(
                    "%(company)s has no valid e.firma (FIEL): load it in Accounting > "
                    "Configuration > CFDI (México) > e.firma (FIEL) to download from SAT.",
                    company=self.company_id.display_name,
                )
            )
        return fiel

    def _client(self):
        url = self.env["ir.config_parameter"].sudo().get_param(ENDPOINT_PARAM)
        credential = self._fiel()._load_credential()
        return DescargaClient(credential, Endpoints.at(url) if url else None)

    def _save_job(self, job):
        self.write(
            {
                "job": job.to_dict(),
                "state": job.status.value,
                "request_id": job.request_id,
                "cfdi_count": job.cfdi_count,
                "package_count": len(job.package_ids),
                "stored_count": len(job.stored),
                "next_run": job.not_before.astimezone(UTC).replace(tzinfo=None)
                if job.not_before
                else False,
                "message_es": job.message_es,
                "message_en": job.message_en,
            }
        )

    def _advance(self, now, max_steps=STEPS_PER_RUN):
        """Step the job while it is due (each step saved and, outside tests, committed),
        then import what was stored."""
        self.ensure_one()
        job = DownloadJob.from_dict(self.job)
        try:
            client = self._client()
        except UserError as error:
            self.write({"message_es": error.args[0], "message_en": error.args[0]})
            return
        store = _Store(self)
        for _index in range(max_steps):
            if not job.due(now):
                break
            job = step(job, client, store, now)
            self._save_job(job)
            self._commit()
            if job.status == JobStatus.FAILED:
                self.message_post(body=self.sat_message)
        self._import_packages()
        self._commit()

    def _can_commit(self):
        forced = self.env.context.get("l10n_mx_einvoice_commit")
        return (not modules.module.current_test) if forced is None else forced

    def _commit(self):
        # each step is saved with what it stored: a crash after it repeats nothing
        if self._can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _package(self, package_id):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("name", "=", f"{package_id}.zip"),
                ],
                limit=1,
            )
        )

    # --- import -----------------------------------------------------------------------

    def _import_packages(self):
        """Read every stored package not read yet into SAT CFDI rows (and vendor bills)."""
        stored = DownloadJob.from_dict(self.job).stored
        waiting = [
            package_id for package_id in stored if package_id not in (self.imported_packages or [])
        ]
        if waiting:
            self._import_packages_in_background(waiting)

    def _import_packages_in_background(self, package_ids):
        """The extension point of the job queue bridge (``l10n_mx_einvoice_queue``), which
        imports the packages as jobs instead; here now."""
        self._import_package_ids(package_ids)

    def _import_package_ids(self, package_ids):
        """Import these stored packages, each once (one already imported is skipped),
        committing each one (outside tests)."""
        for package_id in package_ids:
            if package_id in (self.imported_packages or []):
                continue
            attachment = self._package(package_id)
            with self.env.cr.savepoint():
                problems = self._import_package(package_id, attachment)
                self.write(
                    {
                        "imported_packages": [*(self.imported_packages or []), package_id],
                        "import_problems": "\n".join(
                            filter(None, [self.import_problems, *problems])
                        ),
                    }
                )
            # a package's bills are saved with the mark that it was read: a crash later
            # redoes nothing, and the memory of its records is freed before the next one
            if self._can_commit():
                self._commit()
                self.env.invalidate_all()

    def _import_package(self, package_id, attachment):
        try:
            with Package(attachment.raw, package_id) as package:
                if package.kind == DownloadKind.METADATA.value:
                    return self._import_metadata(package, attachment)
                return self._import_cfdi(package, attachment)
        except CfdiError as error:
            return [f"{package_id}: {engine_message(self.env, error)}"]

    def _import_metadata(self, package, attachment):
        rows = {}
        for record in package.metadata():
            rows[record.uuid.upper()] = {
                "direction": self.direction,
                "rfc_emisor": record.rfc_emisor,
                "nombre_emisor": record.nombre_emisor,
                "rfc_receptor": record.rfc_receptor,
                "nombre_receptor": record.nombre_receptor,
                "tipo": record.efecto_comprobante or False,
                "total": float(record.monto),
                "fecha": _utc(record.fecha_emision),
                "sat_state": "cancelado" if record.cancelled else "vigente",
                "fecha_cancelacion": _utc(record.fecha_cancelacion),
                "download_ids": [Command.link(self.id)],
            }
        self.env["l10n_mx_einvoice.sat.cfdi"].sudo()._upsert(self.company_id, rows)
        return []

    def _import_cfdi(self, package, attachment):
        rows, files, problems = {}, [], []
        active = self._query_status() == DocumentStatus.ACTIVE
        for member in package.cfdi():
            try:
                root = reception.parse_root(member.name, member.data)
            except CfdiError as error:
                problems.append(f"{member.name}: {engine_message(self.env, error)}")
                continue
            summary = reception.summary(root)
            rows[summary.uuid] = {
                "direction": self.direction,
                "rfc_emisor": summary.issuer_rfc,
                "nombre_emisor": summary.issuer_name,
                "rfc_receptor": summary.receiver_rfc,
                "tipo": summary.tipo or False,
                "total": float(summary.total or 0),
                "fecha": _utc(datetime.fromisoformat(summary.fecha)) if summary.fecha else False,
                "download_ids": [Command.link(self.id)],
                "package_attachment_id": attachment.id,
                "package_member": member.name,
            }
            if active:
                rows[summary.uuid]["sat_state"] = "vigente"
            files.append(_received(member, root))
        rows_found = (
            self.env["l10n_mx_einvoice.sat.cfdi"]
            .sudo()
            ._upsert(self.company_id, rows, keep_known=("sat_state",))
        )
        if self.direction == "received" and self.create_bills and files:
            problems += self._create_bills(files)
            rows_found._link_records()
        return problems

    def _query_status(self):
        query = self._query()
        return query.effective_status if isinstance(query, Query) else None

    def _create_bills(self, files):
        """The vendor import on the package's files, read: bills created, duplicates
        refused."""
        # the cron's company is not the request's: the wizard's defaults must be the request's
        wizard = (
            self.env["l10n_mx_einvoice.vendor.import"]
            .with_company(self.company_id)
            .create(
                {
                    "company_id": self.company_id.id,
                    "check_sat_status": False,
                    **({"journal_id": self.journal_id.id} if self.journal_id else {}),
                }
            )
        )
        wizard._import_read(files)
        return [f"{line.name}: {line.message}" for line in wizard.line_ids if line.state == "error"]

    # --- reconciliation helpers ---------------------------------------------------------

    def _period_bounds(self):
        """The period as the CFDI's own Fecha is written (Mexico's local time)."""
        start = datetime.combine(self.date_from, time.min)
        end = datetime.combine(self.date_to, time(23, 59, 59))
        return start.strftime(descarga_query.DATE_FORMAT), end.strftime(descarga_query.DATE_FORMAT)

    def _lists_everything(self):
        """A finished request of a whole period, with no filter: what SAT did not list
        there is not at SAT."""
        return (
            self.state == JobStatus.DONE.value
            and not self.folio_uuid
            and self.date_from
            and self.date_to
            and not self.counterpart_rfc
            and not self.document_type
            and self.status_filter != DocumentStatus.CANCELLED.value
        )

    def _listed(self, uuids):
        """The UUIDs among ``uuids`` that a download from SAT listed for the company."""
        rows = self.env["l10n_mx_einvoice.sat.cfdi"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("uuid", "in", [uuid.upper() for uuid in uuids]),
            ]
        )
        return set(rows.mapped("uuid"))

    def _documents_not_at_sat(self):
        """Issued CFDI of the period stamped in Odoo that no download listed."""
        self.ensure_one()
        start, end = self._period_bounds()
        documents = self.env["l10n_mx_einvoice.document"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("kind", "=", "stamp"),
                ("uuid", "!=", False),
                ("cfdi_date", ">=", start),
                ("cfdi_date", "<=", end),
            ]
        )
        listed = self._listed(documents.mapped("uuid"))
        return documents.filtered(lambda d: d.uuid.upper() not in listed)

    def _bills_not_at_sat(self):
        """Vendor bills of the period imported from a supplier CFDI no download listed (a
        CFDI SAT does not know, or one not issued to the company)."""
        self.ensure_one()
        start, end = self._period_bounds()
        bills = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("state", "!=", "cancel"),
                ("l10n_mx_einvoice_vendor_uuid", "!=", False),
                ("l10n_mx_einvoice_vendor_fecha", ">=", start),
                ("l10n_mx_einvoice_vendor_fecha", "<=", end),
            ]
        )
        listed = self._listed(bills.mapped("l10n_mx_einvoice_vendor_uuid"))
        return bills.filtered(lambda b: b.l10n_mx_einvoice_vendor_uuid not in listed)

    def _books_not_at_sat(self):
        """The entries of Odoo (invoices and payments issued, bills received) of this
        finished download's whole period whose CFDI SAT did not list."""
        self.ensure_one()
        if not self._lists_everything():
            return self.env["account.move"]
        if self.direction == "issued":
            return self._documents_not_at_sat().move_id
        return self._bills_not_at_sat()

    # --- the scheduled action -----------------------------------------------------------

    @api.model
    def _cron_advance(self, limit=20):
        """Advance the requests that are due (SAT's waits, retries and daily limits are in
        each job's next attempt)."""
        now = datetime.now(UTC)
        downloads = self.search(
            [
                ("state", "in", RUNNING),
                "|",
                ("next_run", "=", False),
                ("next_run", "<=", now.replace(tzinfo=None)),
            ],
            limit=limit,
            order="next_run asc, id asc",
        )
        for download in downloads:
            if not download._lock():
                continue
            try:
                download._advance(now)
            except Exception:  # one request's bug must not stop the others
                if not download._can_commit():
                    raise
                _logger.exception("SAT download %s failed", download.id)
                self.env.cr.rollback()
        return True

    def _lock(self):
        self.env.cr.execute(
            f"SELECT id FROM {self._table} WHERE id = %s FOR UPDATE SKIP LOCKED",  # noqa: S608
            [self.id],
        )
        return bool(self.env.cr.fetchone())


def _received(member, root):
    """The package's file as the vendor import reads it (the tree parsed once, its seal
    verified once), or why it is not a supplier's bill."""
    try:
        return reception.read_tree(member.name, member.data, root)
    except CfdiError as error:
        return reception.FileProblem.of(
            member.name, error, skipped=error.code == "RECEPTION-SKIPPED"
        )


def _utc(moment):
    """SAT's dates are Mexico's local time: Odoo keeps UTC."""
    if not moment:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=catalogs.mexico_city())
    return moment.astimezone(UTC).replace(tzinfo=None)
