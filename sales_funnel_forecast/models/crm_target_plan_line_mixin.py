# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError

# in the context while a plan saves its own lines (it rebuilds once after)
PLAN_SAVING = "sff_plan_saving"
# in the context while a file of lines is imported (its plans rebuild once,
# after all its rows)
PLAN_LINES_LOADING = "sff_plan_lines_loading"


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
        if "plan_id" in vals:
            # the plan a line leaves is checked now, as the line can no
            # longer tell it after the file
            plans = plans.with_context(**{PLAN_LINES_LOADING: False})
        (plans | self.plan_id)._sff_rebuild_if_alone()
        return result

    def unlink(self):
        plans = self.plan_id
        result = super().unlink()
        plans._sff_rebuild_if_alone()
        return result

    @api.model
    def load(self, fields, data):
        """A file of lines: their plans' rules checked and figures worked
        out once, after all its rows (the shares of an origin mix add up to
        100 % over several rows, and Odoo tries each row alone when one of
        the file is wrong: every good one was refused too)."""
        if self.env.context.get(PLAN_LINES_LOADING):
            return super().load(fields, data)
        savepoint = self.env.cr.savepoint()
        result = super(
            CrmTargetPlanLineMixin, self.with_context(**{PLAN_LINES_LOADING: True})
        ).load(fields, data)
        if result["ids"]:
            try:
                self.browse(result["ids"]).plan_id._sff_rebuild_if_alone()
                self.env.flush_all()
            except UserError as error:
                savepoint.rollback()
                result = dict(
                    result, ids=False, messages=[{"type": "error", "message": str(error)}]
                )
        savepoint.close(rollback=False)
        return result
