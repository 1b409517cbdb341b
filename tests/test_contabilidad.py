"""Contabilidad electrónica (Anexo 24, 1.3) from a month of real Odoo books: every file
validated by SAT's XSD (shipped in satcfdi), every figure recomputed here from the
journal items with SQL."""

import base64
import datetime as dt
import io
import uuid as uuid_lib
import zipfile
from decimal import Decimal as D
from pathlib import Path

import satcfdi
from lxml import etree
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import BooksFixtures, L10nMxEinvoiceCommon

CONTE = Path(satcfdi.__file__).parent.joinpath(
    "transform", "schemas", "www.sat.gob.mx", "esquemas", "ContabilidadE", "1_3"
)
XSD = {
    "CT": CONTE / "CatalogoCuentas" / "CatalogoCuentas_1_3.xsd",
    "BN": CONTE / "BalanzaComprobacion" / "BalanzaComprobacion_1_3.xsd",
    "BC": CONTE / "BalanzaComprobacion" / "BalanzaComprobacion_1_3.xsd",
    "PL": CONTE / "PolizasPeriodo" / "PolizasPeriodo_1_3.xsd",
    "XC": CONTE / "AuxiliarCtas" / "AuxiliarCtas_1_3.xsd",
    "XF": CONTE / "AuxiliarFolios" / "AuxiliarFolios_1_3.xsd",
}
_PARSER = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
RFC = "EKU9003173C9"
BILL_UUID = str(uuid_lib.UUID("1e5a6e1b-9c1b-5319-bfed-123bd143a310")).upper()


def local(element):
    return etree.QName(element).localname


