# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.days import day_start, local_month_sql
from ..tools.formats import period_label
from .crm_target_plan import PERIOD_TYPES


class CrmTargetPlanPeriod(models.Model):
    _name = "crm.target.plan.period"
    _description = "Target Plan Figures"
    _order = "plan_id, period_type desc, date_from"

    plan_id = fields.Many2one("crm.target.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    team_id = fields.Many2one(related="plan_id.team_id", store=True)
    user_id = fields.Many2one(related="plan_id.user_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    period_type = fields.Selection(PERIOD_TYPES, required=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    in_plan = fields.Boolean(
        string="Within the Plan",
        default=True,
        help="Off for the months before the plan in which prospects must already enter.",
    )
    revenue_target = fields.Monetary()
    deals_needed = fields.Integer(string="Deals to Close")
    leads_needed = fields.Integer(string="New Prospects Needed")
    pipeline_value_needed = fields.Monetary(string="Pipeline Value to Enter")
    leads_seed = fields.Integer(string="Prospects: Seeds")
    leads_net = fields.Integer(string="Prospects: Nets")
    leads_spear = fields.Integer(string="Prospects: Spears")
    actual_revenue = fields.Monetary(string="Invoiced Revenue", readonly=True)
    actual_deals_won = fields.Integer(string="Deals Won", readonly=True)
    actual_new_leads = fields.Integer(string="New Leads", readonly=True)
    actuals_refreshed_on = fields.Datetime(
        string="Actuals Worked Out On",
        readonly=True,
        help="When the period's actuals were last worked out.",
    )
    # a period's own: groups of periods of unequal targets do not average
    # their percentages (their figures add up: invoiced over target)
    attainment = fields.Float(
        string="Attainment (%)", digits=(16, 1), readonly=True, aggregator=False
    )

    @api.depends("plan_id.name", "period_type", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for period in self:
            if period.period_type == "year":
                period.display_name = period.plan_id.name
            else:
                # "March 2027", "Q1 2027" in the user's language
                period.display_name = period_label(self.env, period.date_from, period.period_type)

    def _sff_refresh_actuals(self):
        """What happened in each period, for the plan's company, team and
        salesperson: leads created, deals won, and invoiced revenue as the
        quota attainment report counts it (accrual or cash). Each figure is
        read for every plan in one statement (a job on many plans: a few
        queries, not a few per plan)."""
        if not self:
            return
        self.env.flush_all()
        cr = self.env.cr
        # the figures' time, written with them
        refreshed_on = cr.now()
        by_plan = defaultdict(lambda: self.browse())
        for period in self:
            by_plan[period.plan_id] |= period
        # the months of the funnel totals' time zone (CRM settings), as
        # the Forecast screen and the forecast accuracy count them
        tz = self.env["crm.funnel.summary"]._sff_tz()
        leads_from, bounds = {}, {}
        for plan, periods in by_plan.items():
            # the whole plan's prospects enter from its first month line,
            # before the plan with a sales cycle, as its needs count them
            first_month = min(plan.period_ids.mapped("date_from"))
            leads_from.update(
                {
                    period: first_month if period.period_type == "year" else period.date_from
                    for period in periods
                }
            )
            bounds[plan] = (
                min(leads_from[period] for period in periods),
                max(periods.mapped("date_to")) + timedelta(days=1),
            )

        def scope(plan, alias, company_column="company_id"):
            company = SQL.identifier(alias, company_column)
            parts = [
                # a lead nobody took yet of a team shared by companies
                # has no company (Odoo's): it counts in the team's plan
                SQL("(%s = %s OR %s IS NULL)", company, plan.company_id.id, company)
                if alias == "l" and plan.team_id and not plan.team_id.company_id
                else SQL("%s = %s", company, plan.company_id.id)
            ]
            for name in ("team_id", "user_id"):
                if plan[name]:
                    parts.append(SQL("%s = %s", SQL.identifier(alias, name), plan[name].id))
            return SQL(" AND ").join(parts)

        def per_plan(query, **values):
            """``query`` for each plan (its ``plan``, ``where``, ``start`` and
            ``end`` filled), in one statement: (plan id, month, figure)."""
            cr.execute(
                SQL(" UNION ALL ").join(
                    SQL(
                        query,
                        plan=plan.id,
                        **{name: value(plan, *bounds[plan]) for name, value in values.items()},
                    )
                    for plan in by_plan
                )
            )
            return cr.fetchall()

        monthly = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
        for plan_id, month, count in per_plan(
            """
            (SELECT %(plan)s, %(month)s, count(*)
               FROM crm_lead l
              WHERE %(where)s AND l.create_date >= %(start)s AND l.create_date < %(end)s
           GROUP BY 2)
            """,
            where=lambda plan, start, end: scope(plan, "l"),
            start=lambda plan, start, end: day_start(self.env, start),
            end=lambda plan, start, end: day_start(self.env, end),
            month=lambda plan, start, end: local_month_sql(SQL("l.create_date"), tz),
        ):
            monthly[plan_id][month][0] += count
        for plan_id, month, count in per_plan(
            """
            (SELECT %(plan)s, %(month)s, count(*)
               FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
              WHERE %(where)s AND l.active AND COALESCE(s.is_won, FALSE) AND l.type = 'opportunity'
                AND l.date_closed >= %(start)s AND l.date_closed < %(end)s
           GROUP BY 2)
            """,
            where=lambda plan, start, end: scope(plan, "l"),
            start=lambda plan, start, end: day_start(self.env, start),
            end=lambda plan, start, end: day_start(self.env, end),
            month=lambda plan, start, end: local_month_sql(SQL("l.date_closed"), tz),
        ):
            monthly[plan_id][month][1] += count
        for plan_id, month, amount in per_plan(
            """
            (SELECT %(plan)s, date_trunc('month', q.date)::date, SUM(q.amount)
               FROM crm_quota_report q
              WHERE %(where)s AND q.date >= %(start)s AND q.date < %(end)s
           GROUP BY 2)
            """,
            # invoiced revenue counts for the deal's company, as the
            # quota attainment credits it to the deal's team (the
            # invoice's own company differs once the deal moved)
            where=lambda plan, start, end: scope(plan, "q", company_column="credited_company_id"),
            start=lambda plan, start, end: start,
            end=lambda plan, start, end: end,
        ):
            monthly[plan_id][month][2] += float(amount or 0)
        for plan, periods in by_plan.items():
            plan_monthly = monthly[plan.id]
            for period in periods:
                figures = [
                    values
                    for month, values in plan_monthly.items()
                    if period.date_from <= month <= period.date_to
                ]
                new_leads = sum(
                    values[0]
                    for month, values in plan_monthly.items()
                    if leads_from[period] <= month <= period.date_to
                )
                # the months before the plan count the prospects that entered
                # for it, not revenue or deals of their own
                revenue = sum(values[2] for values in figures) if period.in_plan else 0.0
                # sudo: worked out here, written by nobody else (no write
                # access, even for managers)
                period.sudo().write(
                    {
                        "actual_new_leads": new_leads,
                        "actual_deals_won": sum(values[1] for values in figures)
                        if period.in_plan
                        else 0,
                        "actual_revenue": plan.currency_id.round(revenue),
                        "attainment": round(100.0 * revenue / period.revenue_target, 1)
                        if period.revenue_target
                        else 0.0,
                        "actuals_refreshed_on": refreshed_on,
                    }
                )
