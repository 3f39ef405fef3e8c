# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo data's forecasts: each salesperson of the two demo teams
submitted one for each of the last six closed months and, but one, for the
month of the install; the sales manager adjusted the most optimistic
one's last three, and submitted each team's own forecast of each month.
The Forecast screen, the submissions' list and the forecast accuracy
have something to show on a demo database."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from ..demo.pipeline import DEMO_ADJUSTMENT_REASON
from ..tools.days import day_start
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestDemoForecasts(FunnelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_teams = [
            cls.env.ref(f"sales_funnel_forecast.demo_team_{name}", raise_if_not_found=False)
            for name in ("projects", "inside")
        ]

    def setUp(self):
        super().setUp()
        if not all(self.demo_teams):
            self.skipTest("a database without the module's demo data")
        Submission = self.env["crm.forecast.submission"]
        self.submissions = Submission.search([("team_id", "in", [t.id for t in self.demo_teams])])
        # the month of the install: the latest the demo forecast
        self.install_month = max(self.submissions.mapped("date_from"))

    def submitted(self, team, user):
        return self.submissions.filtered(lambda s: s.team_id == team and s.user_id == user).sorted(
            "date_from"
        )

    def test_each_salesperson_forecast_the_six_months_before_the_install(self):
        months = [self.install_month - relativedelta(months=back) for back in range(6, 0, -1)]
        for team in self.demo_teams:
            members = team.member_ids.sorted("id")
            self.assertEqual(len(members), 3, team.name)
            for user in members:
                closed = self.submitted(team, user).filtered(
                    lambda s, month=self.install_month: s.date_from < month
                )
                self.assertEqual(closed.mapped("date_from"), months, user.name)
                self.assertEqual(set(closed.mapped("period_type")), {"month"})
                for submission in closed:
                    # two to five days before the month
                    days = (submission.date_from - submission.submitted_on.date()).days
                    self.assertIn(days, range(2, 6), (user.name, submission.date_from))
                    self.assertGreaterEqual(submission.best_case_amount, submission.commit_amount)

    def test_the_most_optimistic_salesperson_was_adjusted_before_each_month(self):
        months = [self.install_month - relativedelta(months=back) for back in range(3, 0, -1)]
        admin = self.env.ref("base.user_admin")
        adjustments = self.submissions.adjustment_ids
        for team in self.demo_teams:
            first = team.member_ids.sorted("id")[0]
            mine = adjustments.filtered(lambda a, user=first: a.submission_id.user_id == user)
            self.assertEqual(sorted(mine.submission_id.mapped("date_from")), months, team.name)
            for adjustment in mine:
                submission = adjustment.submission_id
                self.assertEqual(adjustment.user_id, admin)
                self.assertEqual(adjustment.reason, DEMO_ADJUSTMENT_REASON)
                # half a day after the submission, before the month starts
                self.assertEqual(adjustment.date, submission.submitted_on + timedelta(hours=12))
                self.assertLess(adjustment.date.date(), submission.date_from)
                self.assertEqual(
                    (adjustment.commit_amount, adjustment.best_case_amount),
                    (
                        round(submission.commit_amount * 0.8, -2),
                        round(submission.best_case_amount * 0.8, -2),
                    ),
                )
                # kept beside the submission, which stays as submitted
                self.assertEqual(submission.adjusted_commit_amount, adjustment.commit_amount)
        self.assertEqual(len(adjustments), 6)

    def test_one_salesperson_has_not_forecast_the_install_month(self):
        projects, inside = self.demo_teams
        current = self.submissions.filtered(lambda s: s.date_from == self.install_month)
        late = inside.member_ids.sorted("id")[-1]
        self.assertEqual(
            current.mapped("user_id"),
            (projects.member_ids | inside.member_ids) - late,
        )
        # the Forecast screen a few hours after the install marks that one
        self.clock_at(max(current.mapped("submitted_on")) + timedelta(hours=1))
        screen = self.env["crm.forecast.submission"].get_forecast_screen(
            {"team_id": inside.id, "period_type": "month", "date_from": str(self.install_month)}
        )
        marked = {line["user_id"] for line in screen["lines"] if line["late"]}
        self.assertEqual(marked, {late.id})
        shown = {
            line["user_id"]: line["submission"]["commit"]
            for line in screen["lines"]
            if line["submission"]
        }
        self.assertEqual(
            shown,
            {
                submission.user_id.id: submission.commit_amount
                for submission in current.filtered(lambda s: s.team_id == inside and s.user_id)
            },
        )

    def test_each_team_forecast_its_salespeoples_figures_as_adjusted(self):
        months = [self.install_month - relativedelta(months=back) for back in range(6, -1, -1)]
        for team in self.demo_teams:
            own = self.submitted(team, self.env["res.users"])
            self.assertEqual(own.mapped("date_from"), months, team.name)
            for submission in own:
                reps = self.submissions.filtered(
                    lambda s, first=submission, team=team: (
                        s.team_id == team and s.user_id and s.date_from == first.date_from
                    )
                )
                self.assertEqual(
                    (submission.commit_amount, submission.best_case_amount),
                    (
                        sum(reps.mapped("adjusted_commit_amount")),
                        sum(reps.mapped("adjusted_best_case_amount")),
                    ),
                    (team.name, submission.date_from),
                )
                # after its salespeople's figures and the adjustments
                latest = max(reps.mapped("submitted_on") + reps.adjustment_ids.mapped("date"))
                self.assertGreater(submission.submitted_on, latest)
                if submission.date_from < self.install_month:
                    self.assertLess(submission.submitted_on.date(), submission.date_from)

    def accuracy_lines(self):
        """The accuracy's Submitted lines of the demo teams' months, at the
        months' start, after the snapshots of the past months (the job's,
        after the install)."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        for _batch in range(100):
            if not Snapshot._cron_take_snapshots():
                break
        self.env["crm.forecast.accuracy.report"]._sff_refresh()
        return self.env["crm.forecast.accuracy.report"].search(
            [
                ("method", "=", "submitted"),
                ("period_type", "=", "month"),
                ("lead_days", "=", 0),
                ("team_id", "in", [team.id for team in self.demo_teams]),
            ]
        )

    def assert_six_months_read(self, lines):
        # each salesperson's (and team's) submitted Commit of each of the
        # six months before the install; the month of the install, closed
        # when the tests run in a later month, has its own lines (those of
        # the forecasts submitted before it: an install on the 1st to 3rd)
        closed = self.submissions.filtered(lambda s: s.date_from < self.install_month)
        self.assertEqual(len(closed), 6 * (3 + 3 + 2))
        self.assertEqual(
            sorted(
                (line.user_id.id, line.date_from, line.forecast_amount)
                for line in lines
                if line.date_from < self.install_month
            ),
            sorted((s.user_id.id, s.date_from, s.commit_amount) for s in closed),
        )

    def test_forecast_accuracy_reads_the_demo_submissions(self):
        self.assert_six_months_read(self.accuracy_lines())

    def test_forecast_accuracy_a_month_after_an_install_on_the_first(self):
        # a database installed at 01:00 on the 1st of a month: this month's
        # forecasts came in the evening before (the salespeople's at 20:00,
        # the team's at 22:00, in the funnel totals' time zone). A month
        # later that month is closed and read with them; the six months
        # before it read as they did
        start = day_start(self.env, self.install_month)
        current = self.submissions.filtered(lambda s: s.date_from == self.install_month)
        self.assertEqual(len(current), 5 + 2)
        current.filtered("user_id").write({"submitted_on": start - timedelta(hours=4)})
        current.filtered(lambda s: not s.user_id).write(
            {"submitted_on": start - timedelta(hours=2)}
        )
        self.clock_at(
            day_start(self.env, self.install_month + relativedelta(months=1)) + timedelta(days=9)
        )
        lines = self.accuracy_lines()
        self.assert_six_months_read(lines)
        self.assertEqual(
            sorted(
                (line.user_id.id, line.forecast_amount)
                for line in lines
                if line.date_from == self.install_month
            ),
            sorted((s.user_id.id, s.commit_amount) for s in current),
        )
