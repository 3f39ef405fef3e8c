# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import ORIGIN_TYPES


class CrmTargetPlanOrigin(models.Model):
    _name = "crm.target.plan.origin"
    _inherit = ["crm.target.plan.line.mixin"]
    _description = "Target Plan Origin Mix"
    _order = "plan_id, origin_type"

    plan_id = fields.Many2one("crm.target.plan", required=True, ondelete="cascade", index=True)
    origin_type = fields.Selection(ORIGIN_TYPES, required=True)
    share = fields.Float(string="Share of Prospects (%)", digits=(16, 2))
    win_rate = fields.Float(string="Win Rate (%)", digits=(16, 2))

    _sql_constraints = [
        (
            "origin_unique",
            "unique(plan_id, origin_type)",
            "Each origin type appears once in a plan's mix.",
        ),
    ]

    @api.constrains("share", "win_rate")
    def _check_rates(self):
        if any(not 0 <= line.share <= 100 or not 0 <= line.win_rate <= 100 for line in self):
            raise ValidationError(
                self.env._("Origin shares and win rates lie between 0 and 100 %.")
            )
