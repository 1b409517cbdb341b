"""SAT's mass download in Odoo, against the engine's SAT simulator on 127.0.0.1 (real HTTP)
with SAT's test e.firma: the e.firma record, download requests driven to the end, packages
imported once, the reconciliation SAT vs books and the 69-B list."""

import base64
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo import Command, fields
from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.cfdi.descarga.simulator import Fault
from odoo.addons.l10n_mx_einvoice.cfdi.testing import FIXTURES
from odoo.addons.l10n_mx_einvoice.cfdi.testing.descarga import SUPPLIER, sat, write_documents
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import L10nMxEinvoiceCommon, VendorFixtures, fixture_b64, load_spanish

FIEL_PASSWORD = (FIXTURES / "fiel" / "EKU9003173C9_FIEL.password.txt").read_text().strip()
LIST69B = FIXTURES / "list69b" / "Listado_completo_69-B_muestra.csv"


def fiel_values(company, folder="fiel", name="EKU9003173C9_FIEL", password=FIEL_PASSWORD):
    return {
        "company_id": company.id,
        "cer_file": fixture_b64(f"{folder}/{name}.cer"),
        "cer_filename": f"{name}.cer",
        "key_file": fixture_b64(f"{folder}/{name}.key"),
        "key_filename": f"{name}.key",
        "password": password,
    }


def list69b_with(rfc, situation):
    """SAT's sample CSV with one more row: ``rfc`` in ``situation``."""
    row = f'99,{rfc},"XOCHILT CASAS CHAVEZ",{situation},,01/06/2026' + "," * 14 + "\r\n"
    return LIST69B.read_bytes().rstrip(b"\r\n") + b"\r\n" + row.encode("cp1252")


def dated(bill, fecha):
    """The bill as if its supplier's CFDI had been issued on ``fecha``."""
    bill.sudo().with_context(skip_invoice_sync=True).l10n_mx_einvoice_vendor_fecha = fecha


