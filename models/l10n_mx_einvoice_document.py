"""The CFDI lifecycle: one document per stamping attempt, and its cancellation requests.

    seal ──> pending ──PAC──> stamped ──cancel──> cancel_requested ──> cancelled
                │  │   └────> rejected / error       (receiver)  └──> stamped (refused)
                │  └─(sealed > 70 h ago, never stamped)─> expired (sealed again)
                └─ PAC unavailable: stays pending; the retry asks the PAC first

``_stamp`` is the one entry point for stamping (buttons, list selection, Send & Print,
stamp on post, payment complements, global invoices, crons); ``_cancel`` the one for
cancellation. Nothing is lost (the signed XML is committed before the PAC is called),
nothing is done twice (row locks, one UUID per database, one credit per UUID). What a
CFDI says comes from a builder (``l10n_mx_einvoice.builder.*``); the engine issues it
(``cfdi.issue``) and the PAC stamps it once (``cfdi.pac.stamp_once``).
"""

import base64
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError

from ..cfdi import catalogs, seal
from ..cfdi import xml as cfdi_xml
from ..cfdi.errors import CfdiError
from ..cfdi.issue import IssueRefused, issue
from ..cfdi.pac import PacError, Rejected, Unavailable, sat_status, stamp_many
from ..cfdi.pac.base import LookupFailed
from . import l10n_mx_einvoice_printing as printing
from .l10n_mx_einvoice_utils import (
    USER_GROUP,
    catalog_selection,
    engine_message,
    finding_message,
    pac_message,
)

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending (sent or about to be sent to the PAC)"),
    ("stamped", "Stamped"),
    ("rejected", "Rejected"),
    ("error", "Error"),
    ("expired", "Expired (sealed more than 70 h ago, never stamped)"),
    ("cancel_requested", "Cancellation requested"),
    ("cancelled", "Cancelled"),
]
DOCUMENT_TYPES = [
    ("invoice", "Invoice or credit note"),
    ("payment", "Payment complement"),
    ("global", "Global invoice"),
]
WRITTEN_ONCE = frozenset(
    {
        "kind",
        "document_type",
        "company_id",
        "move_id",
        "origin_id",
        "stamp_account_id",
        "signed_xml",
        "digest",
        "cfdi_date",
        "cfdi_name",
        "uuid",
        "attachment_id",
        "motive",
        "replacement_uuid",
        "invoice_ids",
        "sale_ids",
        "currency_id",
        "periodicidad",
        "meses",
        "anio",
    }
)
LIVE_STATES = ("stamped", "cancel_requested")
STANDING_STATES = ("pending", "stamped", "cancel_requested")
KEPT_STATES = ("pending", "stamped", "cancel_requested", "cancelled")
# SAT refuses a CFDI sealed more than 72 h before stamping; re-seal a little before that.
RESEAL_AFTER = timedelta(hours=70)
# Subjects sealed per commit: bounds how long their rows stay locked and how many PAC
# answers wait in memory for the batch's commit (a crash loses none: see _seal_batch).
STAMP_BATCH_SIZE = 50
SAT_STATUS_URL_PARAM = "l10n_mx_einvoice.sat_status_url"
SAT_STATUS_TIMEOUT = 20.0
SAT_CANCELLED = "Cancelado"
RECEIVER_REJECTED = "Solicitud rechazada"


def call_pac(calls):
    """[(document, StampResult or PacError)]: the PAC's answers to ``calls`` (see
    ``_pac_calls``), several at a time. Runs in threads: only the PAC is called here (no
    ORM, no cursor); the documents are only carried back to be stored."""
    outcomes = []
    for connector, concurrency, account_calls in calls:
        answers = stamp_many(
            connector,
            [(signed_xml, sent_before) for _document, signed_xml, sent_before in account_calls],
            workers=concurrency,
        )
        outcomes += [
            (document, answer)
            for (document, _xml, _sent), answer in zip(account_calls, answers, strict=True)
        ]
    return outcomes


def file_prefix(comprobante):
    """<RFC>-<Serie><Folio>: a stamped XML is named <prefix>-<UUID>.xml."""
    return f"{comprobante.emisor.rfc}-{comprobante.serie or ''}{comprobante.folio or ''}"


