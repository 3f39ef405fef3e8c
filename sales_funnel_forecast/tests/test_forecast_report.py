# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo import fields
from odoo.models import BaseModel
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestForecastReport(FunnelCase):
    """Stages A (10 %), B (30 %), C (60 %), W (won). In the last year 12
    deals went through A and B and closed: 3 won (through C, skipped, to W),
    9 lost in B; 2 more closed 400 days ago and do not count. So A and B win
    25 % of the time; C and W have 3 closed deals each, too few: their
    percentage stands in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")
        cls.a, cls.b, cls.c, cls.w = cls.s_new, cls.s_qualified, cls.s_proposal, cls.s_won

    def close_deals(self):
        closed = self.env["crm.lead"]
        for index in range(14):
            deal = self.make_deal(f"Closed {index}", self.a, 100)
            deal.stage_id = self.b
            if index < 3:
                deal.action_set_won()
            else:
                deal.action_set_lost()
            closed |= deal
        self.env.flush_all()
        old = closed[-2:]
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = ANY(%s)",
            [fields.Datetime.now() - timedelta(days=400), old.ids],
        )
        self.env["crm.lead.stage.reach"]._sff_rebuild(old.ids)
        self.env["crm.stage"]._cron_refresh_history_win_rates()

    def test_history_win_rates(self):
        self.close_deals()
        self.assertEqual(
            (self.a.history_win_rate, self.a.history_closed_count, self.a.history_fallback),
            (25.0, 12, False),
        )
        self.assertEqual((self.b.history_win_rate, self.b.history_fallback), (25.0, False))
        self.assertEqual(
            (self.c.history_win_rate, self.c.history_closed_count, self.c.history_fallback),
            (60.0, 3, True),
        )
        self.assertEqual((self.w.history_win_rate, self.w.history_fallback), (100.0, True))

    def test_forecast_by_hand(self):
        self.close_deals()
        o1 = self.make_deal("o1", self.b, 1000, date_deadline=date(2026, 12, 15))
        o2 = self.make_deal("o2", self.c, 2000)
        o3 = self.make_deal("o3", self.b, 5000, date_deadline=date(2026, 12, 20))
        o3.forecast_excluded = True
        Report = self.env["crm.forecast.report"]
        rows = Report.search([("lead_id", "in", (o1 | o2 | o3).ids)])
        by_deal = {row.lead_id: row for row in rows}
        self.assertEqual(
            [
                (
                    by_deal[deal].forecast_revenue,
                    by_deal[deal].history_probability,
                    by_deal[deal].history_forecast_revenue,
                    by_deal[deal].excluded_amount,
                    by_deal[deal].history_fallback,
                )
                for deal in (o1, o2, o3)
            ],
            [
                (300.0, 25.0, 250.0, 0.0, False),
                (1200.0, 60.0, 1200.0, 0.0, True),
                (0.0, 25.0, 0.0, 1500.0, False),
            ],
        )
        # only open deals: the closed ones are not in the forecast
        self.assertEqual(Report.search_count([("team_id", "=", self.team.id)]), 3)
        table = Report._sff_forecast_table(self.team.id)
        self.assertEqual(table["months"], ["2026-12-01", False])
        rows = {row["stage_name"]: row for row in table["rows"]}
        december, no_date = rows["T-Qualified"]["months"]
        self.assertEqual(
            (december["forecast"], december["history"], december["excluded"], december["count"]),
            (300.0, 250.0, 1500.0, 2),
        )
        self.assertEqual(no_date["count"], 0)
        self.assertEqual(
            rows["T-Proposal"]["months"][1]["forecast"], 1200.0, "no date: its own group"
        )
        self.assertEqual(
            (table["forecast"], table["history"], table["excluded"]), (1500.0, 1450.0, 1500.0)
        )

    def test_stage_without_closed_deals_falls_back(self):
        deal = self.make_deal("Lonely", self.c, 1000)
        self.env["crm.stage"]._cron_refresh_history_win_rates()
        row = self.env["crm.forecast.report"].search([("lead_id", "=", deal.id)])
        self.assertEqual(
            (row.history_probability, row.history_fallback, row.history_forecast_revenue),
            (60.0, True, 600.0),
        )

    def test_history_weight_follows_the_stage_at_once(self):
        """The stage's stored weight is its win rate, or its percentage while
        it falls back; a new percentage counts before the nightly refresh."""
        self.close_deals()
        in_c = self.make_deal("In C", self.c, 1000)
        in_b = self.make_deal("In B", self.b, 1000)
        self.assertAlmostEqual(self.c.history_weight, 0.60)
        self.assertAlmostEqual(self.b.history_weight, 0.25)
        self.c.forecast_probability = 45
        self.b.forecast_probability = 15
        Report = self.env["crm.forecast.report"]
        rows = {row.lead_id: row for row in Report.search([("lead_id", "in", (in_c | in_b).ids)])}
        self.assertEqual(
            (rows[in_c].history_probability, rows[in_c].history_forecast_revenue), (45.0, 450.0)
        )
        self.assertEqual(
            (rows[in_b].history_probability, rows[in_b].history_forecast_revenue),
            (25.0, 250.0),
            "a measured win rate does not follow the percentage",
        )

    def test_pivot_sums_the_forecast_per_stage(self):
        """Summed per stage (win rate x the stage's amount in the forecast),
        the history-weighted forecast gives the figures of the deals' own
        products, whatever the groups."""
        self.close_deals()
        self.make_deal("o1", self.b, 1000, date_deadline=date(2026, 12, 15))
        self.make_deal("o2", self.c, 2000, date_deadline=date(2026, 12, 20))
        self.make_deal("o3", self.b, 5000, date_deadline=date(2027, 1, 5)).forecast_excluded = True
        self.make_deal("o4", self.a, 3000)
        Report = self.env["crm.forecast.report"]
        team = [("team_id", "=", self.team.id)]
        asked = ["history_forecast_revenue:sum", "forecast_revenue:sum", "__count"]
        # December: o1 (B, 1000 x 25 %) and o2 (C, 2000 x 60 %); January: o3 is out of
        # the forecast; no date: o4 (A, 3000 x 25 %)
        self.assertEqual(
            Report._read_group(team, ["date_deadline:month"], asked),
            [
                (date(2026, 12, 1), 1450.0, 1500.0, 2),
                (date(2027, 1, 1), 0.0, 0.0, 1),
                (False, 750.0, 300.0, 1),
            ],
        )
        self.assertEqual(Report._read_group(team, [], asked), [(2200.0, 1800.0, 4)])
        self.assertEqual(Report._read_group([("id", "=", 0)], [], asked), [(False, False, 0)])
        for groupby in (["date_deadline:month"], ["stage_id"], ["user_id", "date_deadline:month"]):
            # an order of its own reads each deal's product
            products = Report._read_group(team, groupby, asked, order=", ".join(groupby))
            self.assertEqual(len(Report._read_group(team, groupby, asked)), len(products))
            for per_stage, per_deal in zip(Report._read_group(team, groupby, asked), products):
                self.assertEqual(per_stage[: len(groupby)], per_deal[: len(groupby)])
                for total, expected in zip(per_stage[len(groupby) :], per_deal[len(groupby) :]):
                    self.assertAlmostEqual(total, expected, places=6)

    def test_pivot_read_group_sums_per_stage(self):
        """The pivot's call (the public read_group, which orders by the
        groups) takes the per-stage sums too."""
        self.close_deals()
        self.make_deal("o1", self.b, 1000, date_deadline=date(2026, 12, 15))
        self.make_deal("o2", self.c, 2000, date_deadline=date(2026, 12, 20))
        asked = []
        read_group = BaseModel._read_group

        def spy(model, domain, groupby=(), aggregates=(), *args, **kwargs):
            if model._name == "crm.forecast.report":
                asked.append(tuple(aggregates))
            return read_group(model, domain, groupby, aggregates, *args, **kwargs)

        self.patch(BaseModel, "_read_group", spy)
        [group] = self.env["crm.forecast.report"].read_group(
            [("team_id", "=", self.team.id)],
            ["history_forecast_revenue:sum"],
            ["date_deadline:month"],
            lazy=False,
        )
        self.assertEqual(group["history_forecast_revenue"], 1450.0)
        self.assertTrue(
            asked and all("history_base_revenue:sum" in specs for specs in asked), asked
        )
