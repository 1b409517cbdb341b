from odoo.tests import tagged

from .common import L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class T_test_stamp_account(L10nMxEinvoiceCommon):
    def test_placeholder(self):
        self.assertEqual(self.company.vat, "EKU9003173C9")
