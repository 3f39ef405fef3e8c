# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import date, datetime

import openpyxl

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestForecastWorkflow(FunnelCase):
    """A quarter of forecast discipline: reps submit, resubmit, move and
    leave; managers adjust. In December 2026 the rep has a deal in Commit
    (10,000) expected on December 20 and one won on December 5 (3,000)."""

    def setUp(self):
        super().setUp()
        self.Submission = self.env["crm.forecast.submission"]
        self.make_deal(
            "Commit", self.s_proposal, 10000, date_deadline=date(2026, 12, 20)
        ).forecast_category = "commit"
        won = self.make_deal("Won", self.s_won, 3000)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = %s",
            [datetime(2026, 12, 5, 12), won.id],
        )
        self.env.invalidate_all()
        self.params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-12-01"}

    def submit(self, user, **values):
        return self.Submission.with_user(user).create(
            dict(
                {
                    "team_id": self.team.id,
                    "date_from": date(2026, 12, 1),
                    "commit_amount": 13000,
                    "best_case_amount": 13000,
                },
                **values,
            )
        )

    def test_a_period_that_does_not_exist_is_refused_in_words(self):
        """A submission sent over RPC for a week, or for February 30: a
        message saying what is wrong, not a server error."""
        for values, words in (
            ({"period_type": "week"}, "Unknown period: week."),
            ({"date_from": "2026-02-30"}, "“2026-02-30” is not a date (expected: YYYY-MM-DD)."),
        ):
            with self.assertRaises(UserError) as caught:
                self.submit(self.rep, **values)
            self.assertEqual(str(caught.exception), words)
        self.assertFalse(self.Submission.search([("team_id", "=", self.team.id)]))

    def test_a_manager_does_not_adjust_their_own_forecast(self):
        """A sales manager who also sells in the team submits 13,000 and
        then tries to adjust it to 20,000: refused, in words (an adjustment
        is another manager's view of a salesperson's figure); the manager
        adjusts the rep's 13,000 to 11,000, and the team's own line."""
        self.team.member_ids |= self.manager | self.rep
        own = self.submit(self.manager)
        Adjustment = self.env["crm.forecast.adjustment"].with_user(self.manager)
        values = {"commit_amount": 20000, "best_case_amount": 20000, "reason": "Optimism"}
        self.assertFalse(own.with_user(self.manager).can_adjust, "the form offers no adjustment")
        with self.assertRaisesRegex(ValidationError, "Nobody adjusts their own forecast"):
            Adjustment.create(dict(values, submission_id=own.id))
        rep = self.submit(self.rep)
        team = self.submit(self.manager, user_id=False)
        self.assertEqual(((rep | team).with_user(self.manager).mapped("can_adjust")), [True, True])
        adjusted = Adjustment.create(
            [
                dict(values, submission_id=rep.id, commit_amount=11000, best_case_amount=11000),
                dict(values, submission_id=team.id),
            ]
        )
        self.assertEqual(adjusted.mapped("commit_amount"), [11000.0, 20000.0])

    def test_a_quota_met_says_so_and_an_adjustment_gives_both_figures(self):
        """The team's quota of 3,000 is met by the 3,000 won on December 5:
        its coverage reads "Quota met" on the screen, the PDF and the
        spreadsheet (it was an empty cell, as for a line without a quota);
        the rep, without a quota of their own, has no coverage. The manager
        adjusts the rep's 13,000 / 13,000 to 11,000 / 12,500: the
        spreadsheet gives both adjusted figures (it left the Best Case out)."""
        self.team.invoiced_target = 3000
        self.team.member_ids |= self.rep
        submission = self.submit(self.rep)
        self.env["crm.forecast.adjustment"].with_user(self.manager).create(
            {
                "submission_id": submission.id,
                "commit_amount": 11000,
                "best_case_amount": 12500,
                "reason": "Too hopeful",
            }
        )
        Submission = self.Submission.with_user(self.manager)
        screen = Submission.get_forecast_screen(self.params)
        team = screen["team_line"]
        self.assertEqual(
            (team["quota"], team["won"], team["gap"], team["coverage"], team["quota_met"]),
            (3000.0, 3000.0, 0.0, None, True),
        )
        [line] = [line for line in screen["lines"] if line["user_id"] == self.rep.id]
        self.assertEqual((line["quota"], line["coverage"], line["quota_met"]), (None, None, False))
        self.assertEqual(self.print_screen(self.params).count("Quota met"), 1)
        content, _name = Submission._sff_forecast_xlsx(self.params)
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Forecast by salesperson"]
        header = [cell.value for cell in sheet[3]]
        rows = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=4)}
        [team_row] = [values for name, values in rows.items() if name and "(team)" in name]
        self.assertEqual(team_row[header.index("Coverage")], "Quota met")
        self.assertEqual(
            [
                rows[self.rep.name][header.index(column)]
                for column in ("Adjusted Commit", "Adjusted Best Case", "Adjustment Reason")
            ],
            [11000, 12500, "Too hopeful"],
        )
        self.assertIsNone(rows[self.rep.name][header.index("Coverage")])

    def test_an_archived_rep_is_not_marked_late(self):
        """The other rep left in December and was archived with a deal of
        4,000 in Commit still theirs: the line keeps the figures (the
        team's add them up) but is not marked as a forecast to chase; the
        rep who has not submitted is."""
        self.make_deal(
            "Left behind",
            self.s_proposal,
            4000,
            date_deadline=date(2026, 12, 15),
            user_id=self.other_rep.id,
        ).forecast_category = "commit"
        self.other_rep.action_archive()
        screen = self.Submission.with_user(self.manager).get_forecast_screen(self.params)
        lines = {line["user_id"]: line for line in screen["lines"]}
        self.assertEqual(
            (lines[self.other_rep.id]["commit"], lines[self.other_rep.id]["late"]), (4000.0, False)
        )
        self.assertEqual(
            (lines[self.rep.id]["commit"], lines[self.rep.id]["late"]), (13000.0, True)
        )
        self.assertEqual(screen["team_line"]["commit"], 17000.0)

    def test_a_forecast_for_a_team_one_is_not_of_is_refused(self):
        """A rep of another team, with no deal in this one, submitting for
        it (the form offers every team) or a manager filing one for that
        rep: refused in words, as their forecast would show on no line of
        the team's screen. The members, the leader and whoever holds deals
        of the team in the period (a rep moved to another team, whose deals
        stayed) submit; so does a manager for the team's own line."""
        outsider_team = self.env["crm.team"].create({"name": "Elsewhere"})
        outsider = self.env["res.users"].create(
            {
                "name": "Olga Outsider",
                "login": "sff_outsider",
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        outsider_team.member_ids = outsider
        member = self.env["res.users"].create(
            {
                "name": "Mia Member",
                "login": "sff_member",
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self.team.member_ids = member
        for user, values in ((outsider, {}), (self.manager, {"user_id": outsider.id})):
            with self.assertRaises(UserError) as caught:
                self.submit(user, **values)
            self.assertEqual(
                str(caught.exception),
                "Olga Outsider is neither a member of the sales team Funnel Test Team nor the "
                "salesperson of one of its deals of the period: the forecast would show on no "
                "line of its Forecast screen.",
            )
        # the rep holds the team's deals of December, not of January
        self.submit(self.rep)
        with self.assertRaises(UserError):
            self.submit(self.rep, date_from=date(2027, 1, 1))
        self.submit(member, date_from=date(2027, 1, 1), commit_amount=0, best_case_amount=0)
        self.submit(self.manager, user_id=False)
        screen = self.Submission.with_user(self.manager).get_forecast_screen(self.params)
        self.assertEqual(
            {line["name"]: bool(line["submission"]) for line in screen["lines"]},
            {"Mia Member": False, "Rita Rep": True},
        )
        self.assertTrue(screen["team_line"]["submission"])

    def test_a_quarter_and_its_first_month_are_told_apart_by_name(self):
        """The rep submitted October (100 / 200) and the fourth quarter
        (300 / 400), both starting on October 1: the adjustment form's list
        and an import of adjustments name each apart, and each adjustment
        lands on the one named, without a warning of several matches."""
        self.team.member_ids |= self.rep
        month = self.submit(
            self.rep, date_from=date(2026, 10, 1), commit_amount=100, best_case_amount=200
        )
        quarter = self.submit(
            self.rep,
            period_type="quarter",
            date_from=date(2026, 10, 1),
            commit_amount=300,
            best_case_amount=400,
        )
        self.assertEqual(
            (month.display_name, quarter.display_name),
            ("Rita Rep – 2026-10-01", "Rita Rep – 2026-10-01 (Quarter)"),
        )
        Submission = self.Submission.with_user(self.manager)
        for record in (month, quarter):
            self.assertEqual(
                Submission.name_search(record.display_name, operator="="),
                [(record.id, record.display_name)],
            )
        result = (
            self.env["crm.forecast.adjustment"]
            .with_user(self.manager)
            .load(
                ["submission_id", "commit_amount", "best_case_amount", "reason"],
                [
                    [quarter.display_name, "250", "350", "the quarter is too optimistic"],
                    [month.display_name, "90", "150", "October is too optimistic"],
                ],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(
            [
                (record.adjusted_commit_amount, record.adjusted_best_case_amount)
                for record in (month, quarter)
            ],
            [(90.0, 150.0), (250.0, 350.0)],
        )
