# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class CrmFunnelDemo(models.AbstractModel):
    """What the demo data file calls: the demo pipeline's generator is read
    from ``demo/`` only then, never when the module loads."""

    _name = "crm.funnel.demo"
    _description = "Sales Funnel Demo Data"

    @api.model
    def _generate_pipeline(self, *args):
        """300 deals moved through their stages over 18 months: see
        ``demo/pipeline.py``."""
        from ..demo import pipeline  # pylint: disable=import-outside-toplevel

        return pipeline.generate(self.env, *args)

    @api.model
    def _split_plans(self, plan_ids):
        """Equal shares of each plan for its team's salespeople."""
        for plan in self.env["crm.target.plan"].browse(plan_ids):
            plan._sff_split({user: 1.0 for user in plan.team_id.member_ids})
