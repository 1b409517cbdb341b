"""Two global invoices racing for the same tickets, with real separate cursors (real
commits): exactly one of them holds the tickets.

The data lives in its own committed company (a fresh name per run): other cursors cannot
see the test transaction's uncommitted records.
"""

import threading
import uuid as uuid_module

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_mx_einvoice.tests.common import RUN_JOBS_NOW, setup_company
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import setup_shop, sync, ticket_data

COMMIT = {"l10n_mx_einvoice_commit": True, "tracking_disable": True, **RUN_JOBS_NOW}


@tagged("post_install", "-at_install")
class TestPosGlobalRace(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, _certificate, _account = setup_company(
                env, name=f"EKU pos race {uuid_module.uuid4().hex[:8]}"
            )
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            tax = env["account.chart.template"].with_company(company).ref("tax12")
            product = env["product.product"].create(
                {
                    "name": "Abarrotes",
                    "uom_id": env.ref("uom.product_uom_unit").id,
                    "company_id": company.id,
                    "taxes_id": [(6, 0, tax.ids)],
                    "l10n_mx_einvoice_clave_prod_serv_id": env["l10n_mx_einvoice.sat.code"]
                    ._l10n_mx_einvoice_find("50181900", "product")
                    .id,
                }
            )
            _config, session, _cash, _card = setup_shop(env, company, product)
            orders, _answer = sync(
                env,
                *(ticket_data(session, [(product, 1, 10.0 + n, None)]) for n in range(5)),
            )
            cls.company_id, cls.ticket_ids = company.id, orders.ids
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls.release_company_name)

    @classmethod
    def release_company_name(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(
                cls.company_id
            ).partner_id.name = f"EKU pos race {cls.company_id} (done)"
            cr.commit()  # pylint: disable=invalid-commit

    def env_of(self, cr):
        if cr.transaction is None:
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(
            cr, SUPERUSER_ID, dict(COMMIT, allowed_company_ids=[self.company_id])
        )

    def issue_in_new_cursor(self, barrier, outcomes):
        try:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)
                request = env["l10n_mx_einvoice.global.invoice"].create(
                    {
                        "company_id": self.company_id,
                        "periodicidad": "04",
                        "pos_order_ids": [(6, 0, self.ticket_ids)],
                    }
                )
                cr.commit()  # pylint: disable=invalid-commit
                barrier.wait(timeout=30)
                env["l10n_mx_einvoice.document"]._stamp(request)
                cr.commit()  # pylint: disable=invalid-commit
            outcomes.append("issued")
        except Exception as error:  # noqa: BLE001 - a refusal or a serialization failure
            outcomes.append(f"refused: {type(error).__name__}: {error}")

    def race(self, target):
        """The outcomes of ``target(barrier, outcomes)`` run by two threads at once."""
        barrier, outcomes = threading.Barrier(2), []
        threads = [threading.Thread(target=target, args=(barrier, outcomes)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        return outcomes

    @mute_logger("odoo.sql_db")
    def test_two_global_invoices_racing_for_the_same_tickets(self):
        outcomes = self.race(self.issue_in_new_cursor)
        self.assertEqual(sorted(o.split(":")[0] for o in outcomes), ["issued", "refused"], outcomes)
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            tickets = env["pos.order"].browse(self.ticket_ids)
            holders = tickets.l10n_mx_einvoice_global_document_id
            self.assertEqual(len(holders), 1)
            self.assertEqual(holders.state, "stamped", holders.message)
            documents = env["l10n_mx_einvoice.document"].search(
                [("company_id", "=", self.company_id), ("document_type", "=", "global")]
            )
            self.assertEqual(documents, holders)  # the refused one sealed nothing
