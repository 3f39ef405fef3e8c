# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .. import engine
from ..tools.formats import count_text
from ..tools.notify import notification


class CrmStagePercentageProposal(models.TransientModel):
    """Stage percentages proposed from what happened: each stage's win rate
    over the last 12 months (of the deals that reached it and closed), beside
    the percentage it has, for the manager to accept stage by stage. Reps'
    optimism meets the company's own record."""

    _name = "crm.stage.percentage.proposal"
    _description = "Propose Stage Percentages from Win Rates"

    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        default=lambda self: self.env["crm.team"]._sff_own_team(),
    )
    line_ids = fields.One2many("crm.stage.percentage.proposal.line", "wizard_id", string="Stages")

    @api.onchange("team_id")
    def _onchange_propose(self):
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(values) for values in self._sff_proposals()
        ]

    def _sff_proposals(self):
        """One line per open stage of the team's pipeline: its percentage,
        the deals that reached it and were won or lost in the last 12 months,
        their win rate, and the percentage proposed (none with fewer than 10
        closed deals)."""
        self.ensure_one()
        if not self.team_id:
            return []
        Stage = self.env["crm.stage"]
        stages = (
            Stage.search(Stage._sff_pipeline_domain(self.team_id.id))
            .filtered(lambda stage: not stage.is_won)
            ._sff_sorted()
        )
        counts = Stage._sff_closed_counts()
        lines = []
        for stage in stages:
            won, closed, win_rate, proposed = self._sff_stage_evidence(counts, stage)
            lines.append(
                {
                    "stage_id": stage.id,
                    "current_percentage": stage.forecast_probability,
                    "won_count": won,
                    "closed_count": closed,
                    "win_rate": win_rate,
                    "proposed_percentage": proposed or 0.0,
                    "has_proposal": proposed is not None,
                    "apply": proposed is not None and proposed != stage.forecast_probability,
                }
            )
        return lines

    @api.model
    def _sff_stage_evidence(self, counts, stage):
        """What ``stage`` won in the last 12 months, from ``counts``
        (``crm.stage._sff_closed_counts``): won deals, closed deals, win
        rate (0 without any) and the percentage proposed (None with too
        few closed deals)."""
        won, lost = counts.get(stage.id, (0, 0))
        closed = won + lost
        win_rate = 100.0 * won / closed if closed else 0.0
        return won, closed, win_rate, engine.propose_stage_percentage(won, lost)

    def action_apply(self):
        """The percentages accepted become the stages' (their deals follow,
        but for probabilities typed by hand), each change kept with the win
        rate it came from."""
        self.ensure_one()
        # the win rates as they are now, not as the lines say: a line is
        # written by the client (over RPC, any figures), the history of
        # the percentages keeps what the stage really won
        Stage = self.env["crm.stage"]
        counts = Stage._sff_closed_counts()
        evidence = {}
        for stage in self.line_ids.filtered("apply").stage_id:
            _won, closed, win_rate, proposed = self._sff_stage_evidence(counts, stage)
            if proposed is not None and not stage.is_won:
                evidence[stage.id] = (proposed, win_rate, closed)
        applied = Stage.browse(list(evidence))
        with Stage._sff_win_rates_accepted(evidence):
            for stage in applied:
                stage.forecast_probability = evidence[stage.id][0]
        if not applied:
            return notification(
                self.env._("No stage percentage set: no stage with a proposal was ticked."),
                "warning",
            )
        if len(applied) == 1:
            return notification(self.env._("One stage percentage set from its win rate."))
        return notification(
            self.env._(
                "%(count)s stage percentages set from their win rates.",
                count=count_text(self.env, len(applied)),
            )
        )
