# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dates where calendars are unkind: the nights clocks change, the last
evening of a month, quarter or year east or west of UTC, leap days, weeks
across a year end: a deal counted in one bucket by a person is counted in
that bucket by every figure."""

from datetime import date, datetime

from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestCalendarEdges(FunnelCase):
    def set_tz(self, tz):
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, tz)

    def close_at(self, deals, moment):
        """Date the deals' closing ``moment`` (UTC), as if they closed then."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = ANY(%s)", [moment, deals.ids]
        )
        deals.invalidate_recordset()

    # ------------------------------------------------------------------
    # Target plans: Fill from History's seasonality
    # ------------------------------------------------------------------
    def test_fill_from_history_weighs_the_month_of_the_crm_time_zone(self):
        """Funnel totals in Europe/Brussels. Five deals of 1,000 are won on
        1 April 2026 at 00:30 there (31 March 22:30 UTC), five are lost the
        same night. Fill from History (on 15 June 2026) puts the whole won
        revenue in April (weight 12), the month the plan's actuals count
        them in, not in March."""
        self.set_tz("Europe/Brussels")
        self.clock_at(datetime(2026, 3, 2, 9, 0))
        won = self.env["crm.lead"]
        lost = self.env["crm.lead"]
        for index in range(5):
            won |= self.make_deal(f"Won {index}", self.s_qualified, 1000)
            lost |= self.make_deal(f"Lost {index}", self.s_qualified, 1000)
        self.clock_at(datetime(2026, 3, 31, 22, 30))
        won.write({"stage_id": self.s_won.id})
        lost.action_set_lost()
        self.close_at(won | lost, datetime(2026, 3, 31, 22, 30))
        self.clock_at(datetime(2026, 6, 15, 9, 0))
        plan = make_plan(
            self.env, self.team, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
        )
        plan.action_fill_from_history()
        self.assertIn("10 deals", plan.history_note)
        weights = {int(season.month): season.weight for season in plan.season_ids}
        self.assertEqual((weights[3], weights[4]), (0.0, 12.0))
        plan.action_refresh_actuals()
        months = {
            period.date_from.month: period.actual_deals_won for period in plan.month_period_ids
        }
        self.assertEqual((months[3], months[4]), (0, 5))

    def test_whole_plan_new_leads_count_the_months_before_it(self):
        """A plan for 2027 with a 60-day sales cycle: its prospects enter
        from November 2026 on (600 for the whole plan, 50 of them in
        November). Two leads created in November 2026 and three in
        February 2027, a deal won in December 2026 (created the same day):
        the month lines count 2 and 3 (and 1 in December), and the whole
        plan, whose 600 count November's, counts the 6 its months add up
        to; the deal won before it is none of its wins."""
        plan = make_plan(self.env, self.team, sales_cycle_days=60)
        self.assertEqual(plan.year_period_ids.leads_needed, 600)
        leads = self.env["crm.lead"].create(
            [
                {"name": f"Lead {index}", "type": "lead", "team_id": self.team.id}
                for index in range(5)
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = ANY(%s)",
            [datetime(2026, 11, 10, 9, 0), leads[:2].ids],
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = ANY(%s)",
            [datetime(2027, 2, 10, 9, 0), leads[2:].ids],
        )
        # a deal won before the plan is none of its wins
        won = self.make_deal("Won before", self.s_won, 1000)
        self.close_at(won, datetime(2026, 12, 10, 9, 0))
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", [datetime(2026, 12, 10), won.id]
        )
        plan.action_refresh_actuals()
        self.assertEqual(plan.year_period_ids.actual_deals_won, 0)
        months = {period.date_from: period.actual_new_leads for period in plan.month_period_ids}
        self.assertEqual((months[date(2026, 11, 1)], months[date(2027, 2, 1)]), (2, 3))
        self.assertEqual(sum(months.values()), 6)
        self.assertEqual(plan.year_period_ids.actual_new_leads, 6)
