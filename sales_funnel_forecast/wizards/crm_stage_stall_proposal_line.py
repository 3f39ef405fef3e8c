# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CrmStageStallProposalLine(models.TransientModel):
    _name = "crm.stage.stall.proposal.line"
    _description = "Stall Limit Proposed for a Stage"

    wizard_id = fields.Many2one("crm.stage.stall.proposal", required=True, ondelete="cascade")
    stage_id = fields.Many2one("crm.stage", required=True, readonly=True)
    current_days = fields.Integer(string="Now (days)", readonly=True)
    won_count = fields.Integer(string="Won Deals Seen", readonly=True)
    median_days = fields.Float(string="Median Days of Won Deals", digits=(16, 1), readonly=True)
    proposed_days = fields.Integer(string="Proposed (days)")
    has_proposal = fields.Boolean(readonly=True)
    note = fields.Char(compute="_compute_note")
    apply = fields.Boolean(string="Use It")

    @api.depends("has_proposal", "won_count", "wizard_id.min_sample")
    def _compute_note(self):
        # said in words, not as a median and a limit of 0 days (a first run)
        for line in self:
            line.note = (
                False
                if line.has_proposal
                else self.env._(
                    "Too few won deals: %(count)s of the %(needed)s needed",
                    count=line.won_count,
                    needed=line.wizard_id.min_sample,
                )
            )
