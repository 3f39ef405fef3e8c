# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stall rules and the module's scheduled jobs while people work."""

from odoo.tests import tagged

from .common import apply_catalogue
from .test_stall import StallCase


@tagged("post_install", "-at_install")
class TestStallRulesWhilePeopleWork(StallCase):
    def test_move_back_stays_in_the_teams_process(self):
        """A team moves from the simple catalogue to the active-sales one:
        the simple catalogue's Qualification (sequence 20) stays while a
        deal is in it. A deal stalling in the new Presentation (sequence
        30) moves back one step to the new Meeting preparation (sequence
        20), not to the old Qualification, which sorts after it by name."""
        team = self.env["crm.team"].create({"name": "Switching process"})
        apply_catalogue(self.env, team)
        old = self.env["crm.stage"].search(
            [("team_id", "=", team.id), ("name", "=", "Qualification")]
        )
        self.set_now(self.day(0))
        self.env["crm.lead"].create(
            {"name": "Left behind", "type": "opportunity", "team_id": team.id, "stage_id": old.id}
        )
        stages = apply_catalogue(
            self.env, team, xmlid="sales_funnel_forecast.catalogue_active_sales"
        )
        self.assertTrue(old.active, "the old stage holds a deal: it stays")
        by_name = {stage.name: stage for stage in stages}
        presentation = by_name["Presentation"]
        presentation.write({"stall_days": 3, "stall_action": "move_back"})
        deal = self.env["crm.lead"].create(
            {
                "name": "Stalls",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": presentation.id,
            }
        )
        self.set_now(self.day(4))
        self.run_job()
        self.assertEqual(deal.stage_id.name, "Meeting preparation")
        self.assertStructuresHold("moved back within the process")
