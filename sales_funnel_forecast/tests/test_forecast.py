# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import freeze_time, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestWeightedForecast(FunnelCase):

    def test_forecast_revenue_by_hand(self):
        a = self.make_deal("A", self.s_new, 10000)          # 10 % -> 1,000
        b = self.make_deal("B", self.s_qualified, 20000)    # 30 % -> 6,000
        c = self.make_deal("C", self.s_proposal, 5000)      # 60 % -> 3,000
        typed = self.make_deal("Typed", self.s_new, 1000)
        typed.probability = 50                               # 50 % -> 500
        won = self.make_deal("Won", self.s_proposal, 8000)
        won.action_set_won()                                 # won -> 0
        lost = self.make_deal("Lost", self.s_proposal, 7000)
        lost.action_set_lost()                               # lost -> 0
        excluded = self.make_deal("Excluded", self.s_proposal, 9000)
        excluded.forecast_excluded = True                    # out -> 0
        self.assertEqual(
            [a.forecast_revenue, b.forecast_revenue, c.forecast_revenue,
             typed.forecast_revenue, won.forecast_revenue, lost.forecast_revenue,
             excluded.forecast_revenue],
            [1000.0, 6000.0, 3000.0, 500.0, 0.0, 0.0, 0.0],
        )
        Lead = self.env["crm.lead"].with_context(active_test=False)
        groups = Lead._read_group([("team_id", "=", self.team.id)], [], ["forecast_revenue:sum"])
        self.assertEqual(groups[0][0], 10500.0)
        # the kanban columns sum it per stage
        by_stage = dict(Lead._read_group(
            [("team_id", "=", self.team.id), ("active", "=", True)],
            ["stage_id"], ["forecast_revenue:sum"],
        ))
        self.assertEqual(by_stage[self.s_new], 1500.0)
        self.assertEqual(by_stage[self.s_qualified], 6000.0)
        self.assertEqual(by_stage[self.s_proposal], 3000.0)
        self.assertEqual(by_stage[self.s_won], 0.0)

    def test_forecast_follows_moves_and_amounts(self):
        deal = self.make_deal("Moves", self.s_new, 4000)
        self.assertEqual(deal.forecast_revenue, 400.0)
        deal.stage_id = self.s_proposal
        self.assertEqual(deal.forecast_revenue, 2400.0)
        deal.expected_revenue = 5000
        self.assertEqual(deal.forecast_revenue, 3000.0)
        deal.forecast_excluded = True
        self.assertEqual(deal.forecast_revenue, 0.0)
        deal.forecast_excluded = False
        deal.action_archive()
        self.assertEqual(deal.forecast_revenue, 0.0)

    def test_sql_refresh_matches_orm(self):
        deals = (self.make_deal("X", self.s_new, 1234.5)
                 | self.make_deal("Y", self.s_proposal, 999.99))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET forecast_revenue = 0, prorated_revenue = 0 WHERE id = ANY(%s)",
            [deals.ids])
        self.env["crm.lead"]._sff_refresh_weighted_amounts(deals.ids)
        # 1234.5 x 10 % = 123.45 ; 999.99 x 60 % = 599.994 -> 599.99
        self.assertEqual(deals.mapped("forecast_revenue"), [123.45, 599.99])
        self.assertEqual(deals.mapped("prorated_revenue"), [123.45, 599.99])

    def test_days_in_stage(self):
        self.set_now(self.t0)
        with freeze_time("2026-03-02 09:00:00"):
            deal = self.make_deal("Age", self.s_new, 1000)
        with freeze_time("2026-03-12 08:59:00"):
            deal.invalidate_recordset(["stage_age_days"])
            self.assertEqual(deal.stage_age_days, 9)
        with freeze_time("2026-03-12 09:00:00"):
            deal.invalidate_recordset(["stage_age_days"])
            self.assertEqual(deal.stage_age_days, 10)
