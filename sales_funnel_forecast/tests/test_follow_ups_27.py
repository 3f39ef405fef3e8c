# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-ups of 18.0.1.26.0: refusals that name records name five and
count the others; the shipped catalogues' names count their steps as their
Steps Count column does."""

import re

from psycopg2.extras import Json

from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
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


@tagged("post_install", "-at_install")
class TestShippedCatalogueNames(FunnelCase):
    """A catalogue's name says how many steps it has, the won one counted,
    as the Steps Count column and the stages it gives a team count them:
    "Simple sales (4 steps)" said 4 beside a count of 5 (Prospecting,
    Qualification, Proposal, Closing, Won), "Project sales (17 steps)" 17,
    Payment, its won step, among them."""

    def test_each_shipped_catalogue_names_its_step_count(self):
        catalogues = self.env["crm.stage.catalogue"].browse(
            self.env["ir.model.data"]
            .search(
                [("module", "=", "sales_funnel_forecast"), ("model", "=", "crm.stage.catalogue")]
            )
            .mapped("res_id")
        )
        self.assertEqual(
            {catalogue.name: catalogue.step_count for catalogue in catalogues},
            {
                "Project sales (17 steps)": 17,
                "Simple sales (5 steps)": 5,
                "Active sales (9 steps)": 9,
            },
        )
        for catalogue in catalogues:
            with self.subTest(catalogue=catalogue.name):
                team = self.env["crm.team"].create({"name": catalogue.name})
                wizard = self.env["crm.stage.catalogue.apply"].create(
                    {"catalogue_id": catalogue.id, "team_id": team.id}
                )
                stages = self.env["crm.stage"].search(wizard.action_apply()["domain"])
                steps = int(re.search(r"\((\d+) steps\)", catalogue.name).group(1))
                self.assertEqual(len(stages), steps)
                self.assertEqual(len(stages.filtered("is_won")), 1)

    def test_upgrade_renames_the_simple_catalogue_still_as_shipped(self):
        """A database of 18.0.1.26.0 has "Simple sales (4 steps)", its
        French name as fr.po shipped it and a German one a user typed: the
        upgrade gives the English name "Simple sales (5 steps)", drops the
        French one for the new fr.po to give (loaded after the scripts) and
        keeps the German one. A catalogue the user renamed keeps its name."""
        simple = self.env.ref("sales_funnel_forecast.catalogue_simple")
        project = self.env.ref("sales_funnel_forecast.catalogue_project_sales")
        self.env.flush_all()

        def set_names(catalogue, names):
            self.env.cr.execute(
                "UPDATE crm_stage_catalogue SET name = %s::jsonb WHERE id = %s",
                [Json(names), catalogue.id],
            )

        set_names(
            simple,
            {
                "en_US": "Simple sales (4 steps)",
                "fr_FR": "Vente simple (4 phases)",
                "de_DE": "Unser einfacher Verkauf",
            },
        )
        set_names(project, {"en_US": "Our projects"})
        migration = load_script(
            "sales_funnel_forecast/migrations/18.0.1.27.0/post-migrate.py",
            "sff_post_migrate_18_0_1_27_0",
        )
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.env.cr.execute(
            "SELECT id, name FROM crm_stage_catalogue WHERE id IN %s", [(simple.id, project.id)]
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()),
            {
                simple.id: {"en_US": "Simple sales (5 steps)", "de_DE": "Unser einfacher Verkauf"},
                project.id: {"en_US": "Our projects"},
            },
        )
        # a renamed simple catalogue keeps its names
        set_names(simple, {"en_US": "Quick deals", "fr_FR": "Vente simple (4 phases)"})
        migration.migrate(self.env.cr, "18.0.1.26.0")
        self.env.cr.execute("SELECT name FROM crm_stage_catalogue WHERE id = %s", [simple.id])
        self.assertEqual(
            self.env.cr.fetchone()[0], {"en_US": "Quick deals", "fr_FR": "Vente simple (4 phases)"}
        )
