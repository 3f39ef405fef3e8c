# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CallTargetMixin(models.AbstractModel):
    """A daily and a weekly call target: a sales team's, for each of its
    members, and a member's own (0: the team's)."""

    _name = "crm.call.target.mixin"
    _description = "Call Targets"

    call_target_daily = fields.Integer(
        string="Calls per Day", default=0,
        help="Calls expected on each working day (Monday to Friday). On a sales team, "
        "of each member; on a member, their own (0: the team's).",
    )
    call_target_weekly = fields.Integer(
        string="Calls per Week", default=0,
        help="Calls expected in a week. On a sales team, of each member; on a member, "
        "their own (0: the team's).",
    )

    _sql_constraints = [
        ("call_targets_not_negative", "CHECK (call_target_daily >= 0 AND call_target_weekly >= 0)",
         "A call target cannot be negative."),
    ]

    @api.constrains("call_target_daily", "call_target_weekly")
    def _check_call_targets(self):
        if any(record.call_target_daily < 0 or record.call_target_weekly < 0 for record in self):
            raise ValidationError(self.env._("A call target cannot be negative."))


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "crm.call.target.mixin"]

    stage_catalogue_id = fields.Many2one(
        "crm.stage.catalogue",
        ondelete="set null",
        help="Sales process applied to this team. A team with a catalogue has "
        "exactly its own stages: the stages shared by every team no longer "
        "show in its pipeline, nor receive its new or won deals. Clear it to "
        "see the shared stages again.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "stage_catalogue_id" in vals:
            # the team's pipeline changed: shared stages left or came back
            # sudo: every deal of the team, not only those the user can read
            Reach = self.env["crm.lead.stage.reach"].sudo()
            Reach._sff_rebuild(Reach._sff_deals_of_pipelines(self.ids, False))
        return result


class CrmTeamMember(models.Model):
    _name = "crm.team.member"
    _inherit = ["crm.team.member", "crm.call.target.mixin"]

    effective_call_target_daily = fields.Integer(
        string="Daily Call Target", compute="_compute_effective_call_targets",
    )
    effective_call_target_weekly = fields.Integer(
        string="Weekly Call Target", compute="_compute_effective_call_targets",
    )

    @api.depends("call_target_daily", "call_target_weekly",
                 "crm_team_id.call_target_daily", "crm_team_id.call_target_weekly")
    def _compute_effective_call_targets(self):
        for member in self:
            member.effective_call_target_daily = (
                member.call_target_daily or member.crm_team_id.call_target_daily)
            member.effective_call_target_weekly = (
                member.call_target_weekly or member.crm_team_id.call_target_weekly)
