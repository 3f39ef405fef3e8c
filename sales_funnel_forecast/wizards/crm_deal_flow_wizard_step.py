# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..const import FLOW_STEPS


class CrmDealFlowWizardStep(models.TransientModel):
    _name = "crm.deal.flow.wizard.step"
    _description = "Deal Flow Step"

    wizard_id = fields.Many2one("crm.deal.flow.wizard", ondelete="cascade")
    step = fields.Selection(FLOW_STEPS, readonly=True)
    deal_count = fields.Integer(string="Deals", readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
