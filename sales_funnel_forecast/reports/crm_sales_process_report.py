# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..const import DEAL_DEPENDS, REACH_COLUMNS, TZ_PARAM
from ..tools.days import local_time_sql
from .common import REPORT_ACTIVITY, REPORT_ACTIVITY_CALL, REPORT_ACTIVITY_OWNER

ROW_KINDS = [
    ("reached", "Stage reached"),
    ("new", "New prospect"),
    ("quotation", "Quotation sent"),
    ("activity", "Activity"),
    ("call", "Call"),
    ("target", "Target plan"),
]


class CrmSalesProcessReport(models.Model):
    """The sales process, week by week: prospects that reached each stage,
    new prospects found, quotations sent and activity on existing deals, by
    salesperson (the deal's)."""

    _name = "crm.sales.process.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Sales Process Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc"
    _depends = {
        "crm.lead.stage.reach": REACH_COLUMNS,
        "crm.lead": [
            *DEAL_DEPENDS,
        ],
        "sale.order": [
            "opportunity_id",
            "quotation_sent_date",
            "amount_untaxed",
            "currency_rate",
            "company_id",
            "user_id",
            "team_id",
        ],
        "mail.message": ["model", "res_id", "date", "message_type", "mail_activity_type_id"],
        "crm.lead.call": [
            "lead_id",
            "user_id",
            "team_id",
            "company_id",
            "source_id",
            "date",
            "stage_id",
            "message_id",
        ],
        "crm.target.plan": ["user_id", "team_id", "company_id", "active", "parent_id"],
        "crm.target.plan.period": [
            "plan_id",
            "period_type",
            "date_from",
            "date_to",
            "leads_needed",
        ],
        "crm.target.plan.stage": ["plan_id", "stage_id", "reach_share"],
        "res.users": ["partner_id"],
        "res.partner": ["industry_id", "tz"],
    }

    kind = fields.Selection(ROW_KINDS, readonly=True)
    date = fields.Datetime(readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    reached_count = fields.Integer(string="Stages Reached", readonly=True)
    new_count = fields.Integer(string="New Prospects", readonly=True)
    quotation_count = fields.Integer(string="Quotations Sent", readonly=True)
    quotation_amount = fields.Monetary(
        string="Quotations (untaxed)",
        readonly=True,
        currency_field="currency_id",
        help="Untaxed amount of the quotations sent, in company currency.",
    )
    activity_count = fields.Integer(
        string="Activities",
        readonly=True,
        help="Activities marked done, calls logged, messages or notes written and text "
        "messages sent on deals.",
    )
    call_count = fields.Integer(
        string="Calls",
        readonly=True,
        help="Calls logged, by the salesperson who made them (on their own deals or others').",
    )
    target_new_count = fields.Float(
        string="Target New Prospects",
        readonly=True,
        digits=(16, 1),
        help="The new prospects the target plans need, each month's spread evenly over its days.",
    )
    target_reached_count = fields.Float(
        string="Target Stages Reached",
        readonly=True,
        digits=(16, 1),
        help="The prospects the target plans expect to reach each stage: the new prospects "
        "needed times the share of them that the plan's stage conversions bring that far.",
    )

    def _select(self):
        return SQL("u.*, p.industry_id")

    def _join(self):
        return SQL("LEFT JOIN res_partner p ON p.id = u.partner_id")

    def _from(self):
        # the rows of each kind, one SELECT a kind; the deal's dimensions,
        # as each row of the view carries them
        deal = SQL(
            """l.user_id, l.team_id, l.company_id, l.partner_id, l.source_id,
               l.medium_id, l.campaign_id, l.origin_type"""
        )
        # the funnel totals' time zone, whose months the plans' periods are
        # (the setting, which the install writes: a name PostgreSQL knows,
        # the funnel totals' triggers use it too)
        tz = SQL(
            "(SELECT COALESCE((SELECT value FROM ir_config_parameter WHERE key = %s), 'UTC'))",
            TZ_PARAM,
        )

        def noon(day):
            # a plain timestamp in UTC (generate_series gives one with a
            # time zone), at noon of the date ``day`` in the funnel totals'
            # time zone: the same day, week and month for every reader
            # within 12 hours of it
            return SQL("timezone('UTC', timezone(%s, (%s)::date + TIME '12:00'))", tz, day)

        def call_date(column, tz_column):
            # a call's moment ``column`` on its caller's day (in their time
            # zone ``tz_column``), as the calls report and the call targets
            # count it, not on the reader's: a call at 23:30 in New York, on
            # the last day of a month, is in that month for a reader in
            # Brussels
            return noon(local_time_sql(column, SQL("COALESCE(%s, 'UTC')", tz_column)))

        return SQL(
            """(
            SELECT -r.id AS id, 'reached' AS kind, r.date_in AS date, r.lead_id, r.stage_id,
                   r.user_id, r.team_id, r.company_id, r.partner_id, r.source_id,
                   r.medium_id, r.campaign_id, r.origin_type,
                   1 AS reached_count, 0 AS new_count, 0 AS quotation_count,
                   0 AS quotation_amount, 0 AS activity_count, 0 AS call_count,
                   0.0 AS target_new_count, 0.0 AS target_reached_count
              FROM crm_lead_stage_reach r
             UNION ALL
            SELECT l.id::bigint * 8 + 1, 'new', l.create_date, l.id, l.stage_id, %(deal)s,
                   0, 1, 0, 0, 0, 0, 0.0, 0.0
              FROM crm_lead l
             UNION ALL
            -- a quotation counts when it was first sent (confirmed or
            -- cancelled since), for who sent it, in its team and company,
            -- in its currency (a deal handed over later leaves it there)
            SELECT o.id::bigint * 8 + 2, 'quotation', o.quotation_sent_date, l.id, l.stage_id,
                   o.user_id, o.team_id, o.company_id, l.partner_id, l.source_id,
                   l.medium_id, l.campaign_id, l.origin_type,
                   0, 0, 1,
                   o.amount_untaxed / CASE COALESCE(o.currency_rate, 0) WHEN 0 THEN 1.0
                                          ELSE o.currency_rate END,
                   0, 0, 0.0, 0.0
              FROM sale_order o
              JOIN crm_lead l ON l.id = o.opportunity_id
             WHERE o.quotation_sent_date IS NOT NULL
             UNION ALL
            -- a call's note counts for who made the call, on their day, as
            -- the call does
            SELECT m.id::bigint * 8 + 3, 'activity',
                   CASE WHEN c.id IS NULL THEN m.date ELSE %(note_date)s END, l.id, l.stage_id,
                   %(activity_owner)s, l.partner_id, l.source_id, l.medium_id,
                   l.campaign_id, l.origin_type,
                   0, 0, 0, 0, 1, 0, 0.0, 0.0
              FROM mail_message m
              JOIN crm_lead l ON l.id = m.res_id
         %(activity_call)s
              -- who made the call whose note it is (their time zone)
         LEFT JOIN res_users cu ON cu.id = c.user_id
         LEFT JOIN res_partner cp ON cp.id = cu.partner_id
             WHERE m.model = 'crm.lead'
               AND %(activity)s
             UNION ALL
            -- calls count for who made them, on their day, in the team of the
            -- deal at the call
            SELECT c.id::bigint * 8 + 5, 'call', %(call_date)s, l.id, c.stage_id, c.user_id,
                   c.team_id, c.company_id, l.partner_id, c.source_id, l.medium_id, l.campaign_id,
                   l.origin_type, 0, 0, 0, 0, 0, 1, 0.0, 0.0
              FROM crm_lead_call c
              JOIN crm_lead l ON l.id = c.lead_id
              JOIN res_users cu ON cu.id = c.user_id
              JOIN res_partner cp ON cp.id = cu.partner_id
             UNION ALL
            -- the target plans, day by day: each month's new prospects spread
            -- evenly over its days (one row without a stage), and the share of
            -- them expected to reach each stage of the plan (the members'
            -- plans where a team plan is split, so that nothing counts twice)
            SELECT 8 * ((pp.id::bigint * 32 + EXTRACT(DAY FROM d.day)::int) * 1024
                        + ps.ordinal),
                   'target', %(target_date)s,
                   NULL, ps.stage_id, p.user_id, p.team_id, p.company_id,
                   NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0,
                   CASE WHEN ps.id IS NULL THEN pp.leads_needed / days.n ELSE 0.0 END,
                   CASE WHEN ps.id IS NULL THEN 0.0 ELSE pp.leads_needed / days.n * ps.reach_share END
              FROM crm_target_plan_period pp
              JOIN crm_target_plan p ON p.id = pp.plan_id
              CROSS JOIN LATERAL (SELECT (pp.date_to - pp.date_from + 1)::float AS n) days
              CROSS JOIN LATERAL generate_series(pp.date_from, pp.date_to, interval '1 day') AS d(day)
              LEFT JOIN LATERAL (
                  SELECT 0::bigint AS ordinal, NULL::int AS id, NULL::int AS stage_id, 1.0 AS reach_share
                   UNION ALL
                  SELECT row_number() OVER (ORDER BY s.id), s.id, s.stage_id, s.reach_share
                    FROM crm_target_plan_stage s WHERE s.plan_id = p.id
              ) ps ON TRUE
             WHERE pp.period_type = 'month' AND p.active
               AND NOT EXISTS (SELECT 1 FROM crm_target_plan c WHERE c.parent_id = p.id AND c.active)
            ) AS u""",
            deal=deal,
            call_date=call_date(SQL("c.date"), SQL("cp.tz")),
            note_date=call_date(SQL("m.date"), SQL("cp.tz")),
            target_date=noon(SQL("d.day")),
            activity=REPORT_ACTIVITY,
            activity_owner=REPORT_ACTIVITY_OWNER,
            activity_call=REPORT_ACTIVITY_CALL,
        )