class L10nMxEinvoiceDocument(models.Model):
    """One stamping attempt (a CFDI: invoice, credit note, payment complement or global
    invoice) or one cancellation request: the history of a company's CFDI."""

    _name = "l10n_mx_einvoice.document"
    _description = "CFDI document (stamping or cancellation attempt)"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    kind = fields.Selection(
        [("stamp", "Stamping"), ("cancel", "Cancellation")],
        required=True,
        default="stamp",
        readonly=True,
    )
    document_type = fields.Selection(DOCUMENT_TYPES, string="CFDI type", readonly=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Journal entry",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    stamp_account_id = fields.Many2one(
        "l10n_mx_einvoice.stamp.account", readonly=True, check_company=True
    )
    signed_xml = fields.Binary(
        string="Signed XML",
        attachment=False,
        readonly=True,
        help="The sealed CFDI exactly as it was (or will be) sent to the PAC.",
    )
    digest = fields.Char(
        string="SHA-256",
        readonly=True,
        index=True,
        help="SHA-256 of the signed XML: identifies the document sent to the PAC.",
    )
    cfdi_date = fields.Char(string="Date of the CFDI (Fecha)", readonly=True)
    cfdi_name = fields.Char(
        string="CFDI file prefix",
        readonly=True,
        help="<RFC>-<Serie><Folio>: the stamped XML is named <prefix>-<UUID>.xml.",
    )
    uuid = fields.Char(string="UUID", readonly=True, index=True, copy=False)
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="XML",
        readonly=True,
        ondelete="restrict",
        help="The stamped CFDI, or SAT's acknowledgment of a cancellation.",
    )
    pac_code = fields.Char(string="PAC code", readonly=True)
    message = fields.Text(readonly=True)
    # cancellation requests
    origin_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="Cancelled CFDI",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )
    cancel_request_ids = fields.One2many(
        "l10n_mx_einvoice.document", "origin_id", string="Cancellation requests", readonly=True
    )
    motive = fields.Char(string="Cancellation motive", readonly=True)
    replacement_uuid = fields.Char(readonly=True)
    # payment complement: the invoices it relates (NumParcialidad counts them)
    invoice_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_document_invoice_rel",
        "document_id",
        "invoice_id",
        string="Paid invoices",
        readonly=True,
        check_company=True,
    )
    # global invoice: the sales it covers and its period
    sale_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_document_sale_rel",
        "document_id",
        "sale_id",
        string="Sales",
        readonly=True,
        check_company=True,
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    periodicidad = fields.Selection(
        selection=lambda self: catalog_selection("c_Periodicidad"),
        string="Periodicity",
        readonly=True,
    )
    meses = fields.Selection(
        selection=lambda self: catalog_selection("c_Meses"), string="Months", readonly=True
    )
    anio = fields.Integer(string="Year", readonly=True)
    # SAT's status of the stamped CFDI (checked on demand and by a scheduled action)
    sat_estado = fields.Char(string="SAT status", readonly=True)
    sat_es_cancelable = fields.Char(string="Cancellable", readonly=True)
    sat_estatus_cancelacion = fields.Char(string="Cancellation status", readonly=True)
    sat_checked = fields.Datetime(string="SAT status checked on", readonly=True)

    def init(self):
        # A UUID is stamped once per database, whatever the company or later cancellation.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS l10n_mx_einvoice_document_uuid_uniq
                ON l10n_mx_einvoice_document (upper(uuid))
             WHERE kind = 'stamp' AND uuid IS NOT NULL
            """
        )

    @api.depends("move_id", "kind", "uuid", "document_type", "periodicidad")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"].selection)
        for document in self:
            subject = document.move_id.name or (
                self.env._("Global invoice") if document.document_type == "global" else ""
            )
            label = kinds.get(document.kind, "")
            document.display_name = f"{subject} · {label} · {document.uuid or document.id}"

    def write(self, vals):
        self.check_access("write")  # no access right lets a user write a document at all
        # what was sealed, for whom, and the stamp's answer are set once: the lifecycle only
        # moves a document's state forward
        for name in WRITTEN_ONCE.intersection(vals):
            if any(document[name] for document in self):
                raise UserError(
                    self.env._(
                        "%(field)s of a CFDI document is set once and cannot change.",
                        field=self._fields[name].get_description(self.env)["string"],
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_kept(self):
        if any(document.state in KEPT_STATES for document in self):
            raise UserError(
                self.env._(
                    "CFDI documents that are pending, stamped or cancelled are kept (CFF art. 30) "
                    "and cannot be deleted."
                )
            )

    def _signed_bytes(self):
        self.ensure_one()
        # attachment=False Binary fields read back as base64
        return base64.b64decode(self.with_context(bin_size=False).signed_xml or b"")

    def _stamped_xml(self):
        """The stamped CFDI's bytes (None when there is none)."""
        self.ensure_one()
        attachment = self.sudo().attachment_id if self.kind == "stamp" else None
        return attachment.raw if attachment else None

    # --- stamping: the one entry point -------------------------------------------------

    @api.model
    def _check_stamp_right(self):
        """Every stamping and cancellation path: CFDI users (the cron's user is one)."""
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only CFDI users can stamp or cancel CFDI; ask a CFDI manager to add you "
                    "to the group."
                )
            )

    @api.model
    def _stamp(self, subjects):
        """Stamp ``subjects``: invoices, credit notes and payment entries (``account.move``),
        a global invoice request (``l10n_mx_einvoice.global.invoice``) or pending documents.

        Returns the documents sent to the PAC (their state says how it went). Problems
        before the PAC raise one ``UserError`` for a whole batch, before anything of it is
        sealed or sent. STAMP_BATCH_SIZE at a time: each batch commits twice, its pending
        documents (every signed XML) before the first PAC call, then the PAC's answers.
        Between the two, no row is locked: the PAC is called from threads, as many at once
        as the stamp account allows (``concurrency``), and the answers are stored after,
        while the next batch is being sealed.
        """
        self._check_stamp_right()
        documents = self.browse()
        # credit notes after the invoices: one selected with its invoice is sealed with the
        # invoice's UUID (CfdiRelacionados) only once that invoice is stamped
        refunds = subjects.filtered(lambda s: getattr(s, "move_type", None) == "out_refund")
        for group in (subjects - refunds, refunds):
            batches = [
                group[start : start + STAMP_BATCH_SIZE]
                for start in range(0, len(group), STAMP_BATCH_SIZE)
            ]
            documents |= self._stamp_batches(batches)
        return documents

    def _stamp_batches(self, batches):
        """Seal and commit each batch; while the PAC answers it (a background thread), the
        next batch is sealed; each batch's answers are stored after, in order."""
        documents = self.browse()
        sent = None  # (subjects, future answers) of the batch at the PAC
        with ThreadPoolExecutor(1, thread_name_prefix="cfdi-batch") as pac:
            try:
                for batch in batches:
                    # each batch commits, which empties the cache: prefetching the other
                    # batches' rows again after every commit would make a long selection
                    # quadratic
                    subjects, calls = self._seal_batch(batch.with_prefetch())
                    answers = pac.submit(call_pac, calls)
                    if sent:
                        (previous, previous_answers), sent = sent, None
                        documents |= self._store_outcomes(previous, previous_answers.result())
                    sent = (subjects, answers)
                    if all(concurrency == 1 for _connector, concurrency, _c in calls):
                        # one PAC call at a time: no batch overlaps another either
                        sent = None
                        documents |= self._store_outcomes(subjects, answers.result())
            finally:  # a batch refused or failing after the previous one was sent
                if sent:
                    documents |= self._store_outcomes(sent[0], sent[1].result())
        return documents

    def _seal_batch(self, subjects):
        """(subjects, PAC calls) of a batch sealed and committed. Nothing is lost: the
        signed XML is in the database before the PAC sees it. The commit also releases
        the rows: none stays locked while the PAC answers."""
        subjects = self._lock(subjects).filtered(self._stampable)
        calls = self._pac_calls(self._seal_all(subjects))
        self._commit()
        return subjects, calls

    def _pac_calls(self, to_send):
        """What the PAC threads need, read beforehand: (connector, calls at once,
        [(document, signed XML, sent_before)]) per stamp account."""
        calls = {}
        for document, sent_before in to_send:
            account = document.stamp_account_id.sudo()
            calls.setdefault(account, []).append((document, document._signed_bytes(), sent_before))
        return [
            (account._get_connector(), account.concurrency, account_calls)
            for account, account_calls in calls.items()
        ]

    def _store_outcomes(self, subjects, outcomes):
        """Keep the PAC's answers of a batch and commit; the rows are locked again only
        now, and a document finished meanwhile by another transaction is left alone."""
        locked = self._lock(subjects, skip_held=True)  # a holder is finishing the others
        held = {(s._name, s.id) for s in subjects - locked}
        documents = self.sudo().browse([document.id for document, _outcome in outcomes])
        documents.invalidate_recordset()
        answers = []
        for document, outcome in zip(documents, (o for _d, o in outcomes), strict=True):
            subject = self._subject_of(document)
            if document.state != "pending" or (subject._name, subject.id) in held:
                continue  # finished by another transaction
            if isinstance(outcome, PacError):
                document._pac_failure(outcome)
            else:
                answers.append((document, outcome))
        self._store_stamps(answers)
        self._commit()
        return documents.with_env(self.env)

    @api.model
    def _builder_for(self, subject):
        """The builder that translates ``subject`` into a CFDI (None: not a CFDI): the
        subject's ``_l10n_mx_einvoice_document_type()`` (journal entries, a bridge's
        subjects), else a global invoice."""
        kind = getattr(subject, "_l10n_mx_einvoice_document_type", None)
        document_type = kind() if kind else "global"
        return self.env[f"l10n_mx_einvoice.builder.{document_type}"] if document_type else None

    @api.model
    def _stampable(self, subject):
        if subject._name == "account.move":
            return subject._l10n_mx_einvoice_stampable()
        if subject._name == self._name:
            return subject.state == "pending"
        return True  # a global invoice request: its builder checks its sales

    @api.model
    def _subject_of(self, document):
        """What a pending document was sealed for: its move, or itself (global invoice)."""
        return document.move_id or document

    @api.model
    def _pending_of(self, subject):
        if subject._name == "account.move":
            return subject.sudo().l10n_mx_einvoice_document_ids.filtered(
                lambda d: d.kind == "stamp" and d.state == "pending"
            )[:1]
        if subject._name == self._name and subject.state == "pending":
            return subject.sudo()
        return self.browse()

    @api.model
    def _lock(self, subjects, skip_held=False):
        """Row locks on the subjects (a global invoice request locks its sales); the ones
        obtained.

        ``FOR UPDATE SKIP LOCKED`` answers at once like NOWAIT, but without an SQL error
        (nothing aborted, nothing logged): a missing row means another transaction holds
        it. Those raise a clear message, or are left out with ``skip_held``.
        """
        rows = (
            subjects.sale_ids if subjects._name == "l10n_mx_einvoice.global.invoice" else subjects
        )
        if not rows:
            return subjects
        self.env.cr.execute(
            f"SELECT id FROM {rows._table} WHERE id IN %s FOR UPDATE SKIP LOCKED",  # noqa: S608
            [tuple(rows.ids)],
        )
        obtained = {row[0] for row in self.env.cr.fetchall()}
        held = rows.filtered(lambda row: row.id not in obtained)
        if held and not skip_held:
            raise UserError(
                self.env._(
                    "Another user is stamping %(records)s right now; wait a few seconds and "
                    "reload.",
                    records=", ".join(held.mapped("display_name")),
                )
            )
        if subjects._name == "l10n_mx_einvoice.global.invoice":
            return subjects.browse() if held else subjects
        locked = subjects - held
        locked.invalidate_recordset()
        if locked._name == "account.move":
            locked.l10n_mx_einvoice_document_ids.invalidate_recordset()
        return locked

    # --- sealing ----------------------------------------------------------------------

    def _seal_all(self, subjects):
        """The pending documents to send, as (document, sent_before), sealing where needed.

        Every subject is checked first: problems with any of them raise one UserError for
        all, before anything is saved or sent.
        """
        to_send, to_seal = [], []
        for subject in subjects:
            document = self._pending_of(subject)
            if document and document._expired():
                if document._recover():
                    continue
                document._expire()
                document = None
            if document:
                to_send.append((document, True))
            else:
                to_seal.append(subject)
        moves = self.env["account.move"].union(*(s for s in to_seal if s._name == "account.move"))
        # read for the whole batch at once, not one invoice at a time
        moves.line_ids.mapped("tax_ids")
        moves.line_ids.mapped("tax_tag_ids")
        sealed, failures = [], []
        for subject in to_seal:
            try:
                sealed.append(self._seal(subject))
            except UserError as error:
                failures.append(str(error.args[0]))
        accounts = [values["stamp_account_id"] for values in sealed]
        failures += self.env["l10n_mx_einvoice.stamp.account"]._credit_shortfall(accounts)
        if failures:
            raise UserError("\n\n".join(failures))
        documents = self.sudo().create(sealed)
        moves.filtered("l10n_mx_einvoice_problems")._l10n_mx_einvoice_write_problems(False)
        return to_send + [(document, False) for document in documents]

    def _seal(self, subject):
        """The values of the pending document of ``subject``: checked, built, sealed."""
        builder = self._builder_for(subject)
        company = subject.company_id
        lugar = builder._lugar_expedicion(subject)
        fecha = seal.local_now(lugar)
        fecha_utc = fecha.replace(tzinfo=catalogs.time_zone(lugar)).astimezone(timezone.utc)
        problems = builder._problems(subject)
        certificate, account, setup_problems = self._setup(company, fecha_utc)
        problems += setup_problems
        if problems:
            raise self._refusal(builder, subject, problems)
        try:
            issued = issue(
                builder._comprobante(subject, fecha),
                certificate._get_credential(),
                fecha=fecha,
                expected_total=builder._expected_total(subject),
                in_place=True,
            )
        except IssueRefused as refused:
            raise self._refusal(
                builder, subject, [finding_message(self.env, f) for f in refused.findings]
            ) from None
        except CfdiError as error:
            raise self._refusal(builder, subject, [engine_message(self.env, error)]) from None
        except UserError as error:
            raise self._refusal(builder, subject, [str(error.args[0])]) from None
        return {
            "kind": "stamp",
            "document_type": builder._document_type,
            "state": "pending",
            "company_id": company.id,
            "stamp_account_id": account.id,
            "signed_xml": base64.b64encode(issued.xml),
            "digest": issued.digest,
            "cfdi_date": fecha.isoformat(timespec="seconds"),
            "cfdi_name": file_prefix(issued.comprobante),
            **builder._document_values(subject),
        }

    @api.model
    def _setup(self, company, when):
        """(certificate, stamp account, problems) of ``company`` for a CFDI sealed ``when``."""
        problems = []
        certificate = account = None
        try:
            certificate = company._l10n_mx_einvoice_certificate_at(when)
        except UserError as error:
            problems.append(str(error.args[0]))
        else:
            mismatch = certificate._l10n_mx_einvoice_name_mismatch()
            if mismatch:
                problems.append(mismatch)
        account = company._l10n_mx_einvoice_stamp_account()
        if not account:
            problems.append(
                self.env._(
                    "The company %(company)s has no stamp account: set it in Accounting > "
                    "Configuration > Settings > CFDI.",
                    company=company.name,
                )
            )
        else:
            try:
                account._check_can_stamp()
            except UserError as error:
                problems.append(str(error.args[0]))
        return certificate, account, problems

    @api.model
    def _refusal(self, builder, subject, problems):
        header = self.env._(
            "The CFDI of %(subject)s cannot be stamped; nothing was sent to the PAC and no "
            "stamp credit was used. Fix:",
            subject=builder._subject_name(subject),
        )
        return UserError(header + "\n\n" + "\n".join(f"• {p}" for p in problems))

    def _expired(self):
        if not self.cfdi_date:
            return False
        # the place of issue sealed in the XML (a journal's issuing address may have changed)
        lugar = cfdi_xml.parse(self._signed_bytes()).get("LugarExpedicion", "")
        sealed = datetime.fromisoformat(self.cfdi_date).replace(tzinfo=catalogs.time_zone(lugar))
        return datetime.now(timezone.utc) - sealed > RESEAL_AFTER

    def _expire(self):
        self.write(
            {
                "state": "expired",
                "message": self.env._(
                    "Sealed more than 70 hours ago and never stamped: sealed again."
                ),
            }
        )

    # --- the PAC ----------------------------------------------------------------------

    def _recover(self):
        """Ask the PAC whether this pending document's XML was stamped; store it if so.
        True when the document needs nothing more now (stored, or the PAC cannot say)."""
        connector = self.stamp_account_id.sudo()._get_connector()
        try:
            result = connector.find_stamped(self._signed_bytes())
        except PacError as error:
            self._pac_failure(LookupFailed(error))
            return True
        if result is None:
            return False
        self._store_stamps([(self, result)])
        return True

    def _pac_failure(self, error):
        """Record what the PAC said. ``Unavailable`` (the PAC could not say whether it
        stamped the XML) keeps the document pending for a retry with the same XML."""
        message = pac_message(self.env, error)
        if isinstance(error, Unavailable):
            self.write({"message": message, "pac_code": error.code})
        else:
            state = "rejected" if isinstance(error, Rejected) else "error"
            self.write({"state": state, "message": message, "pac_code": error.code})
        _logger.info("CFDI of %s not stamped: %s", self.display_name, error.code)
        self._post_message(self.env._("CFDI not stamped: %s", message), failure=True)

    def _store_stamps(self, answers):
        """Keep each stamped XML, set the UUIDs, use one credit per UUID.

        ``answers``: (document, StampResult) pairs, stored together so that the
        attachments, the ledger lines and the low-balance check are written once.
        """
        if not answers:
            return
        uuids = [result.uuid.upper() for _document, result in answers]
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    document._attachment_values(f"{document.cfdi_name}-{uuid}.xml", result.xml)
                    | {"description": self.env._("Stamped CFDI %s", uuid)}
                    for (document, result), uuid in zip(answers, uuids, strict=True)
                ]
            )
        )
        stamps = {}
        for (document, _result), uuid, attachment in zip(answers, uuids, attachments, strict=True):
            document.write(
                {
                    "state": "stamped",
                    "uuid": uuid,
                    "attachment_id": attachment.id,
                    "message": False,
                    "pac_code": False,
                }
            )
            stamps.setdefault(document.stamp_account_id, []).append((uuid, document))
        ledger = self.env["l10n_mx_einvoice.credit.move"]
        for account, account_stamps in stamps.items():
            ledger._record_stamps(account, account_stamps)
        moves = self.env["account.move"].union(*(document.move_id for document, _r in answers))
        moves.filtered("l10n_mx_einvoice_problems")._l10n_mx_einvoice_write_problems(False)
        # the move's chatter shows the stamp through its tracked CFDI state and UUID

    def _attachment_values(self, name, data):
        subject = self._subject_of(self)
        return {
            "name": name,
            "raw": data,
            "mimetype": "application/xml",
            "res_model": subject._name,
            "res_id": subject.id,
        }

    def _post_message(self, body, failure=False):
        if self.move_id:
            self.move_id._l10n_mx_einvoice_post(body, failure=failure)

    # --- cancellation: the one entry point --------------------------------------------

    def _cancel(self, motive, replacement_uuid=None):
        """Ask SAT (through the PAC) to cancel this stamped CFDI with a SAT motive (01-04).

        Returns the cancellation request (a document): ``cancelled``, ``cancel_requested``
        (the receiver must accept), ``rejected`` or ``error`` (this CFDI stays valid; the
        request's message says why). A CFDI already cancelled, or waiting for the
        receiver, is never asked again: the earlier request is returned (its SAT status
        is checked first when it waits).
        """
        self.ensure_one()
        self._check_stamp_right()
        self._lock(self._subject_of(self))
        self.invalidate_recordset()
        earlier = self.cancel_request_ids.filtered(
            lambda r: r.state in ("cancelled", "cancel_requested")
        )[:1]
        if self.state == "cancelled":
            self._post_message(
                self.env._("The CFDI %s is already cancelled: no new request was sent.", self.uuid)
            )
            return earlier
        if self.state == "cancel_requested":
            self._check_sat_status()
            return earlier
        if self.kind != "stamp" or self.state != "stamped":
            raise UserError(self.env._("Only a stamped CFDI can be cancelled."))
        self._check_no_standing_complement()
        request = self.sudo()._request_cancellation(motive, replacement_uuid)
        if self.state == "cancelled":
            self._after_cancel()
        return request.with_env(self.env)

    def _check_no_standing_complement(self):
        """SAT refuses to cancel an invoice that stamped payment complements relate."""
        complements = self.search(
            [
                ("kind", "=", "stamp"),
                ("document_type", "=", "payment"),
                ("state", "in", LIVE_STATES),
                ("invoice_ids", "in", self.move_id.ids),
            ]
        )
        if self.move_id and complements:
            raise UserError(
                self.env._(
                    "%(move)s is related by the payment complements %(payments)s: SAT does not "
                    "cancel it while they stand. Cancel them first.",
                    move=self.move_id.display_name,
                    payments=", ".join(complements.move_id.mapped("name")),
                )
            )

    def _request_cancellation(self, motive, replacement_uuid):
        request = self.create(
            {
                "kind": "cancel",
                "document_type": self.document_type,
                "state": "pending",
                "company_id": self.company_id.id,
                "move_id": self.move_id.id,
                "origin_id": self.id,
                "stamp_account_id": self.stamp_account_id.id,
                "uuid": self.uuid,
                "motive": motive,
                "replacement_uuid": replacement_uuid,
            }
        )
        comprobante = cfdi_xml.from_bytes(self._stamped_xml())
        try:
            credential = self.company_id._l10n_mx_einvoice_certificate_at(
                datetime.now(timezone.utc)
            )._get_credential()
            result = self.stamp_account_id._get_connector().cancel(
                self.uuid,
                motive,
                replacement_uuid,
                comprobante.emisor.rfc,
                comprobante.receptor.rfc,
                comprobante.total,
                credential,
            )
        except (CfdiError, UserError) as error:
            message = (
                pac_message(self.env, error) if isinstance(error, CfdiError) else str(error.args[0])
            )
            request.write(
                {"state": "error", "message": message, "pac_code": getattr(error, "code", False)}
            )
            self._post_message(self.env._("CFDI cancellation failed: %s", message))
            return request
        request._store_cancel_answer(result)
        return request

    def _store_cancel_answer(self, result):
        """This request's answer: its state, SAT's acknowledgment, the CFDI's new state."""
        states = {
            "cancelled": ("cancelled", "cancelled"),
            "in_process": ("cancel_requested", "cancel_requested"),
            "rejected": ("rejected", "stamped"),
        }
        request_state, cfdi_state = states[result.outcome]
        values = {"state": request_state, "pac_code": result.status_code, "message": result.message}
        if result.acknowledgment:
            values["attachment_id"] = (
                self.env["ir.attachment"]
                .create(
                    self._attachment_values(
                        f"Acuse-cancelacion-{self.uuid}.xml", result.acknowledgment
                    )
                    | {
                        "description": self.env._(
                            "SAT cancellation acknowledgment of %s", self.uuid
                        )
                    }
                )
                .id
            )
        self.write(values)
        self.origin_id.write({"state": cfdi_state})
        self._post_message(
            self.env._(
                "CFDI cancellation (motive %(motive)s): %(message)s",
                motive=self.motive,
                message=result.message,
            )
        )
        if request_state == "cancel_requested":
            self._post_message(
                self.env._(
                    "The receiver must accept the cancellation; its answer is followed up by "
                    "the SAT status check."
                )
            )

    def _after_cancel(self):
        """Odoo's side of a cancelled CFDI: an invoice's entry is cancelled or reversed; a
        payment's entry stays (the money was received); a global invoice frees its sales."""
        if self.document_type == "invoice":
            self.move_id._l10n_mx_einvoice_cancel_entry()

    # --- SAT status ---------------------------------------------------------------------

    @api.model
    def _sat_status_service(self, company, stamp_account=None):
        """A function (uuid, issuer_rfc, receiver_rfc, total, sello=None) -> StatusResult
        for the CFDI stamped on ``stamp_account``, or for received CFDI when it is None.

        The engine's ``sat_status.status_service`` chooses who answers (the sandbox for what
        it stamped, else SAT's public service or the URL in the system parameter
        ``l10n_mx_einvoice.sat_status_url``: a proxy or a test server).
        """
        account = (stamp_account or company._l10n_mx_einvoice_stamp_account()).sudo()
        url = self.env["ir.config_parameter"].sudo().get_param(SAT_STATUS_URL_PARAM)
        return sat_status.status_service(
            account.provider or "",
            account._get_connector,
            url=url or None,
            received=not stamp_account,
            timeout=SAT_STATUS_TIMEOUT,
        )

    def _sat_status_query(self):
        """SAT's status of this stamped CFDI; ``Unavailable`` when the service is down."""
        self.ensure_one()
        comprobante = cfdi_xml.from_bytes(self._stamped_xml())
        query = self._sat_status_service(self.company_id, self.stamp_account_id)
        c = comprobante
        return query(self.uuid, c.emisor.rfc, c.receptor.rfc, c.total, sello=c.sello)

    def _check_sat_status(self):
        """Ask SAT, store Estado / EsCancelable / EstatusCancelacion and settle a pending
        cancellation. Returns False (and logs) when the service is unavailable."""
        self.ensure_one()
        try:
            status = self._sat_status_query()
        except Unavailable as error:
            _logger.warning("SAT status of %s not checked: %s", self.display_name, error.message_en)
            self._post_message(
                self.env._(
                    "SAT status not checked, the service is unavailable; it will be tried "
                    "again. %s",
                    engine_message(self.env, error),
                )
            )
            return False
        previous = (self.sat_estado, self.sat_estatus_cancelacion)
        self.sudo().write(
            {
                "sat_estado": status.estado,
                "sat_es_cancelable": status.es_cancelable,
                "sat_estatus_cancelacion": status.estatus_cancelacion,
                "sat_checked": fields.Datetime.now(),
            }
        )
        if previous != (status.estado, status.estatus_cancelacion):
            self._post_message(
                self.env._(
                    "SAT status: %(estado)s · %(cancelable)s · %(estatus)s",
                    estado=status.estado,
                    cancelable=status.es_cancelable or "-",
                    estatus=status.estatus_cancelacion or "-",
                )
            )
        if self.state == "cancel_requested":
            self._settle_cancel_request(status)
        return status

    def action_download_xml(self):
        """The XML itself, downloaded: not the attachment's technical form."""
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("The document %s has no XML file.", self.display_name))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "download",
        }

    def action_check_sat_status(self):
        for document in self.filtered(lambda d: d.kind == "stamp" and d.uuid):
            document._check_sat_status()
        return True

    def _settle_cancel_request(self, status):
        document = self.sudo()
        request = document.cancel_request_ids.filtered(lambda r: r.state == "cancel_requested")[:1]
        if status.estado == SAT_CANCELLED:
            request.write({"state": "cancelled", "message": status.estatus_cancelacion})
            document.write({"state": "cancelled"})
            self._post_message(
                self.env._(
                    "The receiver accepted: the CFDI is cancelled (%s).",
                    status.estatus_cancelacion,
                )
            )
            self._after_cancel()
        elif status.estatus_cancelacion == RECEIVER_REJECTED:
            message = self.env._("The receiver rejected the cancellation: the CFDI stays valid.")
            request.write({"state": "rejected", "message": message})
            document.write({"state": "stamped"})
            self._post_message(message)

    # --- printed CFDI -------------------------------------------------------------------

    def _pdf_values(self):
        """What the printed CFDI shows (empty dict when not stamped)."""
        self.ensure_one()
        data = self._stamped_xml()
        return printing.pdf_values(data) if data else {}

    def _pdf_pagos(self):
        self.ensure_one()
        data = self._stamped_xml()
        return printing.pdf_pagos(data) if data else []

    # --- scheduled actions --------------------------------------------------------------

    @api.model
    def _cron_stamp(self, limit=200):
        """Stamp what waits: invoices of companies that stamp on posting, pending documents
        (PAC unavailable, crash), and the large selections left to it
        (``l10n_mx_einvoice.stamp.run``). A batch at a time; one failure stops no other."""
        self.env["l10n_mx_einvoice.stamp.run"].search([("launched", "=", False)])._run()
        moves = self.env["account.move"].search(
            [
                ("state", "=", "posted"),
                ("l10n_mx_einvoice_state", "=", "to_stamp"),
                "|",
                ("company_id.l10n_mx_einvoice_stamp_on_post", "=", True),
                ("l10n_mx_einvoice_document_ids.state", "=", "pending"),
            ],
            limit=limit,
            order="id",
        )
        pending = self.search(
            [("kind", "=", "stamp"), ("state", "=", "pending"), ("move_id", "=", False)],
            limit=limit,
            order="id",
        )
        self._stamp_in_background(moves)
        for subject in pending:
            self._stamp_one_unattended(subject)
        return True

    @api.model
    def _stamp_in_background(self, subjects):
        """Stamp ``subjects`` unattended, STAMP_BATCH_SIZE at a time, each batch committed.

        The extension point of the job queue bridge (``l10n_mx_einvoice_queue``), which
        makes each batch a job instead, on the channel of its stamp account, and returns
        the jobs; here the batches run now and nothing is returned.
        """
        for start in range(0, len(subjects), STAMP_BATCH_SIZE):
            self._stamp_unattended_batch(subjects[start : start + STAMP_BATCH_SIZE])

    @api.model
    def _stamp_unattended_batch(self, subjects):
        """Stamp a batch (its PAC calls at once); when one subject refuses the batch, each
        subject alone, so that one problem stops no other. Returns a line per subject."""
        subjects = subjects.with_prefetch()
        try:
            self._stamp(subjects)
        except Exception as error:
            if not isinstance(error, UserError) and not self._can_commit():
                raise
            if self._can_commit():
                self.env.cr.rollback()
            for subject in subjects:
                self._stamp_one_unattended(subject)
        return self._stamp_report(subjects)

    @api.model
    def _stamp_one_unattended(self, subject):
        try:
            self._stamp_unattended(subject.with_prefetch())
        except Exception:  # noqa: BLE001 - one subject must not stop the others
            if not self._can_commit():
                raise
            self.env.cr.rollback()
            _logger.exception("CFDI of %s could not be stamped", subject.display_name)
        self._commit()

    @api.model
    def _stamp_report(self, subjects):
        """One line per subject: its CFDI's state and UUID, or why it is not stamped."""
        lines = []
        for subject in subjects.exists():
            if subject._name == "account.move":
                state = (
                    dict(
                        subject._fields["l10n_mx_einvoice_state"]._description_selection(self.env)
                    ).get(subject.l10n_mx_einvoice_state)
                    or "-"
                )
                detail = subject.l10n_mx_einvoice_uuid or subject.l10n_mx_einvoice_message
            else:
                state, detail = subject.state, subject.uuid or subject.message
            lines.append(f"{subject.display_name}: {state}" + (f" ({detail})" if detail else ""))
        return "\n".join(lines)

    @api.model
    def _stamp_unattended(self, subject):
        """Stamp one subject for a scheduled action or an automatic path: a problem is
        recorded on it (the entry says why) instead of stopping the caller. Problems are
        raised before anything is sealed or written, so there is nothing to undo."""
        try:
            self._stamp(subject)
        except UserError as error:
            self._record_problems(subject, str(error.args[0]))

    @api.model
    def _record_problems(self, subject, message):
        """Why ``subject`` could not be sealed (nothing was sent to the PAC)."""
        if subject._name == "account.move":
            subject._l10n_mx_einvoice_write_problems(message)
            subject._l10n_mx_einvoice_post(
                self.env._("CFDI not stamped: %s", message), failure=True
            )
        elif subject._name == self._name:
            subject.sudo().write({"message": message})

    @api.model
    def _cron_sat_status(self, days=3, limit=500):
        """Follow up cancellations in process and CFDI stamped in the last ``days`` days.
        One commit per document; an unavailable service fails no other document."""
        since = fields.Datetime.now() - timedelta(days=days)
        documents = self.search(
            [
                ("kind", "=", "stamp"),
                "|",
                ("state", "=", "cancel_requested"),
                "&",
                ("state", "=", "stamped"),
                ("create_date", ">=", since),
            ],
            limit=limit,
            order="id",
        )
        self._check_sat_status_in_background(documents)
        return True

    @api.model
    def _check_sat_status_in_background(self, documents):
        """Check the SAT status of ``documents`` unattended: the extension point of the job
        queue bridge (a job per batch); here now, committing each document."""
        documents._check_sat_status_batch()

    def _check_sat_status_batch(self):
        """Check each document's SAT status, committing each; one unavailable service or
        broken document fails no other."""
        unavailable = 0
        for document in self:
            try:
                with self.env.cr.savepoint():
                    if document._check_sat_status() is False:
                        unavailable += 1
            except Exception:  # noqa: BLE001 - one broken document must not stop the others
                _logger.exception("SAT status follow-up failed for %s", document.display_name)
            self._commit()
        if unavailable:
            _logger.warning(
                "SAT status service unavailable for %d of %d CFDI; retried at the next run",
                unavailable,
                len(self),
            )
        return f"{len(self) - unavailable} of {len(self)} checked"

    # --- transactions -------------------------------------------------------------------

    @api.model
    def _can_commit(self):
        forced = self.env.context.get("l10n_mx_einvoice_commit")
        if forced is not None:
            return forced
        return not modules.module.current_test

    @api.model
    def _commit(self):
        # committing mid-request is the design: the signed XML must survive a PAC call that fails
        if self._can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit
