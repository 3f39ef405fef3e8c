# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sales year lived with the clock moving: a small team's deals created,
moved, slipped, won, lost and invoiced through month, quarter and year
ends, with the module's scheduled jobs run on their own days as the
scheduler runs them; the figures checked at each period's end against
what a person counts by hand."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from ..const import ACCURACY_LEAD_DAYS_PARAM, TZ_PARAM
from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestYearLived(FunnelCase):
    def setUp(self):
        super().setUp()
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param(TZ_PARAM, "Europe/Brussels")
        Param.set_param(ACCURACY_LEAD_DAYS_PARAM, "30")
        # the test's year only: no snapshot of the database's own days
        self.env.cr.execute("DELETE FROM crm_pipeline_snapshot")
        self.freezer = None
        self.addCleanup(self.stop_clock)

    def stop_clock(self):
        if self.freezer:
            self.freezer.stop()
            self.freezer = None

    def at(self, moment):
        """The clock reads ``moment`` (UTC): Python's (freezegun) and the
        transaction's."""
        self.stop_clock()
        self.set_now(moment)
        self.freezer = freeze_time(moment)
        self.freezer.start()

    def set_history_weight(self, stage, weight):
        """The stage's win rate as the nightly job wrote it."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_stage SET history_weight = %s WHERE id = %s", [weight, stage.id]
        )
        self.env.invalidate_all()

    def snapshot_job(self):
        """The weekly snapshots' job, run by the scheduler until it has
        written every day it finds missing (then the accuracy)."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        while Snapshot._cron_take_snapshots(batch_days=1000):
            pass
        self.env.invalidate_all()

    def accuracy(self, month, lead_days, method, period_type="month"):
        line = self.env["crm.forecast.accuracy.report"].search(
            [
                ("period_type", "=", period_type),
                ("date_from", "=", month),
                ("lead_days", "=", lead_days),
                ("team_id", "=", self.team.id),
                ("user_id", "=", self.rep.id),
                ("method", "=", method),
            ]
        )
        accuracy = line.accuracy if line.accuracy is False else round(line.accuracy, 1)
        return (line.date_snapshot, line.forecast_amount, line.actual_amount, accuracy)

    def test_lead_time_forecast_is_read_on_its_day(self):
        """Lead time 30 days: June 2027's forecast a lead time ahead is the
        pipeline of Sunday 2 May 2027 (1 June less 30 days). A deal of
        1,000 at Qualified is expected on 15 June; on 2 May the stage's win
        rate (the nightly job's) is 50 %, by 1 June it has fallen to 20 %.
        The snapshots' job runs every day at 05:00 UTC. The deal is won on
        10 June at 1,000. On 1 July the accuracy lines say: 30 days ahead,
        the history-weighted forecast was 500 (1,000 x 50 %, as read on 2
        May), 50 % accurate; at June's start, 200 (20 %), 20 % accurate."""
        self.at(datetime(2027, 4, 20, 9, 0))
        deal = self.make_deal("June deal", self.s_qualified, 1000, date_deadline=date(2027, 6, 15))
        self.set_history_weight(self.s_qualified, 0.5)
        for day in (date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3)):
            self.at(datetime.combine(day, datetime.min.time()).replace(hour=5))
            self.snapshot_job()
        self.set_history_weight(self.s_qualified, 0.2)
        self.at(datetime(2027, 6, 1, 5, 0))
        self.snapshot_job()
        self.at(datetime(2027, 6, 10, 9, 0))
        deal.action_set_won()
        self.at(datetime(2027, 7, 1, 5, 0))
        self.snapshot_job()
        self.assertEqual(
            self.accuracy(date(2027, 6, 1), 30, "history_weighted"),
            (date(2027, 5, 2), 500.0, 1000.0, 50.0),
        )
        self.assertEqual(
            self.accuracy(date(2027, 6, 1), 0, "history_weighted"),
            (date(2027, 6, 1), 200.0, 1000.0, 20.0),
        )

    def test_first_quarter_of_2028_in_auckland(self):
        """Funnel totals in Pacific/Auckland (UTC+13 in summer); the
        snapshots' job runs at 00:05 UTC (13:05 there) on the first of each
        month. The quarter starts on Saturday 1 January 2028.

        - A, 1,000 at Proposal (60 %), Commit, expected 20 January, won on
          31 January at 23:30 in Auckland (10:30 UTC): January's.
        - B, 2,000 at Qualified (30 %), Best Case, expected 29 February,
          slipped on 20 February to 15 March (15 days), won on 31 March at
          23:00 in Auckland: March's.
        - C, 4,000 at Prospect (10 %), Pipeline, expected 31 January, lost on
          10 January.
        - D, 500 at Prospect, created on 5 January expected the 25th, won
          that day."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Pacific/Auckland")
        self.at(datetime(2027, 12, 1, 0, 5))
        self.snapshot_job()
        a = self.make_deal("A", self.s_proposal, 1000, date_deadline=date(2028, 1, 20))
        b = self.make_deal("B", self.s_qualified, 2000, date_deadline=date(2028, 2, 29))
        c = self.make_deal("C", self.s_new, 4000, date_deadline=date(2028, 1, 31))
        a.forecast_category = "commit"
        b.forecast_category = "best_case"
        c.forecast_category = "pipeline"
        self.at(datetime(2028, 1, 1, 0, 5))
        self.snapshot_job()
        self.at(datetime(2028, 1, 4, 20, 0))
        d = self.make_deal("D", self.s_new, 500, date_deadline=date(2028, 1, 25))
        self.at(datetime(2028, 1, 9, 22, 0))
        c.action_set_lost()
        self.at(datetime(2028, 1, 25, 1, 0))
        d.action_set_won()
        self.at(datetime(2028, 1, 31, 10, 30))
        a.action_set_won()
        self.at(datetime(2028, 2, 1, 0, 5))
        self.snapshot_job()
        self.at(datetime(2028, 2, 20, 1, 0))
        b.date_deadline = date(2028, 3, 15)
        self.at(datetime(2028, 3, 1, 0, 5))
        self.snapshot_job()
        self.at(datetime(2028, 3, 31, 10, 0))
        b.action_set_won()
        self.at(datetime(2028, 4, 1, 0, 5))
        self.snapshot_job()
        self.env.flush_all()
        jan, feb, mar = date(2028, 1, 1), date(2028, 2, 1), date(2028, 3, 1)
        self.assertEqual(self.accuracy(jan, 0, "stage_weighted"), (jan, 1000.0, 1500.0, 66.7))
        self.assertEqual(self.accuracy(jan, 0, "commit")[1:3], (1000.0, 1500.0))
        self.assertEqual(self.accuracy(jan, 0, "best_case")[1:3], (1000.0, 1500.0))
        self.assertEqual(self.accuracy(feb, 0, "best_case"), (feb, 2000.0, 0.0, False))
        self.assertEqual(self.accuracy(mar, 0, "best_case"), (mar, 2000.0, 2000.0, 100.0))
        self.assertEqual(self.accuracy(mar, 0, "stage_weighted"), (mar, 600.0, 2000.0, 30.0))
        self.assertEqual(
            self.accuracy(jan, 0, "stage_weighted", "quarter"), (jan, 1600.0, 3500.0, 45.7)
        )
        # 30 days before the quarter: 2 December 2027, A, B and C already
        self.assertEqual(
            self.accuracy(jan, 30, "stage_weighted", "quarter")[:2], (date(2027, 12, 2), 1600.0)
        )
        # the deal flow of January and February, ends equal to the pipeline
        Lead = self.env["crm.lead"]
        flow = Lead.sff_deal_flow(jan, feb, team_id=self.team.id)
        self.assertEqual(
            {step: value for step, value in flow.items() if value[0]},
            {
                "start": (2, 5000.0),
                "new": (1, 500.0),
                "won": (2, 1500.0),
                "lost": (1, 4000.0),
            },
        )
        start = [
            row
            for row in Lead.sff_pipeline_at(jan, [("team_id", "=", self.team.id)])
            if jan <= row["date_deadline"] < feb
        ]
        self.assertEqual(sum(row["expected_revenue"] for row in start), 5000.0)
        flow = Lead.sff_deal_flow(feb, mar, team_id=self.team.id)
        self.assertEqual(
            {step: value for step, value in flow.items() if value[0]},
            {"start": (1, 2000.0), "pushed_out": (1, 2000.0)},
        )
        # slippage: B, expected in February, slipped 15 days out of it
        rows = self.env["crm.forecast.slippage.report"].search(
            [("lead_id", "in", (a | b | c | d).ids), ("period_type", "=", "month")]
        )
        self.assertEqual(
            sorted((row.lead_id.name, row.date_period, row.slipped, row.slip_days) for row in rows),
            [
                ("A", jan, False, 0),
                ("B", feb, True, 15),
                ("B", mar, False, 0),
                ("C", jan, False, 0),
                ("D", jan, False, 0),
            ],
        )

    def test_year_end_in_los_angeles(self):
        """Funnel totals in America/Los_Angeles (UTC-8 in winter). A plan of
        the rep for 2027. Deal E, 3,000, Commit, expected 31 December 2027,
        is won on the year's last evening there (31 December at 20:00, 1
        January 04:00 UTC); deal F, 1,000, expected in January, is won on
        1 January 2028 at 09:00 there. The jobs run at 00:05 UTC (16:05 the
        day before there): on 1 January UTC it is still 31 December there,
        the year is not closed; on 2 January the accuracy counts E in
        December, F in January; the plan's December counts E (1 deal won),
        the Forecast screen of December E, of January F."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "America/Los_Angeles")
        self.at(datetime(2027, 11, 20, 18, 0))
        plan = make_plan(self.env, self.team, name="Rita 2027", user_id=self.rep.id)
        e = self.make_deal("E", self.s_proposal, 3000, date_deadline=date(2027, 12, 31))
        f = self.make_deal("F", self.s_proposal, 1000, date_deadline=date(2028, 1, 15))
        (e | f).write({"forecast_category": "commit"})
        self.at(datetime(2027, 12, 2, 0, 5))
        self.snapshot_job()
        self.at(datetime(2028, 1, 1, 4, 0))
        e.action_set_won()
        self.at(datetime(2028, 1, 1, 0, 5))
        self.snapshot_job()
        self.env["crm.target.plan"]._cron_refresh_actuals()
        dec, jan = date(2027, 12, 1), date(2028, 1, 1)
        Report = self.env["crm.forecast.accuracy.report"]
        self.assertFalse(Report.search([("date_from", "=", dec), ("team_id", "=", self.team.id)]))
        self.at(datetime(2028, 1, 1, 17, 0))
        f.action_set_won()
        self.at(datetime(2028, 1, 2, 0, 5))
        self.snapshot_job()
        self.env["crm.target.plan"]._cron_refresh_actuals()
        self.assertEqual(self.accuracy(dec, 0, "commit"), (dec, 3000.0, 3000.0, 100.0))
        december = plan.month_period_ids.filtered(lambda period: period.date_from == dec)
        self.assertEqual(december.actual_deals_won, 1)
        self.assertEqual(plan.year_period_ids.actual_deals_won, 1)
        Submission = self.env["crm.forecast.submission"].with_user(self.manager)

        def won(month):
            screen = Submission.get_forecast_screen(
                {"team_id": self.team.id, "period_type": "month", "date_from": month.isoformat()}
            )
            return {line["user_id"]: line["won"] for line in screen["lines"]}[self.rep.id]

        self.assertEqual((won(dec), won(jan)), (3000.0, 1000.0))

    def test_nothing_forecast_says_the_snapshot_it_was_read_from(self):
        """The snapshots' job runs on 1 November 2027 (no deal of the team
        open: the snapshot of the day says so) and on 1 December. A deal of
        1,000 is created on 20 November and won on the 25th. November's
        line at its start: 0 forecast, as the snapshot of 1 November read
        it (its Forecast As Of says that day), against 1,000 won: 0 %."""
        self.at(datetime(2027, 11, 1, 5, 0))
        self.snapshot_job()
        self.at(datetime(2027, 11, 20, 9, 0))
        deal = self.make_deal("November", self.s_qualified, 1000, date_deadline=date(2027, 11, 25))
        self.at(datetime(2027, 11, 25, 9, 0))
        deal.action_set_won()
        self.at(datetime(2027, 12, 1, 5, 0))
        self.snapshot_job()
        nov = date(2027, 11, 1)
        for method in ("stage_weighted", "history_weighted", "commit", "best_case"):
            self.assertEqual(self.accuracy(nov, 0, method), (nov, 0.0, 1000.0, 0.0), method)
        # 30 days before, 2 October: nothing either
        self.assertEqual(self.accuracy(nov, 30, "commit"), (date(2027, 10, 2), 0.0, 1000.0, 0.0))

    def test_weekly_snapshots_of_a_january_with_a_server_down(self):
        """Snapshots on Wednesdays. Two deals of the team open from 3
        January 2028 (1,000 and 2,000). The job runs on Wednesday 5 January
        twice; the server is down from the 11th to the 13th, the job runs
        again on Friday the 14th; a manager takes a snapshot by hand that
        Friday too. The team's weekly snapshots: 5 and 12 January, each
        counting the two deals once (3,000); the Friday's is not weekly."""
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_funnel_forecast.snapshot_weekday", "2"
        )
        self.at(datetime(2028, 1, 3, 9, 0))
        self.make_deal("One", self.s_new, 1000, date_deadline=date(2028, 3, 1))
        self.make_deal("Two", self.s_new, 2000, date_deadline=date(2028, 3, 1))
        for moment in (datetime(2028, 1, 5, 0, 30), datetime(2028, 1, 5, 23, 30)):
            self.at(moment)
            self.snapshot_job()
        self.at(datetime(2028, 1, 14, 6, 0))
        self.snapshot_job()
        self.env["crm.pipeline.snapshot"].with_user(self.manager).action_take_snapshot()
        rows = self.env["crm.pipeline.snapshot"].search(
            [("team_id", "=", self.team.id), ("date_snapshot", ">=", date(2028, 1, 1))]
        )
        by_day = {}
        for row in rows:
            count, amount, weekly = by_day.get(row.date_snapshot, (0, 0.0, row.weekly))
            by_day[row.date_snapshot] = (
                count + row.deal_count,
                amount + row.expected_revenue,
                weekly,
            )
        self.assertEqual(
            by_day,
            {
                date(2028, 1, 5): (2, 3000.0, True),
                date(2028, 1, 12): (2, 3000.0, True),
                date(2028, 1, 14): (2, 3000.0, False),
            },
        )

    def test_reminder_of_a_february_forecast(self):
        """Reminder after 7 days. The rep (a deal of the team expected in
        February 2028) submits February's forecast on 28 January at 10:00
        UTC. The Forecast screen of February marks the rep before it, not
        on 4 February at 09:00 (6 days, 23 hours), again at 10:01 (7 days
        and a minute), no longer after a submission on the 6th."""
        self.env["res.config.settings"].create({"sff_submission_stale_days": 7}).execute()
        self.at(datetime(2028, 1, 20, 9, 0))
        self.make_deal("February", self.s_qualified, 1000, date_deadline=date(2028, 2, 15))
        Submission = self.env["crm.forecast.submission"]

        def submit():
            Submission.with_user(self.rep).create(
                {
                    "team_id": self.team.id,
                    "date_from": date(2028, 2, 1),
                    "commit_amount": 0,
                    "best_case_amount": 1000,
                }
            )

        def late():
            screen = Submission.with_user(self.manager).get_forecast_screen(
                {"team_id": self.team.id, "period_type": "month", "date_from": "2028-02-01"}
            )
            return {line["user_id"]: line["late"] for line in screen["lines"]}[self.rep.id]

        self.assertTrue(late())
        self.at(datetime(2028, 1, 28, 10, 0))
        submit()
        self.assertFalse(late())
        self.at(datetime(2028, 2, 4, 9, 0))
        self.assertFalse(late())
        self.at(datetime(2028, 2, 4, 10, 1))
        self.assertTrue(late())
        self.at(datetime(2028, 2, 6, 8, 0))
        submit()
        self.assertFalse(late())
