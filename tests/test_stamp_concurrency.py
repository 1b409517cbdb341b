"""Never twice, never lost, with real separate database cursors (real commits).

The data lives in its own committed company (a fresh name per run), because other
cursors cannot see the test transaction's uncommitted records.
"""

import threading
import uuid as uuid_module
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_mx_einvoice.cfdi import rules
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import RUN_JOBS_NOW, make_invoice, setup_company

COMMIT = {"l10n_mx_einvoice_commit": True, "tracking_disable": True, **RUN_JOBS_NOW}


@tagged("post_install", "-at_install")
class TestStampConcurrency(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, _certificate, account = setup_company(
                env, name=f"EKU concurrency {uuid_module.uuid4().hex[:8]}"
            )
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            customer = env["res.partner"].create(
                {
                    "name": "XENON INDUSTRIAL ARTICLES",
                    "vat": "XIA190128J61",
                    "zip": "76343",
                    "country_id": env.ref("base.mx").id,
                    "l10n_mx_einvoice_regimen_fiscal": "601",
                    "l10n_mx_einvoice_uso_cfdi": "G03",
                    "company_id": company.id,
                }
            )
            product = env["product.product"].create(
                {
                    "name": "Servicio",
                    "uom_id": env.ref("uom.product_uom_unit").id,
                    "company_id": company.id,
                    "l10n_mx_einvoice_clave_prod_serv_id": env["l10n_mx_einvoice.sat.code"]
                    ._l10n_mx_einvoice_find("84111506", "product")
                    .id,
                }
            )
            tax = env["account.chart.template"].with_company(company).ref("tax12")
            no_regimen = customer.copy(
                {"name": "SIN REGIMEN SA", "l10n_mx_einvoice_regimen_fiscal": False}
            )
            cls.ids = {
                "customer": customer.id,
                "no_regimen": no_regimen.id,
                "product": product.id,
                "tax": tax.id,
            }
            cls.company_id, cls.account_id = company.id, account.id
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls.release_company_name)

    @classmethod
    def release_company_name(cls):
        """The committed company keeps its data but gives back the name other tests use."""
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(
                cls.company_id
            ).partner_id.name = f"EKU concurrency {cls.company_id} (done)"
            cr.commit()  # pylint: disable=invalid-commit

    def new_move(self, customer="customer"):
        """A posted invoice committed for this test only."""
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            move = make_invoice(
                env,
                env["res.company"].browse(self.company_id),
                env["res.partner"].browse(self.ids[customer]),
                env["product.product"].browse(self.ids["product"]),
                env["account.tax"].browse(self.ids["tax"]),
            )
            cr.commit()  # pylint: disable=invalid-commit
            return move.id

    def env_of(self, cr):
        if cr.transaction is None:  # Registry(dbname) would wait for the lock the test run holds
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(
            cr, SUPERUSER_ID, dict(COMMIT, allowed_company_ids=[self.company_id])
        )

    @staticmethod
    def stamp_ids(env, move_ids):
        """The one stamping entry point, on invoices given by id."""
        return env["l10n_mx_einvoice.document"]._stamp(env["account.move"].browse(move_ids))

    def stamp_in_new_cursor(self, move_id, outcomes):
        try:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)  # a named env: the transaction only keeps weak references
                self.stamp_ids(env, move_id)
                cr.commit()  # pylint: disable=invalid-commit
            outcomes.append("done")
        except UserError as error:
            outcomes.append(str(error.args[0]))

    def facts(self, move_id):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            move = env["account.move"].browse(move_id)
            stamped = move.l10n_mx_einvoice_document_ids.filtered(lambda d: d.state == "stamped")
            credits = env["l10n_mx_einvoice.credit.move"].search(
                [("account_id", "=", self.account_id), ("document_id", "in", stamped.ids)]
            )
            xml = move.l10n_mx_einvoice_attachment_id.raw
            return {
                "state": move.l10n_mx_einvoice_state,
                "uuid": move.l10n_mx_einvoice_uuid,
                "stamped_documents": len(stamped),
                "credits": sum(credits.mapped("quantity")),
                "documents": move.l10n_mx_einvoice_document_ids.mapped("state"),
                "findings": rules.validate(xml) if xml else None,
                "signed": (
                    move.l10n_mx_einvoice_document_ids[-1:]._signed_bytes()
                    if move.l10n_mx_einvoice_document_ids
                    else b""
                ),
            }

    def test_two_users_stamping_at_once_get_one_stamp(self):
        move_id = self.new_move()
        outcomes = []
        threads = [
            threading.Thread(target=self.stamp_in_new_cursor, args=(move_id, outcomes))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        facts = self.facts(move_id)
        self.assertEqual(len(outcomes), 2)
        self.assertIn("done", outcomes)
        for outcome in outcomes:
            self.assertTrue(outcome == "done" or "Another user is stamping" in outcome, outcome)
        self.assertEqual(facts["state"], "stamped")
        self.assertEqual(facts["stamped_documents"], 1)
        self.assertEqual(facts["credits"], -1)
        self.assertEqual(facts["findings"], [])

    def test_row_lock_held_elsewhere_gives_a_clear_message(self):
        move_id = self.new_move()
        with self.registry.cursor() as holder:
            holder.execute("SELECT id FROM account_move WHERE id = %s FOR UPDATE", [move_id])
            outcomes = []
            self.stamp_in_new_cursor(move_id, outcomes)
            self.assertIn("Another user is stamping", outcomes[0])
            holder.rollback()
        self.assertFalse(self.facts(move_id)["documents"])
        outcomes = []
        self.stamp_in_new_cursor(move_id, outcomes)
        self.assertEqual(outcomes, ["done"])
        self.assertEqual(self.facts(move_id)["stamped_documents"], 1)

    def test_crash_after_pac_answer_recovers_same_uuid_one_credit(self):
        move_id = self.new_move()
        Document = type(self.env["l10n_mx_einvoice.document"])
        with patch.object(Document, "_store_stamps", side_effect=RuntimeError("power cut")):
            with self.assertRaises(RuntimeError), self.registry.cursor() as cr:
                env = self.env_of(cr)
                self.stamp_ids(env, move_id)
        before = self.facts(move_id)
        self.assertEqual(before["documents"], ["pending"])  # committed before the PAC was called
        self.assertFalse(before["uuid"])
        with self.registry.cursor() as cr:
            account = self.env_of(cr)["l10n_mx_einvoice.stamp.account"].browse(self.account_id)
            earlier = account._get_connector().find_stamped(before["signed"])
        self.assertTrue(earlier, "the PAC had stamped it before the crash")
        outcomes = []
        self.stamp_in_new_cursor(move_id, outcomes)
        self.assertEqual(outcomes, ["done"])
        after = self.facts(move_id)
        self.assertEqual(after["uuid"], earlier.uuid)
        self.assertEqual(after["documents"], ["stamped"])
        self.assertEqual(after["credits"], -1)
        self.assertEqual(after["findings"], [])

    def test_crash_while_storing_a_batch_recovers_every_uuid_once(self):
        move_ids = [self.new_move(), self.new_move()]
        Document = type(self.env["l10n_mx_einvoice.document"])
        store = Document._store_stamps
        calls = []

        def store_then_cut_power(documents, answers):
            calls.append([document.move_id.id for document, _result in answers])
            store(documents, answers)
            raise RuntimeError("power cut")  # before the answers are committed

        with patch.object(Document, "_store_stamps", store_then_cut_power):
            with self.assertRaises(RuntimeError), self.registry.cursor() as cr:
                self.stamp_ids(self.env_of(cr), move_ids)
        self.assertEqual(calls, [move_ids])  # the batch's answers are stored together
        earlier = {}
        for move_id in move_ids:
            before = self.facts(move_id)
            self.assertEqual(
                before["documents"], ["pending"]
            )  # the stored answers were not committed
            with self.registry.cursor() as cr:
                account = self.env_of(cr)["l10n_mx_einvoice.stamp.account"].browse(self.account_id)
                earlier[move_id] = account._get_connector().find_stamped(before["signed"]).uuid
        with self.registry.cursor() as cr:
            self.stamp_ids(self.env_of(cr), move_ids)
            cr.commit()  # pylint: disable=invalid-commit
        for move_id in move_ids:
            after = self.facts(move_id)
            self.assertEqual(after["uuid"], earlier[move_id])
            self.assertEqual(after["documents"], ["stamped"])
            self.assertEqual(after["credits"], -1)
            self.assertEqual(after["findings"], [])

    def test_a_uuid_recorded_concurrently_is_charged_once_and_the_others_still_are(self):
        uuid_a, uuid_b = (str(uuid_module.uuid4()).upper() for _ in range(2))
        with self.registry.cursor() as cr:
            account = self.env_of(cr)["l10n_mx_einvoice.stamp.account"].browse(self.account_id)
            self.assertTrue(account.name)  # this transaction's snapshot is taken here
            with self.registry.cursor() as other:
                env = self.env_of(other)
                env["l10n_mx_einvoice.credit.move"]._record_stamps(
                    env["l10n_mx_einvoice.stamp.account"].browse(self.account_id), [(uuid_a, False)]
                )
                other.commit()  # pylint: disable=invalid-commit
            # the snapshot cannot see uuid_a: the batch insert meets the unique constraint
            with mute_logger("odoo.sql_db"):
                lines = account.env["l10n_mx_einvoice.credit.move"]._record_stamps(
                    account, [(uuid_a, False), (uuid_b, False)]
                )
            self.assertEqual(lines.mapped("uuid"), [uuid_b])
            cr.commit()  # pylint: disable=invalid-commit
        with self.registry.cursor() as cr:
            ledger = self.env_of(cr)["l10n_mx_einvoice.credit.move"]
            for uuid in (uuid_a, uuid_b):
                self.assertEqual(ledger.search([("uuid", "=", uuid)]).mapped("quantity"), [-1])

    def adjust_credits(self, to):
        with self.registry.cursor() as cr:
            account = self.env_of(cr)["l10n_mx_einvoice.stamp.account"].browse(self.account_id)
            if account.balance != to:
                self.env_of(cr)["l10n_mx_einvoice.credit.move"].sudo().create(
                    {
                        "account_id": self.account_id,
                        "kind": "adjustment",
                        "quantity": to - account.balance,
                        "reason": "concurrency test",
                    }
                )
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_users_cannot_both_take_the_last_credit(self):
        move_ids = [self.new_move(), self.new_move()]
        Account = type(self.env["l10n_mx_einvoice.stamp.account"])
        claim = Account._claim_credits
        both_checked, claims = threading.Barrier(2, timeout=20), []

        def claim_together(account):
            claims.append(account.id)
            if len(claims) <= 2:  # both users passed the balance check before either claims
                both_checked.wait()
            return claim(account)

        self.adjust_credits(1)
        outcomes = {move_id: [] for move_id in move_ids}
        try:
            with patch.object(Account, "_claim_credits", claim_together):
                threads = [
                    threading.Thread(
                        target=self.stamp_in_new_cursor, args=(move_id, outcomes[move_id])
                    )
                    for move_id in move_ids
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            states = {move_id: self.facts(move_id)["state"] for move_id in move_ids}
            self.assertEqual(sorted(states.values()), ["stamped", "to_stamp"], outcomes)
            refused = next(
                outcomes[move_id] for move_id, state in states.items() if state == "to_stamp"
            )
            # the second user waited for the first one's claim, then saw its credit taken
            self.assertIn("Sin folios disponibles", refused[0])
            self.assertNotIn("Another user", refused[0])
            outcomes = []  # tried again: now the credits are known to be spent
            self.stamp_in_new_cursor(
                next(m for m, s in states.items() if s == "to_stamp"), outcomes
            )
            self.assertIn("Sin folios disponibles", outcomes[0])
        finally:
            self.adjust_credits(1000)

    def test_four_clients_stamping_continuously_wait_for_each_other(self):
        rounds = 3
        move_ids = [[self.new_move() for _ in range(rounds)] for _client in range(4)]
        Account = type(self.env["l10n_mx_einvoice.stamp.account"])
        claim = Account._claim_credits
        all_checked, claims = threading.Barrier(4, timeout=30), []

        def claim_together(account):
            claims.append(account.id)
            if len(claims) <= 4:  # the first round: every client checked before any claims
                all_checked.wait()
            return claim(account)

        def client(own_moves, outcomes):
            for move_id in own_moves:  # one invoice after another, as a user would
                self.stamp_in_new_cursor(move_id, outcomes)

        outcomes = [[] for _client in move_ids]
        with patch.object(Account, "_claim_credits", claim_together):
            threads = [
                threading.Thread(target=client, args=(own, result))
                for own, result in zip(move_ids, outcomes, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(outcomes, [["done"] * rounds] * 4)
        uuids = set()
        for move_id in sum(move_ids, []):
            facts = self.facts(move_id)
            self.assertEqual(
                (facts["state"], facts["stamped_documents"], facts["credits"], facts["findings"]),
                ("stamped", 1, -1, []),
            )
            uuids.add(facts["uuid"])
        self.assertEqual(len(uuids), 4 * rounds)

    def test_no_lock_on_the_stamp_account_while_the_pac_answers(self):
        move_id = self.new_move()
        module = "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document"
        from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document import call_pac

        seen = []

        def call_pac_while_others_claim(calls):
            with self.registry.cursor() as other:  # another user claiming the account now
                other.execute(
                    "SELECT id FROM l10n_mx_einvoice_stamp_account WHERE id = %s "
                    "FOR NO KEY UPDATE NOWAIT",
                    [self.account_id],
                )
                seen.append(other.fetchall())
            return call_pac(calls)

        with patch(f"{module}.call_pac", call_pac_while_others_claim):
            outcomes = []
            self.stamp_in_new_cursor(move_id, outcomes)
        self.assertEqual(outcomes, ["done"])
        self.assertEqual(seen, [[(self.account_id,)]])
        self.assertEqual(self.facts(move_id)["credits"], -1)

    def test_a_refused_batch_keeps_the_batches_stamped_before_it(self):
        move_ids = [self.new_move(), self.new_move(), self.new_move("no_regimen")]
        outcomes = []
        with patch(
            "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document.STAMP_BATCH_SIZE", 2
        ):
            self.stamp_in_new_cursor(move_ids, outcomes)
        self.assertIn("fiscal regime", outcomes[0])
        for move_id in move_ids[:2]:
            facts = self.facts(move_id)
            self.assertEqual(
                (facts["state"], facts["credits"], facts["findings"]), ("stamped", -1, [])
            )
        self.assertFalse(self.facts(move_ids[2])["documents"])

    def test_cron_commits_each_invoice(self):
        move_ids = [self.new_move(), self.new_move()]
        bad_move_id = self.new_move("no_regimen")
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            env["res.company"].browse(self.company_id).l10n_mx_einvoice_stamp_on_post = True
            cr.commit()  # pylint: disable=invalid-commit
        try:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)
                env["l10n_mx_einvoice.document"]._cron_stamp()
        finally:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)
                env["res.company"].browse(self.company_id).l10n_mx_einvoice_stamp_on_post = False
                cr.commit()  # pylint: disable=invalid-commit
        for move_id in move_ids:
            facts = self.facts(move_id)
            self.assertEqual(facts["state"], "stamped")
            self.assertEqual(facts["credits"], -1)
            self.assertEqual(facts["findings"], [])
        with self.registry.cursor() as cr:
            bad = self.env_of(cr)["account.move"].browse(bad_move_id)
            self.assertEqual(bad.l10n_mx_einvoice_state, "error")
            self.assertIn("fiscal regime", bad.l10n_mx_einvoice_message)
            self.assertFalse(bad.l10n_mx_einvoice_document_ids)
