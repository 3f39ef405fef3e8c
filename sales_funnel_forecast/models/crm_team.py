# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


def check_call_targets(records):
    if any(record.call_target_daily < 0 or record.call_target_weekly < 0 for record in records):
        raise ValidationError(records.env._("A call target cannot be negative."))


class CrmTeam(models.Model):
    _inherit = "crm.team"

    stage_catalogue_id = fields.Many2one(
        "crm.stage.catalogue",
        ondelete="set null",
        help="Sales process applied to this team. A team with a catalogue has "
        "exactly its own stages: the stages shared by every team no longer "
        "show in its pipeline, nor receive its new or won deals. Clear it to "
        "see the shared stages again.",
    )
    call_target_daily = fields.Integer(
        string="Calls per Day", default=0,
        help="Calls each member is expected to make on a working day (Monday "
        "to Friday); a member may have a target of their own. 0: no target.",
    )
    call_target_weekly = fields.Integer(
        string="Calls per Week", default=0,
        help="Calls each member is expected to make in a week; a member may "
        "have a target of their own. 0: no target.",
    )

    _sql_constraints = [
        ("call_targets_not_negative", "CHECK (call_target_daily >= 0 AND call_target_weekly >= 0)",
         "A call target cannot be negative."),
    ]

    @api.constrains("call_target_daily", "call_target_weekly")
    def _check_call_targets(self):
        check_call_targets(self)

    def write(self, vals):
        result = super().write(vals)
        if "stage_catalogue_id" in vals:
            # the team's pipeline changed: shared stages left or came back
            # sudo: every deal of the team, not only those the user can read
            Reach = self.env["crm.lead.stage.reach"].sudo()
            Reach._sff_rebuild(Reach._sff_deals_of_pipelines(self.ids, False))
        return result


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    call_target_daily = fields.Integer(
        string="Calls per Day", default=0,
        help="This member's own daily call target; 0: the team's.",
    )
    call_target_weekly = fields.Integer(
        string="Calls per Week", default=0,
        help="This member's own weekly call target; 0: the team's.",
    )
    effective_call_target_daily = fields.Integer(
        string="Daily Call Target", compute="_compute_effective_call_targets",
    )
    effective_call_target_weekly = fields.Integer(
        string="Weekly Call Target", compute="_compute_effective_call_targets",
    )

    _sql_constraints = [
        ("call_targets_not_negative", "CHECK (call_target_daily >= 0 AND call_target_weekly >= 0)",
         "A call target cannot be negative."),
    ]

    @api.constrains("call_target_daily", "call_target_weekly")
    def _check_call_targets(self):
        check_call_targets(self)

    @api.depends("call_target_daily", "call_target_weekly",
                 "crm_team_id.call_target_daily", "crm_team_id.call_target_weekly")
    def _compute_effective_call_targets(self):
        for member in self:
            member.effective_call_target_daily = (
                member.call_target_daily or member.crm_team_id.call_target_daily)
            member.effective_call_target_weekly = (
                member.call_target_weekly or member.crm_team_id.call_target_weekly)
