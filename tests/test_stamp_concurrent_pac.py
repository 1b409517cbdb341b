"""A batch's PAC calls run several at a time (real threads, the sandbox PAC over real HTTP
on 127.0.0.1 with latency), with real commits: each invoice stamped once, one credit per
UUID, no row locked while the PAC answers, nothing sent when the batch is refused, and a
crash between the PAC's answers and their storing recovered by look-up."""

import threading
import uuid as uuid_module
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_mx_einvoice.cfdi.pac.sandbox.server import FinkokSoapHandler, running
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import make_invoice, setup_company

COMMIT = {"l10n_mx_einvoice_commit": True, "tracking_disable": True}
LATENCY = 0.1


class WatchingHandler(FinkokSoapHandler):
    """Counts the calls in progress at once; while a stamp call waits, ``probe`` (if set)
    runs from another database cursor."""

    guard = threading.Lock()
    probing = threading.Lock()
    in_flight = peak = 0
    probe = None
    probes: list = []

    def do_POST(self):  # noqa: N802
        cls = type(self)
        with cls.guard:
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
        try:
            if cls.probe and self.path.endswith("/stamp"):
                with cls.probing:  # one probe at a time: two would hold each other's rows
                    cls.probes.append(cls.probe())
            return super().do_POST()
        finally:
            with cls.guard:
                cls.in_flight -= 1


@tagged("post_install", "-at_install")
class TestStampConcurrentPac(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.enterClassContext(
            running(handler=WatchingHandler, latency=LATENCY, latency_jitter=LATENCY)
        )
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, _certificate, account = setup_company(
                env, name=f"EKU concurrent PAC {uuid_module.uuid4().hex[:8]}"
            )
            account.write(
                {
                    "provider": "finkok",
                    "username": "user@example.com",
                    "password": "any",
                    "url": cls.server.url,
                    "concurrency": 4,
                }
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
            cls.ids = {
                "customer": customer.id,
                "no_regimen": customer.copy(
                    {"name": "SIN REGIMEN SA", "l10n_mx_einvoice_regimen_fiscal": False}
                ).id,
                "product": env["product.product"]
                .create(
                    {
                        "name": "Servicio",
                        "uom_id": env.ref("uom.product_uom_unit").id,
                        "company_id": company.id,
                        "l10n_mx_einvoice_clave_prod_serv_id": env["l10n_mx_einvoice.sat.code"]
                        ._l10n_mx_einvoice_find("84111506", "product")
                        .id,
                    }
                )
                .id,
                "tax": env["account.chart.template"].with_company(company).ref("tax12").id,
            }
            cls.company_id, cls.account_id = company.id, account.id
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls.release_company_name)

    @classmethod
    def release_company_name(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(
                cls.company_id
            ).partner_id.name = f"EKU concurrent PAC {cls.company_id} (done)"
            cr.commit()  # pylint: disable=invalid-commit

    def setUp(self):
        super().setUp()
        WatchingHandler.in_flight = WatchingHandler.peak = 0
        WatchingHandler.probe, WatchingHandler.probes = None, []

    def env_of(self, cr):
        if cr.transaction is None:
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(
            cr, SUPERUSER_ID, dict(COMMIT, allowed_company_ids=[self.company_id])
        )

    def new_moves(self, count, customer="customer"):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            ids = [
                make_invoice(
                    env,
                    env["res.company"].browse(self.company_id),
                    env["res.partner"].browse(self.ids[customer]),
                    env["product.product"].browse(self.ids["product"]),
                    env["account.tax"].browse(self.ids["tax"]),
                ).id
                for _ in range(count)
            ]
            cr.commit()  # pylint: disable=invalid-commit
            return ids

    def stamp(self, move_ids):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            env["l10n_mx_einvoice.document"]._stamp(env["account.move"].browse(move_ids))
            cr.commit()  # pylint: disable=invalid-commit

    def pac_stamps(self):
        """How many distinct documents the PAC has stamped (its sqlite ledger)."""
        with self.server.sandbox.store.transaction() as db:
            return db.execute("SELECT count(*) FROM stamps").fetchone()[0]

    def facts(self, move_ids):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            moves = env["account.move"].browse(move_ids)
            documents = moves.l10n_mx_einvoice_document_ids
            stamped = documents.filtered(lambda d: d.state == "stamped")
            credits = env["l10n_mx_einvoice.credit.move"].search(
                [("account_id", "=", self.account_id), ("uuid", "in", stamped.mapped("uuid"))]
            )
            return {
                "states": moves.mapped("l10n_mx_einvoice_state"),
                "documents": len(documents),
                "uuids": len(set(stamped.mapped("uuid"))),
                "credit_lines": len(credits),
                "credits": sum(credits.mapped("quantity")),
                "signed": [d._signed_bytes() for d in documents],
            }

    def test_a_batch_calls_the_pac_at_once_each_invoice_stamped_once(self):
        move_ids = self.new_moves(10)
        before = self.pac_stamps()
        self.stamp(move_ids)
        facts = self.facts(move_ids)
        self.assertEqual(facts["states"], ["stamped"] * 10)
        self.assertEqual((facts["documents"], facts["uuids"]), (10, 10))
        self.assertEqual((facts["credit_lines"], facts["credits"]), (10, -10))
        self.assertEqual(self.pac_stamps() - before, 10)
        self.assertGreaterEqual(WatchingHandler.peak, 2)  # several calls at once...
        self.assertLessEqual(WatchingHandler.peak, 4)  # ...never more than the account allows

    def test_no_row_is_locked_while_the_pac_answers(self):
        move_ids = self.new_moves(3)

        def lock_the_invoices():
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(move_ids)],
                )
                return len(cr.fetchall())

        WatchingHandler.probe = staticmethod(lock_the_invoices)
        self.stamp(move_ids)
        self.assertEqual(WatchingHandler.probes, [3, 3, 3])
        self.assertEqual(self.facts(move_ids)["states"], ["stamped"] * 3)

    def test_a_refused_batch_sends_nothing(self):
        move_ids = self.new_moves(3) + self.new_moves(1, "no_regimen")
        before = self.pac_stamps()
        with self.assertRaisesRegex(UserError, "fiscal regime"):
            self.stamp(move_ids)
        self.assertEqual(self.pac_stamps(), before)
        self.assertEqual(WatchingHandler.peak, 0)
        self.assertEqual(self.facts(move_ids)["documents"], 0)

    def test_a_crash_before_storing_is_recovered_with_the_same_uuids_once(self):
        move_ids = self.new_moves(6)
        Document = type(self.env["l10n_mx_einvoice.document"])
        with patch.object(Document, "_store_outcomes", side_effect=RuntimeError("power cut")):
            with self.assertRaises(RuntimeError):
                self.stamp(move_ids)
        crashed = self.facts(move_ids)
        self.assertEqual(crashed["states"], ["to_stamp"] * 6)  # pending, committed
        self.assertEqual(crashed["documents"], 6)
        stamped_by_pac = self.pac_stamps()
        self.stamp(move_ids)  # the retry asks the PAC first, at once too
        after = self.facts(move_ids)
        self.assertEqual(after["states"], ["stamped"] * 6)
        self.assertEqual((after["documents"], after["uuids"]), (6, 6))
        self.assertEqual((after["credit_lines"], after["credits"]), (6, -6))
        self.assertEqual(self.pac_stamps(), stamped_by_pac)  # nothing stamped twice
        self.assertEqual(after["signed"], crashed["signed"])  # the same XML, not sealed again
