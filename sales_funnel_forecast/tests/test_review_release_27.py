# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.27.0 read again by its next maintainer: the paths its changes
left out, counted by hand."""

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command
from odoo.tests import tagged

from ..install import rebuild
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestDealInvoicesListAsTheButton(FunnelCase):
    """An invoice of 100.03 untaxed (no tax) rounded to 0.05 down: Odoo adds
    a rounding line of 0.03, the customer owes 100.00. The deal's Invoiced
    button counts the product line, 100.03, as Odoo's Invoicing Analysis
    does; the list it opens totalled the invoices' untaxed amounts, 100.00
    (the rounding line in them): the button and its list disagreed."""

    def test_list_totals_the_buttons_figure(self):
        account = self.env["account.account"].search(
            [
                ("account_type", "=", "income"),
                *self.env["account.account"]._check_company_domain(self.company),
            ],
            limit=1,
        )
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "5 cents down",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "rounding_method": "DOWN",
                "profit_account_id": account.id,
                "loss_account_id": account.id,
            }
        )
        customer = self.env["res.partner"].create({"name": "Rounded Ltd"})
        deal = self.make_deal("Rounded", self.s_new, 100)

        def post(move_type, price, day):
            move = self.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": customer.id,
                    "invoice_date": day,
                    "opportunity_id": deal.id,
                    "invoice_cash_rounding_id": rounding.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "quantity": 1, "price_unit": price, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
            return move

        # 100.03 invoiced (100.00 owed), 20.04 credited (20.00 given back)
        invoice = post("out_invoice", 100.03, date(2026, 3, 10))
        credit = post("out_refund", 20.04, date(2026, 3, 20))
        self.assertEqual(
            (invoice.amount_untaxed_signed, credit.amount_untaxed_signed), (100.0, -20.0)
        )
        self.assertEqual(deal.invoiced_amount, 79.99)
        action = deal.action_view_invoices()
        (list_view_id,) = [view_id for view_id, view_type in action["views"] if view_type == "list"]
        Move = self.env["account.move"]
        arch = etree.fromstring(Move.get_view(list_view_id, "list")["arch"])
        (column,) = arch.xpath("//field[@sum='Invoiced']")
        listed = Move.search(action["domain"])
        self.assertEqual(listed, invoice | credit)
        # each line's figure, and their total: the button's
        self.assertEqual(
            [(move, move[column.get("name")]) for move in listed.sorted("invoice_date")],
            [(invoice, 100.03), (credit, -20.04)],
        )
        self.assertEqual(round(sum(listed.mapped(column.get("name"))), 2), 79.99)
        # the deal's salesperson, limited to own documents, reads them too
        self.assertEqual(deal.user_id, self.rep)
        mine = Move.with_user(self.rep).search(action["domain"])
        self.assertEqual(mine.mapped(column.get("name")), listed.mapped(column.get("name")))


@tagged("post_install", "-at_install")
class TestUpgradeKeepsAccuracyWhileRetaking(FunnelCase):
    """A rep committed 100,000 for the month before last and won it at
    80,000: Commit 75 % accurate. An upgrade that has the snapshots taken
    again (their days start at another hour, as 18.0.1.18.0's did) and the
    accuracy worked out again (18.0.1.27.0's, where invoices have a cash
    rounding) worked the lines out from the snapshots it had just deleted:
    every line was gone until the job had taken them all again. Refresh
    Now and a quota basis changed keep them meanwhile; so does the
    upgrade now, the job's end working them out."""

    def setUp(self):
        super().setUp()
        this_month = date.today().replace(day=1)
        self.first = this_month - relativedelta(months=2)
        self.set_now(datetime.combine(self.first - timedelta(days=11), time(10)))
        big = self.make_deal(
            "Big", self.s_proposal, 100000, date_deadline=self.first + timedelta(days=14)
        )
        big.forecast_category = "commit"
        won_on = datetime.combine(self.first + timedelta(days=9), time(10))
        self.set_now(won_on)
        big.write({"expected_revenue": 80000, "stage_id": self.s_won.id})
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [won_on, big.id])
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        monday = self.first - timedelta(days=self.first.weekday())
        self.env["crm.pipeline.snapshot"]._sff_take([monday])
        self.env.invalidate_all()
        self.set_now(datetime.combine(this_month, time(9)))
        self.env["crm.forecast.accuracy.report"]._sff_refresh()

    def commit_line(self):
        line = self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", self.first),
                ("lead_days", "=", 0),
                ("user_id", "=", self.rep.id),
                ("team_id", "=", self.team.id),
                ("method", "=", "commit"),
            ]
        )
        return line.forecast_amount, line.actual_amount, line.accuracy

    def test_upgrade_keeps_the_lines_until_the_snapshots_are_taken_again(self):
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        rebuild.request(self.env.cr, "snapshots_again")
        rebuild.request(self.env.cr, "accuracy_lines")
        self.assertEqual(rebuild.run_requested(self.env), ["snapshots_again", "accuracy_lines"])
        Snapshot = self.env["crm.pipeline.snapshot"]
        self.assertTrue(Snapshot._sff_retaking())
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
        # the job takes them all again, then works the lines out
        Snapshot._sff_take_batch(len(Snapshot._sff_days_missing()))
        self.assertFalse(Snapshot._sff_retaking())
        self.env.invalidate_all()
        self.assertEqual(self.commit_line(), (100000.0, 80000.0, 75.0))
