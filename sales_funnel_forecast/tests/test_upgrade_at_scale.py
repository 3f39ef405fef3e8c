# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The upgrade of a database of years of deals (bench/upgrade): what its
steps write, on a few deals counted by hand."""

from datetime import date

from odoo.modules.migration import load_script
from odoo.tests import tagged

from ..install import rebuild
from .common import FunnelCase, cash_rounding_down


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
        cls.rounding = cash_rounding_down(cls.env, cls.company)

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


@tagged("post_install", "-at_install")
class TestWeightedAmountsWorkedOutAgain(FunnelCase):
    """An upgrade from before 18.0.1.18.0 works every deal's weighted
    amounts out again (to its currency's decimals): of two deals at 50 %,
    one of 1,000.05 stored 500.025 (500.03 now) and one of 2,000.00 stored
    1,000.00 (the same now), both were written: on 100,000 deals a rewrite
    of the whole deals' table (5.2 s of the upgrade, bench/upgrade), where
    only the deals of amounts with more decimals change. The deals whose
    amounts change are written only."""

    def row_version(self, deal):
        self.env.cr.execute("SELECT ctid::text FROM crm_lead WHERE id = %s", [deal.id])
        return self.env.cr.fetchone()[0]

    def test_upgrade_writes_the_deals_whose_weighted_amounts_change(self):
        cents = self.make_deal("Cents", self.s_new, 1000.05, probability=50)
        round_ = self.make_deal("Round", self.s_new, 2000.0, probability=50)
        self.env.flush_all()
        # as 18.0.1.17.0 stored them: not rounded to the currency's decimals
        self.env.cr.execute(
            "UPDATE crm_lead SET forecast_revenue = 500.025, pipeline_amount = 500.025"
            " WHERE id = %s",
            [cents.id],
        )
        self.env.invalidate_all()
        before = self.row_version(round_)
        rebuild.request(self.env.cr, "weighted_amounts")
        self.assertEqual(rebuild.run_requested(self.env), ["weighted_amounts"])
        self.assertEqual(
            [(deal.forecast_revenue, deal.pipeline_amount) for deal in cents | round_],
            [(500.03, 500.03), (1000.0, 1000.0)],
        )
        self.assertEqual(self.row_version(round_), before, "the deal of 2,000.00 is not written")
