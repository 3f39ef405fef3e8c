# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

# in the context while a plan saves its own lines (it rebuilds once after)
PLAN_SAVING = "sff_plan_saving"


class CrmTargetPlanLineMixin(models.AbstractModel):
    """A line of a target plan (stage conversion, season, origin): written
    on its own (an import, a call over RPC, a line saved by itself), its
    plan's figures are worked out again, as when the plan is saved."""

    _name = "crm.target.plan.line.mixin"
    _description = "Target Plan Line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.plan_id._sff_rebuild_if_alone()
        return lines

    def write(self, vals):
        plans = self.plan_id
        result = super().write(vals)
        (plans | self.plan_id)._sff_rebuild_if_alone()
        return result

    def unlink(self):
        plans = self.plan_id
        result = super().unlink()
        plans._sff_rebuild_if_alone()
        return result
