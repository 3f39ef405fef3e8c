# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestTeamChanges(FunnelCase):
    """Sales teams and salespeople changing over time: reps moving team in
    the middle of a period, leaving, deals handed over."""

    def setUp(self):
        super().setUp()
        self.Submission = self.env["crm.forecast.submission"]
        self.team.member_ids = [Command.link(self.rep.id), Command.link(self.other_rep.id)]
        self.elsewhere = self.env["crm.team"].create({"name": "Elsewhere"})

    def move_rep(self):
        """Rita moves to the team Elsewhere (Odoo's one team a salesperson)."""
        self.elsewhere.member_ids = [Command.link(self.rep.id)]
        self.team.member_ids = [Command.unlink(self.rep.id)]

    def test_a_rep_who_moved_keeps_their_quota_and_forecast_line(self):
        """The team's 2027 plan of 120,000 (30,000 a quarter) is split
        half and half: 15,000 each for the first quarter. Rita submits 1,000
        for it on February 1st, with her deal of 1,000 in Commit, then moves
        to another team on February 10th; her deal goes to Otto. The
        team's screen of the quarter still lists her quota of 15,000 and
        her forecast of 1,000 (the lines' quotas add up to the team's
        30,000), without a late mark: she can no longer submit for the
        team. Otto, who has not submitted, is late."""
        plan = make_plan(self.env, self.team)
        plan._sff_split({self.rep: 1, self.other_rep: 1})
        self.clock_at(datetime(2027, 2, 1, 9))
        deal = self.make_deal("Rita's", self.s_proposal, 1000, date_deadline=date(2027, 3, 10))
        deal.forecast_category = "commit"
        self.Submission.with_user(self.rep).create(
            {
                "team_id": self.team.id,
                "period_type": "quarter",
                "date_from": date(2027, 1, 1),
                "commit_amount": 1000,
                "best_case_amount": 1000,
            }
        )
        self.clock_at(datetime(2027, 2, 10, 9))
        self.move_rep()
        deal.user_id = self.other_rep
        self.assertEqual(deal.team_id, self.team)
        screen = self.Submission.with_user(self.manager).get_forecast_screen(
            {"team_id": self.team.id, "period_type": "quarter", "date_from": "2027-01-01"}
        )
        self.assertEqual(
            [
                (
                    line["name"],
                    line["quota"],
                    line["commit"],
                    line["submission"] and line["submission"]["commit"],
                    line["late"],
                )
                for line in screen["lines"]
            ],
            [
                ("Otto Rep", 15000.0, 1000.0, None, True),
                ("Rita Rep", 15000.0, 0.0, 1000.0, False),
            ],
        )
        self.assertEqual(screen["team_line"]["quota"], 30000.0)

    def test_a_rep_who_moves_mid_week_has_one_call_target(self):
        """Both teams expect 10 calls a working day and 40 a week. Rita
        joined the team on Monday November 2nd, 2026 and moves to the team
        Elsewhere on Wednesday the 11th (Odoo archives her first
        membership). Her week of the 9th expects 40 calls (the Monday's
        weekly target, once) and 5 x 10 daily: Monday and Tuesday in her
        first team, Wednesday to Friday in the new one; not both teams'
        targets for the week and for the days before the move."""
        self.team.member_ids = [Command.unlink(self.rep.id)]
        self.team.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.elsewhere.write({"call_target_daily": 10, "call_target_weekly": 40})
        self.set_now(datetime(2026, 11, 2, 9))
        self.env["crm.team.member"].create({"crm_team_id": self.team.id, "user_id": self.rep.id})
        self.set_now(datetime(2026, 11, 11, 9))
        self.env["crm.team.member"].create(
            {"crm_team_id": self.elsewhere.id, "user_id": self.rep.id}
        )
        self.assertEqual(self.rep.crm_team_ids, self.elsewhere)
        self.env.flush_all()
        rows = self.env["crm.call.report"]._read_group(
            [
                ("user_id", "=", self.rep.id),
                ("date", ">=", date(2026, 11, 9)),
                ("date", "<", date(2026, 11, 16)),
            ],
            ["team_id"],
            ["target_daily:sum", "target_weekly:sum"],
        )
        self.assertEqual(
            sorted((team.name, daily, weekly) for team, daily, weekly in rows),
            [("Elsewhere", 30, 0), ("Funnel Test Team", 20, 40)],
        )

    def test_a_team_leader_opens_the_screens_on_their_team(self):
        """Lea leads the team without being one of its members (Odoo's team
        form has the leader apart), with access to all deals but not a
        sales manager: the Forecast screen and the funnel dashboard open on
        her team, and her forecast's form proposes it, not another team of
        the database. Rita, in two teams, whose main team is archived,
        lands on her other team."""
        leader = self.env["res.users"].create(
            {
                "name": "Lea Leader",
                "login": "sff_leader",
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_salesman_all_leads").id])
                ],
            }
        )
        self.team.user_id = leader
        self.assertFalse(leader.sale_team_id)
        Submission = self.Submission.with_user(leader)
        self.assertEqual(Submission.get_forecast_screen({})["team_id"], self.team.id)
        self.assertEqual(
            self.env["crm.funnel.dashboard"].with_user(leader).get_funnel_dashboard({})["team_id"],
            self.team.id,
        )
        self.assertEqual(Submission.new({}).team_id, self.team)
        self.env["ir.config_parameter"].set_param("sales_team.membership_multi", True)
        self.elsewhere.member_ids = [Command.link(self.rep.id)]
        self.assertEqual(self.rep.sale_team_id, self.team)
        self.team.action_archive()
        self.assertEqual(
            self.Submission.with_user(self.rep).get_forecast_screen({})["team_id"],
            self.elsewhere.id,
        )

    def test_a_newcomer_is_not_late_for_a_period_before_joining(self):
        """Nina joins the team on February 10th, 2027. January's Forecast
        screen lists Rita and Otto, the members then, not Nina (nobody
        asks her for a forecast of a month before she came), unmarked (a
        month over asks nobody for one); February's lists the three, each
        late without a submission."""
        self.clock_at(datetime(2027, 2, 10, 9))
        newcomer = self.env["res.users"].create(
            {
                "name": "Nina Newcomer",
                "login": "sff_newcomer",
                "groups_id": [Command.set([self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self.team.member_ids = [Command.link(newcomer.id)]
        Submission = self.Submission.with_user(self.manager)
        for month, names, late in (
            ("2027-01-01", ["Otto Rep", "Rita Rep"], False),
            ("2027-02-01", ["Nina Newcomer", "Otto Rep", "Rita Rep"], True),
        ):
            screen = Submission.get_forecast_screen(
                {"team_id": self.team.id, "period_type": "month", "date_from": month}
            )
            self.assertEqual(
                [(line["name"], line["late"]) for line in screen["lines"]],
                [(name, late) for name in names],
                month,
            )

    def test_a_team_leader_reads_the_team_plan(self):
        """Lea leads the team without being one of its members, limited to
        her own documents: she reads the team's 2027 plan and its 17
        lines of figures (12 months, 4 quarters, the year), and its
        monthly targets in quota attainment, as Rita, a member, does;
        Otto, of no team, reads none of them."""
        leader = self.env["res.users"].create(
            {
                "name": "Lea Leader",
                "login": "sff_leader",
                "groups_id": [Command.set([self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self.team.user_id = leader
        self.team.member_ids = [Command.unlink(self.other_rep.id)]
        plan = make_plan(self.env, self.team)
        plan.stage_line_ids = [Command.create({"stage_id": self.s_proposal.id, "conversion": 20})]
        seen = {}
        for user in (leader, self.rep, self.other_rep):
            seen[user.name] = (
                self.env["crm.target.plan"].with_user(user).search_count([("id", "=", plan.id)]),
                self.env["crm.target.plan.period"]
                .with_user(user)
                .search_count([("plan_id", "=", plan.id)]),
                self.env["crm.target.plan.stage"]
                .with_user(user)
                .search_count([("plan_id", "=", plan.id)]),
                self.env["crm.quota.report"]
                .with_user(user)
                .search_count([("basis", "=", "target"), ("team_id", "=", self.team.id)]),
            )
        self.assertEqual(
            seen,
            {"Lea Leader": (1, 17, 1, 12), "Rita Rep": (1, 17, 1, 12), "Otto Rep": (0, 0, 0, 0)},
        )

    def test_a_stage_move_stays_in_the_team_it_was_made_in(self):
        """Rita moves her deal to Qualified on Monday November 9th, 2026,
        in her team; on Tuesday the deal is handed to the team Elsewhere.
        The adoption report keeps her one stage move of Monday in her team
        (where she made it), not in the team the deal went to."""
        self.set_now(datetime(2026, 11, 2, 9))
        deal = self.make_deal("Handed over", self.s_new, 100)
        self.end_request()
        self.set_now(datetime(2026, 11, 9, 9))
        deal.with_user(self.rep).stage_id = self.s_qualified
        self.end_request()
        self.set_now(datetime(2026, 11, 10, 9))
        deal.team_id = self.elsewhere
        self.end_request()
        rows = self.env["crm.adoption.report"]._read_group(
            [("kind", "=", "move"), ("user_id", "=", self.rep.id)],
            ["team_id", "date:day"],
            ["move_count:sum"],
        )
        self.assertEqual(
            [(team.name, day, count) for team, day, count in rows],
            [("Funnel Test Team", date(2026, 11, 9), 1)],
        )
