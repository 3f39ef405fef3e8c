# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .. import engine


class CrmStagePercentageProposalLine(models.TransientModel):
    _name = "crm.stage.percentage.proposal.line"
    _description = "Stage Percentage Proposed from its Win Rate"

    wizard_id = fields.Many2one("crm.stage.percentage.proposal", required=True, ondelete="cascade")
    stage_id = fields.Many2one("crm.stage", required=True, readonly=True)
    current_percentage = fields.Float(string="Now (%)", digits=(16, 2), readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    closed_count = fields.Integer(
        string="Closed Deals",
        readonly=True,
        help="Deals that reached the stage and were won or lost in the last 12 months.",
    )
    win_rate = fields.Float(string="Win Rate (%)", digits=(16, 1), readonly=True)
    proposed_percentage = fields.Float(string="Proposed (%)", digits=(16, 2), readonly=True)
    has_proposal = fields.Boolean(readonly=True)
    note = fields.Char(compute="_compute_note")
    apply = fields.Boolean(string="Accept")

    @api.depends("has_proposal", "closed_count")
    def _compute_note(self):
        for line in self:
            line.note = (
                False
                if line.has_proposal
                else self.env._(
                    "Too few closed deals: %(count)s of the %(needed)s needed",
                    count=line.closed_count,
                    needed=engine.HISTORY_MIN_CLOSED,
                )
            )
