# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestWeightedForecast(FunnelCase):
    def test_forecast_revenue_by_hand(self):
        a = self.make_deal("A", self.s_new, 10000)  # 10 % -> 1,000
        b = self.make_deal("B", self.s_qualified, 20000)  # 30 % -> 6,000
        c = self.make_deal("C", self.s_proposal, 5000)  # 60 % -> 3,000
        typed = self.make_deal("Typed", self.s_new, 1000)
        typed.probability = 50  # 50 % -> 500
        won = self.make_deal("Won", self.s_proposal, 8000)
        won.action_set_won()  # won -> 0
        lost = self.make_deal("Lost", self.s_proposal, 7000)
        lost.action_set_lost()  # lost -> 0
        excluded = self.make_deal("Excluded", self.s_proposal, 9000)
        excluded.forecast_excluded = True  # out -> 0
        self.assertEqual(
            [
                a.forecast_revenue,
                b.forecast_revenue,
                c.forecast_revenue,
                typed.forecast_revenue,
                won.forecast_revenue,
                lost.forecast_revenue,
                excluded.forecast_revenue,
            ],
            [1000.0, 6000.0, 3000.0, 500.0, 0.0, 0.0, 0.0],
        )
        Lead = self.env["crm.lead"].with_context(active_test=False)
        groups = Lead._read_group([("team_id", "=", self.team.id)], [], ["forecast_revenue:sum"])
        self.assertEqual(groups[0][0], 10500.0)

    def test_pipeline_columns_sum_open_forecast_and_won_amounts(self):
        self.make_deal("A", self.s_new, 10000)  # 1,000
        self.make_deal("B", self.s_new, 5000)  # 500
        self.make_deal("C", self.s_proposal, 5000)  # 3,000
        won = self.make_deal("Won", self.s_proposal, 8000)
        won.action_set_won()  # won: 8,000 in full
        lost = self.make_deal("Lost", self.s_proposal, 7000)
        lost.action_set_lost()  # lost: nothing
        # the kanban's column totals (its progress bar sums this field)
        by_stage = dict(
            self.env["crm.lead"]._read_group(
                [("team_id", "=", self.team.id)],
                ["stage_id"],
                ["pipeline_amount:sum"],
            )
        )
        self.assertEqual(by_stage[self.s_new], 1500.0)
        self.assertEqual(by_stage[self.s_proposal], 3000.0)
        self.assertEqual(by_stage[self.s_won], 8000.0, "the won column shows what was won")
        self.assertEqual(lost.pipeline_amount, 0.0)

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

    def test_one_rounding_in_python_and_sql(self):
        half_cents = self.env["crm.lead"]
        for name, revenue in (("Half cent", 0.25), ("Half cent again", 1000.05), ("Plain", 999.99)):
            deal = self.make_deal(name, self.s_new, revenue)
            deal.probability = 50 if revenue != 999.99 else 60
            half_cents |= deal
        # 0.25 x 50 % = 0.125 -> 0.13; 1000.05 x 50 % = 500.025 -> 500.03;
        # 999.99 x 60 % = 599.994 -> 599.99 (half away from zero)
        expected = [0.13, 500.03, 599.99]
        self.assertEqual(half_cents.mapped("forecast_revenue"), expected)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET forecast_revenue = 0, pipeline_amount = 0 WHERE id = ANY(%s)",
            [half_cents.ids],
        )
        self.env["crm.lead"]._sff_refresh_weighted_amounts(half_cents.ids)
        self.assertEqual(half_cents.mapped("forecast_revenue"), expected, "SQL rounds the same")
        self.assertEqual(half_cents.mapped("pipeline_amount"), expected)

    def test_odoo_prorated_revenue_is_left_to_odoo(self):
        deal = self.make_deal("Prorated", self.s_new, 0.25)
        self.s_new.forecast_probability = 50  # moves the deal in SQL
        self.assertEqual(deal.probability, 50.0)
        self.assertEqual(deal.forecast_revenue, 0.13)
        # Odoo's own rule (Python's round) decides its own field: 0.125 -> 0.12
        self.assertEqual(deal.prorated_revenue, round(0.125, 2))

    def test_many_deals_get_odoo_amounts_from_the_refresh_job(self):
        deals = self.env["crm.lead"]
        for index in range(3):
            deals |= self.make_deal(f"Bulk {index}", self.s_new, 1000 * (index + 1))
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET probability = 40 WHERE id = ANY(%s)", [deals.ids])
        # beyond the synchronous limit the deals wait for the job
        self.env["crm.lead"]._sff_recompute_odoo_amounts(deals.ids, sync_limit=2)
        deals.invalidate_recordset()
        self.assertEqual(deals.mapped("prorated_pending"), [True] * 3)
        self.assertEqual(deals.mapped("prorated_revenue"), [100.0, 200.0, 300.0], "not yet")
        # nothing else waits (the database's own deals are done), so that
        # the job's batches are these three, oldest first
        self.env.cr.execute(
            "UPDATE crm_lead SET prorated_pending = FALSE WHERE id != ALL(%s)", [deals.ids]
        )
        self.assertEqual(self.env["crm.lead"]._cron_refresh_prorated_revenue(batch_size=2), 1)
        deals.invalidate_recordset()
        self.assertEqual(deals.mapped("prorated_revenue"), [400.0, 800.0, 300.0])
        self.assertEqual(deals.mapped("prorated_pending"), [False, False, True])
        self.assertEqual(self.env["crm.lead"]._cron_refresh_prorated_revenue(batch_size=2), 0)
        deals.invalidate_recordset()
        self.assertEqual(deals.mapped("prorated_revenue"), [400.0, 800.0, 1200.0])
        self.assertEqual(deals.mapped("prorated_pending"), [False] * 3)
