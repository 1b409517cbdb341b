"""Two requests for the invoice of the same ticket of a stamped global invoice, with real
separate cursors (real commits): exactly one CFDI de egreso, one invoice."""

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import test_pos_global_race as race


@tagged("post_install", "-at_install")
class TestPosGlobalEgresoRace(race.TestPosGlobalRace):
    test_two_global_invoices_racing_for_the_same_tickets = None  # the parent's own race

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(
                cr,
                SUPERUSER_ID,
                {"tracking_disable": True, "allowed_company_ids": [cls.company_id]},
            )
            request = env["l10n_mx_einvoice.global.invoice"].create(
                {
                    "company_id": cls.company_id,
                    "periodicidad": "04",
                    "pos_order_ids": [(6, 0, cls.ticket_ids)],
                }
            )
            env["l10n_mx_einvoice.document"]._stamp(request)
            customer = env["res.partner"].create(
                {
                    "name": "XENON INDUSTRIAL ARTICLES",
                    "is_company": True,
                    "company_id": cls.company_id,
                    "country_id": env.ref("base.mx").id,
                    "vat": "XIA190128J61",
                    "zip": "76343",
                    "l10n_mx_einvoice_regimen_fiscal": "601",
                    "l10n_mx_einvoice_uso_cfdi": "G03",
                }
            )
            env["pos.order"].browse(cls.ticket_ids[0]).partner_id = customer
            cr.commit()  # pylint: disable=invalid-commit

    def invoice_in_new_cursor(self, barrier, outcomes):
        try:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)
                barrier.wait(timeout=30)
                env["pos.order"].browse(self.ticket_ids[0]).action_pos_order_invoice()
                cr.commit()  # pylint: disable=invalid-commit
            outcomes.append("invoiced")
        except Exception as error:  # noqa: BLE001 - a refusal or a serialization failure
            outcomes.append(f"refused: {type(error).__name__}: {error}")

    @mute_logger("odoo.sql_db")
    def test_two_requests_for_the_invoice_of_a_ticket_in_a_global(self):
        outcomes = self.race(self.invoice_in_new_cursor)
        self.assertIn("invoiced", outcomes, outcomes)
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            ticket = env["pos.order"].browse(self.ticket_ids[0])
            self.assertEqual(ticket.l10n_mx_einvoice_global_document_id.state, "stamped")
            egresos = env["l10n_mx_einvoice.document"].search(
                [("pos_egreso_order_id", "=", ticket.id)]
            )
            self.assertEqual(len(egresos), 1, egresos.mapped("state"))
            self.assertEqual(egresos.state, "stamped", egresos.message)
            self.assertEqual(ticket.l10n_mx_einvoice_global_egreso_id, egresos)
            self.assertEqual(len(ticket.account_move), 1)
            self.assertEqual(ticket.account_move.l10n_mx_einvoice_state, "stamped")
            invoices = env["account.move"].search([("pos_order_ids", "in", ticket.ids)])
            self.assertEqual(len(invoices), 1)
