# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dates where calendars are unkind: the nights clocks change, the last
evening of a month, quarter or year east or west of UTC, leap days, weeks
across a year end: a deal counted in one bucket by a person is counted in
that bucket by every figure."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from ..const import ACCURACY_LEAD_DAYS_PARAM, TZ_PARAM
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

    # ------------------------------------------------------------------
    # A midnight that happens twice
    # ------------------------------------------------------------------
    def test_day_starts_at_the_first_of_two_midnights(self):
        """Funnel totals in Atlantic/Azores, whose clocks go back from 01:00
        to 00:00 on Sunday 25 October 2026 (00:00 UTC, then 01:00 UTC): the
        day starts at the first midnight. A deal created at 00:30 UTC, in
        the day's first half hour there, was not in the pipeline at its
        start: the pipeline and the snapshot of 25 October count no deal
        of the team, those of the 26th one."""
        self.set_tz("Atlantic/Azores")
        self.clock_at(datetime(2026, 10, 25, 0, 30))
        deal = self.make_deal("First hour", self.s_qualified, 1000)
        self.clock_at(datetime(2026, 10, 27, 9, 0))
        Lead = self.env["crm.lead"]
        team = [("team_id", "=", self.team.id)]
        pipeline = {
            day: [row["lead_id"] for row in Lead.sff_pipeline_at(day, team)]
            for day in (date(2026, 10, 25), date(2026, 10, 26))
        }
        self.assertEqual(pipeline, {date(2026, 10, 25): [], date(2026, 10, 26): [deal.id]})
        Snapshot = self.env["crm.pipeline.snapshot"]
        Snapshot._sff_take([date(2026, 10, 25), date(2026, 10, 26)])
        counts = {
            day: sum(Snapshot.search(team + [("date_snapshot", "=", day)]).mapped("deal_count"))
            for day in (date(2026, 10, 25), date(2026, 10, 26))
        }
        self.assertEqual(counts, {date(2026, 10, 25): 0, date(2026, 10, 26): 1})

    def test_submission_after_the_first_of_two_midnights_is_late_for_the_lead_time(self):
        """Atlantic/Azores again, the accuracy read 7 days before each period:
        for November 2026, at the start of 25 October, the first midnight
        (00:00 UTC). The rep's Commit of 5,000 submitted at 00:30 UTC that
        night came after it: it is November's submitted forecast at the
        period's start, not 7 days before, as the snapshot of that day
        counts none of what changed after its first midnight."""
        self.set_tz("Atlantic/Azores")
        self.env["ir.config_parameter"].set_param(ACCURACY_LEAD_DAYS_PARAM, "7")
        self.clock_at(datetime(2026, 10, 1, 9, 0))
        self.make_deal("Due in November", self.s_proposal, 1000, date_deadline=date(2026, 11, 20))
        submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.rep)
            .create(
                {
                    "team_id": self.team.id,
                    "date_from": date(2026, 11, 1),
                    "commit_amount": 5000,
                    "best_case_amount": 5000,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime(2026, 10, 25, 0, 30), submission.id],
        )
        self.env.invalidate_all()
        self.clock_at(datetime(2026, 12, 10, 9, 0))
        self.env["crm.pipeline.snapshot"]._sff_take([date(2026, 10, 25), date(2026, 11, 1)])
        Accuracy = self.env["crm.forecast.accuracy.report"]
        Accuracy._sff_refresh()
        lines = Accuracy.search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", date(2026, 11, 1)),
                ("team_id", "=", self.team.id),
                ("user_id", "=", self.rep.id),
                ("method", "=", "submitted"),
            ]
        )
        self.assertEqual({line.lead_days: line.forecast_amount for line in lines}, {0: 5000.0})

    def test_deal_flow_opens_on_the_month_of_the_crm_time_zone(self):
        """On the evening of 30 November in UTC it is already 1 December in
        Auckland, the funnel totals' time zone: the Deal Flow dialog opens
        on December, as the Forecast screen counts the month, whatever the
        user's own zone."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Pacific/Auckland")
        self.manager.tz = "UTC"
        with freeze_time("2026-11-30 12:30:00"):
            wizard = self.env["crm.deal.flow.wizard"].with_user(self.manager).create({})
        self.assertEqual((wizard.date_from, wizard.date_to), (date(2026, 12, 1), date(2027, 1, 1)))
