# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestStagePercentageProposal(FunnelCase):
    """The team's own pipeline: Prospect 10 %, Qualified 30 %, Proposal
    60 %, Won. In the last year 12 deals went through Prospect and
    Qualified and closed: 3 won (through Proposal), 9 lost in Qualified. So
    Prospect and Qualified won 3 of 12, 25 %; Proposal saw 3 closed deals,
    too few for a proposal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only the team's own stages in its pipeline
        cls.team.stage_catalogue_id = cls.env.ref("sales_funnel_forecast.catalogue_simple")

    def close_deals(self):
        for index in range(12):
            deal = self.make_deal(f"Closed {index}", self.s_new, 100)
            deal.stage_id = self.s_qualified
            if index < 3:
                deal.stage_id = self.s_proposal
                deal.action_set_won()
            else:
                deal.action_set_lost()

    def proposal_form(self):
        form = Form(self.env["crm.stage.percentage.proposal"].with_user(self.manager))
        form.team_id = self.team
        return form

    def test_proposal_lines(self):
        self.close_deals()
        form = self.proposal_form()
        lines = [
            (
                form.line_ids.edit(index).stage_id,
                form.line_ids.edit(index).current_percentage,
                form.line_ids.edit(index).closed_count,
                form.line_ids.edit(index).won_count,
                form.line_ids.edit(index).win_rate,
                form.line_ids.edit(index).proposed_percentage,
                form.line_ids.edit(index).apply,
            )
            for index in range(len(form.line_ids))
        ]
        self.assertEqual(
            lines,
            [
                (self.s_new, 10.0, 12, 3, 25.0, 25.0, True),
                (self.s_qualified, 30.0, 12, 3, 25.0, 25.0, True),
                (self.s_proposal, 60.0, 3, 3, 100.0, 0.0, False),
            ],
        )
        with form.line_ids.edit(2) as line:
            self.assertEqual(line.note, "Too few closed deals: 3 of the 10 needed")

    def test_accepted_percentages_move_the_deals_and_are_kept(self):
        self.close_deals()
        follows = self.make_deal("Follows", self.s_new, 1000)
        typed = self.make_deal("Typed", self.s_new, 1000)
        typed.probability = 45
        self.set_now(self.day(30))
        form = self.proposal_form()
        # Qualified is left as it is
        with form.line_ids.edit(1) as line:
            line.apply = False
        wizard = form.save()
        wizard.action_apply()
        self.assertEqual(
            (self.s_new.forecast_probability, self.s_qualified.forecast_probability), (25.0, 30.0)
        )
        self.assertEqual((follows.probability, follows.forecast_revenue), (25.0, 250.0))
        self.assertEqual(typed.probability, 45.0, "a typed probability holds")
        change = self.s_new.percentage_change_ids
        self.assertEqual(
            [
                (
                    c.old_percentage,
                    c.new_percentage,
                    c.origin,
                    c.win_rate,
                    c.closed_count,
                    c.user_id,
                )
                for c in change
            ],
            [(10.0, 25.0, "win_rate", 25.0, 12, self.manager)],
        )
        self.assertEqual(change.date, self.day(30))
        self.assertFalse(self.s_qualified.percentage_change_ids)
        # a percentage edited by hand is kept too, newest first
        self.s_new.with_user(self.manager).forecast_probability = 15
        self.s_new.invalidate_recordset(["percentage_change_ids"])
        self.assertEqual(
            [
                (c.old_percentage, c.new_percentage, c.origin)
                for c in self.s_new.percentage_change_ids
            ],
            [(25.0, 15.0, "manual"), (10.0, 25.0, "win_rate")],
        )

    def test_the_history_keeps_the_win_rates_the_server_worked_out(self):
        """The history of the percentages is an audit trail: a call over RPC
        sending evidence in the context, or a proposal whose lines say other
        figures than the stages' own, keeps what really happened (a
        percentage edited, or the win rate the stage has: 25 % of 12)."""
        self.close_deals()
        Stage = self.env["crm.stage"].with_user(self.manager)
        Stage.browse(self.s_qualified.id).with_context(
            sff_win_rates={self.s_qualified.id: (90.0, 500)}
        ).write({"forecast_probability": 80})
        self.assertEqual(
            [
                (c.new_percentage, c.origin, c.win_rate, c.closed_count)
                for c in self.s_qualified.percentage_change_ids
            ],
            [(80.0, "manual", 0.0, 0)],
        )
        Wizard = self.env["crm.stage.percentage.proposal"].with_user(self.manager)
        wizard = Wizard.create(
            {
                "team_id": self.team.id,
                "line_ids": [
                    Command.create(
                        {
                            "stage_id": stage.id,
                            "closed_count": 500,
                            "won_count": 450,
                            "win_rate": 90.0,
                            "proposed_percentage": 90.0,
                            "has_proposal": True,
                            "apply": True,
                        }
                    )
                    for stage in (self.s_new, self.s_proposal)
                ],
            }
        )
        wizard.action_apply()
        self.assertEqual(
            (self.s_new.forecast_probability, self.s_proposal.forecast_probability),
            (25.0, 60.0),
            "the win rate's percentage; none for a stage of 3 closed deals",
        )
        self.assertEqual(
            [
                (c.new_percentage, c.origin, c.win_rate, c.closed_count)
                for c in self.s_new.percentage_change_ids
            ],
            [(25.0, "win_rate", 25.0, 12)],
        )
        self.assertFalse(self.s_proposal.percentage_change_ids)

    def test_only_managers_see_and_nobody_writes_the_history(self):
        self.s_new.forecast_probability = 20
        Change = self.env["crm.stage.percentage.change"]
        self.assertEqual(
            Change.with_user(self.manager).search_count([("stage_id", "=", self.s_new.id)]), 1
        )
        with self.assertRaises(AccessError):
            Change.with_user(self.rep).search([])
        with self.assertRaises(AccessError):
            Change.with_user(self.manager).create({"stage_id": self.s_new.id, "new_percentage": 5})
        with self.assertRaises(AccessError):
            Change.with_user(self.manager).search([]).write({"new_percentage": 5})
        with self.assertRaises(AccessError):
            self.env["crm.stage.percentage.proposal"].with_user(self.rep).create(
                {"team_id": self.team.id}
            )
        # a rep still reads the stages (the history is a manager's field)
        self.assertEqual(
            self.s_new.with_user(self.rep).read(["forecast_probability"])[0][
                "forecast_probability"
            ],
            20.0,
        )

    def test_nothing_closed_nothing_proposed(self):
        form = self.proposal_form()
        self.assertEqual(
            [form.line_ids.edit(i).apply for i in range(len(form.line_ids))], [False] * 3
        )
        wizard = form.save()
        action = wizard.action_apply()
        self.assertEqual(
            action["params"]["message"],
            "No stage percentage set: no stage with a proposal was ticked.",
        )
        self.assertEqual(self.s_new.forecast_probability, 10.0)
