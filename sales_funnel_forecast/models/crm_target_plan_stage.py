# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmTargetPlanStage(models.Model):
    _name = "crm.target.plan.stage"
    _inherit = ["crm.target.plan.line.mixin"]
    _description = "Target Plan Stage Conversion"
    # the pipeline's order: the stage's (sequence, name, id)
    _order = "plan_id, stage_id, id"

    plan_id = fields.Many2one("crm.target.plan", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("crm.stage", required=True)
    sequence = fields.Integer(related="stage_id.sequence", store=True)
    conversion = fields.Float(
        string="Moves On (%)",
        digits=(16, 2),
        help="Of the deals in this stage, the share that moves on to the next.",
    )
    reach_share = fields.Float(
        compute="_compute_reach_share",
        store=True,
        digits=(16, 6),
        help="Of the new prospects, the share expected to reach this stage: the product of the "
        "conversions of the stages before it.",
    )

    @api.depends(
        "plan_id.stage_line_ids.conversion",
        "plan_id.stage_line_ids.sequence",
        "plan_id.stage_line_ids.stage_id.name",
    )
    def _compute_reach_share(self):
        for plan in self.plan_id:
            share = 1.0
            order = {
                stage: index
                for index, stage in enumerate(plan.stage_line_ids.stage_id._sff_sorted())
            }
            for line in sorted(
                plan.stage_line_ids, key=lambda line, order=order: order.get(line.stage_id, -1)
            ):
                line.reach_share = share
                share *= line.conversion / 100.0

    @api.constrains("conversion")
    def _check_conversion(self):
        if any(not 0 <= line.conversion <= 100 for line in self):
            raise ValidationError(self.env._("A stage conversion lies between 0 and 100 %."))
