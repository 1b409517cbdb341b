import socket
from unittest.mock import patch

from odoo.addons.l10n_mx_einvoice.cfdi.pac import Unavailable
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document import SAT_STATUS_URL_PARAM
from odoo.tests import tagged

from .common import CancellationFixtures, L10nMxEinvoiceCommon

LOGGER = "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document"


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/ConsultaCFDIService.svc"


@tagged("post_install", "-at_install")
class TestSatStatusFollowup(CancellationFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_payments()

    def stamped_invoice(self, price=1000.0):
        invoice = self.make_invoice([{"price_unit": price}])
        invoice.action_l10n_mx_einvoice_stamp()
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        return invoice

    def test_button_stores_status(self):
        invoice = self.stamped_invoice(500.0)
        invoice.action_l10n_mx_einvoice_check_sat_status()
        self.assertEqual(invoice.l10n_mx_einvoice_sat_estado, "Vigente")
        self.assertEqual(invoice.l10n_mx_einvoice_sat_es_cancelable, "Cancelable sin aceptación")
        self.assertFalse(invoice.l10n_mx_einvoice_sat_estatus_cancelacion)
        self.assertTrue(invoice.l10n_mx_einvoice_sat_checked)
        self.assertIn("Vigente", self.chatter(invoice))

    def test_cron_settles_accepted_cancellation_and_updates_recent(self):
        pending = self.stamped_invoice(3000.0)
        recent = self.stamped_invoice(200.0)
        self.later(25)
        self.cancel(pending, "02")
        self.assertEqual(pending.l10n_mx_einvoice_state, "cancel_requested")
        self.connector().respond_to_cancellation(pending.l10n_mx_einvoice_uuid, accept=True)
        self.env["l10n_mx_einvoice.document"]._cron_sat_status(days=3)
        self.assertEqual(pending.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(pending.state, "cancel")
        self.assertEqual(recent.l10n_mx_einvoice_sat_estado, "Vigente")
        self.assertEqual(
            recent.l10n_mx_einvoice_sat_es_cancelable, "Cancelable sin aceptación"
        )  # 232 MXN ≤ 1,000
        # a later cron run asks nothing about the settled cancellation again
        self.assertNotIn(
            pending,
            self.env["account.move"].search([("l10n_mx_einvoice_state", "=", "cancel_requested")]),
        )

    def test_cron_goes_on_when_sat_refuses_connections(self):
        real = self.stamped_invoice()
        sandbox = self.stamped_invoice()
        # ``real`` was stamped through a PAC account: its status comes from SAT's service,
        # which here is a port where nothing listens
        finkok = self.env["l10n_mx_einvoice.stamp.account"].create(
            {
                "name": "Finkok",
                "company_id": self.company.id,
                "provider": "finkok",
                "environment": "test",
            }
        )
        # (a document's stamp account is set once: the Finkok stamp is simulated in SQL)
        self.env.cr.execute(
            "UPDATE l10n_mx_einvoice_document SET stamp_account_id = %s WHERE id IN %s",
            [finkok.id, tuple(real.l10n_mx_einvoice_document_ids.ids)],
        )
        real.l10n_mx_einvoice_document_ids.invalidate_recordset()
        self.env["ir.config_parameter"].sudo().set_param(SAT_STATUS_URL_PARAM, closed_port_url())
        with self.assertLogs(LOGGER, level="WARNING") as logs:
            self.assertTrue(self.env["l10n_mx_einvoice.document"]._cron_sat_status(days=3))
        self.assertTrue(
            any(real.name in line and "not checked" in line for line in logs.output), logs.output
        )
        self.assertFalse(real.l10n_mx_einvoice_sat_checked)
        self.assertEqual(real.l10n_mx_einvoice_state, "stamped")
        self.assertIn("unavailable", self.chatter(real))
        self.assertEqual(sandbox.l10n_mx_einvoice_sat_estado, "Vigente")

    def test_cron_goes_on_after_a_connector_error(self):
        first = self.stamped_invoice()
        second = self.stamped_invoice()
        connector = self.connector()
        real_status = connector.status

        def flaky(uuid, *args):
            if uuid == first.l10n_mx_einvoice_uuid:
                raise Unavailable("Servicio no disponible (prueba).", "Service unavailable (test).")
            return real_status(uuid, *args)

        with (
            patch.object(connector, "status", side_effect=flaky),
            self.assertLogs(LOGGER, level="WARNING"),
        ):
            self.env["l10n_mx_einvoice.document"]._cron_sat_status(days=3)
        self.assertFalse(first.l10n_mx_einvoice_sat_estado)
        self.assertEqual(second.l10n_mx_einvoice_sat_estado, "Vigente")
        # next run, the service is back: the first one is checked too
        self.env["l10n_mx_einvoice.document"]._cron_sat_status(days=3)
        self.assertEqual(first.l10n_mx_einvoice_sat_estado, "Vigente")
