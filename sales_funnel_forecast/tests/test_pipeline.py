# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestTeamPipeline(FunnelCase):
    """A team to which a catalogue was applied has exactly its catalogue's
    stages; other teams keep Odoo's shared stages beside their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shared = cls.env["crm.stage"].search([("team_id", "=", False)])
        cls.catalogue_team = cls.env["crm.team"].create({"name": "Catalogue Team"})
        wizard = cls.env["crm.stage.catalogue.apply"].create(
            {
                "catalogue_id": cls.env.ref("sales_funnel_forecast.catalogue_simple").id,
                "team_id": cls.catalogue_team.id,
            }
        )
        cls.catalogue_stages = cls.env["crm.stage"].search(
            wizard.action_apply()["domain"], order="sequence, id"
        )

    def columns(self, team):
        Lead = self.env["crm.lead"].with_context(default_team_id=team.id)
        return Lead._read_group_stage_ids(self.env["crm.stage"], [])

    def test_catalogue_team_kanban_has_only_its_stages(self):
        self.assertTrue(self.shared, "Odoo's shared stages exist")
        self.assertEqual(
            self.catalogue_team.stage_catalogue_id,
            self.env.ref("sales_funnel_forecast.catalogue_simple"),
        )
        self.assertEqual(
            self.columns(self.catalogue_team).mapped("name"),
            ["Prospecting", "Qualification", "Proposal", "Closing", "Won"],
        )
        # a team without a catalogue keeps the shared stages beside its own
        plain = self.env["crm.team"].create({"name": "Plain Team"})
        own = self.env["crm.stage"].create(
            {"name": "Plain own", "sequence": 50, "team_id": plain.id}
        )
        self.assertEqual(
            self.columns(plain), (self.shared | own).sorted(lambda s: (s.sequence, s.name, s.id))
        )
        self.assertNotIn(own, self.columns(self.catalogue_team))

    def test_stage_of_a_shared_stage_deal_still_shows(self):
        deal = self.make_deal(
            "Left in a shared stage", self.shared[0], team_id=self.catalogue_team.id
        )
        Lead = self.env["crm.lead"].with_context(default_team_id=self.catalogue_team.id)
        columns = Lead._read_group_stage_ids(deal.stage_id, [])
        self.assertIn(deal.stage_id, columns, "a column holding deals is never hidden")

    def test_new_deal_starts_in_the_catalogue_first_step(self):
        deal = self.env["crm.lead"].create(
            {
                "name": "No stage given",
                "type": "opportunity",
                "team_id": self.catalogue_team.id,
            }
        )
        self.assertEqual(deal.stage_id.name, "Prospecting")
        self.assertEqual(deal.probability, 10.0)

    def test_won_goes_to_the_catalogue_won_step(self):
        deal = self.make_deal(
            "Won early", self.catalogue_stages[0], 1000, team_id=self.catalogue_team.id
        )
        deal.action_set_won()
        self.assertEqual(deal.stage_id, self.catalogue_stages.filtered("is_won"))

    def test_won_in_a_batch_of_two_teams(self):
        ours = self.make_deal(
            "Ours", self.catalogue_stages[1], 1000, team_id=self.catalogue_team.id
        )
        theirs = self.make_deal("Theirs", self.s_proposal, 1000)
        (ours | theirs).action_set_won()
        self.assertEqual(ours.stage_id, self.catalogue_stages.filtered("is_won"))
        self.assertEqual(theirs.stage_id, self.s_won)
        self.assertEqual((ours | theirs).mapped("probability"), [100.0, 100.0])

    def test_applying_a_catalogue_moves_no_other_team_deal(self):
        other_team = self.env["crm.team"].create({"name": "Untouched"})
        untouched = self.make_deal("Untouched", self.shared[0], team_id=other_team.id)
        team = self.env["crm.team"].create({"name": "Late adopter"})
        waiting = self.make_deal("Waiting", self.shared[0], team_id=team.id)
        wizard = self.env["crm.stage.catalogue.apply"].create(
            {
                "catalogue_id": self.env.ref("sales_funnel_forecast.catalogue_active_sales").id,
                "team_id": team.id,
            }
        )
        self.assertEqual(wizard.shared_stage_deal_count, 1)
        wizard.action_apply()
        self.assertEqual((untouched.stage_id, waiting.stage_id), (self.shared[0], self.shared[0]))
        self.assertEqual(len(self.columns(team)), 9)

    def test_status_bar_offers_the_team_pipeline(self):
        deal = self.make_deal(
            "Status bar", self.catalogue_stages[0], team_id=self.catalogue_team.id
        )
        self.assertEqual(deal.pipeline_stage_ids, self.catalogue_stages)
        # a deal left in a shared stage (from before the catalogue: a new
        # deal enters the pipeline) sees that stage too
        stray = self.make_deal("Stray", self.catalogue_stages[0], team_id=self.catalogue_team.id)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s WHERE id = %s", [self.shared[0].id, stray.id]
        )
        stray.invalidate_recordset()
        self.assertEqual(stray.pipeline_stage_ids, self.catalogue_stages | self.shared[0])
        plain = self.make_deal("Plain", self.s_new)
        self.assertEqual(plain.pipeline_stage_ids, self.shared | self.team_stages)

    @property
    def team_stages(self):
        return self.s_new | self.s_qualified | self.s_proposal | self.s_won
