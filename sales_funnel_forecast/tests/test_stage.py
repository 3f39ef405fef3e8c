# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStagePercentages(FunnelCase):
    def test_percentage_out_of_range_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.s_new.forecast_probability = 120
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.s_new.forecast_probability = -1

    def test_negative_stall_days_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.s_new.stall_days = -3

    def test_move_back_needs_a_step(self):
        with self.assertRaisesRegex(ValidationError, "at least one stage"):
            self.s_new.write(
                {"stall_days": 10, "stall_action": "move_back", "stall_move_back_steps": 0}
            )

    def test_won_stage_is_always_100(self):
        won = self.env["crm.stage"].create({"name": "Signed", "is_won": True})
        self.assertEqual(won.forecast_probability, 100.0)
        with self.assertRaisesRegex(ValidationError, "must be 100"):
            won.forecast_probability = 80
        self.s_proposal.is_won = True
        self.assertEqual(self.s_proposal.forecast_probability, 100.0)

    def test_only_a_won_stage_is_at_100(self):
        with self.assertRaisesRegex(ValidationError, "Only the stage where a deal is won"):
            self.s_proposal.forecast_probability = 100

    def test_a_new_stage_never_stalls_its_deals(self):
        """A stage created without a stall rule (0 days: never) leaves its
        deals alone, however long they stay; given a limit, its default
        action flags them."""
        stage = self.env["crm.stage"].create(
            {
                "name": "T-Untouched",
                "sequence": 902,
                "forecast_probability": 20,
                "team_id": self.team.id,
            }
        )
        self.set_now(self.day(0))
        deal = self.make_deal("Years here", stage, 1000)
        self.set_now(self.day(800))
        self.env["crm.lead"]._cron_apply_stall_rules()
        self.env.invalidate_all()
        self.assertFalse(deal.is_stalled)
        self.assertEqual(
            (deal.stage_id, deal.active, deal.forecast_category), (stage, True, "pipeline")
        )
        stage.stall_days = 30
        self.env["crm.lead"]._cron_apply_stall_rules()
        self.env.invalidate_all()
        self.assertTrue(deal.is_stalled, "the default action: flag")
        self.assertEqual((deal.stage_id, deal.active), (stage, True), "flagged, not moved nor lost")

    def test_odoo_default_stages_got_percentages_on_install(self):
        # crm's own data, loaded before the module: New, Qualified,
        # Proposition and Won
        expected = {
            "crm.stage_lead1": 10.0,
            "crm.stage_lead2": 30.0,
            "crm.stage_lead3": 60.0,
            "crm.stage_lead4": 100.0,
        }
        for xmlid, percentage in expected.items():
            self.assertEqual(self.env.ref(xmlid).forecast_probability, percentage, xmlid)

    def test_new_stage_proposes_a_percentage_from_its_neighbours(self):
        # the team's pipeline is its own four stages only
        self.team.stage_catalogue_id = self.env.ref("sales_funnel_forecast.catalogue_simple")
        between = self.env["crm.stage"].create(
            {"name": "U-Between", "sequence": 902, "team_id": self.team.id}
        )
        # after T-Qualified (30, same sequence, a name before) and before
        # T-Proposal (60)
        self.assertEqual(between.forecast_probability, 45.0)
        # at the same sequence, a name before T-Qualified's: the kanban shows
        # it between T-Prospect (10) and T-Qualified (30)
        tied = self.env["crm.stage"].create(
            {"name": "A-Tied", "sequence": 902, "team_id": self.team.id}
        )
        self.assertEqual(
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            ._read_group_stage_ids(self.env["crm.stage"], [])
            .mapped("name")[:4],
            ["T-Prospect", "A-Tied", "T-Qualified", "U-Between"],
        )
        self.assertEqual(tied.forecast_probability, 20.0)
        first = self.env["crm.stage"].create(
            {"name": "First", "sequence": 900, "team_id": self.team.id}
        )
        self.assertEqual(first.forecast_probability, 5.0, "halfway from 0 to T-Prospect's 10")
        with Form(self.env["crm.stage"].with_context(default_sequence=903)) as form:
            form.name = "Z, typed in the form"
            form.team_id = self.team
            self.assertEqual(form.forecast_probability, 80.0, "between 60 and 100")
        # a value given is kept
        given = self.env["crm.stage"].create(
            {"name": "Given", "sequence": 902, "team_id": self.team.id, "forecast_probability": 33}
        )
        self.assertEqual(given.forecast_probability, 33.0)

    def test_unticking_won_sets_a_sensible_percentage(self):
        self.s_won.is_won = False
        # the last stage after T-Proposal (60): halfway to 100
        self.assertEqual(self.s_won.forecast_probability, 80.0)
        deal = self.make_deal("In former won", self.s_won, 1000)
        self.assertEqual(deal.probability, 80.0)

    def test_stage_with_history_cannot_be_deleted_but_can_be_archived(self):
        passed = self.env["crm.stage"].create(
            {"name": "Passed", "sequence": 902, "team_id": self.team.id}
        )
        deal = self.make_deal("Passing", passed)
        with self.assertRaisesRegex(
            UserError, "in the stage history of a deal move: .* Archive it"
        ):
            passed.unlink()
        # its stay in the stage and the move out of it
        deal.stage_id = self.s_proposal
        with self.assertRaisesRegex(
            UserError, "in the stage history of 2 deal moves: .* Archive it"
        ):
            passed.unlink()
        passed.action_archive()
        self.assertFalse(passed.active)
        self.assertEqual(deal.stage_history_ids.sorted("id")[0].stage_id, passed)
        # an archived stage leaves the team's pipeline
        self.assertNotIn(passed, deal._stage_find(limit=None))
        # a stage never used can go
        unused = self.env["crm.stage"].create({"name": "Unused", "team_id": self.team.id})
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_stage_with_open_deals_cannot_be_archived(self):
        self.make_deal("Sitting", self.s_qualified)
        with self.assertRaisesRegex(UserError, "^An open deal is in the stages you are archiving"):
            self.s_qualified.action_archive()
        self.make_deal("Sitting too", self.s_qualified)
        with self.assertRaisesRegex(UserError, "^2 open deals are in the stages you are archiving"):
            self.s_qualified.action_archive()
