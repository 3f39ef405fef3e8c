# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's mass and automatic operations on deals (merges, conversions,
assignment, multi-edits, scoring): the module's structures and figures
hold as if each change had been made by hand."""

from odoo import Command
from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestMassOperations(FunnelCase):
    def _moves_of(self, user):
        return self.env["crm.adoption.report"].search(
            [("user_id", "=", user.id), ("kind", "=", "move")]
        )

    def test_merge_into_a_catalogue_team_is_no_move_by_hand(self):
        """A manager merges two duplicates of no team at Proposition (a
        shared stage, 40 %) with the Merge dialog, choosing a team with the
        4-step catalogue: the deal kept enters the team's pipeline at its
        Proposal (50 %). Its new stay says why (the team's pipeline, by the
        manager), and the adoption report counts no stage move of the
        manager's: 2 stays, 0 moves."""
        team, stages = self.catalogue_team("merge cause team")
        proposal = stages.filtered(lambda stage: stage.forecast_probability == 50)
        shared = self.env.ref("crm.stage_lead3")
        shared.forecast_probability = 40
        self.set_now(self.t0)
        a = self.make_deal("cause A", shared, 1000, team_id=False, partner_name="Cause Co")
        b = self.make_deal("cause B", shared, 1000, team_id=False, partner_name="Cause Co")
        self.end_request()
        self.set_now(self.day(1))
        self.env["crm.merge.opportunity"].with_user(self.manager).with_context(
            active_model="crm.lead", active_ids=(a | b).ids
        ).create(
            {
                "opportunity_ids": [Command.set((a | b).ids)],
                "user_id": self.rep.id,
                "team_id": team.id,
            }
        ).action_merge()
        self.end_request()
        kept = (a | b).exists()
        self.assertEqual(kept.stage_id, proposal)
        stays = kept.stage_history_ids.sorted("date_in")
        self.assertEqual(
            [(stay.stage_id, stay.reason) for stay in stays],
            [(shared, "create"), (proposal, "team")],
        )
        self.assertEqual(stays[-1].create_uid, self.manager)
        self.assertFalse(self._moves_of(self.manager))
        self.assertStructuresHold("merged into a catalogue team")

    def test_mass_convert_merging_into_an_opportunity_is_no_move_by_hand(self):
        """A manager converts two leads with the mass Convert dialog, merging
        duplicates, into a team with the 4-step catalogue; one lead
        duplicates an opportunity of the test team at Proposal (60 %). The
        opportunity enters the team's pipeline at its Proposal (50 %): its
        stay says why (the team's pipeline), the converted lead's first
        stay is its creation, and the adoption report counts no stage move
        of the manager's."""
        team, stages = self.catalogue_team("convert cause team")
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.rep.id})
        proposal = stages.filtered(lambda stage: stage.forecast_probability == 50)
        self.set_now(self.t0)
        existing, leads = self.opportunity_and_leads("cause.example")
        self.end_request()
        self.set_now(self.day(1))
        self.mass_convert(leads, team, user=self.manager)
        self.end_request()
        self.assertEqual((existing.team_id, existing.stage_id), (team, proposal))
        self.assertEqual(
            [(stay.stage_id, stay.reason) for stay in existing.stage_history_ids.sorted("date_in")],
            [(self.s_proposal, "create"), (proposal, "team")],
        )
        other = leads.exists() - existing
        self.assertEqual(other.type, "opportunity")
        self.assertEqual(other.stage_history_ids.mapped("reason"), ["create"])
        self.assertFalse(self._moves_of(self.manager))
        self.assertStructuresHold("mass convert merging into an opportunity")

    def test_merge_keeping_the_merged_deals_counts_their_calls_once(self):
        """Three deals merged over RPC keeping the merged ones
        (``merge_opportunity(auto_unlink=False)``, as Odoo's Convert dialog
        and lead assignment merge before deleting them): Prospect with a
        call (no answer), Qualified with a call (a conversation), Proposal
        without any. The deal kept (Proposal) has the 2 calls; the two
        others, kept beside it, count 0 calls each, not 1."""
        self.set_now(self.t0)
        prospect = self.make_deal("calls A", self.s_new, 100, partner_name="Calls Co")
        proposal = self.make_deal("calls B", self.s_proposal, 200, partner_name="Calls Co")
        qualified = self.make_deal("calls C", self.s_qualified, 300, partner_name="Calls Co")
        self.env["crm.lead.call"].create(
            [
                {"lead_id": prospect.id, "outcome": "no_answer"},
                {"lead_id": qualified.id, "outcome": "conversation"},
            ]
        )
        self.end_request()
        self.set_now(self.day(1))
        kept = (prospect | proposal | qualified).merge_opportunity(auto_unlink=False)
        self.end_request()
        self.assertEqual(kept, proposal)
        self.assertEqual(
            [(deal.call_count, len(deal.call_ids)) for deal in (proposal, prospect, qualified)],
            [(2, 2), (0, 0), (0, 0)],
        )
        self.assertFalse(prospect.call_attempt_count or qualified.date_first_conversation)
        self.assertStructuresHold("merged keeping the merged deals")

    def test_merge_into_another_catalogue_team_keeps_the_deals_step(self):
        """Three deals merged with the Merge dialog into team B, both teams
        with the 5-step catalogue (10 / 25 / 50 / 75 / won): the deal kept
        is team A's at Proposal (1,000), the others team B's at
        Qualification (2,000) and of no team at New (3,000). The deal kept
        enters B's pipeline at B's Proposal, the same step (weighted 500),
        not at B's Prospecting (10 %, weighted 100). A deal won in A merged
        into B the same way stays won, at B's Won."""
        team_a, stages_a = self.catalogue_team("step team A")
        team_b, stages_b = self.catalogue_team("step team B")
        self.set_now(self.t0)
        kept = self.make_deal("step H", stages_a[2], 1000, team_id=team_a.id, partner_name="Step")
        qualified = self.make_deal(
            "step T1",
            stages_b[1],
            2000,
            team_id=team_b.id,
            user_id=self.other_rep.id,
            partner_name="Step",
        )
        new = self.make_deal(
            "step T2", self.env.ref("crm.stage_lead1"), 3000, team_id=False, partner_name="Step"
        )
        won = self.make_deal("won H", stages_a[4], 4000, team_id=team_a.id, partner_name="Won")
        open_b = self.make_deal("won T", stages_b[0], 100, team_id=team_b.id, partner_name="Won")
        self.end_request()
        self.set_now(self.day(1))
        for deals in (kept | qualified | new, won | open_b):
            self.env["crm.merge.opportunity"].with_context(
                active_model="crm.lead", active_ids=deals.ids
            ).create(
                {
                    "opportunity_ids": [Command.set(deals.ids)],
                    "user_id": self.other_rep.id,
                    "team_id": team_b.id,
                }
            ).action_merge()
        self.end_request()
        self.assertFalse((qualified | new | open_b).exists())
        self.assertEqual(
            (kept.team_id, kept.stage_id, kept.probability, kept.forecast_revenue),
            (team_b, stages_b[2], 50.0, 500.0),
        )
        self.assertEqual(
            [(stay.stage_id, stay.reason) for stay in kept.stage_history_ids.sorted("date_in")],
            [(stages_a[2], "create"), (stages_b[2], "team")],
        )
        self.assertEqual(
            (won.team_id, won.stage_id, won.probability, won.pipeline_amount),
            (team_b, stages_b[4], 100.0, 4000.0),
        )
        self.assertStructuresHold("merged into another catalogue team")
