"""Two queue_job workers taking the stamping jobs at once, as the job runner runs them:
each worker is a thread with its own database cursor that acquires a job the way
``/queue_job/runjob`` does (``RunJobController._acquire_job``: ``SKIP LOCKED`` on the job,
its state committed, the job lock taken) and runs it (``_runjob``: the job's own cursor,
``allow_commit``). Every job is offered to both workers, and one job overlaps another'
invoices, so the two really compete: exactly one stamp per invoice, one credit per UUID,
no job lost.

The data lives in its own committed company (other cursors cannot see the test
transaction's records); its name is given back at the end, as in the main addon's
test_stamp_concurrency. A worker that hangs FAILS the test (join with a timeout).
"""

import threading
import uuid as uuid_module
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document import call_pac
from odoo.addons.l10n_mx_einvoice.tests.common import make_invoice, setup_company
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, tagged

from .test_queue import BATCH, customer_product_tax

LIFECYCLE = "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document"
COMMIT = {"l10n_mx_einvoice_commit": True, "tracking_disable": True}
WORKER_TIMEOUT = 180  # seconds: far more than 7 sandbox stamps need; a hang fails the test


@tagged("post_install", "-at_install")
class TestTwoQueueWorkers(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = cls.env_of(cr, {})
            company, _certificate, account = setup_company(
                env, name=f"EKU workers {uuid_module.uuid4().hex[:8]}"
            )
            cls.company_id, cls.account_id = company.id, account.id
            env = cls.env_of(cr)
            customer, product, tax = customer_product_tax(env, company)
            cls.move_ids = [make_invoice(env, company, customer, product, tax).id for _ in range(7)]
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls.release_company_name)

    @classmethod
    def release_company_name(cls):
        with cls.registry.cursor() as cr:
            company = cls.env_of(cr, {})["res.company"].browse(cls.company_id)
            company.partner_id.name = f"EKU workers {cls.company_id} (done)"
            cr.commit()  # pylint: disable=invalid-commit

    @classmethod
    def env_of(cls, cr, context=None):
        """A superuser env on a real cursor of the test database (``Registry(dbname)``,
        which ``api.Environment`` would call, waits for the lock the test run holds)."""
        if cr.transaction is None:
            cr.transaction = api.Transaction(cls.registry)
        if context is None:
            context = dict(COMMIT, allowed_company_ids=[cls.company_id])
        return api.Environment(cr, SUPERUSER_ID, context)

    def enqueue(self):
        """The jobs of the selection (batches of 3: 3 jobs) and those of the first four
        again (a second user stamping part of it again: the first three are the same job,
        queue_job's identity, the fourth one a job overlapping the second batch), all
        committed and set enqueued as the job runner does before calling a worker.
        Returns their uuids (4)."""
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            documents = env["l10n_mx_einvoice.document"]
            moves = env["account.move"].browse(self.move_ids)
            with patch(BATCH, 3):
                jobs = documents._stamp_in_background(moves)
                jobs += documents._stamp_in_background(moves[:4])
            uuids = list(dict.fromkeys(job.uuid for job in jobs))
            cr.execute(
                "UPDATE queue_job SET state = 'enqueued', date_enqueued = now() WHERE uuid IN %s",
                [tuple(uuids)],
            )
            cr.commit()  # pylint: disable=invalid-commit
        return uuids

    def worker(self, name, uuids, start, ran, errors):
        """A queue_job worker: for each uuid, what ``/queue_job/runjob`` does."""
        try:
            start.wait(timeout=WORKER_TIMEOUT)
            for job_uuid in uuids:
                with self.registry.cursor() as cr:
                    env = self.env_of(cr, {})
                    job = RunJobController._acquire_job(env, job_uuid)
                    if job is None:  # taken by the other worker
                        continue
                    RunJobController._runjob(env, job)
                    cr.commit()  # pylint: disable=invalid-commit (the controller's, off tests)
                    ran.append((name, job_uuid))
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(f"{name}: {error!r}")

    def run_two_workers(self, uuids, sent):
        def counting_call_pac(calls):
            sent.extend(doc.id for _conn, _n, account_calls in calls for doc, *_ in account_calls)
            return call_pac(calls)

        start, ran, errors = threading.Barrier(2), [], []
        workers = [
            threading.Thread(
                target=self.worker, args=(name, order, start, ran, errors), daemon=True
            )
            for name, order in (("worker 1", uuids), ("worker 2", uuids[::-1]))
        ]
        # A worker's own cursors need Registry(dbname) (api.Environment on a new cursor, as
        # in Job.in_temporary_env); the test run's thread holds the registries' lock the
        # whole run, so it is lifted as Odoo's own test mode (Registry.enter_test_mode) does.
        with (
            patch(f"{LIFECYCLE}.call_pac", counting_call_pac),
            patch.object(Registry, "_lock", DummyRLock()),
        ):
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join(WORKER_TIMEOUT)
        hung = [thread.name for thread in workers if thread.is_alive()]
        self.assertFalse(hung, f"a queue_job worker hung for {WORKER_TIMEOUT} s")
        self.assertFalse(errors)
        return ran

    def test_two_workers_stamp_each_invoice_once(self):
        uuids = self.enqueue()
        self.assertEqual(len(uuids), 4)
        sent = []
        ran = self.run_two_workers(uuids, sent)
        # every job ran once, by one worker or the other
        self.assertEqual(sorted(job_uuid for _name, job_uuid in ran), sorted(uuids))
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            jobs = env["queue.job"].search([("uuid", "in", uuids)])
            self.assertEqual(set(jobs.mapped("state")), {"done"})  # none lost, none failed
            moves = env["account.move"].browse(self.move_ids)
            self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"stamped"})
            stamped = moves.l10n_mx_einvoice_document_ids.filtered(lambda d: d.state == "stamped")
            self.assertEqual(len(stamped), len(moves))  # one stamp per invoice
            self.assertEqual(len(set(stamped.mapped("uuid"))), len(moves))
            credits = env["l10n_mx_einvoice.credit.move"].search(
                [("account_id", "=", self.account_id), ("document_id", "!=", False)]
            )
            self.assertEqual(sorted(credits.mapped("uuid")), sorted(stamped.mapped("uuid")))
            self.assertEqual(sum(credits.mapped("quantity")), -len(moves))
        # each document went to the PAC once, although both workers were offered it
        self.assertEqual(sorted(sent), sorted(stamped.ids))
