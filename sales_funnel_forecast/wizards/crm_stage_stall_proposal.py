# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import engine
from ..tools.formats import count_text
from ..tools.notify import notification


class CrmStageStallProposal(models.TransientModel):
    """Stall limits proposed from history: a multiple of the median time won
    deals spent in each stage of a team's pipeline, capped."""

    _name = "crm.stage.stall.proposal"
    _description = "Propose Stall Rules from History"

    team_id = fields.Many2one("crm.team", string="Sales Team", required=True)
    multiplier = fields.Float(
        default=engine.STALL_MULTIPLIER,
        digits=(16, 1),
        help="The limit is this many times the median time won deals spent in the stage.",
    )
    cap_days = fields.Integer(
        string="At Most (days)",
        default=engine.STALL_CAP_DAYS,
        help="No stage gets a longer limit than this.",
    )
    min_sample = fields.Integer(
        string="Won Deals Needed",
        default=engine.STALL_MIN_SAMPLE,
        help="A stage through which fewer won deals went keeps its limit.",
    )
    line_ids = fields.One2many("crm.stage.stall.proposal.line", "wizard_id", string="Stages")

    @api.constrains("multiplier", "cap_days", "min_sample")
    def _check_values(self):
        for wizard in self:
            if wizard.multiplier <= 0 or wizard.cap_days < 1 or wizard.min_sample < 1:
                raise UserError(
                    self.env._(
                        "The multiple must be above 0, the cap and the number of won deals at least 1."
                    )
                )

    @api.onchange("team_id", "multiplier", "cap_days", "min_sample")
    def _onchange_propose(self):
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(values) for values in self._sff_proposals()
        ]

    def _sff_proposals(self):
        """One line per stage of the team's pipeline (but the won one): won
        deals seen, their median days in the stage, the limit proposed."""
        self.ensure_one()
        if not self.team_id:
            return []
        Stage = self.env["crm.stage"]
        stages = (
            Stage.search(Stage._sff_pipeline_domain(self.team_id.id))
            .filtered(lambda stage: not stage.is_won)
            ._sff_sorted()
        )
        History = self.env["crm.lead.stage.history"]
        History._sff_flush_pending()
        # days each won deal of the team spent in each stage, all stays added
        self.env.cr.execute(
            """SELECT h.stage_id, h.lead_id, SUM(h.duration_days)
                 FROM crm_lead_stage_history h
                 JOIN crm_lead l ON l.id = h.lead_id
                 JOIN crm_stage s ON s.id = l.stage_id
                WHERE l.active AND s.is_won AND l.team_id = %s AND h.stage_id = ANY(%s)
                  AND h.date_out IS NOT NULL
             GROUP BY h.stage_id, h.lead_id""",
            [self.team_id.id, stages.ids],
        )
        days = defaultdict(list)
        for stage_id, _lead_id, total in self.env.cr.fetchall():
            days[stage_id].append(total or 0.0)
        lines = []
        for stage in stages:
            proposed = engine.propose_stall_days(
                days[stage.id], self.multiplier, self.cap_days, self.min_sample
            )
            lines.append(
                {
                    "stage_id": stage.id,
                    "current_days": stage.stall_days,
                    "won_count": len(days[stage.id]),
                    "median_days": engine.median(days[stage.id]) or 0.0,
                    "proposed_days": proposed or 0,
                    "has_proposal": proposed is not None,
                    "apply": proposed is not None,
                }
            )
        return lines

    def action_apply(self):
        self.ensure_one()
        applied = self.line_ids.filtered(lambda line: line.apply and line.has_proposal)
        for line in applied:
            line.stage_id.stall_days = line.proposed_days
        if not applied:
            return notification(
                self.env._("No stage limit set: no stage with a proposal was ticked."),
                "warning",
            )
        if len(applied) == 1:
            return notification(self.env._("One stage limit set from history."))
        return notification(
            self.env._(
                "%(count)s stage limits set from history.", count=count_text(self.env, len(applied))
            )
        )
