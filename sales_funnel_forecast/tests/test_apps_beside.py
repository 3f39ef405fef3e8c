# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Beside the community apps that feed or read Odoo CRM (partner portal,
live chat, events, website forms, lead mining, sales with deliveries...):
the paths those apps take, shown with the module's own dependencies."""

from odoo.tests import tagged

from .common import FunnelCase, apply_catalogue


@tagged("post_install", "-at_install")
class TestAppsBeside(FunnelCase):
    def test_shared_stage_written_enters_the_teams_pipeline(self):
        """Odoo's partner portal (website_crm_partner_assign) lists, as the
        stage buttons of a deal, Odoo's shared stages beside the team's own
        (its search: no team or the deal's team) and writes the one the
        reseller clicks. A deal of a team with a catalogue (Prospecting 10 %,
        Qualification 25 %, Proposal 50 %...) moved to a shared stage at
        30 % (Odoo's "Qualified") enters its team's pipeline at its stage
        nearest in percentage, Qualification, as a deal handed to the team
        does; it stayed in the shared stage, out of its team's funnel."""
        process_team = self.env["crm.team"].create({"name": "Process team"})
        stages = apply_catalogue(self.env, process_team)
        shared = self.env["crm.stage"].create(
            {"name": "Shared Qualified", "sequence": 2, "forecast_probability": 30}
        )
        self.set_now(self.t0)
        deal = self.make_deal("Reseller deal", stages[0], 1000, team_id=process_team.id)
        self.end_request()
        self.set_now(self.day(1))
        deal.with_user(self.rep).write({"stage_id": shared.id})
        self.end_request()
        qualification = stages.filtered(lambda stage: stage.name == "Qualification")
        self.assertEqual(deal.stage_id, qualification)
        self.assertIn(deal.stage_id, deal.pipeline_stage_ids)
        self.assertEqual(
            [(stay.stage_id, stay.reason) for stay in deal.stage_history_ids.sorted("date_in")],
            [(stages[0], "create"), (qualification, "manual")],
        )
        self.assertEqual(deal.probability, 25)
        self.assertEqual(deal.forecast_revenue, 250)
        self.assertStructuresHold("a shared stage written on a deal of a team with a catalogue")
