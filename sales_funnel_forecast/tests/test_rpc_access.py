# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What users of each kind get when they reach the module's models and
methods as the web client and the API reach them: the accountant who reads
the opportunities, a salesperson limited to own documents, a user of
another company."""

from odoo.tests import Form, tagged

from .common import FunnelCase, company_user


@tagged("post_install", "-at_install")
class TestRpcAccess(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # billing rights, no Sales rights: reads the opportunities to link
        # invoices to them, and nothing more of the CRM
        cls.accountant = company_user(
            cls.env,
            "sff_rpc_accountant",
            "Anna Accountant",
            "base.group_user,account.group_account_invoice",
            cls.company,
        )

    def test_accountant_opens_the_deal_an_invoice_bills(self):
        deal = self.make_deal("Billed Deal", self.s_qualified, 4200)
        deal.write({"stage_id": self.s_proposal.id})
        # the deal form, as the invoice's deal field opens it
        form = Form(deal.with_user(self.accountant))
        self.assertEqual(form.name, "Billed Deal")
        self.assertEqual(form.expected_revenue, 4200)
        self.assertEqual(form.stage_id, self.s_proposal)
