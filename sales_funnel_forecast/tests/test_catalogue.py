# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FunnelCase

PROJECT_SALES = [
    ("New prospect", 0),
    ("Need identified", 1),
    ("First contact", 2),
    ("First meeting", 3),
    ("Opportunity analysis", 5),
    ("Proposal preparation", 10),
    ("Proposal presentation", 15),
    ("Prospect evaluation", 20),
    ("Second proposal preparation", 25),
    ("Second proposal presentation", 30),
    ("Second proposal evaluation", 35),
    ("Negotiation", 40),
    ("Final negotiation", 50),
    ("Order", 80),
    ("Delivery", 85),
    ("Invoice", 95),
    ("Payment", 100),
]


@tagged("post_install", "-at_install")
class TestStageCatalogue(FunnelCase):
    def apply(self, xmlid, team):
        wizard = (
            self.env["crm.stage.catalogue.apply"]
            .with_user(self.manager)
            .create(
                {
                    "catalogue_id": self.env.ref(xmlid).id,
                    "team_id": team.id,
                }
            )
        )
        action = wizard.action_apply()
        return self.env["crm.stage"].search(action["domain"], order="sequence")

    def test_project_sales_catalogue(self):
        team = self.env["crm.team"].create({"name": "Projects"})
        stages = self.apply("sales_funnel_forecast.catalogue_project_sales", team)
        self.assertEqual([(s.name, s.forecast_probability) for s in stages], PROJECT_SALES)
        self.assertEqual(stages.filtered("is_won").name, "Payment")
        self.assertEqual(stages.team_id, team)
        self.assertTrue(all(stages.mapped("requirements")))
        self.assertEqual(stages[3].requirements, "A first meeting with the prospect has been held.")
        # applying again updates the same stages instead of adding 17 more
        again = self.apply("sales_funnel_forecast.catalogue_project_sales", team)
        self.assertEqual(again, stages)

    def test_short_catalogues(self):
        team = self.env["crm.team"].create({"name": "Short"})
        four = self.apply("sales_funnel_forecast.catalogue_simple", team)
        self.assertEqual(
            four.mapped("name"), ["Prospecting", "Qualification", "Proposal", "Closing", "Won"]
        )
        self.assertEqual(four.mapped("forecast_probability"), [10.0, 25.0, 50.0, 75.0, 100.0])
        team_b = self.env["crm.team"].create({"name": "Active"})
        nine = self.apply("sales_funnel_forecast.catalogue_active_sales", team_b)
        self.assertEqual(len(nine), 9)
        self.assertEqual(nine.filtered("is_won").name, "Completion")

    def test_steps_at_one_sequence_keep_their_order(self):
        """Steps created at one sequence (an import, a call of the API) are
        in the catalogue's order, which the team's kanban keeps: it orders
        stages of one sequence by name."""
        catalogue = self.env["crm.stage.catalogue"].create(
            {
                "name": "One sequence",
                "line_ids": [
                    Command.create({"name": "New", "forecast_probability": 10}),
                    Command.create({"name": "Demo", "forecast_probability": 50}),
                    Command.create({"name": "Signed", "is_won": True, "forecast_probability": 100}),
                ],
            }
        )
        self.assertEqual(catalogue.line_ids.mapped("sequence"), [10, 10, 10])
        team = self.env["crm.team"].create({"name": "One sequence"})
        self.env["crm.stage.catalogue.apply"].create(
            {"catalogue_id": catalogue.id, "team_id": team.id}
        ).action_apply()
        columns = (
            self.env["crm.lead"]
            .with_context(default_team_id=team.id)
            ._read_group_stage_ids(self.env["crm.stage"], [])
        )
        self.assertEqual(columns.mapped("name"), ["New", "Demo", "Signed"])
        self.assertEqual(columns.mapped("sequence"), [10, 11, 12])

    def test_names_are_translated(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        line = self.env.ref("sales_funnel_forecast.catalogue_simple_step_01")
        line.update_field_translations("name", {"fr_FR": "Prospection"})
        team = self.env["crm.team"].create({"name": "Bilingual"})
        stages = self.apply("sales_funnel_forecast.catalogue_simple", team)
        self.assertEqual(stages[0].with_context(lang="fr_FR").name, "Prospection")
        self.assertEqual(stages[0].with_context(lang="en_US").name, "Prospecting")

    def test_catalogue_needs_a_won_step(self):
        with self.assertRaisesRegex(ValidationError, "no won step"):
            self.env["crm.stage.catalogue"].create(
                {
                    "name": "Broken",
                    "line_ids": [(0, 0, {"name": "Only", "forecast_probability": 50})],
                }
            )
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.env.ref(
                "sales_funnel_forecast.catalogue_simple_step_02"
            ).forecast_probability = 150
