# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, format_date


class CrmForecastSlippageReport(models.Model):
    """Slippage: one row per deal and month, and per deal and quarter, it
    was expected to close in while open, from its forecast versions; the
    row says whether a change then moved its expected closing date out of
    that month (quarter), to a later one, and by how many days. The share
    of slipped deals and the average slip per salesperson, team and month
    (quarter) are this report's measures: a deal moved from January to
    February slipped out of January, not out of the first quarter."""

    _name = "crm.forecast.slippage.report"
    _inherit = ["crm.report.query.mixin"]
    _description = "Forecast Slippage Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date_period desc, lead_id"
    _depends = {
        "crm.lead.forecast.version": [
            "lead_id",
            "valid_from",
            "valid_to",
            "deal_state",
            "date_deadline",
            "slip_days",
            "user_id",
            "team_id",
            "company_id",
            "expected_revenue",
        ],
        "res.company": ["currency_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter")], string="Period", readonly=True
    )
    date_period = fields.Date(
        string="Expected Period",
        readonly=True,
        help="The first day of the month, or of the quarter, the deal was expected to close in.",
    )
    # written in the reader's language, as Odoo writes its quarters' groups
    # (the pivot's columns): "Q2 2026", "T2 2026" in French
    quarter_label = fields.Char(
        string="Expected Quarter",
        compute="_compute_quarter_label",
        help="The quarter the deal was expected to close in, as Q2 2026 (the quarters' rows).",
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    expected_revenue = fields.Monetary(readonly=True, currency_field="currency_id")
    deal_count = fields.Integer(string="Deals Expected", readonly=True)
    slipped = fields.Boolean(readonly=True)
    slipped_count = fields.Integer(string="Deals Slipped", readonly=True)
    slip_rate = fields.Float(
        string="Slipped (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Of the deals expected to close in the month (quarter), the share whose "
        "expected closing date was then moved to a later one.",
    )
    slip_days = fields.Integer(
        string="Average Slip (days)",
        readonly=True,
        aggregator="avg",
        help="By how many days the slipped deals' expected closing dates moved "
        "out of the month (quarter), on average.",
    )
    slipped_amount = fields.Monetary(
        string="Amount Slipped",
        readonly=True,
        currency_field="currency_id",
    )

    @api.depends("period_type", "date_period")
    @api.depends_context("lang")
    def _compute_quarter_label(self):
        # a quarter's row reads as one (its first day reads as a month)
        for row in self:
            row.quarter_label = row.period_type == "quarter" and format_date(
                self.env, row.date_period, date_format="QQQ yyyy"
            )

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        # the quarters' labels sort as their quarters come, in time (their
        # text would put Q1 2027 before Q2 2026): the list's Expected
        # Quarter column sorts, as its Expected Period does
        if field_name == "quarter_label":
            field_name = "date_period"
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _with(self):
        return SQL(
            """
            expected AS (
                -- each open version with an expected closing date, in its
                -- month and in its quarter, and the change that ended it,
                -- when that change moved the date out of the version's
                -- month (quarter) to a later one; a change that cleared
                -- the date counts by the date given next
                SELECT v.lead_id, k.period_type,
                       date_trunc(k.period_type, v.date_deadline)::date AS period,
                       v.valid_from, v.user_id, v.team_id, v.company_id, v.expected_revenue,
                       CASE WHEN COALESCE(n.slip_days, g.slip_days) > 0
                                 AND COALESCE(n.date_deadline, g.date_deadline)
                                     >= date_trunc(k.period_type, v.date_deadline) + k.length
                            THEN COALESCE(n.slip_days, g.slip_days) END AS slip_days
                  FROM crm_lead_forecast_version v
            CROSS JOIN (VALUES ('month', interval '1 month'),
                               ('quarter', interval '3 months')) AS k(period_type, length)
             LEFT JOIN crm_lead_forecast_version n
                    ON n.lead_id = v.lead_id AND n.valid_from = v.valid_to
             LEFT JOIN LATERAL (SELECT a.slip_days, a.date_deadline
                                  FROM crm_lead_forecast_version a
                                 WHERE n.date_deadline IS NULL AND n.valid_to IS NOT NULL
                                   AND a.lead_id = v.lead_id AND a.valid_from >= n.valid_to
                                   AND a.date_deadline IS NOT NULL
                              ORDER BY a.valid_from LIMIT 1) g ON TRUE
                 WHERE v.deal_state = 'open' AND v.date_deadline IS NOT NULL
            ),
            periods AS (
                SELECT e.lead_id, e.period_type, e.period,
                       -- the owner and amount of the deal's last version in the month
                       (ARRAY_AGG(e.user_id ORDER BY e.valid_from DESC))[1] AS user_id,
                       (ARRAY_AGG(e.team_id ORDER BY e.valid_from DESC))[1] AS team_id,
                       (ARRAY_AGG(e.company_id ORDER BY e.valid_from DESC))[1] AS company_id,
                       (ARRAY_AGG(e.expected_revenue ORDER BY e.valid_from DESC))[1] AS expected_revenue,
                       SUM(e.slip_days) AS slip_days
                  FROM expected e
              GROUP BY e.lead_id, e.period_type, e.period
            )
            """
        )

    def _select(self):
        # one id per deal and month (quarter), without numbering the whole view
        return SQL(
            """p.lead_id::bigint * 1000000
                       + (EXTRACT(YEAR FROM p.period)::int * 12 + EXTRACT(MONTH FROM p.period)::int) * 2
                       + (p.period_type = 'quarter')::int AS id,
                   p.lead_id, p.period_type, p.period AS date_period, p.user_id, p.team_id, p.company_id,
                   c.currency_id, COALESCE(p.expected_revenue, 0) AS expected_revenue,
                   1 AS deal_count, p.slip_days IS NOT NULL AS slipped,
                   (p.slip_days IS NOT NULL)::int AS slipped_count,
                   CASE WHEN p.slip_days IS NOT NULL THEN 100.0 ELSE 0.0 END AS slip_rate,
                   p.slip_days,
                   CASE WHEN p.slip_days IS NOT NULL THEN COALESCE(p.expected_revenue, 0) ELSE 0 END
                       AS slipped_amount"""
        )

    def _from(self):
        return SQL("periods p")

    def _join(self):
        return SQL("LEFT JOIN res_company c ON c.id = p.company_id")
