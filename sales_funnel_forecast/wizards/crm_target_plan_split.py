# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A team's target plan split into one plan per salesperson."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmTargetPlanSplit(models.TransientModel):
    _name = "crm.target.plan.split"
    _description = "Split a Team Plan per Salesperson"

    plan_id = fields.Many2one("crm.target.plan", required=True)
    line_ids = fields.One2many(
        "crm.target.plan.split.line",
        "split_id",
        string="Salespeople",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.depends("plan_id")
    def _compute_line_ids(self):
        for split in self:
            members = split.plan_id.team_id.member_ids
            split.line_ids = [fields.Command.clear()] + [
                fields.Command.create({"user_id": user.id, "weight": 1.0}) for user in members
            ]

    def action_split(self):
        self.ensure_one()
        if not self.plan_id.team_id:
            raise ValidationError(self.env._("Only a team's plan can be split per salesperson."))
        weights = {}
        for line in self.line_ids:
            weights[line.user_id] = weights.get(line.user_id, 0.0) + line.weight
        plans = self.plan_id._sff_split(weights)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.target.plan",
            # a phone opens the cards, as Target Plans does (an action's
            # record says kanban for small screens, a dict must)
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "mobile_view_mode": "kanban",
            "domain": [("id", "in", plans.ids)],
            "name": self.env._("Members' Plans"),
        }
