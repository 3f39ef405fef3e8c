# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CallTargetMixin(models.AbstractModel):
    """A daily and a weekly call target: a sales team's, for each of its
    members, and a member's own (0: the team's)."""

    _name = "crm.call.target.mixin"
    _description = "Call Targets"

    call_target_daily = fields.Integer(
        string="Calls per Day",
        default=0,
        help="Calls expected on each working day (Monday to Friday). On a sales team, "
        "of each member; on a member, their own (0: the team's).",
    )
    call_target_weekly = fields.Integer(
        string="Calls per Week",
        default=0,
        help="Calls expected in a week. On a sales team, of each member; on a member, "
        "their own (0: the team's).",
    )

    _sql_constraints = [
        (
            "call_targets_not_negative",
            "CHECK (call_target_daily >= 0 AND call_target_weekly >= 0)",
            "A call target cannot be negative.",
        ),
    ]

    @api.constrains("call_target_daily", "call_target_weekly")
    def _check_call_targets(self):
        if any(record.call_target_daily < 0 or record.call_target_weekly < 0 for record in self):
            raise ValidationError(self.env._("A call target cannot be negative."))
