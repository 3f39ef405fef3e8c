# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The upgrade of a database of years of deals (bench/upgrade): what its
steps write, on a few deals counted by hand."""

from datetime import date

from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..install import rebuild
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestInvoiceAmountsWorkedOutAgain(FunnelCase):
    """The 18.0.1.27.0 upgrade works the deals' invoiced and paid amounts
    out again where some invoice has a cash rounding. Of two deals with
    invoices, one billed 100.03 rounded to 100.00 (stored 100.00 by
    18.0.1.26.0, 100.03 now) and one billed 250.00 without rounding (250.00
    before and after): the step wrote both deals, and said it wrote two. On
    a database of 100,000 invoices of which a Swiss branch's few hundred are
    rounded, it rewrote every deal with an invoice. It writes the deals
    whose figures change only, as it says."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        account = cls.env["account.account"].search(
            [
                ("account_type", "=", "income"),
                *cls.env["account.account"]._check_company_domain(cls.company),
            ],
            limit=1,
        )
        cls.rounding = cls.env["account.cash.rounding"].create(
            {
                "name": "5 cents down",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "rounding_method": "DOWN",
                "profit_account_id": account.id,
                "loss_account_id": account.id,
            }
        )

    def row_version(self, deal):
        self.env.cr.execute("SELECT ctid::text FROM crm_lead WHERE id = %s", [deal.id])
        return self.env.cr.fetchone()[0]

    def test_upgrade_writes_the_deals_whose_amounts_change(self):
        rounded = self.make_deal("Rounded", self.s_new, 100)
        plain = self.make_deal("Plain", self.s_new, 250)
        self.post_invoice(
            rounded,
            100.03,
            self.company,
            date(2026, 3, 10),
            invoice_cash_rounding_id=self.rounding.id,
        )
        self.post_invoice(plain, 250.0, self.company, date(2026, 3, 12))
        self.env.flush_all()
        # as 18.0.1.26.0 stored them: the rounded invoice's 100.00
        self.env.cr.execute(
            "UPDATE crm_lead SET invoiced_amount = 100.0 WHERE id = %s", [rounded.id]
        )
        self.env.invalidate_all()
        plain_before = self.row_version(plain)
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.27.0/post-migrate.py",
            "sff_post_migrate_18_0_1_27_0",
        )
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.assertIn("invoice_amounts", rebuild.run_requested(self.env))
        self.env.invalidate_all()
        self.assertEqual(
            [(deal.invoiced_amount, deal.paid_amount) for deal in rounded | plain],
            [(100.03, 0.0), (250.0, 0.0)],
        )
        self.assertEqual(self.row_version(plain), plain_before, "the deal of 250.00 is not written")
        # the step's own count: the one deal written
        self.env.cr.execute(
            "UPDATE crm_lead SET invoiced_amount = 100.0 WHERE id = %s", [rounded.id]
        )
        self.env.invalidate_all()
        self.assertEqual(self.env["crm.lead"]._sff_fill_invoice_amounts(), 1)
        self.assertEqual(self.env["crm.lead"]._sff_fill_invoice_amounts(), 0)
        self.assertEqual(self.row_version(plain), plain_before)
