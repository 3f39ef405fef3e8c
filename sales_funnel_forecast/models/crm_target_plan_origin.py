# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import ORIGIN_TYPES
from ..tools.once import check_once


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

    def _sff_check_origin_once(self, vals_list):
        check_once(
            self,
            vals_list,
            "plan_id",
            "origin_type",
            self.env._("Each origin type appears once in a plan's mix."),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._sff_check_origin_once(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._sff_check_origin_once([vals])
        return super().write(vals)

    @api.constrains("share", "win_rate")
    def _check_rates(self):
        if any(not 0 <= line.share <= 100 or not 0 <= line.win_rate <= 100 for line in self):
            raise ValidationError(
                self.env._("Origin shares and win rates lie between 0 and 100 %.")
            )
