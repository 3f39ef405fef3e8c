# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-ups of 18.0.1.26.0: refusals that name records name five and
count the others."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue, make_plan


@tagged("post_install", "-at_install")
class TestRefusalsNameFiveAndCountTheRest(FunnelCase):
    """A refusal names at most five records, then says how many others
    there are, as losing eight deals without a reason does ("Deal 1, ...,
    Deal 5 and 3 more"): the others were left out without a word."""

    def refusal(self, act):
        with self.assertRaises(UserError) as caught:
            act()
        return str(caught.exception)

    def stall_stages(self, count, reason):
        """``count`` stages of the team, "Stall 1", "Stall 2"... in that
        order, closing their deals stalled 5 days as lost for ``reason``."""
        return self.env["crm.stage"].create(
            [
                {
                    "name": f"Stall {n}",
                    "sequence": 910 + n,
                    "team_id": self.team.id,
                    "stall_days": 5,
                    "stall_action": "lose",
                    "stall_lost_reason_id": reason.id,
                }
                for n in range(1, count + 1)
            ]
        )

    def test_lost_reason_of_seven_stall_rules_names_five_and_counts_two(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(7, silent)
        self.assertEqual(
            self.refusal(silent.unlink),
            "Lost reason “Went silent” closes the stalled deals of stages (Stall 1, Stall 2, "
            "Stall 3, Stall 4, Stall 5 and 2 more): choose another reason in their stall "
            "rules first, or archive the reason.",
        )
        self.assertTrue(silent.exists())

    def test_lost_reason_of_six_stall_rules_counts_one_more(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(6, silent)
        self.assertIn(
            "(Stall 1, Stall 2, Stall 3, Stall 4, Stall 5 and one more)",
            self.refusal(silent.unlink),
        )

    def test_five_stall_rules_are_all_named(self):
        silent = self.env["crm.lost.reason"].create({"name": "Went silent"})
        self.stall_stages(5, silent)
        self.assertIn("(Stall 1, Stall 2, Stall 3, Stall 4, Stall 5):", self.refusal(silent.unlink))

    def test_earlier_catalogue_with_seven_stages_holding_deals(self):
        """A team worked with a 7-step process (six steps, then won): a
        deal open in each of its six steps, one won. It then took the
        4-step catalogue; deleting the 7-step one is refused naming five of
        its seven stages and counting the two others."""
        catalogue = self.env["crm.stage.catalogue"].create(
            {
                "name": "Seven steps",
                "line_ids": [
                    Command.create(
                        {
                            "name": f"Step {n}",
                            "sequence": 10 * n,
                            "forecast_probability": 100 if n == 7 else 10 * n,
                            "is_won": n == 7,
                        }
                    )
                    for n in range(1, 8)
                ],
            }
        )
        team = self.env["crm.team"].create({"name": "Seven"})
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {"catalogue_id": catalogue.id, "team_id": team.id}
        )
        stages = self.env["crm.stage"].search(wizard.action_apply()["domain"])
        self.assertEqual(stages.mapped("name"), [f"Step {n}" for n in range(1, 8)])
        for stage in stages[:6]:
            self.make_deal(f"Open in {stage.name}", stage, 100, team_id=team.id)
        self.make_deal("Won", stages[0], 100, team_id=team.id).action_set_won()
        apply_catalogue(self.env, team)
        message = self.refusal(catalogue.unlink)
        self.assertIn(
            "(Step 1, Step 2, Step 3, Step 4, Step 5 and 2 more): without their steps", message
        )
        self.assertTrue(catalogue.exists())

    def planned_teams(self, count):
        """``count`` teams, each with its plan for 2027: "Plan 1"..."""
        teams = self.env["crm.team"].create([{"name": f"Team {n}"} for n in range(1, count + 1)])
        for n, team in enumerate(teams, start=1):
            make_plan(self.env, team, name=f"Plan {n}")
        return teams

    def test_seven_teams_with_plans_name_five_plans_and_count_two(self):
        teams = self.planned_teams(7)
        self.assertEqual(
            self.refusal(teams.with_user(self.manager).unlink),
            "These teams have target plans (Plan 1, Plan 2, Plan 3, Plan 4, Plan 5 and 2 "
            "more): delete the plans first, or archive the teams.",
        )
        self.assertEqual(len(teams.exists()), 7)

    def test_six_teams_with_plans_count_one_more(self):
        teams = self.planned_teams(6)
        self.assertIn(
            "(Plan 1, Plan 2, Plan 3, Plan 4, Plan 5 and one more):",
            self.refusal(teams.with_user(self.manager).unlink),
        )
