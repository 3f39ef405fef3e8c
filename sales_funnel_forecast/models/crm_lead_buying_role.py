# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmLeadBuyingRole(models.Model):
    _name = "crm.lead.buying.role"
    _description = "Buying Role on a Deal"
    _order = "lead_id, sequence, id"

    lead_id = fields.Many2one(
        "crm.lead", string="Deal", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, index=True, ondelete="cascade"
    )
    role_id = fields.Many2one("crm.buying.role.type", ondelete="restrict")
    note = fields.Char()
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "person_once",
            "unique(lead_id, partner_id)",
            "A person has one role on a deal: change the role instead of adding the person again.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if "lead_id" in vals and not self.env.su:
            # Odoo checks the rules on the roles as they were: a role moved
            # to another deal is checked on the deal it is on now
            self.check_access("write")
        return result