@tagged("post_install", "-at_install")
class TestContabilidad(BooksFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_books()
        cls.today = dt.date.today()
        cls.period = (cls.today.year, cls.today.month)
        # a month of activity: sales (MXN and USD, stamped), their payment, purchases (a
        # national supplier CFDI, a foreign invoice, fees with IVA withheld), their payments
        cls.sale = cls.ppd_invoice([{"price_unit": 1000.0}])
        cls.sale_usd = cls.ppd_invoice([{"price_unit": 100.0}], currency=cls.usd)
        cls.bill = cls.make_bill(cls.supplier, [(2000.0, cls.purchase_16)], vendor_uuid=BILL_UUID)
        cls.bill_foreign = cls.make_bill(
            cls.foreign_supplier, [(500.0, cls.purchase_import)], currency=cls.usd, ref="INV-778"
        )
        cls.bill_fees = cls.make_bill(
            cls.professional, [(1000.0, cls.purchase_16 | cls.purchase_ret_iva)]
        )

    def setUp(self):
        super().setUp()
        self.customer_payment = self.pay(self.sale, 1160.0)
        self.supplier_payment = self.pay_bill(self.bill, 2320.0)

    # --- helpers -------------------------------------------------------------------

    def export(self, file_kind, user=None, **values):
        env = self.env(user=user) if user else self.env
        wizard = env["l10n_mx_einvoice.contabilidad.export"].create(
            {
                "company_id": self.company.id,
                "year": self.period[0],
                "month": str(self.period[1]),
                "file_kind": file_kind,
                **values,
            }
        )
        wizard.action_generate()
        return wizard

    def xml_of(self, wizard, kind):
        name = f"{RFC}{self.period[0]}{self.period[1]:02d}{kind}"
        self.assertEqual(wizard.zip_filename, f"{name}.zip")
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.zip_file))) as archive:
            self.assertEqual(archive.namelist(), [f"{name}.xml"])
            data = archive.read(f"{name}.xml")
        doc = etree.fromstring(data, _PARSER)
        schema = etree.XMLSchema(etree.parse(str(XSD[kind]), _PARSER))
        self.assertTrue(schema.validate(doc), schema.error_log)
        return doc

    def sql_totals(self):
        """{code: (opening debit-credit, period debit, period credit)} of posted items."""
        start = self.today.replace(day=1)
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT l.account_id,
                   SUM(CASE WHEN l.date < %(start)s THEN l.debit - l.credit ELSE 0 END),
                   SUM(CASE WHEN l.date >= %(start)s THEN l.debit ELSE 0 END),
                   SUM(CASE WHEN l.date >= %(start)s THEN l.credit ELSE 0 END)
              FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted' AND l.company_id = %(company)s AND l.date < %(end)s
             GROUP BY l.account_id
            """,
            {
                "start": start,
                "end": (start + dt.timedelta(days=32)).replace(day=1),
                "company": self.company.id,
            },
        )
        accounts = self.env["account.account"].with_company(self.company)
        return {
            accounts.browse(account_id).code: tuple(D(str(v)).quantize(D("0.01")) for v in row)
            for account_id, *row in self.env.cr.fetchall()
        }

    # --- código agrupador ---------------------------------------------------------

    def test_l10n_mx_chart_comes_mapped_with_nature_from_the_account_type(self):
        accounts = self.env["account.account"].search([("company_ids", "in", self.company.ids)])
        self.assertGreater(len(accounts), 50)
        unmapped = accounts.filtered(lambda a: not a.l10n_mx_einvoice_cod_agrup)
        self.assertFalse(unmapped, unmapped.mapped("code"))
        by_code = {a.with_company(self.company).code: a for a in accounts}
        self.assertEqual(by_code["102.01.01"].l10n_mx_einvoice_cod_agrup, "102.01")
        self.assertEqual(by_code["102.01.01"].l10n_mx_einvoice_nature, "D")
        self.assertEqual(by_code["201.01.01"].l10n_mx_einvoice_nature, "A")
        new = self.env["account.account"].create(
            {"code": "601.84.09", "name": "Gastos varios", "account_type": "expense"}
        )
        self.assertEqual(
            (new.l10n_mx_einvoice_cod_agrup, new.l10n_mx_einvoice_nature), ("601.84", "D")
        )

    def test_unmapped_accounts_are_listed_before_anything_is_generated(self):
        odd = self.env["account.account"].create(
            {"code": "999998", "name": "Cuenta sin agrupador", "account_type": "expense"}
        )
        self.assertFalse(odd.l10n_mx_einvoice_cod_agrup)
        self.assertEqual(odd.l10n_mx_einvoice_nature, "D")  # from the account type
        for kind in ("catalogo", "balanza"):
            with self.assertRaisesRegex(UserError, "999998.*Cuenta sin agrupador"):
                self.export(kind)
        odd.l10n_mx_einvoice_cod_agrup = "601.84"
        doc = self.xml_of(self.export("catalogo"), "CT")
        self.assertIn("999998", [c.get("NumCta") for c in doc])

    # --- catálogo and balanza -------------------------------------------------------

    def test_catalogo_holds_every_account_with_its_parents(self):
        doc = self.xml_of(self.export("catalogo"), "CT")
        self.assertEqual((doc.get("RFC"), doc.get("Version")), (RFC, "1.3"))
        ctas = {c.get("NumCta"): c for c in doc}
        codes = (
            self.env["account.account"]
            .with_company(self.company)
            .search([("company_ids", "in", self.company.ids)])
            .mapped("code")
        )
        self.assertLessEqual(set(codes), set(ctas))
        bank = ctas["102.01.01"]
        self.assertEqual(
            (bank.get("CodAgrup"), bank.get("Nivel"), bank.get("SubCtaDe"), bank.get("Natur")),
            ("102.01", "3", "102.01", "D"),
        )
        self.assertEqual(ctas["102"].get("Nivel"), "1")

    def test_balanza_equals_the_journal_items(self):
        doc = self.xml_of(self.export("balanza"), "BN")
        self.assertEqual((doc.get("TipoEnvio"), doc.get("FechaModBal")), ("N", None))
        lines = {c.get("NumCta"): c for c in doc}
        accounts = {
            a.code: a
            for a in self.env["account.account"]
            .with_company(self.company)
            .search([("company_ids", "in", self.company.ids)])
        }
        expected = self.sql_totals()
        self.assertTrue(expected)
        for code, (opening, debit, credit) in expected.items():
            sign = 1 if accounts[code].l10n_mx_einvoice_nature == "D" else -1
            line = lines[code]
            got = tuple(D(line.get(k)) for k in ("SaldoIni", "Debe", "Haber", "SaldoFin"))
            want = (sign * opening, debit, credit, sign * (opening + debit - credit))
            self.assertEqual(got, want, code)
        # the receivable of the sale: invoice, then its payment
        receivable = self.sale.line_ids.filtered(
            lambda item: item.account_type == "asset_receivable"
        )
        line = lines[receivable.account_id.with_company(self.company).code]
        self.assertGreaterEqual(D(line.get("Debe")), D("1160.00"))
        self.assertGreaterEqual(D(line.get("Haber")), D("1160.00"))
        # parents add up their children; top accounts balance
        tops = [c for c in doc if "." not in c.get("NumCta")]
        self.assertEqual(sum(D(c.get("Debe")) for c in tops), sum(D(c.get("Haber")) for c in tops))
        self.assertEqual(sum(D(c.get("Debe")) for c in tops), sum(e[1] for e in expected.values()))

    def test_balanza_complementaria_needs_fecha_mod_bal(self):
        with self.assertRaisesRegex(UserError, "FechaModBal"):
            self.export("balanza", tipo_envio="C")
        doc = self.xml_of(self.export("balanza", tipo_envio="C", fecha_mod_bal=self.today), "BC")
        self.assertEqual((doc.get("TipoEnvio"), doc.get("FechaModBal")), ("C", str(self.today)))

    # --- pólizas and auxiliares ------------------------------------------------------

    def polizas(self, **values):
        doc = self.xml_of(
            self.export("polizas", tipo_solicitud="AF", num_orden="ABC1234567/25", **values), "PL"
        )
        return doc, {p.get("NumUnIdenPol"): p for p in doc}

    def test_polizas_carry_every_entry_balanced_with_its_cfdi_and_payments(self):
        doc, polizas = self.polizas()
        self.assertEqual((doc.get("TipoSolicitud"), doc.get("NumOrden")), ("AF", "ABC1234567/25"))
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("state", "=", "posted"),
                ("date", ">=", self.today.replace(day=1)),
                ("date", "<=", self.today),
            ]
        )
        self.assertEqual(set(polizas), set(moves.mapped("name")))
        for name, poliza in polizas.items():
            rows = list(poliza)
            self.assertEqual(
                sum(D(t.get("Debe")) for t in rows), sum(D(t.get("Haber")) for t in rows), name
            )
            move = moves.filtered(lambda m, n=name: m.name == n)
            self.assertEqual(len(rows), len(move.line_ids), name)

        def vouchers(move, tag):
            return [v for t in polizas[move.name] for v in t if local(v) == tag]

        (sale,) = vouchers(self.sale, "CompNal")
        self.assertEqual(
            (sale.get("UUID_CFDI"), sale.get("RFC"), sale.get("MontoTotal")),
            (self.sale.l10n_mx_einvoice_uuid.upper(), "XIA190128J61", "1160.00"),
        )
        (sale_usd,) = vouchers(self.sale_usd, "CompNal")
        self.assertEqual(
            (sale_usd.get("MontoTotal"), sale_usd.get("Moneda"), sale_usd.get("TipCamb")),
            ("116.00", "USD", "17.50000"),
        )
        (bill,) = vouchers(self.bill, "CompNal")
        self.assertEqual((bill.get("UUID_CFDI"), bill.get("RFC")), (BILL_UUID, "ICV060329BY0"))
        (foreign,) = vouchers(self.bill_foreign, "CompExt")
        self.assertEqual(
            (foreign.get("NumFactExt"), foreign.get("TaxID"), foreign.get("Moneda")),
            ("INV-778", "98-7654321", "USD"),
        )
        self.assertFalse(vouchers(self.bill_fees, "CompNal"))  # no supplier CFDI: none
        (paid,) = vouchers(self.customer_payment.move_id, "OtrMetodoPago")
        self.assertEqual(
            (paid.get("MetPagoPol"), paid.get("Monto"), paid.get("RFC")), ("03", "1160.00", RFC)
        )
        (paid_out,) = vouchers(self.supplier_payment.move_id, "OtrMetodoPago")
        self.assertEqual(
            (paid_out.get("RFC"), paid_out.get("Benef")), ("ICV060329BY0", "PAPELERIA NACIONAL")
        )

    def test_transfer_between_known_banks_is_a_transferencia(self):
        bbva = self.env["res.bank"].create({"name": "BBVA BANCOMER", "l10n_mx_edi_code": "012"})
        banorte = self.env["res.bank"].create({"name": "BANORTE", "l10n_mx_edi_code": "072"})
        self.bank.bank_account_id = self.env["res.partner.bank"].create(
            {
                "acc_number": "012180001234567891",
                "bank_id": bbva.id,
                "partner_id": self.company.partner_id.id,
            }
        )
        supplier_account = self.env["res.partner.bank"].create(
            {
                "acc_number": "072180009876543210",
                "bank_id": banorte.id,
                "partner_id": self.supplier.id,
            }
        )
        bill = self.make_bill(self.supplier, [(100.0, self.purchase_16)])
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"journal_id": self.bank.id, "partner_bank_id": supplier_account.id})
        )
        payment = wizard._create_payments()
        _doc, polizas = self.polizas()
        (transfer,) = [
            v for t in polizas[payment.move_id.name] for v in t if local(v) == "Transferencia"
        ]
        self.assertEqual(
            (
                transfer.get("BancoOriNal"),
                transfer.get("CtaOri"),
                transfer.get("BancoDestNal"),
                transfer.get("CtaDest"),
                transfer.get("Monto"),
            ),
            ("012", "012180001234567891", "072", "072180009876543210", "116.00"),
        )

    def test_cheque_and_a_supplier_voucher_that_is_not_a_cfdi(self):
        bbva = self.env["res.bank"].create({"name": "BBVA BANCOMER", "l10n_mx_edi_code": "012"})
        self.bank.bank_account_id = self.env["res.partner.bank"].create(
            {
                "acc_number": "0123456789",
                "bank_id": bbva.id,
                "partner_id": self.company.partner_id.id,
            }
        )
        self.bank.l10n_mx_einvoice_forma_pago = "02"  # cheque nominativo
        # no supplier CFDI: the bill's reference is the supplier's CFD serie and folio
        bill = self.make_bill(self.professional, [(100.0, self.purchase_16)], ref="b-000457")
        payment = self.pay_bill(bill, 116.0)
        _doc, polizas = self.polizas()

        def vouchers(move, tag):
            return [v for t in polizas[move.name] for v in t if local(v) == tag]

        (otr,) = vouchers(bill, "CompNalOtr")
        self.assertEqual(
            (
                otr.get("CFD_CBB_Serie"),
                otr.get("CFD_CBB_NumFol"),
                otr.get("RFC"),
                otr.get("MontoTotal"),
            ),
            ("B", "457", "MAS0810247C0", "116.00"),
        )
        self.assertFalse(vouchers(bill, "CompNal"))
        (cheque,) = vouchers(payment.move_id, "Cheque")
        self.assertEqual(
            (
                cheque.get("BanEmisNal"),
                cheque.get("CtaOri"),
                cheque.get("Benef"),
                cheque.get("RFC"),
                cheque.get("Monto"),
                cheque.get("Fecha"),
            ),
            ("012", "0123456789", "DESPACHO CONTABLE", "MAS0810247C0", "116.00", str(payment.date)),
        )
        self.assertTrue(cheque.get("Num"))
        self.assertFalse(vouchers(payment.move_id, "OtrMetodoPago"))
        # a reference that is not a serie and folio names no voucher
        loose = self.make_bill(self.professional, [(50.0, self.purchase_16)], ref="Renta marzo")
        _doc, polizas = self.polizas()
        self.assertFalse(vouchers(loose, "CompNalOtr"))

    def test_a_uuid_unknown_to_the_company_is_flagged_and_the_file_made(self):
        # an invoice whose UUID came without its CFDI (e.g. from a former system)
        stranger = str(uuid_lib.uuid4()).upper()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET l10n_mx_einvoice_uuid = %s WHERE id = %s",
            [stranger, self.sale.id],
        )
        self.env.invalidate_all()
        wizard = self.export("polizas", tipo_solicitud="AF", num_orden="ABC1234567/25")
        self.assertIn(stranger, wizard.warnings)
        self.assertIn("EINV-CE-UUID", wizard.warnings)
        doc = self.xml_of(wizard, "PL")
        uuids = {v.get("UUID_CFDI") for v in doc.iter(f"{{{doc.nsmap['PLZ']}}}CompNal")}
        self.assertIn(stranger, uuids)  # flagged, not dropped
        self.assertIn(BILL_UUID, uuids)
        self.assertNotIn(BILL_UUID, wizard.warnings)  # a received CFDI the company holds

    def test_requested_files_need_their_reference(self):
        with self.assertRaisesRegex(UserError, "NumOrden"):
            self.export("polizas", tipo_solicitud="FC")
        with self.assertRaisesRegex(UserError, "NumTramite"):
            self.export("auxiliar_folios", tipo_solicitud="DE", num_tramite="12")

    def test_unbalanced_entries_are_refused_before_the_file(self):
        # an entry posted out of balance by SQL (Odoo itself refuses it): the check names it
        self.env.flush_all()
        line = self.bill.line_ids.filtered(lambda item: item.display_type == "product")
        self.env.cr.execute(
            "UPDATE account_move_line SET debit = debit + 1 WHERE id = %s", [line.id]
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, f"{self.bill.name}.*(no cuadra|does not balance)"):
            self.polizas()

    def test_auxiliar_de_cuentas_and_folios(self):
        doc = self.xml_of(
            self.export("auxiliar_cuentas", tipo_solicitud="DE", num_tramite="AB123456789012"),
            "XC",
        )
        self.assertEqual(doc.get("NumTramite"), "AB123456789012")
        expected = self.sql_totals()
        for cuenta in doc:
            opening, debit, credit = expected[cuenta.get("NumCta")]
            self.assertEqual(sum(D(d.get("Debe")) for d in cuenta), debit)
            self.assertEqual(sum(D(d.get("Haber")) for d in cuenta), credit)
        self.assertEqual(
            {c.get("NumCta") for c in doc}, {k for k, v in expected.items() if v[1] or v[2]}
        )
        folios = self.xml_of(
            self.export("auxiliar_folios", tipo_solicitud="CO", num_tramite="AB123456789012"),
            "XF",
        )
        by_poliza = {d.get("NumUnIdenPol"): d for d in folios}
        (compr,) = by_poliza[self.sale.name]
        self.assertEqual(compr.get("UUID_CFDI"), self.sale.l10n_mx_einvoice_uuid.upper())

    # --- rights and companies ----------------------------------------------------------

    def test_only_accounting_managers_of_the_company(self):
        invoicing = new_test_user(
            self.env,
            "conta_invoicing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.export("balanza", user=invoicing)
        # Accounting > Reporting > SAT (México): shown to accounting managers only
        menu = self.env.ref("l10n_mx_einvoice.menu_l10n_mx_einvoice_sat_reports")
        self.assertEqual(menu.parent_id, self.env.ref("account.menu_finance_reports"))
        self.assertEqual(menu.groups_id, self.env.ref("account.group_account_manager"))
        menus = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, menus.with_user(invoicing)._visible_menu_ids())
        accountant = new_test_user(
            self.env,
            "conta_accountant",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        self.assertIn(menu.id, menus.with_user(accountant)._visible_menu_ids())
        self.assertEqual(
            menu.child_id.mapped("action"),
            [
                self.env.ref("l10n_mx_einvoice.action_l10n_mx_einvoice_contabilidad_export"),
                self.env.ref("l10n_mx_einvoice.action_l10n_mx_einvoice_diot"),
            ],
        )
        other = self.setup_other_company(name="OTRA EMPRESA")["company"]
        manager = new_test_user(
            self.env,
            "conta_manager",
            groups="account.group_account_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        with self.assertRaises(AccessError):
            self.export("balanza", user=manager)

    def test_another_company_books_stay_out(self):
        other = self.setup_other_company(name="OTRA EMPRESA")["company"]
        accounts = self.env["account.account"].search([("company_ids", "in", other.ids)])
        expense = accounts.filtered(lambda a: a.account_type == "expense")[:1]
        current = accounts.filtered(lambda a: a.account_type == "asset_current")[:1]
        entry = self.env["account.move"].create(
            {
                "company_id": other.id,
                "ref": "Asiento de otra empresa",
                "line_ids": [
                    Command.create({"name": "x", "debit": 5.0, "account_id": expense.id}),
                    Command.create({"name": "x", "credit": 5.0, "account_id": current.id}),
                ],
            }
        )
        entry.action_post()
        doc, polizas = self.polizas()
        own = self.env["account.move"].search_count(
            [
                ("company_id", "=", self.company.id),
                ("state", "=", "posted"),
                ("date", ">=", self.today.replace(day=1)),
            ]
        )
        self.assertEqual(len(polizas), own)
        self.assertNotIn(b"Asiento de otra empresa", etree.tostring(doc))
