# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..const import DEAL_DEPENDS
from .common import in_won_stage


class CrmLeadSourceReport(models.Model):
    """New leads by source: one row per lead or opportunity created, with
    what became of it."""

    _name = "crm.lead.source.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "New Leads by Source"
    _auto = False
    _rec_name = "lead_id"
    _order = "create_date desc"
    _depends = {
        "crm.lead": [
            *DEAL_DEPENDS,
        ],
        "crm.stage": ["is_won"],
        "res.partner": ["industry_id"],
    }

    lead_id = fields.Many2one("crm.lead", readonly=True)
    create_date = fields.Datetime(string="Created On", readonly=True)
    lead_type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")], string="Type", readonly=True
    )
    stage_id = fields.Many2one("crm.stage", readonly=True)
    new_count = fields.Integer(string="New Leads", readonly=True)
    opportunity_count = fields.Integer(
        string="Opportunities",
        readonly=True,
        help="Created as an opportunity or converted into one.",
    )
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    expected_revenue = fields.Monetary(readonly=True, currency_field="currency_id")
    won_amount = fields.Monetary(readonly=True, currency_field="currency_id")

    def _select(self):
        return SQL(
            """l.id, l.id AS lead_id, l.create_date, l.type AS lead_type, l.user_id,
               l.team_id, l.company_id, l.partner_id, p.industry_id, l.source_id,
               l.medium_id, l.campaign_id, l.origin_type, l.stage_id,
               1 AS new_count,
               (l.type = 'opportunity')::int AS opportunity_count,
               (l.active AND %(won)s)::int AS won_count,
               (NOT l.active)::int AS lost_count,
               l.expected_revenue,
               CASE WHEN l.active AND %(won)s THEN l.expected_revenue ELSE 0 END AS won_amount""",
            won=in_won_stage(SQL.identifier("l", "stage_id")),
        )

    def _from(self):
        return SQL("crm_lead l")

    def _join(self):
        return SQL("LEFT JOIN res_partner p ON p.id = l.partner_id")
