from datetime import datetime

from freezegun import freeze_time
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CSD_PASSWORD, L10nMxEinvoiceCommon, fixture_b64, fixture_bytes


@tagged("post_install", "-at_install")
class TestCertificate(L10nMxEinvoiceCommon):
    def _create(self, cer, key, password=CSD_PASSWORD, **extra):
        return self.env["l10n_mx_einvoice.certificate"].create(
            {
                "company_id": self.company.id,
                "cer_file": fixture_b64(cer),
                "cer_filename": cer.rsplit("/", 1)[-1],
                "key_file": fixture_b64(key),
                "password": password,
                **extra,
            }
        )

    def test_certificate_read_from_the_cer_file(self):
        cert = self.certificate
        self.assertEqual(cert.rfc, "EKU9003173C9")
        self.assertEqual(cert.no_certificado, "30001000000500003416")
        self.assertEqual(cert.date_start, datetime(2023, 5, 18, 11, 43, 51))
        self.assertEqual(cert.date_end, datetime(2027, 5, 18, 11, 43, 51))
        self.assertEqual(cert.name, "EKU9003173C9 - 30001000000500003416")
        self.assertIn(cert.legal_name, ("ESCUELA KEMPER URGATE", "ESCUELA KEMPER URGATE SA DE CV"))

    def test_wrong_password_is_refused_without_echoing_it(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(
                "csd/EKU9003173C9.cer", "csd/EKU9003173C9.key", password="Secreto-Equivocado"
            )
        message = str(caught.exception)
        self.assertIn("EKU9003173C9.cer", message)
        self.assertIn("password", message)
        self.assertNotIn("Secreto-Equivocado", message)

    def test_fiel_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(
                "fiel/EKU9003173C9_FIEL.cer",
                "fiel/EKU9003173C9_FIEL.key",
                password=fixture_bytes("fiel/EKU9003173C9_FIEL.password.txt").decode().strip(),
            )
        self.assertIn("FIEL", str(caught.exception))
        self.assertIn("CSD", str(caught.exception))

    def test_key_of_another_certificate_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._create("csd/EKU9003173C9.cer", "csd/CACX7605101P8.key")
        self.assertIn("does not belong to certificate 30001000000500003416", str(caught.exception))

    def test_certificate_of_another_rfc_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._create("csd/CACX7605101P8.cer", "csd/CACX7605101P8.key")
        message = str(caught.exception)
        self.assertIn("CACX7605101P8", message)
        self.assertIn("EKU9003173C9", message)

    def test_expired_certificate_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._create("csd_expired/EKU9003173C9_2019.cer", "csd_expired/EKU9003173C9_2019.key")
        self.assertIn("expired", str(caught.exception))

    def test_certificate_not_issued_by_sat_is_refused(self):
        password = fixture_bytes("csd_not_sat/non_sat_selfsigned.password.txt").decode().strip()
        with self.assertRaises(ValidationError) as caught:
            self._create(
                "csd_not_sat/non_sat_selfsigned.cer",
                "csd_not_sat/non_sat_selfsigned.key",
                password=password,
            )
        self.assertIn("SAT", str(caught.exception))

    def test_incomplete_certificate_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["l10n_mx_einvoice.certificate"].create(
                {
                    "company_id": self.company.id,
                    "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                }
            )
        self.assertIn(".key", str(caught.exception))

    def test_rewriting_the_password_checks_again(self):
        with self.assertRaises(ValidationError):
            self.certificate.password = "otra-cosa"

    def test_certificate_valid_at_a_date(self):
        self.assertEqual(
            self.company._l10n_mx_einvoice_certificate_at(datetime(2025, 1, 1)), self.certificate
        )
        for outside in (datetime(2020, 1, 1), datetime(2028, 1, 1)):
            with self.assertRaises(UserError) as caught:
                self.company._l10n_mx_einvoice_certificate_at(outside)
            self.assertIn("ESCUELA KEMPER URGATE", str(caught.exception))
            self.assertIn("Certificates", str(caught.exception))

    def test_several_certificates_the_one_valid_at_the_date_is_used(self):
        with freeze_time("2021-01-01"):
            old = self._create(
                "csd_expired/EKU9003173C9_2019.cer", "csd_expired/EKU9003173C9_2019.key"
            )
        self.assertEqual(old.no_certificado, "30001000000400002434")
        certificate_at = self.company._l10n_mx_einvoice_certificate_at
        self.assertEqual(certificate_at(datetime(2021, 6, 1)), old)
        self.assertEqual(certificate_at(datetime(2024, 6, 1)), self.certificate)
        # both valid: the most recent one wins
        self.assertEqual(certificate_at(datetime(2023, 6, 1)), self.certificate)
        self.assertEqual(old.state, "expired")
        self.certificate.active = False  # archived: never used to seal
        self.assertEqual(certificate_at(datetime(2023, 6, 1)), old)
        with self.assertRaises(UserError):
            certificate_at(datetime(2024, 6, 1))

    def test_state_and_its_search(self):
        Certificate = self.env["l10n_mx_einvoice.certificate"]
        self.assertEqual(self.certificate.state, "valid")
        self.assertIn(self.certificate, Certificate.search([("state", "=", "valid")]))
        with freeze_time("2027-05-01"):
            self.certificate.invalidate_recordset(["state"])
            self.assertEqual(self.certificate.state, "expiring")
            self.assertIn(self.certificate, Certificate.search([("state", "=", "expiring")]))
            self.assertNotIn(self.certificate, Certificate.search([("state", "!=", "expiring")]))
        with freeze_time("2027-06-01"):
            self.certificate.invalidate_recordset(["state"])
            self.assertEqual(self.certificate.state, "expired")
            self.assertIn(self.certificate, Certificate.search([("state", "in", ["expired"])]))

    def test_credential_signs_and_verifies_for_a_cfdi_user(self):
        user = self.env["res.users"].create(
            {
                "name": "Facturista",
                "login": "facturista_cert",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("account.group_account_invoice").id,
                            self.env.ref("l10n_mx_einvoice.group_l10n_mx_einvoice_user").id,
                        ],
                    )
                ],
            }
        )
        credential = self.certificate.with_user(user)._get_credential()
        self.assertEqual(credential.certificate.no_certificado, "30001000000500003416")
        signature = credential.sign(b"||4.0|A|1|cadena||")
        self.assertTrue(credential.certificate.verify(signature, b"||4.0|A|1|cadena||"))
        self.assertFalse(credential.certificate.verify(signature, b"||4.0|A|2|cadena||"))
        self.assertNotIn("PRIVATE", repr(credential))

    def test_expiry_warning_activity_30_days_ahead(self):
        cron = self.env["l10n_mx_einvoice.certificate"]._cron_l10n_mx_einvoice_expiry_warning
        cron()
        self.assertFalse(self.certificate.activity_ids, "not within 30 days yet")
        with freeze_time("2027-05-01"):
            cron()
            cron()
        activities = self.certificate.activity_ids
        self.assertTrue(activities)
        self.assertEqual(len(activities), len(activities.user_id), "one per manager, not repeated")
        self.assertIn(self.env.user, activities.user_id)
        self.assertIn("30001000000500003416", activities[0].summary)

    def test_errors_speak_the_users_language(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(
            ["l10n_mx_einvoice"], ["es_419"], overwrite=True
        )
        spanish = self.env(context=dict(self.env.context, lang="es_419"))
        with self.assertRaises(ValidationError) as caught:
            spanish["l10n_mx_einvoice.certificate"].create(
                {
                    "company_id": self.company.id,
                    "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                    "cer_filename": "EKU9003173C9.cer",
                    "key_file": fixture_b64("csd/EKU9003173C9.key"),
                    "password": "mala",
                }
            )
        self.assertIn(
            "Certificado CSD EKU9003173C9.cer de ESCUELA KEMPER URGATE: La contraseña "
            "de la llave privada (.key) es incorrecta",
            str(caught.exception),
        )
        with self.assertRaises(UserError) as caught:
            spanish.company._l10n_mx_einvoice_certificate_at(datetime(2030, 1, 1))
        self.assertIn("no tiene un certificado CSD vigente", str(caught.exception))
