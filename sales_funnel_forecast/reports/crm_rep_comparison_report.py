# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..const import DEAL_DEPENDS, REACH_COLUMNS
from .common import REPORT_ACTIVITY, REPORT_ACTIVITY_CALL, REPORT_ACTIVITY_OWNER


class CrmRepComparisonReport(models.Model):
    """Salespeople side by side, stage by stage: deals reached, conversion
    to a later stage, won amount, and the activity done on deals while they
    were in the stage. Its pivot puts stages in rows and salespeople in
    columns; the total column is the team's."""

    _name = "crm.rep.comparison.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Salesperson Comparison by Stage"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc"
    _depends = {
        "crm.lead.stage.reach": REACH_COLUMNS,
        "crm.lead": [
            *DEAL_DEPENDS,
        ],
        "crm.lead.stage.history": ["lead_id", "stage_id", "date_in", "date_out"],
        "mail.message": ["model", "res_id", "date", "message_type", "mail_activity_type_id"],
        "crm.lead.call": ["message_id", "user_id", "team_id", "company_id"],
        "res.partner": ["industry_id"],
    }

    date = fields.Datetime(
        readonly=True, help="When the deal reached the stage, or the activity date."
    )
    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    reached = fields.Integer(string="Deals Reached", readonly=True)
    moved_on = fields.Integer(readonly=True)
    conversion_rate = fields.Float(
        string="Conversion (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    won_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    activity_count = fields.Integer(
        string="Activities",
        readonly=True,
        help="Activities marked done, calls logged, messages or notes written and text "
        "messages sent on the deals while they were in the stage.",
    )

    def _select(self):
        return SQL("u.*, p.industry_id")

    def _from(self):
        # the rows of each kind, one SELECT a kind
        return SQL(
            """(
                SELECT -r.id AS id, r.date_in AS date, r.lead_id, r.stage_id, r.user_id, r.team_id,
                       r.company_id, r.partner_id, r.source_id, r.medium_id, r.campaign_id,
                       r.origin_type, 1 AS reached, r.moved_on::int AS moved_on,
                       CASE WHEN r.moved_on THEN 100.0 ELSE 0.0 END AS conversion_rate,
                       CASE WHEN r.deal_state = 'won' THEN r.expected_revenue ELSE 0 END AS won_amount,
                       0 AS activity_count
                  FROM crm_lead_stage_reach r
                 UNION ALL
                -- a call's note counts for who made the call, as the call does
                SELECT m.id, m.date, l.id, h.stage_id, %(activity_owner)s,
                       l.partner_id, l.source_id, l.medium_id, l.campaign_id, l.origin_type,
                       0, 0, NULL, 0, 1
                  FROM mail_message m
                  JOIN crm_lead l ON l.id = m.res_id
             %(activity_call)s
                  JOIN crm_lead_stage_history h
                    ON h.lead_id = m.res_id AND m.date >= h.date_in
                   AND (h.date_out IS NULL OR m.date < h.date_out)
                 WHERE m.model = 'crm.lead'
                   AND %(activity)s
            ) AS u""",
            activity=REPORT_ACTIVITY,
            activity_owner=REPORT_ACTIVITY_OWNER,
            activity_call=REPORT_ACTIVITY_CALL,
        )

    def _join(self):
        return SQL("LEFT JOIN res_partner p ON p.id = u.partner_id")
