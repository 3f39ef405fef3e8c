# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..tools.once import check_once


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

    def _sff_check_person_once(self, vals_list):
        check_once(
            self,
            vals_list,
            "lead_id",
            "partner_id",
            self.env._(
                "A person has one role on a deal: change the role instead of adding the "
                "person again."
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._sff_check_person_once(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._sff_check_person_once([vals])
        result = super().write(vals)
        if "lead_id" in vals and not self.env.su:
            # Odoo checks the rules on the roles as they were: a role moved
            # to another deal is checked on the deal it is on now
            self.check_access("write")
        return result