@tagged("post_install", "-at_install")
class TestDescarga(VendorFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_vendor()
        folder = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        cls.cfdi_dir = folder / "cfdi"
        cls.cfdi_dir.mkdir()
        cls.uuids = write_documents(cls.cfdi_dir)
        cls.fiel = cls.env["l10n_mx_einvoice.fiel"].create(fiel_values(cls.company))

    def setUp(self):
        super().setUp()
        state = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.simulator, server = self.enterContext(sat(self.cfdi_dir, state, steps=1))
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_mx_einvoice.descarga_url", server.url
        )

    def download(self, direction="received", kind="CFDI", **values):
        return self.env["l10n_mx_einvoice.sat.download"].create(
            {
                "direction": direction,
                "kind": kind,
                "date_from": "2026-03-01",
                "date_to": "2026-06-30",
                "journal_id": self.journal.id,
                **values,
            }
        )

    def run_download(self, download, rounds=8):
        """What the scheduled action does, with time passing two hours per run."""
        download.action_start()
        now = datetime.now(UTC)
        for _round in range(rounds):
            download._advance(now)
            if download.state in ("done", "failed"):
                break
            now += timedelta(hours=2)
        return download

    def rows(self, direction="received"):
        return self.env["l10n_mx_einvoice.sat.cfdi"].search(
            [("company_id", "=", self.company.id), ("direction", "=", direction)]
        )

    # --- the e.firma ----------------------------------------------------------------

    def test_fiel_is_read_and_checked_the_other_way_round(self):
        self.assertEqual(self.fiel.rfc, "EKU9003173C9")
        self.assertEqual(self.fiel.state, "valid")
        with self.assertRaisesRegex(ValidationError, "Digital Seal Certificate .CSD."):
            self.env["l10n_mx_einvoice.fiel"].create(
                fiel_values(self.company, "csd", "EKU9003173C9", "12345678a")
            )
        other = self.env["res.company"].create({"name": "OTRA", "vat": "XIA190128J61"})
        with self.assertRaisesRegex(ValidationError, "belongs to RFC EKU9003173C9.*XIA190128J61"):
            self.env["l10n_mx_einvoice.fiel"].create(fiel_values(other))
        with self.assertRaisesRegex(ValidationError, "incomplete"):
            self.env["l10n_mx_einvoice.fiel"].create(dict(fiel_values(self.company), password=""))

    def test_an_expired_fiel_is_refused_and_downloads_nothing(self):
        after = self.fiel.date_end + timedelta(days=1)
        with patch.object(fields.Datetime, "now", return_value=after):
            self.fiel.invalidate_recordset(["state"])
            self.assertEqual(self.fiel.state, "expired")
            with self.assertRaisesRegex(ValidationError, "expired on"):
                self.env["l10n_mx_einvoice.fiel"].create(fiel_values(self.company))
            download = self.download()
            with self.assertRaisesRegex(UserError, "has no valid e.firma"):
                download.action_start()
        self.assertEqual(download.state, "draft")
        self.assertFalse(self.simulator.downloads)

    def test_fiel_secrets_are_for_managers_only(self):
        accountant = self.env["res.users"].create(
            {
                "name": "Contador",
                "login": "contador-fiel",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        fiel = self.fiel.with_user(accountant)
        self.assertEqual(fiel.rfc, "EKU9003173C9")
        for secret in ("password", "key_file"):
            with self.assertRaises(AccessError):
                fiel.read([secret])

    def test_fiel_message_in_spanish(self):
        env = load_spanish(self.env)
        with self.assertRaisesRegex(ValidationError, "e.firma EKU9003173C9.cer de .*Sello Digital"):
            env["l10n_mx_einvoice.fiel"].create(
                fiel_values(self.company, "csd", "EKU9003173C9", "12345678a")
            )

    # --- downloads ------------------------------------------------------------------

    def test_received_cfdi_become_bills_once(self):
        download = self.run_download(self.download())
        self.assertEqual(download.state, "done", download.sat_message)
        received = set(self.uuids["received"])
        self.assertEqual(set(self.rows().mapped("uuid")), received)
        self.assertEqual(download.stored_count, download.package_count)
        packages = self.env["ir.attachment"].search(
            [("res_model", "=", download._name), ("res_id", "=", download.id)]
        )
        self.assertEqual(len(packages), download.package_count)
        bills = self.env["account.move"].search(
            [("l10n_mx_einvoice_vendor_uuid", "in", list(received))]
        )
        self.assertEqual(len(bills), 4, download.import_problems)
        self.assertEqual(self.rows().move_id, bills)
        self.assertEqual(set(self.rows().mapped("discrepancy")), {"ok"})
        self.assertEqual(set(self.rows().mapped("sat_state")), {"vigente"})
        # the same packages read again (a crash before the import was saved) and a second
        # request of the same period: nothing twice
        download.imported_packages = []
        download._import_packages()
        again = self.run_download(self.download())
        self.assertEqual(again.state, "done")
        self.assertEqual(len(self.rows()), 4)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("l10n_mx_einvoice_vendor_uuid", "in", list(received))]
            ),
            4,
        )

    def test_a_crash_between_download_and_import_loses_nothing(self):
        download = self.download()
        with patch.object(type(download), "_import_packages", lambda self: None):
            self.run_download(download)
        self.assertEqual(download.state, "done")
        self.assertFalse(self.rows(), "nothing imported before the 'crash'")
        download._import_packages()  # the next run imports what is stored
        self.assertEqual(len(self.rows()), 4)
        self.assertEqual(sum(self.simulator.downloads.values()), download.package_count)

    def test_a_crash_while_importing_a_package_imports_nothing_twice(self):
        """The bills of a package are created, then the process dies before the package is
        marked read: all of it is undone, and the next run imports each CFDI once."""
        download = self.download()
        with patch.object(type(download), "_import_packages", lambda self: None):
            self.run_download(download)
        create_bills = type(download)._create_bills

        def crash_after_the_bills(record, files):
            create_bills(record, files)
            raise RuntimeError("the worker died")

        with (
            patch.object(type(download), "_create_bills", crash_after_the_bills),
            self.assertRaisesRegex(RuntimeError, "died"),
        ):
            download._import_packages()
        received = list(self.uuids["received"])
        bills = [("l10n_mx_einvoice_vendor_uuid", "in", received)]
        self.assertFalse(self.env["account.move"].search_count(bills))
        self.assertFalse(download.imported_packages)
        download._import_packages()  # the next run
        download._import_packages()  # and one more: nothing left to read
        self.assertEqual(self.env["account.move"].search_count(bills), 4)
        self.assertEqual(len(self.rows()), 4)
        self.assertEqual(sum(self.simulator.downloads.values()), download.package_count)

    def test_a_package_stored_before_the_job_was_saved_is_not_downloaded_again(self):
        download = self.download()
        download.action_start()
        now = datetime.now(UTC)
        while download.state in ("new", "submitted"):  # submitted, then verified
            now += timedelta(hours=1)
            download._advance(now, max_steps=1)
        self.assertEqual(download.state, "downloading")
        job = download.job
        download._advance(now + timedelta(hours=1))
        self.assertEqual(download.state, "done")
        downloaded = dict(self.simulator.downloads)
        download.write({"job": job, "state": "downloading", "imported_packages": []})
        download._advance(now + timedelta(hours=1))  # the job as saved before the crash
        self.assertEqual(download.state, "done")
        self.assertEqual(self.simulator.downloads, downloaded)
        self.assertEqual(len(self.rows()), 4)

    def test_metadata_reconciles_sat_with_the_books(self):
        self.run_download(self.download(create_bills=False))
        rows = self.rows()
        self.assertEqual(set(rows.mapped("discrepancy")), {"not_in_books"})  # lost deductions
        # one of them becomes a bill from the downloaded XML, once
        booked = rows[:1]
        booked.action_create_bill()
        self.assertEqual(booked.move_id.l10n_mx_einvoice_vendor_uuid, booked.uuid)
        self.assertEqual(booked.discrepancy, "ok")
        self.assertEqual(booked.action_open_record()["res_id"], booked.move_id.id)
        with self.assertRaisesRegex(UserError, "no bill in Odoo yet"):
            booked.action_create_bill()
        # the supplier cancels it at SAT; the company cancelled an issued one
        self.simulator.cancel(booked.uuid)
        self.simulator.cancel(self.uuids["issued"][0])
        self.run_download(self.download(kind="Metadata"))
        self.run_download(self.download(direction="issued", kind="Metadata"))
        self.assertEqual((booked.sat_state, booked.discrepancy), ("cancelado", "cancelled_at_sat"))
        self.assertEqual(booked.move_id.l10n_mx_einvoice_vendor_sat_state, "cancelado")
        # its XML package read again (or a later CFDI download) does not make it active again
        first = self.env["l10n_mx_einvoice.sat.download"].search([("kind", "=", "CFDI")], limit=1)
        first.imported_packages = []
        first._import_packages()
        self.assertEqual(booked.sat_state, "cancelado")
        self.assertEqual(first.sat_cfdi_ids, rows)
        self.assertEqual(
            set(self.rows().filtered(lambda r: r.discrepancy == "not_in_books").mapped("uuid")),
            set((rows - booked).mapped("uuid")),
        )
        issued = self.rows("issued")
        self.assertEqual(set(issued.mapped("uuid")), set(self.uuids["issued"]))
        self.assertEqual(
            issued.filtered(lambda r: r.uuid == self.uuids["issued"][0]).sat_state, "cancelado"
        )
        self.assertEqual(
            set(issued.filtered(lambda r: r.discrepancy == "not_in_books").mapped("uuid")),
            set(self.uuids["issued"][1:]),
        )

    def stamped_in_odoo(self, uuid, cfdi_date):
        """A customer invoice whose CFDI ``uuid`` Odoo stamped on ``cfdi_date``."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.env["res.partner"].create({"name": "Cliente"}).id,
                "invoice_line_ids": [Command.create({"name": "Servicio", "price_unit": 100})],
            }
        )
        self.env["l10n_mx_einvoice.document"].sudo().create(
            {
                "kind": "stamp",
                "state": "stamped",
                "company_id": self.company.id,
                "move_id": invoice.id,
                "uuid": uuid,
                "cfdi_date": cfdi_date,
            }
        )
        return invoice

    def test_books_not_at_sat_issued_and_received(self):
        """What Odoo books that SAT did not list, over the periods downloaded whole: a bill
        of a supplier CFDI SAT does not know, an invoice stamped in Odoo SAT does not hold;
        and an issued CFDI cancelled at SAT but active in Odoo."""
        cancelled = self.stamped_in_odoo(self.uuids["issued"][0], "2026-03-20T09:00:00")
        self.simulator.cancel(self.uuids["issued"][0])
        unknown = self.stamped_in_odoo(
            "0E6C1D2A-5B7F-4C8D-9E0F-1A2B3C4D5E6F", "2026-05-10T12:00:00"
        )
        self.run_download(self.download())  # the 4 received CFDI become bills
        self.run_download(self.download(direction="issued", kind="Metadata"))
        unknown_bill = self.run_import(
            [("desconocido.xml", self.supplier_cfdi())], check_sat_status=False
        ).move_ids
        dated(unknown_bill, "2026-04-15T10:00:00")
        outside = self.run_import(
            [("fuera.xml", self.supplier_cfdi(folio="FUERA"))], check_sat_status=False
        ).move_ids
        dated(outside, "2026-07-02T10:00:00")  # a month not downloaded
        action = self.env["l10n_mx_einvoice.sat.cfdi"].action_open_books_not_at_sat()
        self.assertEqual(action["res_model"], "account.move")
        found = self.env["account.move"].search(action["domain"])
        self.assertEqual(found, unknown_bill | unknown)
        self.assertEqual(action["context"]["group_by"], ["invoice_date:month"])
        self.assertFalse(found & self.rows().move_id)  # the bills SAT listed are not there
        row = self.rows("issued").filtered(lambda r: r.uuid == self.uuids["issued"][0])
        self.assertEqual((row.move_id, row.discrepancy), (cancelled, "cancelled_at_sat"))
        # the list's action: SAT's status of the bill, asked now
        unknown_bill.action_l10n_mx_einvoice_check_status_at_sat()
        self.assertTrue(unknown_bill.l10n_mx_einvoice_vendor_sat_checked)
        with self.assertRaisesRegex(UserError, "have a CFDI"):
            self.env["account.move"].action_l10n_mx_einvoice_check_status_at_sat()
        # a request filtered by supplier proves nothing about the others
        filtered = self.run_download(self.download(counterpart_rfc=SUPPLIER))
        self.assertEqual(filtered.state, "done")
        self.assertFalse(filtered._books_not_at_sat())
        # once SAT lists it (a later download found it), the bill leaves the list
        self.env["l10n_mx_einvoice.sat.cfdi"].sudo()._upsert(
            self.company,
            {
                unknown_bill.l10n_mx_einvoice_vendor_uuid: {
                    "direction": "received",
                    "tipo": "I",
                    "total": unknown_bill.amount_total,
                    "sat_state": "vigente",
                    "download_ids": [Command.link(filtered.id)],
                }
            },
        )
        action = self.env["l10n_mx_einvoice.sat.cfdi"].action_open_books_not_at_sat()
        self.assertEqual(self.env["account.move"].search(action["domain"]), unknown)

    def test_amount_differs_is_reported(self):
        self.run_download(self.download())
        row = self.rows()[:1]
        self.assertEqual(row.discrepancy, "ok")
        row.sudo().total = row.total + 10  # SAT's amount is not the bill's
        self.assertEqual(row.discrepancy, "amount_differs")
        self.assertEqual(row.action_open_record()["res_id"], row.move_id.id)

    def test_metadata_only_row_cannot_make_a_bill(self):
        self.run_download(self.download(kind="Metadata"))
        row = self.rows()[:1]
        self.assertFalse(row.has_xml)
        with self.assertRaisesRegex(UserError, "only its metadata"):
            row.action_create_bill()

    # --- SAT's refusals, limits and failures ----------------------------------------

    def test_a_rejected_request_fails_saying_why(self):
        self.simulator.add_fault(Fault("query", "code", "5002"))
        download = self.run_download(self.download())
        self.assertEqual(download.state, "failed")
        self.assertIn("only twice", download.message_en)
        self.assertIn("dos veces", download.message_es)
        self.assertTrue(
            any(download.message_en in body for body in download.message_ids.mapped("body"))
        )
        download.action_start()  # the user asks again
        self.assertEqual(download.state, "new")

    def test_too_many_documents_asks_to_split_the_period(self):
        self.simulator.add_fault(Fault("verify", "state", "5/5003"))
        download = self.run_download(self.download())
        self.assertEqual(download.state, "failed")
        self.assertIn("divida", download.message_es)

    def test_the_daily_limit_waits_until_tomorrow(self):
        self.simulator.add_fault(Fault("download", "code", "5011"))
        download = self.run_download(self.download(), rounds=3)
        self.assertEqual(download.state, "downloading")
        local = download.next_run.replace(tzinfo=UTC).astimezone(catalogs.mexico_city())
        self.assertEqual((local.hour, local.minute), (0, 5))
        self.assertIn("mañana", download.message_es)
        self.assertFalse(self.rows())

    def test_an_expired_token_is_renewed(self):
        self.simulator.add_fault(Fault("verify", "code", "300"))
        download = self.run_download(self.download())
        self.assertEqual(download.state, "done", download.sat_message)
        self.assertEqual(len(self.rows()), 4)

    def test_sat_unavailable_retries_in_five_minutes(self):
        self.simulator.add_fault(Fault("query", "http500"))
        download = self.download()
        download.action_start()
        now = datetime.now(UTC)
        download._advance(now)
        self.assertEqual(download.state, "new")
        self.assertAlmostEqual(
            download.next_run,
            (now + timedelta(minutes=5)).replace(tzinfo=None),
            delta=timedelta(seconds=1),
        )

    def test_the_cron_advances_only_due_requests(self):
        due, later = self.download(), self.download(direction="issued", kind="Metadata")
        (due | later).action_start()
        later.next_run = datetime.now() + timedelta(hours=1)
        self.env["l10n_mx_einvoice.sat.download"]._cron_advance()
        self.assertEqual((due.state, later.state), ("submitted", "new"))

    def test_a_request_sat_would_refuse_is_not_sent(self):
        download = self.download(date_from="2026-07-01", date_to="2026-06-01")
        with self.assertRaisesRegex(UserError, "must be before the end"):
            download.action_start()
        self.assertEqual(download.state, "draft")

    # --- companies ------------------------------------------------------------------

    def test_a_company_sees_only_its_downloads_and_needs_its_own_fiel(self):
        self.run_download(self.download())
        other = self.env["res.company"].create({"name": "OTRA", "vat": "XIA190128J61"})
        user = self.env["res.users"].create(
            {
                "name": "Otra",
                "login": "otra-descarga",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("account.group_account_invoice").id,
                            self.env.ref("l10n_mx_einvoice.group_l10n_mx_einvoice_user").id,
                        ]
                    )
                ],
            }
        )
        env = self.env(user=user, context={"allowed_company_ids": other.ids})
        for model in ("l10n_mx_einvoice.sat.download", "l10n_mx_einvoice.sat.cfdi"):
            self.assertFalse(env[model].search([]), model)
        self.assertFalse(env["l10n_mx_einvoice.fiel"].search([]))
        theirs = env["l10n_mx_einvoice.sat.download"].create(
            {"direction": "received", "date_from": "2026-03-01", "date_to": "2026-06-30"}
        )
        with self.assertRaisesRegex(UserError, "OTRA has no valid e.firma"):
            theirs.action_start()

    def test_an_accountant_opens_the_reconciliation(self):
        self.run_download(self.download(create_bills=False))
        accountant = self.env["res.users"].create(
            {
                "name": "Contador",
                "login": "contador-sat",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        for xmlid in (
            "action_l10n_mx_einvoice_sat_reconciliation",
            "action_l10n_mx_einvoice_books_not_at_sat",
            "action_l10n_mx_einvoice_list69b_bills",
        ):
            action = self.env.ref(f"l10n_mx_einvoice.{xmlid}").with_user(accountant).run()
            self.assertEqual(action["type"], "ir.actions.act_window", xmlid)
        rows = self.env["l10n_mx_einvoice.sat.cfdi"].with_user(accountant).search([])
        self.assertEqual(len(rows), 4)
        with self.assertRaises(AccessError):
            rows[:1].write({"sat_state": "cancelado"})

    # --- the 69-B list --------------------------------------------------------------

    def import_69b(self, data, filename="Listado_completo_69-B.csv"):
        wizard = self.env["l10n_mx_einvoice.list69b.import"].create(
            {"file": base64.b64encode(data), "filename": filename}
        )
        return wizard.action_import()

    def test_suppliers_in_the_69b_list_are_flagged(self):
        self.import_69b(list69b_with(SUPPLIER, "Presunto"))
        entry = self.env["l10n_mx_einvoice.list69b"].search([("rfc", "=", SUPPLIER)])
        self.assertEqual((entry.situation, entry.flagged), ("Presunto", True))
        self.run_download(self.download())  # CFDI downloaded after the list: flagged
        self.assertEqual(set(self.rows().mapped("list69b_situation")), {"Presunto"})
        self.assertTrue(all(self.rows().mapped("list69b_flagged")))
        action = self.env["l10n_mx_einvoice.list69b"].action_open_flagged_bills()
        self.assertEqual(self.env["account.move"].search(action["domain"]), self.rows().move_id)
        # a newer list where the supplier disproved it: no longer flagged
        self.import_69b(list69b_with(SUPPLIER, "Desvirtuado"))
        self.assertFalse(any(self.rows().mapped("list69b_flagged")))
        self.assertEqual(
            len(self.env["l10n_mx_einvoice.list69b"].search([("rfc", "=", SUPPLIER)])), 1
        )
        with self.assertRaisesRegex(UserError, "otro.csv is not SAT's 69-B list"):
            self.import_69b(b"no,es,el,listado\n", "otro.csv")
