# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmTargetPlanSplitLine(models.TransientModel):
    _name = "crm.target.plan.split.line"
    _description = "Salesperson's Share of a Team Plan"

    split_id = fields.Many2one("crm.target.plan.split", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Salesperson", required=True)
    weight = fields.Float(default=1.0, digits=(16, 2), help="Equal weights give equal shares.")

    @api.constrains("weight")
    def _check_weight(self):
        if any(line.weight < 0 for line in self):
            raise ValidationError(self.env._("A salesperson's weight cannot be negative."))
