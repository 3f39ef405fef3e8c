# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CrmTeamMember(models.Model):
    _name = "crm.team.member"
    _inherit = ["crm.team.member", "crm.call.target.mixin"]

    effective_call_target_daily = fields.Integer(
        string="Daily Call Target",
        compute="_compute_effective_call_targets",
    )
    effective_call_target_weekly = fields.Integer(
        string="Weekly Call Target",
        compute="_compute_effective_call_targets",
    )

    @api.depends(
        "call_target_daily",
        "call_target_weekly",
        "crm_team_id.call_target_daily",
        "crm_team_id.call_target_weekly",
    )
    def _compute_effective_call_targets(self):
        for member in self:
            member.effective_call_target_daily = (
                member.call_target_daily or member.crm_team_id.call_target_daily
            )
            member.effective_call_target_weekly = (
                member.call_target_weekly or member.crm_team_id.call_target_weekly
            )
