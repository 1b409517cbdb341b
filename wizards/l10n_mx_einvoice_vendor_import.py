"""Import supplier CFDI (XML files or ZIP archives) as draft vendor bills, one per CFDI,
with a result per file: a bad file never stops the others."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import reception
from ..cfdi.errors import CfdiError
from ..models.l10n_mx_einvoice_utils import engine_message

BATCH_SIZE = 100  # bills created per ORM call (Odoo computes a batch much faster)


class L10nMxEinvoiceVendorImport(models.TransientModel):
    _name = "l10n_mx_einvoice.vendor.import"
    _description = "Import supplier CFDI as vendor bills"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Purchase journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'purchase'), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "purchase"),
            ],
            limit=1,
        ),
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "l10n_mx_einvoice_vendor_import_attachment_rel",
        "wizard_id",
        "attachment_id",
        string="Files",
        help="Supplier CFDI XML files, or ZIP archives of them (PDFs inside are ignored).",
    )
    check_sat_status = fields.Boolean(
        string="Check SAT status now",
        default=True,
        help="Ask SAT whether each CFDI is Vigente or Cancelado right after the import (a "
        "scheduled action re-checks them later anyway).",
    )
    state = fields.Selection([("draft", "Upload"), ("done", "Result")], default="draft")
    line_ids = fields.One2many("l10n_mx_einvoice.vendor.import.line", "wizard_id", string="Results")
    move_ids = fields.Many2many("account.move", string="Bills created")
    summary = fields.Char(compute="_compute_summary")

    @api.depends("line_ids.state")
    def _compute_summary(self):
        for wizard in self:
            states = wizard.line_ids.mapped("state")
            wizard.summary = self.env._(
                "%(ok)s imported, %(dup)s already imported, %(bad)s not imported, %(skip)s ignored",
                ok=states.count("imported") + states.count("warning"),
                dup=states.count("duplicate"),
                bad=states.count("error"),
                skip=states.count("skipped"),
            )

    def action_import(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(self.env._("Add at least one XML or ZIP file to import."))
        queued = self._import_in_background(self.attachment_ids)
        if queued:
            return queued
        self._import_attachments(self.attachment_ids)
        self.state = "done"
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Supplier CFDI import"),
        }

    def _import_in_background(self, attachments):
        """The extension point of the job queue bridge (``l10n_mx_einvoice_queue``), which
        imports ``attachments`` as jobs (a job per chunk of files) and returns the action
        telling the user so; here nothing is queued (False) and the import runs now."""
        return False

    def _import_attachments(self, attachments):
        """Import uploaded files, then delete them (each bill keeps its own copy)."""
        self._import_files([(attachment.name, attachment.raw or b"") for attachment in attachments])
        attachments.unlink()

    def _import_files(self, uploads, limits=reception.DEFAULT_LIMITS):
        """Import ``[(file name, bytes)]``; one result line per file (ZIP members included).

        Each CFDI is read and mapped on its own (a bad one only fails itself); the bills are
        then created in batches, and a batch that fails is retried one bill at a time.
        """
        return self._import_read(
            [item for name, data in uploads for item in reception.read_upload(name, data, limits)]
        )

    def _import_read(self, items):
        """Import files the engine already read (``ReceivedCfdi`` or ``FileProblem``): the
        upload above, or SAT's download packages (each file parsed and verified once)."""
        self.ensure_one()
        Move = self.env["account.move"]
        reader = self.env["l10n_mx_einvoice.bill.reader"]
        journal = self.journal_id
        tax_index = reader._tax_index(journal.company_id)
        known = reader._existing_many(
            journal.company_id,
            [item.uuid for item in items if not isinstance(item, reception.FileProblem)],
        )
        lines, prepared, first_of = [], [], {}
        for item in items:
            if isinstance(item, reception.FileProblem):
                lines.append(
                    {
                        "name": item.name,
                        "state": "skipped" if item.skipped else "error",
                        "message": engine_message(self.env, item),
                        "code": item.code,
                    }
                )
                continue
            if item.comprobante.tipo_de_comprobante == reception.PAYMENT_TYPE:
                lines.append(self._import_payment(item))
                continue
            line = self._prepare_one(reader, item, journal, tax_index, first_of, known)
            if line.get("state") is None:
                first_of[item.uuid] = len(lines)
                prepared.append((len(lines), item, line.pop("values")))
            lines.append(line)
        for start in range(0, len(prepared), BATCH_SIZE):
            self._create_batch(reader, journal, prepared[start : start + BATCH_SIZE], lines)
        created = Move.browse(
            [
                line["move_id"]
                for line in lines
                if line.get("state") == "imported" and line.get("code") != "PAYMENT"
            ]
        )
        for line in lines:
            if line.get("same_as") is not None:
                line["move_id"] = lines[line.pop("same_as")].get("move_id", False)
        if self.check_sat_status and created:
            created._l10n_mx_einvoice_vendor_check_status()
        for line in lines:
            if line.get("code") == "PAYMENT":
                continue  # a payment complement's line says what it matched
            move = Move.browse(line.get("move_id"))
            if line["state"] == "imported":
                problems = move._l10n_mx_einvoice_vendor_problems()
                if problems:
                    line.update(state="warning", message="; ".join(problems))
                else:
                    line["message"] = move.l10n_mx_einvoice_vendor_notes or self.env._(
                        "Imported as %(bill)s.", bill=move.display_name
                    )
        self.write(
            {
                "line_ids": [fields.Command.create(line) for line in lines],
                "move_ids": [fields.Command.set(created.ids)],
            }
        )
        return created

    def _prepare_one(self, reader, received, journal, tax_index, first_of, known):
        """The result line of one CFDI: refused (state set) or its bill values (state None).
        ``known``: the bills of the upload's UUIDs that exist already, by UUID."""
        line = {"name": received.name, "uuid": received.uuid, "state": None}
        existing = known.get(received.uuid)
        if existing:
            return dict(
                line,
                state="duplicate",
                move_id=existing.id,
                code="DUPLICATE",
                message=self.env._(
                    "Already imported as %(bill)s: not imported twice.", bill=existing.display_name
                ),
            )
        if received.uuid in first_of:
            return dict(
                line,
                state="duplicate",
                same_as=first_of[received.uuid],
                code="DUPLICATE",
                message=self.env._("The same CFDI appears earlier in this upload: imported once."),
            )
        try:
            with self.env.cr.savepoint():
                values = reader._values(received, journal, tax_index)
        except (CfdiError, UserError) as error:
            return dict(line, **self._error(error))
        return dict(line, values=values)

    def _import_payment(self, received):
        """The result line of a supplier's payment complement, matched to the bills it pays."""
        line = {"name": received.name, "uuid": received.uuid}
        Payment = self.env["l10n_mx_einvoice.vendor.payment"]
        company = self.journal_id.company_id
        existing = Payment._existing(company, received.uuid)
        if existing:
            return dict(
                line,
                state="duplicate",
                move_id=existing.move_id[:1].id,
                code="DUPLICATE",
                message=self.env._("This payment complement was already imported."),
            )
        try:
            with self.env.cr.savepoint():
                records = Payment._import(company, received)
        except (CfdiError, UserError) as error:
            return dict(line, **self._error(error))
        unmatched = records.filtered(lambda r: not r.move_id)
        message = self.env._(
            "Payment complement: %(count)s paid document(s); matched to %(bills)s.",
            count=len(records),
            bills=", ".join(records.move_id.mapped("display_name")) or "-",
        )
        problems = []
        if unmatched:
            problems.append(
                self.env._(
                    "no bill imported yet for %(uuids)s (it is matched when that bill is imported)",
                    uuids=", ".join(unmatched.mapped("document_uuid")),
                )
            )
        if not received.seal_ok:
            problems.append(self.env._("seal does not verify"))
        return dict(
            line,
            state="warning" if problems else "imported",
            code="PAYMENT",
            move_id=records.move_id[:1].id,
            message="; ".join([message, *problems]),
        )

    def _create_batch(self, reader, journal, batch, lines):
        """Create the bills of ``batch``; when the batch fails, one at a time to find which."""
        try:
            with self.env.cr.savepoint():
                moves = reader._create_many(
                    journal, [(received, values) for _index, received, values in batch]
                )
        except (CfdiError, UserError) as error:
            if len(batch) == 1:
                lines[batch[0][0]].update(self._error(error))
            else:
                for item in batch:
                    self._create_batch(reader, journal, [item], lines)
            return
        for (index, _received, _values), move in zip(batch, moves, strict=True):
            lines[index].update(state="imported", move_id=move.id, code="OK")

    def _error(self, error):
        if isinstance(error, CfdiError):
            return {
                "state": "error",
                "code": error.code,
                "message": engine_message(self.env, error),
            }
        return {"state": "error", "code": "ODOO", "message": error.args[0]}

    def action_open_bills(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "name": self.env._("Imported bills"),
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
            "context": {"default_move_type": "in_invoice"},
        }
