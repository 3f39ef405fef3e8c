# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amounts at their edges, followed into the figures: amounts imported
with more decimals than their currency has, refunds."""

from odoo import fields
from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestMoneyEdges(FunnelCase):
    def test_imported_amounts_to_the_currencys_decimals(self):
        """A spreadsheet of amounts converted to yen (JPY: no decimals)
        brings three deals of 100.4: each deal shows 100 yen, the reports
        add up 300 yen (not 301 from 301.2 yen), weighted at 50 % 150; as a
        save of the form keeps them."""
        _currency, company, team, stage = self.currency_team("JPY")
        Lead = self.env["crm.lead"].with_company(company)
        result = Lead.load(
            ["name", "type", "team_id/.id", "stage_id/.id", "company_id/.id", "expected_revenue"],
            [
                [
                    f"Yen {index}",
                    "opportunity",
                    str(team.id),
                    str(stage.id),
                    str(company.id),
                    "100.4",
                ]
                for index in range(3)
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        deals = Lead.browse(result["ids"])
        self.end_request()
        self.assertEqual(deals.mapped("expected_revenue"), [100.0] * 3)
        self.assertEqual(deals.mapped("forecast_revenue"), [50.0] * 3)
        domain = [("lead_id", "in", deals.ids)]
        [(reached,)] = self.env["crm.funnel.report"]._read_group(
            domain + [("stage_id", "=", stage.id)], [], ["reached_amount:sum"]
        )
        self.assertEqual(reached, 300.0)
        [(amount, forecast)] = self.env["crm.forecast.report"]._read_group(
            domain, [], ["expected_revenue:sum", "forecast_revenue:sum"]
        )
        self.assertEqual((amount, forecast), (300.0, 150.0))
        # the stays carry the deals' amounts
        self.assertEqual(deals.stage_history_ids.mapped("expected_revenue"), [100.0] * 3)

    def test_created_amount_keeps_the_kwd_fils(self):
        """KWD has 3 decimals: 1.2345 KWD given over RPC is 1.235 (to the
        fils, not to the cent), weighted at 50 % 0.618."""
        _currency, company, team, stage = self.currency_team("KWD")
        deal = self.company_deal("Fils", company, team, stage, 1.2345)
        self.end_request()
        self.assertEqual(deal.expected_revenue, 1.235)
        self.assertAlmostEqual(deal.forecast_revenue, 0.618, places=3)

    def test_submission_prefill_after_a_refund_can_be_saved(self):
        """This month Rita only won a refund deal of -500, and has a deal of
        1,000 in Best Case (Proposal, 60 %) expected this month: her forecast
        form proposes a Commit of 0 (nothing committed, a forecast is never
        negative), not -500 which the form refuses, and a Best Case of 500
        (1,000 - 500); it saves as proposed."""
        refund = self.make_deal("Refund", self.s_proposal, -500)
        refund.action_set_won()
        self.make_deal("Open", self.s_proposal, 1000, date_deadline=fields.Date.today())
        self.end_request()
        form = Form(self.env["crm.forecast.submission"].with_user(self.rep))
        form.team_id = self.team
        form.period_type = "month"
        form.date_from = fields.Date.today().replace(day=1)
        self.assertEqual((form.commit_amount, form.best_case_amount), (0.0, 500.0))
        submission = form.save()
        self.assertEqual((submission.commit_amount, submission.best_case_amount), (0.0, 500.0))
