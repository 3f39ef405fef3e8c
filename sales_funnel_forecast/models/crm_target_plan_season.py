# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import calendar

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmTargetPlanSeason(models.Model):
    _name = "crm.target.plan.season"
    _inherit = ["crm.target.plan.line.mixin"]
    _description = "Target Plan Seasonality"
    # the months in the calendar's order, not their keys' ("1", "10", "11"...)
    _order = "plan_id, sequence"

    plan_id = fields.Many2one("crm.target.plan", required=True, ondelete="cascade", index=True)
    month = fields.Selection(
        [(str(month), calendar.month_name[month]) for month in range(1, 13)], required=True
    )
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    weight = fields.Float(
        default=1.0,
        digits=(16, 2),
        help="The month's share of the target, against the others (1: an average month).",
    )

    @api.depends("month")
    def _compute_sequence(self):
        for season in self:
            season.sequence = int(season.month or 0)

    # (a line written on its own is checked with its plan's rules:
    # crm.target.plan._sff_rebuild_if_alone)
    @api.constrains("weight")
    def _check_weight(self):
        if any(season.weight < 0 for season in self):
            raise ValidationError(self.env._("A seasonality weight cannot be negative."))
