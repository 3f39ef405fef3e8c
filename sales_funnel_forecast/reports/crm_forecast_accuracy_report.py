# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, sql
from odoo.tools.safe_eval import safe_eval

from ..const import ACCURACY_LEAD_DAYS_PARAM, DEFAULT_ACCURACY_LEAD_DAYS, MAX_ACCURACY_LEAD_DAYS
from ..tools.days import local_time_sql, local_today
from ..tools.formats import count_text, minute_text
from ..tools.notify import notification
from ..tools.params import days_param
from ..tools.writers import claim_writer_row, claimed_on
from .crm_quota_report import quota_revenue_query

# the time of the last refresh: the row each refresh writes first
REFRESH_PARAM = "sales_funnel_forecast.accuracy_refreshed_on"
ACCURACY_METHODS = [
    ("stage_weighted", "Stage-weighted"),
    ("history_weighted", "History-weighted"),
    ("commit", "Commit"),
    ("best_case", "Best Case"),
    ("submitted", "Submitted"),
]


class CrmForecastAccuracyReport(models.Model):
    """Forecast accuracy: for each closed month and quarter of the last 24
    months, what each method forecast for it at its start (and a lead time
    before, the setting's number of days), against what was won in it, and
    against the revenue of quota attainment (invoiced, or paid, as the
    company counts it) in it. One
    row per period, lead time, salesperson (or the team as a whole) and
    method.

    The forecasts are read from the weekly pipeline snapshots: the latest
    one taken on or before the period's start (minus the lead time), its
    open deals expected to close in the period; the submitted forecast is
    the Commit of the latest submission made by then. The snapshots of the
    months before the install are written from the deals' versions rebuilt from
    the chatter, so that accuracy goes back 24 months at once."""

    _name = "crm.forecast.accuracy.report"
    _inherit = ["crm.report.query.mixin"]
    _description = "Forecast Accuracy Analysis"
    _order = "date_from desc, team_id, user_id, method"
    # the lines are written by _sff_refresh, all at once, from the query the
    # report's parts make: every reader then reads stored lines, which the
    # record rules filter as they read (a rep's own lines among a few
    # thousand), instead of the whole query worked out for each read
    _log_access = False

    period_type = fields.Selection([("month", "Month"), ("quarter", "Quarter")], readonly=True)
    date_from = fields.Date(string="Period", readonly=True)
    date_snapshot = fields.Date(
        string="Forecast As Of",
        readonly=True,
        help="The day of the pipeline snapshot the forecast was read from.",
    )
    lead_days = fields.Integer(
        string="Lead Time (days)",
        readonly=True,
        aggregator="max",
        help="How long before the period's start it was forecast (0: at its start).",
    )
    scope = fields.Selection(
        [("rep", "Salesperson"), ("team", "Whole Team")],
        readonly=True,
        help="A salesperson's own line, or the team's as a whole (all its salespeople "
        "together): a team's accuracy is that of its total, not the average of its "
        "salespeople's.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    method = fields.Selection(ACCURACY_METHODS, readonly=True)
    forecast_amount = fields.Monetary(
        string="Forecast", readonly=True, currency_field="currency_id"
    )
    actual_amount = fields.Monetary(
        string="Won",
        readonly=True,
        currency_field="currency_id",
        help="The expected revenue of the deals won in the period.",
    )
    accuracy = fields.Float(
        string="Accuracy (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x max(0, 1 - |won - forecast| / won); empty when nothing was won "
        "in the period (n/a). Averaged over the lines grouped.",
    )
    optimism = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Forecast / won: above 1, more was forecast than won; empty when "
        "nothing was won. Averaged over the lines grouped.",
    )
    revenue_amount = fields.Monetary(
        string="Invoiced",
        readonly=True,
        currency_field="currency_id",
        help="The revenue of quota attainment in the period: posted invoices less credit "
        "notes, untaxed, or the payments received where the company's quota attainment "
        "counts payments (Settings).",
    )
    revenue_accuracy = fields.Float(
        string="Accuracy on Invoiced (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x max(0, 1 - |invoiced - forecast| / invoiced); empty when nothing was "
        "invoiced (or paid) in the period (n/a).",
    )
    revenue_optimism = fields.Float(
        string="Optimism on Invoiced",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Forecast / invoiced (or paid); empty when nothing was.",
    )
    refreshed_on = fields.Datetime(
        compute="_compute_refreshed_on",
        help="When the lines were worked out: every day by the pipeline snapshots' job, "
        "or by Refresh Now.",
    )
    error_amount = fields.Monetary(
        string="Error",
        readonly=True,
        currency_field="currency_id",
        help="|won - forecast|: the method closest over a span has the smallest total.",
    )

    @api.model
    def _sff_lead_days(self):
        """The setting's lead time: each period's forecast is also read this
        many days before its start."""
        return days_param(
            self.env, ACCURACY_LEAD_DAYS_PARAM, DEFAULT_ACCURACY_LEAD_DAYS, MAX_ACCURACY_LEAD_DAYS
        )

    def _with(self):
        return SQL(
            """
            lead_times AS (
                SELECT 0 AS lead_days
                 UNION
                SELECT %(lead_days)s
            ),
            periods AS (
                -- the closed months and quarters of the last 24 months
                -- (counted in integers, which the planner counts right)
                SELECT 'month' AS period_type,
                       (date_trunc('month', %(today)s::date) - make_interval(months => i))::date AS date_from,
                       (date_trunc('month', %(today)s::date) - make_interval(months => i - 1))::date AS date_to
                  FROM generate_series(1, 24) i
                 UNION ALL
                SELECT 'quarter',
                       (date_trunc('quarter', %(today)s::date) - make_interval(months => 3 * i))::date,
                       (date_trunc('quarter', %(today)s::date) - make_interval(months => 3 * i - 3))::date
                  FROM generate_series(1, 8) i
            ),
            moments AS (
                -- each period and lead time with its snapshot: the latest
                -- taken on or before the period's start less the lead time
                SELECT p.period_type, p.date_from, p.date_to, l.lead_days,
                       (SELECT MAX(s.date_snapshot) FROM crm_pipeline_snapshot s
                         WHERE s.date_snapshot <= p.date_from - l.lead_days) AS date_snapshot
                  FROM periods p CROSS JOIN lead_times l
            ),
            forecasts AS (
                SELECT m.period_type, m.date_from, m.lead_days, m.date_snapshot,
                       s.company_id, s.team_id, s.user_id, GROUPING(s.user_id) = 1 AS whole_team,
                       SUM(s.forecast_revenue) AS stage_weighted,
                       SUM(s.history_forecast_revenue) AS history_weighted,
                       COALESCE(SUM(s.expected_revenue) FILTER (WHERE s.forecast_category = 'commit'), 0)
                           AS commit,
                       COALESCE(SUM(s.expected_revenue)
                                FILTER (WHERE s.forecast_category IN ('commit', 'best_case')), 0)
                           AS best_case
                  FROM moments m
                  JOIN crm_pipeline_snapshot s
                    ON s.date_snapshot = m.date_snapshot
                   AND s.deadline_month >= m.date_from AND s.deadline_month < m.date_to
              GROUP BY GROUPING SETS (
                       (m.period_type, m.date_from, m.lead_days, m.date_snapshot, s.company_id, s.team_id, s.user_id),
                       (m.period_type, m.date_from, m.lead_days, m.date_snapshot, s.company_id, s.team_id))
            ),
            revenue AS (%(revenue)s),
            won_deals AS (
                -- the won deals, on their closing day in the time zone of
                -- the funnel totals (the Forecast screen's days too), each
                -- credited to its company, team and salesperson when it was
                -- won (its version then): a deal handed over later stays
                -- in the figures of who won it
                SELECT %(closed_at)s AS closed_at,
                       CASE WHEN w.lead_id IS NULL THEN l.company_id ELSE w.company_id END AS company_id,
                       CASE WHEN w.lead_id IS NULL THEN l.team_id ELSE w.team_id END AS team_id,
                       CASE WHEN w.lead_id IS NULL THEN l.user_id ELSE w.user_id END AS user_id,
                       COALESCE(l.expected_revenue, 0) AS amount
                  FROM crm_lead l
             LEFT JOIN LATERAL (SELECT v.lead_id, v.company_id, v.team_id, v.user_id
                                  FROM crm_lead_forecast_version v
                                 WHERE v.lead_id = l.id AND v.valid_from <= l.date_closed
                                   AND (v.valid_to IS NULL OR v.valid_to > l.date_closed)
                                 LIMIT 1) w ON TRUE
                 WHERE l.active AND l.type = 'opportunity'
                   AND l.stage_id = ANY(ARRAY(SELECT st.id FROM crm_stage st WHERE st.is_won))
                   -- (a day either way for the time zone, cut exactly below)
                   AND l.date_closed >= date_trunc('quarter', %(today)s::date) - interval '24 months 1 day'
                   AND l.date_closed < date_trunc('month', %(today)s::date) + interval '1 day'
            ),
            monthly_actuals AS (
                -- what was won (by closing date) and invoiced (or paid) in
                -- each month since the first period's start, by company,
                -- team and salesperson
                SELECT date_trunc('month', d.closed_at)::date AS month, d.company_id, d.team_id,
                       d.user_id, SUM(d.amount) AS won, 0 AS revenue
                  FROM won_deals d
                 WHERE d.closed_at >= date_trunc('quarter', %(today)s::date) - interval '24 months'
                   AND d.closed_at < date_trunc('month', %(today)s::date)
              GROUP BY 1, 2, 3, 4
                 UNION ALL
                SELECT date_trunc('month', r.date)::date, r.credited_company_id, r.team_id, r.user_id,
                       0, SUM(r.amount)
                  FROM revenue r
                 WHERE r.date >= date_trunc('quarter', %(today)s::date) - interval '24 months'
                   AND r.date < date_trunc('month', %(today)s::date)
              GROUP BY 1, 2, 3, 4
            ),
            actual_rows AS (
                SELECT 'month' AS period_type, a.month AS date_from, a.company_id, a.team_id,
                       a.user_id, a.won, a.revenue
                  FROM monthly_actuals a
                 WHERE a.month >= date_trunc('month', %(today)s::date) - interval '24 months'
                 UNION ALL
                SELECT 'quarter', date_trunc('quarter', a.month)::date, a.company_id, a.team_id,
                       a.user_id, a.won, a.revenue
                  FROM monthly_actuals a
                 WHERE a.month < date_trunc('quarter', %(today)s::date)
            ),
            actuals AS (
                SELECT period_type, date_from, company_id, team_id, user_id,
                       GROUPING(user_id) = 1 AS whole_team, SUM(won) AS won, SUM(revenue) AS revenue
                  FROM actual_rows
              GROUP BY GROUPING SETS ((period_type, date_from, company_id, team_id, user_id),
                                      (period_type, date_from, company_id, team_id))
            ),
            actuals_by_lead AS (
                -- what was won, for each lead time whose moment has a
                -- snapshot to compare it with (none: the period was not
                -- forecast then, the job may still be writing the past)
                SELECT a.*, m.lead_days, m.date_snapshot FROM actuals a
                  JOIN moments m ON m.period_type = a.period_type AND m.date_from = a.date_from
                 WHERE m.date_snapshot IS NOT NULL
            ),
            pairs AS (
                SELECT COALESCE(f.period_type, a.period_type) AS period_type,
                       COALESCE(f.date_from, a.date_from) AS date_from,
                       COALESCE(f.lead_days, a.lead_days) AS lead_days,
                       COALESCE(f.company_id, a.company_id) AS company_id,
                       COALESCE(f.team_id, a.team_id) AS team_id,
                       CASE WHEN COALESCE(f.whole_team, a.whole_team) THEN NULL
                            ELSE COALESCE(f.user_id, a.user_id) END AS user_id,
                       COALESCE(f.whole_team, a.whole_team) AS whole_team,
                       -- nothing forecast: read from the moment's snapshot all the same
                       COALESCE(f.date_snapshot, a.date_snapshot) AS date_snapshot,
                       COALESCE(f.stage_weighted, 0) AS stage_weighted,
                       COALESCE(f.history_weighted, 0) AS history_weighted,
                       COALESCE(f.commit, 0) AS commit, COALESCE(f.best_case, 0) AS best_case,
                       COALESCE(a.won, 0) AS won, COALESCE(a.revenue, 0) AS revenue
                  FROM forecasts f
             FULL JOIN actuals_by_lead a
                    ON a.period_type = f.period_type AND a.date_from = f.date_from
                   AND a.lead_days = f.lead_days AND a.whole_team = f.whole_team
                   -- (a full join wants equalities: no company, team or
                   -- salesperson is 0)
                   AND COALESCE(a.company_id, 0) = COALESCE(f.company_id, 0)
                   AND COALESCE(a.team_id, 0) = COALESCE(f.team_id, 0)
                   AND COALESCE(a.user_id, 0) = COALESCE(f.user_id, 0)
            ),
            lines AS (
                SELECT p.period_type, p.date_from, p.date_snapshot, p.lead_days, p.whole_team,
                       p.team_id, p.user_id, p.company_id, x.method, x.position,
                       x.amount AS forecast_amount, p.won, p.revenue
                  FROM pairs p
            CROSS JOIN LATERAL (VALUES ('stage_weighted', 1, p.stage_weighted),
                                       ('history_weighted', 2, p.history_weighted),
                                       ('commit', 3, p.commit),
                                       ('best_case', 4, p.best_case)) AS x(method, position, amount)
                 UNION ALL
                -- the submitted Commit: the latest submission for the period
                -- made by its start (less the lead time), where there is one
                -- and a snapshot preceded that moment (none: no line, as for
                -- the other methods, whose won amount is not read then)
                SELECT sb.period_type, sb.date_from, NULL, sb.lead_days, sb.whole_team, sb.team_id,
                       sb.user_id, sb.company_id, 'submitted', 5, sb.commit_amount, COALESCE(a.won, 0),
                       COALESCE(a.revenue, 0)
                  FROM (SELECT DISTINCT ON (p.period_type, p.date_from, lt.lead_days, s.team_id,
                                            s.company_id, COALESCE(s.user_id, 0))
                               p.period_type, p.date_from, lt.lead_days, s.company_id, s.team_id,
                               s.user_id, s.user_id IS NULL AS whole_team, s.commit_amount
                          FROM crm_forecast_submission s
                          JOIN periods p ON p.period_type = s.period_type AND p.date_from = s.date_from
                    CROSS JOIN lead_times lt
                          JOIN moments m
                            ON m.period_type = p.period_type AND m.date_from = p.date_from
                           AND m.lead_days = lt.lead_days AND m.date_snapshot IS NOT NULL
                         -- the day's first instant: an hour after 23:00 the
                         -- evening before (PostgreSQL reads a midnight that
                         -- happens twice as the second one)
                         WHERE s.submitted_on <= timezone('UTC', timezone(%(tz)s, (p.date_from - lt.lead_days)
                                                                                  - interval '1 hour'))
                                                 + interval '1 hour'
                      ORDER BY p.period_type, p.date_from, lt.lead_days, s.team_id, s.company_id,
                               COALESCE(s.user_id, 0), s.submitted_on DESC, s.id DESC) sb
             LEFT JOIN actuals_by_lead a
                    ON a.period_type = sb.period_type AND a.date_from = sb.date_from
                   AND a.lead_days = sb.lead_days AND a.whole_team = sb.whole_team
                   AND COALESCE(a.company_id, 0) = COALESCE(sb.company_id, 0)
                   AND COALESCE(a.team_id, 0) = sb.team_id
                   AND COALESCE(a.user_id, 0) = COALESCE(sb.user_id, 0)
            )
            """,
            lead_days=self._sff_lead_days(),
            # the periods' days: those of the funnel totals' time zone
            today=local_today(self.env),
            tz=self.env["crm.funnel.summary"]._sff_tz(),
            closed_at=local_time_sql(
                SQL("l.date_closed"), self.env["crm.funnel.summary"]._sff_tz()
            ),
            revenue=quota_revenue_query(),
        )

    def _select(self):
        return SQL(
            """l.period_type, l.date_from, l.date_snapshot, l.lead_days,
                   CASE WHEN l.whole_team THEN 'team' ELSE 'rep' END AS scope,
                   l.team_id, l.user_id, l.company_id, c.currency_id, l.method,
                   l.forecast_amount, l.won AS actual_amount,
                   ABS(l.won - l.forecast_amount) AS error_amount,
                   CASE WHEN l.won > 0
                        THEN 100 * GREATEST(0, 1 - ABS(l.won - l.forecast_amount) / l.won) END AS accuracy,
                   CASE WHEN l.won > 0 THEN l.forecast_amount / l.won END AS optimism,
                   l.revenue AS revenue_amount,
                   CASE WHEN l.revenue > 0
                        THEN 100 * GREATEST(0, 1 - ABS(l.revenue - l.forecast_amount) / l.revenue)
                   END AS revenue_accuracy,
                   CASE WHEN l.revenue > 0 THEN l.forecast_amount / l.revenue END AS revenue_optimism"""
        )

    def _from(self):
        return SQL("lines l")

    def _join(self):
        return SQL("LEFT JOIN res_company c ON c.id = l.company_id")

    def _auto_init(self):
        # a table of stored lines (Odoo makes it): the builds of 18.0.1.11.0
        # before it had a view of that name
        if sql.table_kind(self.env.cr, self._table) == sql.TableKind.View:
            sql.drop_view_if_exists(self.env.cr, self._table)
        result = super()._auto_init()
        # and 18.0.1.11.0 the refresh's time on every line, which the
        # refresh's own row holds
        if sql.column_exists(self.env.cr, self._table, "refreshed_on"):
            self.env.cr.execute("ALTER TABLE crm_forecast_accuracy_report DROP COLUMN refreshed_on")
        return result

    @api.model
    def _sff_columns(self):
        """The stored columns the query fills: every field's but the id (a
        module that adds a field and its column to ``_select()`` gets it
        filled too)."""
        return [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and name != "id"
        ]

    @api.model
    def _sff_refresh(self):
        """Works every line out again from the snapshots, the won deals,
        the revenue and the submissions, in place of the stored ones;
        returns how many were written. One refresh at a time: each first
        writes the row of the refresh's time, so that a second one at once
        waits for the first, then fails to serialise and is retried by Odoo
        on a fresh snapshot of the data (a row lock, no table lock)."""
        Report = self.sudo()
        cr = self.env.cr
        # the query reads the deals, snapshots, invoices and settings as the
        # database has them
        self.env.flush_all()
        claim_writer_row(cr, REFRESH_PARAM)
        cr.execute("DELETE FROM crm_forecast_accuracy_report")
        columns = SQL(", ").join(SQL.identifier(name) for name in Report._sff_columns())
        cr.execute(
            SQL(
                """INSERT INTO crm_forecast_accuracy_report (%(columns)s)
                   SELECT %(columns)s FROM (%(query)s) AS q""",
                columns=columns,
                query=Report._query(),
            )
        )
        written = cr.rowcount
        self.invalidate_model()
        return written

    @api.model
    def _sff_refreshed_on(self):
        """When the lines were last worked out (False: never yet), as the
        refresh's row says."""
        return claimed_on(self.env.cr, REFRESH_PARAM)

    def _compute_refreshed_on(self):
        refreshed_on = self._sff_refreshed_on()
        for line in self:
            line.refreshed_on = refreshed_on

    @api.model
    @api.readonly
    def action_sff_open(self):
        """The report, named with the time of its last refresh."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_funnel_forecast.crm_forecast_accuracy_report_action"
        )
        refreshed_on = self._sff_refreshed_on()
        # the web client shows display_name before name
        action["name"] = action["display_name"] = (
            self.env._(
                "Forecast Accuracy (refreshed %(when)s)",
                when=minute_text(self.env, refreshed_on),
            )
            if refreshed_on
            else self.env._("Forecast Accuracy (not worked out yet)")
        )
        if not self.env.user.has_group("sales_team.group_sale_salesman_all_leads"):
            # a salesperson reads the lines of their own: opened on those,
            # not on whole teams' (which they may not read)
            context = dict(safe_eval(action.get("context") or "{}"))
            context.pop("search_default_whole_team", None)
            context["search_default_reps"] = 1
            action["context"] = context
        return action

    def action_sff_refresh(self):
        """Refresh Now (managers): the lines worked out again, then the
        report opened anew (its name says when)."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only sales managers can work the forecast accuracy out again.")
            )
        Snapshot = self.env["crm.pipeline.snapshot"]
        if Snapshot._sff_retaking():
            # the snapshots the lines read are being taken again: worked out
            # now, the lines would be gone; the job works them out at its end
            # (sudo: a manager may start the job, not edit it)
            job = self.env.ref("sales_funnel_forecast.ir_cron_take_pipeline_snapshots").sudo()
            if not job.active:
                # switched off by an administrator: the job never ends, and
                # taking 24 months of snapshots here would outlast the request
                return notification(
                    self.env._(
                        "The pipeline snapshots are to be taken again in the funnel totals' new "
                        "time zone, but the scheduled action “%(job)s” that takes them is "
                        "switched off: an administrator can switch it on again in Settings > "
                        "Technical > Scheduled Actions. Until then the forecast accuracy's "
                        "lines stay as they were.",
                        job=job.name,
                    ),
                    "warning",
                    then=self.action_sff_open(),
                )
            job._trigger()
            return notification(
                self.env._(
                    "The pipeline snapshots are being taken again in the funnel totals' new "
                    "time zone: the forecast accuracy is worked out again as soon as they all "
                    "are. Until then its lines stay as they were."
                ),
                "warning",
                then=self.action_sff_open(),
            )
        written = self._sff_refresh()
        return notification(
            self.env._(
                "Forecast accuracy worked out again: %(count)s lines.",
                count=count_text(self.env, written),
            )
            if written > 1
            else self.env._("Forecast accuracy worked out again: one line.")
            if written
            else self.env._(
                "Forecast accuracy worked out again: no line, nothing was forecast or won "
                "in the closed months of the last 24."
            ),
            then=self.action_sff_open(),
        )
