# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..const import ORIGIN_TYPES


class FunnelReportDealMixin(models.AbstractModel):
    """Report views with one row per deal (or per deal and stage): the deal's
    salesperson, team, company, customer and origin, as dimensions."""

    _name = "crm.funnel.report.deal.mixin"
    _inherit = ["crm.funnel.report.mixin"]
    _description = "Sales Funnel Report Deal Dimensions"

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    origin_type = fields.Selection(ORIGIN_TYPES, readonly=True)
