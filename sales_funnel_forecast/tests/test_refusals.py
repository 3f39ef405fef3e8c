# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deletions the database would refuse through a foreign key of the
module's tables: refused in the module's words, naming what holds the
record and what to do instead, and nothing lost."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import FunnelCase, make_plan


@tagged("post_install", "-at_install")
class TestRefusals(FunnelCase):
    def test_stage_in_plan_conversions_is_not_deleted(self):
        """A stage no deal went through, named in a plan's stage conversions
        (Qualified 50 %, the extra stage 40 %: a win rate of 20 %): its
        deletion is refused naming the plan (Odoo said a database constraint
        of "crm.target.plan.stage"), the plan keeps its 2 lines; taken out
        of the plan, the stage goes."""
        extra = self.env["crm.stage"].create(
            {"name": "T-Extra", "sequence": 902, "team_id": self.team.id}
        )
        plan = make_plan(
            self.env,
            self.team,
            name="Conversions 2027",
            stage_line_ids=[
                (0, 0, {"stage_id": self.s_qualified.id, "conversion": 50}),
                (0, 0, {"stage_id": extra.id, "conversion": 40}),
            ],
        )
        self.assertEqual(plan.win_rate, 20.0)
        with self.assertRaises(UserError) as raised:
            extra.with_user(self.manager).unlink()
        self.assertEqual(
            str(raised.exception),
            "Stage “T-Extra” is in the stage conversions of target plans (Conversions 2027): "
            "take it out of the plans first, or archive the stage.",
        )
        self.assertEqual(len(plan.stage_line_ids), 2)
        self.assertEqual(plan.win_rate, 20.0)
        plan.stage_line_ids.filtered(lambda line: line.stage_id == extra).unlink()
        extra.with_user(self.manager).unlink()
        self.assertFalse(extra.exists())
        self.assertEqual(plan.win_rate, 50.0)

    def test_lost_reason_of_a_stall_rule_is_not_deleted(self):
        """Prospect closes deals stalled 5 days as lost for "Went silent":
        deleting that reason is refused naming the stage (Odoo said a
        database constraint of "crm.stage"), and the rule keeps it.
        Qualified's rule was changed from closing as lost to flagging, the
        reason it had left hidden behind: that reason goes, the stage's
        flag rule stays as it is, without it."""
        Reason = self.env["crm.lost.reason"]
        silent, stale = Reason.create([{"name": "Went silent"}, {"name": "Stale"}])
        self.s_new.write(
            {"stall_days": 5, "stall_action": "lose", "stall_lost_reason_id": silent.id}
        )
        self.s_qualified.write(
            {"stall_days": 7, "stall_action": "lose", "stall_lost_reason_id": stale.id}
        )
        self.s_qualified.stall_action = "flag"
        with self.assertRaises(UserError) as raised:
            silent.unlink()
        self.assertEqual(
            str(raised.exception),
            "Lost reason “Went silent” closes the stalled deals of stages (T-Prospect): "
            "choose another reason in their stall rules first, or archive the reason.",
        )
        self.assertEqual(self.s_new.stall_lost_reason_id, silent)
        stale.unlink()
        self.assertEqual(
            (self.s_qualified.stall_days, self.s_qualified.stall_action),
            (7, "flag"),
        )
        self.assertFalse(self.s_qualified.stall_lost_reason_id)
        silent.action_archive()
        self.assertEqual(self.s_new.stall_lost_reason_id, silent)

    def test_buying_role_in_use_is_not_deleted(self):
        """The role "Champion" is given to two people on one deal and one on another:
        its deletion is refused (Odoo said a database constraint of
        "crm.lead.buying.role"), saying 3 people hold it; the 3 roles stay.
        Archived, the deals keep it; a role nobody holds goes."""
        Role = self.env["crm.buying.role.type"].with_user(self.manager)
        champion, unused = Role.create([{"name": "Champion"}, {"name": "Unused"}])
        ann, bob, cyd = self.env["res.partner"].create(
            [{"name": "Ann"}, {"name": "Bob"}, {"name": "Cyd"}]
        )
        first = self.make_deal("First", self.s_new, 100)
        second = self.make_deal("Second", self.s_new, 200)
        self.env["crm.lead.buying.role"].create(
            [
                {"lead_id": first.id, "partner_id": ann.id, "role_id": champion.id},
                {"lead_id": first.id, "partner_id": bob.id, "role_id": champion.id},
                {"lead_id": second.id, "partner_id": cyd.id, "role_id": champion.id},
            ]
        )
        with self.assertRaises(UserError) as raised:
            champion.unlink()
        self.assertEqual(
            str(raised.exception),
            "Buying role “Champion” is given to 3 people on deals: archive it instead, "
            "the deals keep it.",
        )
        roles = (first | second).buying_role_ids
        self.assertEqual((len(roles), roles.role_id), (3, champion))
        champion.action_archive()
        self.assertEqual((first | second).buying_role_ids.role_id, champion)
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_user_with_calls_forecasts_or_plans_is_not_deleted(self):
        """Four salespeople: one logged a call, one submitted a forecast
        (Commit 1,000), one adjusted it (Commit 800), one has a target plan
        of their own. Deleting each is refused in words (Odoo said a
        database constraint of the call, submission, adjustment or plan):
        archived, each keeps what they did; a salesperson with none goes."""
        caller, submitter, adjuster, planned, idle = (
            new_test_user(
                self.env,
                login=f"sff_gone_{index}",
                groups="sales_team.group_sale_manager",
                name=name,
            )
            for index, name in enumerate(["Cal", "Sue", "Adam", "Pat", "Ida"])
        )
        deal = self.make_deal("Called", self.s_new, 100)
        call = self.env["crm.lead.call"].create(
            {"lead_id": deal.id, "outcome": "no_answer", "user_id": caller.id}
        )
        submission = self.env["crm.forecast.submission"].create(
            {
                "team_id": self.team.id,
                "user_id": submitter.id,
                "date_from": "2026-03-01",
                "commit_amount": 1000,
                "best_case_amount": 1500,
            }
        )
        adjustment = (
            self.env["crm.forecast.adjustment"]
            .with_user(adjuster)
            .create(
                {
                    "submission_id": submission.id,
                    "commit_amount": 800,
                    "best_case_amount": 1500,
                    "reason": "Too hopeful",
                }
            )
        )
        plan = make_plan(self.env, self.team, name="Pat's plan 2027", user_id=planned.id)
        recorded = (
            "These users have logged calls or submitted or adjusted forecasts (%s): "
            "archive the users instead, what they did stays under their name."
        )
        for user, message in (
            (caller, recorded % "Cal"),
            (submitter, recorded % "Sue"),
            (adjuster, recorded % "Adam"),
            (
                planned,
                "These users have target plans (Pat's plan 2027): delete the plans first, "
                "or archive the users.",
            ),
        ):
            with self.subTest(user=user.name):
                with self.assertRaises(UserError) as raised:
                    user.unlink()
                self.assertEqual(str(raised.exception), message)
        (caller | submitter | adjuster | planned).action_archive()
        self.assertEqual(
            (call.user_id, submission.user_id, adjustment.user_id, plan.user_id),
            (caller, submitter, adjuster, planned),
        )
        self.assertEqual((submission.commit_amount, adjustment.commit_amount), (1000.0, 800.0))
        idle.unlink()
        self.assertFalse(idle.exists())

    def test_company_with_plans_or_forecasts_is_not_deleted(self):
        """A company without deals, with a target plan of its own (120,000
        in 2027), and another whose team's manager submitted a forecast
        (Commit 1,000): deleting either is refused in words (Odoo said a
        database constraint of the plan or the submission), and the plan
        and the forecast stay; archived, they keep them."""
        planned, forecasting = self.env["res.company"].create(
            [{"name": "Planned Company"}, {"name": "Forecasting Company"}]
        )
        self.env.user.company_ids |= planned | forecasting
        plan = make_plan(
            self.env, self.env["crm.team"], name="Company plan 2027", company_id=planned.id
        )
        team = self.env["crm.team"].create(
            {"name": "Forecasting team", "company_id": forecasting.id}
        )
        submission = self.env["crm.forecast.submission"].create(
            {
                "team_id": team.id,
                "company_id": forecasting.id,
                "user_id": False,
                "date_from": "2026-12-01",
                "commit_amount": 1000,
                "best_case_amount": 1500,
            }
        )
        for company, message in (
            (
                planned,
                "These companies have target plans (Company plan 2027): delete the plans "
                "first, or archive the companies.",
            ),
            (
                forecasting,
                "These companies have forecasts submitted in them (Forecasting Company): "
                "archive the companies instead, the forecasts stay with them.",
            ),
        ):
            with self.subTest(company=company.name):
                with self.assertRaises(UserError) as raised:
                    company.unlink()
                self.assertEqual(str(raised.exception), message)
        (planned | forecasting).action_archive()
        self.assertEqual(
            (plan.company_id, plan.revenue_target, submission.company_id),
            (planned, 120000.0, forecasting),
        )

    def test_team_message_says_what_lets_it_go(self):
        """The refusal for a team with plans said "delete or archive the
        plans first": the team's plan archived, the deletion was refused
        again (an archived plan is still the team's). It now says what
        does let the team go."""
        team = self.env["crm.team"].create({"name": "Planned team"})
        plan = make_plan(self.env, team, name="Team plan 2027")
        plan.action_archive()
        with self.assertRaises(UserError) as raised:
            team.with_user(self.manager).unlink()
        self.assertEqual(
            str(raised.exception),
            "These teams have target plans (Team plan 2027): delete the plans first, or "
            "archive the teams.",
        )
        plan.unlink()
        team.with_user(self.manager).unlink()
        self.assertFalse(team.exists())
