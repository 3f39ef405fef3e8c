# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import CALL_OUTCOMES


class CrmLeadCallLog(models.TransientModel):
    """The call dialog of the kanban card and the deal form: one button per
    outcome, each saving the call in one click."""

    _name = "crm.lead.call.log"
    _description = "Log a Call"

    lead_id = fields.Many2one("crm.lead", string="Deal", required=True, readonly=True)
    # read as the user: the deal's customer and phone are the user's to see
    partner_id = fields.Many2one(related="lead_id.partner_id", related_sudo=False)
    phone = fields.Char(related="lead_id.phone", related_sudo=False)
    duration_minutes = fields.Float(string="Duration (minutes)", digits=(16, 1))
    note = fields.Text()
    last_call_id = fields.Many2one("crm.lead.call", compute="_compute_last_call")

    @api.model_create_multi
    def create(self, vals_list):
        # the dialog of a deal the user may read, as a call on it
        self.env["crm.lead"].browse(
            {vals["lead_id"] for vals in vals_list if vals.get("lead_id")}
        ).check_access("read")
        return super().create(vals_list)

    @api.depends("lead_id")
    def _compute_last_call(self):
        for wizard in self:
            wizard.last_call_id = self.env["crm.lead.call"].search(
                [("lead_id", "=", wizard.lead_id.id)], limit=1
            )

    def action_log(self):
        """Saves the call with the outcome of the button clicked."""
        self.ensure_one()
        outcome = self.env.context.get("sff_call_outcome")
        if outcome not in dict(CALL_OUTCOMES):
            raise UserError(self.env._("Choose how the call went."))
        self.env["crm.lead.call"].create(
            {
                "lead_id": self.lead_id.id,
                "outcome": outcome,
                "duration_minutes": self.duration_minutes,
                "note": self.note,
            }
        )
        return {"type": "ir.actions.act_window_close"}
