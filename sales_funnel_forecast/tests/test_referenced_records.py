# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Records the module's data points to, archived or deleted: refused in
words, or done with every figure and every path still right."""

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestReferencedRecords(FunnelCase):
    def _team_after_two_catalogues(self):
        """A team that worked with the 4-step catalogue (one deal won in its
        Won stage, one open in Prospecting), then took the 17-step one:
        the first's two stages stay while they hold deals."""
        team = self.env["crm.team"].create({"name": "Two processes"})
        simple = apply_catalogue(self.env, team)
        won = self.make_deal("Won before", simple[1], 100, team_id=team.id)
        won.action_set_won()
        self.make_deal("Open before", simple[0], 200, team_id=team.id)
        project = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_project_sales"
        )
        self.assertEqual(
            self.env["crm.stage"].search([("team_id", "=", team.id)]) - project,
            simple[0] | simple[-1],
            "the first catalogue's stages holding deals stay",
        )
        return team, project

    def test_earlier_catalogue_is_not_deleted_under_its_stages(self):
        """Deleting the first catalogue would make its stages still in the
        pipeline stages added by hand: the next deal marked won went to the
        old "Won" (sequence 50) instead of the process's "Payment". The
        deletion is refused, in words; archived, it changes nothing."""
        team, project = self._team_after_two_catalogues()
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        with self.assertRaisesRegex(UserError, "its stages are still in their pipelines"):
            catalogue.unlink()
        with self.assertRaisesRegex(UserError, "Two processes"):
            catalogue.line_ids.filtered("is_won").unlink()
        catalogue.action_archive()
        deal = self.make_deal("Won after", project[2], 300, team_id=team.id)
        deal.action_set_won()
        self.assertEqual(deal.stage_id, project[-1])
        self.assertEqual(deal.stage_id.name, "Payment")
        new = self.env["crm.lead"].create(
            {"name": "New after", "type": "opportunity", "team_id": team.id}
        )
        self.assertEqual(new.stage_id, project[0])
        self.assertStructuresHold("earlier catalogue archived")

    def test_uninstall_deletes_an_earlier_catalogue(self):
        """The uninstall deletes the shipped catalogues, earlier processes
        of teams or not."""
        self._team_after_two_catalogues()
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        catalogue.with_context(**{MODULE_UNINSTALL_FLAG: True}).unlink()
        self.assertFalse(catalogue.exists())

    def test_current_catalogue_and_unused_steps_are_deleted(self):
        """The team's current catalogue goes (the team gets the shared
        stages back), as does a catalogue no team's stage still names."""
        team, _project = self._team_after_two_catalogues()
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_project_sales")
        catalogue.unlink()
        self.assertFalse(team.stage_catalogue_id)
        unused = self.env["crm.stage.catalogue"].create(
            {
                "name": "Unused",
                "line_ids": [
                    (0, 0, {"name": "Open", "sequence": 1}),
                    (
                        0,
                        0,
                        {
                            "name": "Done",
                            "sequence": 2,
                            "is_won": True,
                            "forecast_probability": 100,
                        },
                    ),
                ],
            }
        )
        unused.unlink()
        self.assertStructuresHold("catalogues deleted")

    def test_team_with_submitted_forecasts_is_archived_not_deleted(self):
        """A team whose manager submitted a forecast for it: its deletion is
        refused in the module's words (Odoo's own message named a database
        constraint), and the forecast stays; archived, the team keeps it."""
        team = self.env["crm.team"].create({"name": "Forecasting team"})
        submission = self.env["crm.forecast.submission"].create(
            {
                "team_id": team.id,
                "user_id": False,
                "date_from": "2026-12-01",
                "commit_amount": 1000,
                "best_case_amount": 1500,
            }
        )
        with self.assertRaises(UserError) as raised:
            team.unlink()
        self.assertEqual(
            str(raised.exception),
            "These teams have forecasts submitted for them (Forecasting team): archive the "
            "teams instead, the forecasts stay with them.",
        )
        self.assertTrue(submission.exists())
        team.action_archive()
        self.assertEqual(submission.team_id, team)
