# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLeadLost(models.TransientModel):
    _inherit = "crm.lead.lost"

    lost_reason_required = fields.Boolean(compute="_compute_lost_reason_required")

    @api.depends("lead_ids")
    def _compute_lost_reason_required(self):
        for wizard in self:
            wizard.lost_reason_required = any(
                (lead.company_id or self.env.company).crm_lost_reason_required
                for lead in wizard.lead_ids
            ) or bool(self.env.context.get("sff_disqualify"))

    def action_lost_reason_apply(self):
        if self.lost_reason_required and not self.lost_reason_id:
            raise UserError(self.env._("Choose why the deal is lost."))
        return super().action_lost_reason_apply()
