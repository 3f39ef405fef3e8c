# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clocks and calendars at their edges: the days of the funnel totals'
time zone for the accuracy's forecasts and submissions, the deal flow,
the Forecast screen's month for every reader, a leap day, a stall kept
open."""

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import FunnelCase, make_plan
from .test_stall import StallCase


@tagged("post_install", "-at_install")
class TestClocks(FunnelCase):
    def setUp(self):
        super().setUp()
        self.this_month = date.today().replace(day=1)
        # last month: a closed period of the forecast accuracy
        self.last = self.this_month - relativedelta(months=1)
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")

    def commit_deal(self, name, amount, deadline, created):
        self.set_now(created)
        deal = self.make_deal(name, self.s_proposal, amount, date_deadline=deadline)
        deal.forecast_category = "commit"
        return deal

    def win(self, deal, when):
        self.set_now(when)
        deal.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET date_closed = %s WHERE id = %s", [when, deal.id])
        self.env.invalidate_all()

    def accuracy_line(self, month, method="commit", lead_days=0):
        return self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", "month"),
                ("date_from", "=", month),
                ("lead_days", "=", lead_days),
                ("team_id", "=", self.team.id),
                ("user_id", "=", self.rep.id),
                ("method", "=", method),
            ]
        )

    def test_accuracy_forecast_at_the_period_start_east(self):
        """Funnel totals' time zone Tokyo (UTC+9, no DST). A 7,000 deal in
        Commit expected on last month's 10th, won at 05:00 Tokyo on last
        month's 1st (20:00 UTC the day before): it is last month's won
        amount (Tokyo days), and at last month's start (midnight Tokyo) it
        was open in Commit: Commit forecast 7,000, won 7,000, accuracy
        100 %."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Asia/Tokyo")
        deal = self.commit_deal(
            "Edge east",
            7000,
            self.last + timedelta(days=9),
            datetime.combine(self.last - timedelta(days=10), time(10)),
        )
        self.win(deal, datetime.combine(self.last - timedelta(days=1), time(20)))
        Snapshot = self.env["crm.pipeline.snapshot"]
        # the days the job writes for the accuracy of last month
        self.assertIn(self.last, Snapshot._sff_days_missing())
        Snapshot._sff_take([self.last, self.last - timedelta(days=30)])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        line = self.accuracy_line(self.last)
        self.assertEqual(
            (line.forecast_amount, line.actual_amount, line.accuracy), (7000.0, 7000.0, 100.0)
        )

    def test_accuracy_forecast_at_the_period_start_west(self):
        """Funnel totals' time zone Los Angeles. A 7,000 deal in Commit
        expected on last month's 5th, won at
        22:00 Los Angeles on the last day of the month before (05:00 or
        06:00 UTC on last month's 1st): the month before last's won amount;
        at last month's start (midnight Los Angeles) it was won already, so
        last month's Commit forecast is 0 and nothing was won in it: no
        Commit 7,000 forecast for last month."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "America/Los_Angeles")
        deal = self.commit_deal(
            "Edge west",
            7000,
            self.last + timedelta(days=4),
            datetime.combine(self.last - timedelta(days=10), time(10)),
        )
        self.win(deal, datetime.combine(self.last, time(6)))
        Snapshot = self.env["crm.pipeline.snapshot"]
        before = self.last - relativedelta(months=1)
        Snapshot._sff_take([before, self.last, self.last - timedelta(days=30)])
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        # won in the month before last, in Los Angeles days
        self.assertEqual(self.accuracy_line(before).actual_amount, 7000.0)
        line = self.accuracy_line(self.last)
        self.assertEqual((line.forecast_amount, line.actual_amount), (0.0, 0.0))

    def test_submission_before_the_period_start_in_the_settings_zone(self):
        """Funnel totals' time zone Los Angeles. The rep submits 5,000 for
        last month at 17:00 Los Angeles on the last day of the month before
        (01:00 UTC on last month's 1st): before last month began there, so
        it is last month's submitted forecast."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "America/Los_Angeles")
        # some snapshot of the period's start, so that lines exist
        self.commit_deal(
            "Any",
            1000,
            self.last + timedelta(days=4),
            datetime.combine(self.last - timedelta(days=10), time(10)),
        )
        self.env["crm.pipeline.snapshot"]._sff_take([self.last, self.last - timedelta(days=30)])
        submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.rep)
            .create(
                {
                    "team_id": self.team.id,
                    "date_from": self.last,
                    "commit_amount": 5000,
                    "best_case_amount": 5000,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime.combine(self.last, time(1)), submission.id],
        )
        self.env.invalidate_all()
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        line = self.accuracy_line(self.last, method="submitted")
        self.assertEqual((len(line), line.forecast_amount), (1, 5000.0))

    def test_forecast_screen_waterfall_counts_the_won_line(self):
        """Funnel totals' time zone Paris. A 3,000 deal expected on April
        10, 2026, open since March 2, won at 23:30 UTC on March 31 (01:30
        Paris, April 1): the Forecast screen of April says won 3,000; its
        waterfall, "the period's deal flow since it started", must show it
        too: at April's start (midnight Paris) it was open in April's
        pipeline, and it was won in April."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Europe/Paris")
        deal = self.commit_deal("Edge", 3000, date(2026, 4, 10), self.t0)
        self.win(deal, datetime(2026, 3, 31, 23, 30))
        self.set_now(datetime(2026, 4, 20, 12))
        screen = self.env["crm.forecast.submission"].get_forecast_screen(
            {"team_id": self.team.id, "period_type": "month", "date_from": "2026-04-01"}
        )
        self.assertEqual(screen["team_line"]["won"], 3000.0)
        flow = {step["step"]: (step["count"], step["amount"]) for step in screen["flow"]}
        self.assertEqual((flow["start"], flow["won"]), ((1, 3000.0), (1, 3000.0)))

    def test_totals_month_at_a_dst_month_end(self):
        """Totals in Paris. Two deals created in the first stage and moved
        to Qualified at 23:59 (A) and 00:01 (B) Paris time around midnight
        October 31 / November 1, 2026 (DST ended October 25: 22:59 and 23:01
        UTC on October 31): A's Qualified is October's, B's November's, in
        the totals and in the dashboard's months alike; a reader in Paris
        gets the same from the totals as from the rows."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Europe/Paris")
        self.env["crm.funnel.summary"]._sff_rebuild()
        self.set_now(datetime(2026, 10, 20, 9))
        a = self.make_deal("A", self.s_new, 1000)
        b = self.make_deal("B", self.s_new, 1000)
        self.set_now(datetime(2026, 10, 31, 22, 59))
        a.stage_id = self.s_qualified
        self.end_request()
        self.set_now(datetime(2026, 10, 31, 23, 1))
        b.stage_id = self.s_qualified
        self.end_request()
        Report = self.env["crm.funnel.report"].with_context(tz="Europe/Paris")
        domain = [("team_id", "=", self.team.id), ("stage_id", "=", self.s_qualified.id)]
        totals = Report._read_group(domain, ["date_in:month"], ["reached:sum"])
        rows = Report._read_group(
            domain + [("lead_id", "!=", False)], ["date_in:month"], ["reached:sum"]
        )
        self.assertEqual(totals, rows)
        self.assertEqual(
            [(month.date(), count) for month, count in totals],
            [(date(2026, 10, 1), 1), (date(2026, 11, 1), 1)],
        )
        Dashboard = self.env["crm.funnel.dashboard"].with_context(tz="America/New_York")
        for month, expected in (
            ((("2026-10-01", "2026-11-01")), 1),
            ((("2026-11-01", "2026-12-01")), 1),
        ):
            data = Dashboard._sff_report_data(
                team_id=self.team.id, period="custom", date_from=month[0], date_to=month[1]
            )
            [funnel] = data["funnels"]
            qualified = [row for row in funnel["stages"] if row["stage_id"] == self.s_qualified.id]
            self.assertEqual(
                qualified[0]["entered"] if "entered" in qualified[0] else qualified[0]["reached"],
                expected,
                month,
            )

    def test_same_period_last_year_ending_before_a_leap_day(self):
        """Totals in UTC. A deal created on February 28, 2027 at noon. The
        dashboard's custom period February 1 - 28, 2028 (first day after:
        February 29) compared with the same period a year earlier:
        February 1 - 28, 2027, which holds the deal (its first stage reached
        once; a deal of February 10, 2028 is this period's)."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.set_now(datetime(2027, 2, 28, 12))
        self.make_deal("Leap eve", self.s_new, 1000)
        self.end_request()
        # and one this year, so that the funnel has its first stage
        self.set_now(datetime(2028, 2, 10, 12))
        self.make_deal("This year", self.s_new, 1000)
        self.end_request()
        data = self.env["crm.funnel.dashboard"]._sff_report_data(
            team_id=self.team.id,
            period="custom",
            date_from="2028-02-01",
            date_to="2028-02-29",
            compare="last_year",
        )
        [funnel] = data["funnels"] or [{"stages": []}]
        first = [row for row in funnel["stages"] if row["stage_id"] == self.s_new.id]
        self.assertEqual(
            (data["compare_from"], data["compare_to"], first and first[0]["compare_reached"]),
            ("2027-02-01", "2027-03-01", 1),
        )

    def test_forecast_screen_current_month_for_a_reader_east(self):
        """Totals' time zone Paris. At 20:00 UTC on March 31, 2026 (22:00
        in Paris, 05:00 on April 1 in Tokyo) the team's current month is
        March, its days counted in Paris: the Forecast screen opened
        without a period shows March for a reader in Tokyo as for one in
        Paris."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Europe/Paris")
        self.clock_at(datetime(2026, 3, 31, 20))
        Submission = self.env["crm.forecast.submission"]
        opened = {
            tz: Submission.with_context(tz=tz).get_forecast_screen({"team_id": self.team.id})[
                "date_from"
            ]
            for tz in ("Europe/Paris", "Asia/Tokyo")
        }
        self.assertEqual(opened, {"Europe/Paris": "2026-03-01", "Asia/Tokyo": "2026-03-01"})

    def test_targets_fall_in_their_month_far_east(self):
        """Funnel totals' time zone Auckland (UTC+13 in its summer, +12 in
        winter). A plan of 600 prospects for 2027, 50 a month: read by month
        in Auckland, and in Tokyo (4 hours behind), every month has its 50,
        no day of it in the next month; the year still adds up to 600."""
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Pacific/Auckland")
        make_plan(self.env, self.team, company_id=self.company.id)
        Report = self.env["crm.sales.process.report"]
        domain = [("kind", "=", "target"), ("team_id", "=", self.team.id)]
        for reader in ("Pacific/Auckland", "Asia/Tokyo"):
            months = Report.with_context(tz=reader)._read_group(
                domain, ["date:month"], ["target_new_count:sum"]
            )
            self.assertEqual(len(months), 12, reader)
            for month, count in months:
                self.assertEqual(month.year, 2027, reader)
                self.assertAlmostEqual(count, 50, msg=f"{reader} {month}")
        # each day's row at noon in Auckland: 31 December's at 23:00 UTC
        last = Report.search(domain + [("stage_id", "=", False)], order="date desc", limit=1)
        self.assertEqual(last.date, datetime(2027, 12, 30, 23, 0))


@tagged("post_install", "-at_install")
class TestStallClock(StallCase):
    def test_days_over_limit_after_keep_open(self):
        """Qualified stalls deals after 5 days. A deal entered it on day 0,
        stalled on day 6, was kept open on day 6 (its time in stage counts
        again from then) and stalled again at day 11 + 1 hour: 5 days and
        an hour since it was kept open, 0 whole days over the limit (not
        11 - 5 = 6); the chatter note says 5 days too."""
        self.set_now(self.day(0))
        deal = self.make_deal("Kept", self.b, 2000)
        self.set_now(self.day(6))
        self.run_job()
        deal.with_user(self.manager).action_stall_keep_open()
        self.set_now(self.day(11, 1))
        self.run_job()
        self.assertTrue(deal.is_stalled)
        self.env.invalidate_all()
        self.assertEqual(deal.stall_days_over, 0)
