# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..const import DEAL_STATES, REACH_COLUMNS, TZ_PARAM
from .crm_funnel_summary import SUMMARY_MEASURES

CALL_ATTEMPT_BUCKETS = [
    ("none", "No call yet"),
    ("0", "Reached at the first call"),
    ("1", "1 attempt"),
    ("2", "2 attempts"),
    ("3_5", "3 to 5 attempts"),
    ("6_plus", "6 attempts or more"),
]


class CrmFunnelReport(models.Model):
    """The sales funnel: one row per deal and per stage of its team's
    pipeline that it cumulatively reached (a deal that skipped a stage, or
    moved back, still reached every stage up to the furthest one it entered,
    in today's stage order).

    Conversion from a stage to the next is sum(moved_on) / sum(reached): the
    average of ``conversion_rate`` over the rows of the stage. The stricter
    "entered" conversion counts only the deals that had a stay in the stage.
    """

    _name = "crm.funnel.report"
    _inherit = ["crm.funnel.report.deal.mixin"]
    _description = "Sales Funnel Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "stage_id, date_in desc"
    # reading the report writes the funnel rows queued by the deals (the
    # rows' own flush does it) and what the view joins
    _depends = {
        "crm.lead.stage.reach": REACH_COLUMNS,
        "res.partner": ["industry_id"],
        "crm.lead": [
            "partner_id",
            "active",
            "is_stalled",
            "type",
            "call_count",
            "call_attempt_count",
        ],
        "crm.target.plan": ["team_id", "user_id", "company_id", "active", "date_from", "date_to"],
        "crm.target.plan.stage": ["plan_id", "stage_id", "conversion"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    stage_sequence = fields.Integer(readonly=True, aggregator=False)
    deal_state = fields.Selection(DEAL_STATES, string="Deal Status", readonly=True)
    date_in = fields.Datetime(
        string="Reached On",
        readonly=True,
        help="When the deal first entered the stage; for a stage it skipped, "
        "when it first entered a later one.",
    )
    lead_create_date = fields.Datetime(string="Deal Created On", readonly=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    expected_revenue = fields.Monetary(
        string="Deal Amount",
        readonly=True,
        aggregator=False,
        currency_field="currency_id",
    )
    reached = fields.Integer(readonly=True, help="Deals that reached the stage (1 per row).")
    entered = fields.Integer(readonly=True, help="Deals that had a stay in the stage.")
    moved_on = fields.Integer(readonly=True, help="Deals that reached a later stage.")
    entered_moved_on = fields.Integer(
        string="Entered and Moved On",
        readonly=True,
        help="Deals that had a stay in the stage and reached a later one: the "
        "numerator of the conversion of entered deals.",
    )
    won = fields.Integer(readonly=True, help="Deals that ended won.")
    lost_here = fields.Integer(readonly=True, help="Deals lost while in this stage.")
    open_here = fields.Integer(readonly=True, help="Open deals in this stage now.")
    stalled_here = fields.Integer(readonly=True, help="Open deals stalled in this stage now.")
    no_decision_maker = fields.Integer(
        string="Without Decision Maker",
        readonly=True,
        help="Deals that reached the stage with no decision maker known on the customer's side.",
    )
    partner_status = fields.Selection(
        [("active", "Active customer"), ("inactive", "Inactive customer")],
        string="Customer Status",
        readonly=True,
        help="Inactive: every deal of the customer is lost or stalled.",
    )
    call_attempts = fields.Selection(
        CALL_ATTEMPT_BUCKETS,
        string="Call Attempts Before Conversation",
        readonly=True,
        help="Calls that reached nobody before the deal's first conversation (so far, while "
        "nobody was reached).",
    )
    reached_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    won_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    lost_amount = fields.Monetary(
        string="Lost Here Amount", readonly=True, currency_field="currency_id"
    )
    open_amount = fields.Monetary(
        string="Open Here Amount", readonly=True, currency_field="currency_id"
    )
    invoiced_amount = fields.Monetary(
        string="Invoiced",
        readonly=True,
        currency_field="currency_id",
        help="Invoiced revenue (untaxed, net of credit notes) of the deals that reached the stage.",
    )
    conversion_rate = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Of the deals that reached the stage, the share that reached a later one.",
    )
    entered_conversion_rate = fields.Float(
        string="Conversion of Entered (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Of the deals that had a stay in the stage, the share that reached a later one.",
    )
    target_conversion_rate = fields.Float(
        string="Target Conversion (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="The conversion of the stage that the team's target plan (or the company's, for "
        "a team without one) expects, for the deals that reached it in the plan's period.",
    )
    win_rate = fields.Float(
        string="Won (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Of the deals that reached the stage, the share that ended won.",
    )

    def _select(self):
        return SQL(
            """r.id, r.lead_id, r.stage_id, r.stage_sequence, r.user_id, r.team_id,
               r.company_id, r.partner_id, p.industry_id, r.source_id, r.medium_id,
               r.campaign_id, r.origin_type, r.deal_state, r.date_in,
               r.lead_create_date, r.date_closed, r.expected_revenue,
               -- the counts and amounts, as the monthly totals sum them
               %(measures)s,
               CASE WHEN dl.call_count = 0 THEN 'none'
                    WHEN dl.call_attempt_count <= 2 THEN dl.call_attempt_count::varchar
                    WHEN dl.call_attempt_count <= 5 THEN '3_5'
                    ELSE '6_plus' END AS call_attempts,
               -- shares as float8: averaged over millions of rows, exact
               -- decimals (numeric) would cost more than the rest
               CASE WHEN r.moved_on THEN 100.0::float8 ELSE 0.0::float8 END AS conversion_rate,
               CASE WHEN NOT r.entered THEN NULL
                    WHEN r.moved_on THEN 100.0::float8 ELSE 0.0::float8 END AS entered_conversion_rate,
               CASE WHEN r.deal_state = 'won' THEN 100.0::float8 ELSE 0.0::float8 END AS win_rate,
               tp.conversion AS target_conversion_rate""",
            measures=SQL(", ").join(
                SQL("%s AS %s", value, SQL.identifier(name))
                for name, value in SUMMARY_MEASURES.items()
            ),
        )

    def _from(self):
        return SQL("crm_lead_stage_reach r")

    def _join(self):
        return SQL(
            """LEFT JOIN res_partner p ON p.id = r.partner_id
               LEFT JOIN crm_lead dl ON dl.id = r.lead_id
               -- the target plans' conversion of the stage in the month the
               -- deal reached it, in the funnel totals' time zone (whose
               -- months the plans' are; the setting read once per query):
               -- the team's plan, else the company's; one row per key
               -- (grouped), so that PostgreSQL leaves the joins out of the
               -- queries that do not ask for the target
               LEFT JOIN (%(plans)s) tp
                      ON tp.company_id = r.company_id AND tp.team_key = COALESCE(r.team_id, 0)
                     AND tp.stage_id = r.stage_id
                     AND tp.month = date_trunc(
                             'month',
                             timezone((SELECT COALESCE((SELECT value FROM ir_config_parameter
                                                         WHERE key = %(tz_key)s), 'UTC')),
                                      timezone('UTC', r.date_in)))::date
""",
            plans=self._sff_plan_conversions(),
            tz_key=TZ_PARAM,
        )

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Two columns are worked out when the report is read, for its
        reader. The customer's status, from the deals the reader may read
        (``res.partner._sff_status_query``, as the customer's own Customer
        Status): a view would work it out once, from every deal, and tell a
        salesperson limited to own deals that a colleague's deal with their
        customer is open, or a user of one company that another company's
        is. The target conversion, of the plans the reader reads only
        (``_sff_target_sql``)."""
        if fname == "target_conversion_rate":
            return self._sff_target_sql(alias, super()._field_to_sql(alias, fname, query, flush))
        if fname != "partner_status":
            return super()._field_to_sql(alias, fname, query, flush)
        Partner = self.env["res.partner"]
        self.env["crm.lead"].flush_model(Partner._sff_status_fields())
        partner = SQL.identifier(alias, "partner_id")
        if query is None:
            return SQL(
                "(SELECT s.status FROM (%s) s WHERE s.partner_id = %s)",
                Partner._sff_status_query(),
                partner,
            )
        status_alias = query.make_alias(alias, "partner_status")
        query.add_join(
            "LEFT JOIN",
            status_alias,
            SQL("(%s)", Partner._sff_status_query()),
            SQL("%s = %s", SQL.identifier(status_alias, "partner_id"), partner),
        )
        return SQL.identifier(status_alias, "status")

    @api.model
    def _sff_target_teams(self):
        """The teams whose target plans the reader reads, as the plans' rule
        gives a salesperson limited to own documents (those they are a
        member or the leader of): their ids, or None for every team (the
        superuser, and the users reading every deal, whom the reports show
        every target, as quota attainment and the sales process do)."""
        user = self.env.user
        if self.env.su or user.has_group("sales_team.group_sale_salesman_all_leads"):
            return None
        # sudo: the teams the user leads, archived ones too, as the rule reads them
        led = (
            self.env["crm.team"]
            .sudo()
            .with_context(active_test=False)
            .search([("user_id", "=", user.id)])
        )
        return (user.crm_team_ids | led).ids

    def _sff_target_sql(self, alias, target):
        """The target conversion ``target`` of the rows ``alias`` where the
        reader reads the plan it comes from: not another team's (a rep reads
        that team's unassigned deals, not its plan)."""
        teams = self._sff_target_teams()
        if teams is None:
            return target
        team = SQL.identifier(alias, "team_id")
        return SQL("(CASE WHEN %s IS NULL OR %s = ANY(%s) THEN %s END)", team, team, teams, target)

    @api.model
    def _sff_plan_conversions(self):
        """Each stage's target conversion per company, team (0: none) and
        month: the team's active plan, else its company's plan without a
        team (not the members' plans); the latest plan wins where two cover
        the same month. Plans cover whole months. One row per key (grouped),
        so that PostgreSQL leaves the join out of the queries that do not ask
        for the target."""
        return SQL(
            """
            SELECT k.company_id, k.team_key, k.stage_id, k.month,
                   ((array_agg(k.conversion ORDER BY k.own DESC, k.date_from DESC, k.plan_id DESC))[1])::float8
                       AS conversion
              FROM (
                SELECT p.company_id, tk.team_key, ps.stage_id,
                       m.month::date AS month, ps.conversion, p.team_id IS NOT NULL AS own,
                       p.date_from, p.id AS plan_id
                  FROM crm_target_plan p
                  JOIN crm_target_plan_stage ps ON ps.plan_id = p.id
                 CROSS JOIN LATERAL generate_series(p.date_from, p.date_to, INTERVAL '1 month') AS m(month)
                  -- a team's plan stands for its team; a company's plan for
                  -- each of its teams, and for deals without one (key 0). A
                  -- plain join (no lateral subquery), so that PostgreSQL can
                  -- still read the funnel rows in parallel
                  JOIN (SELECT t.id AS team_key, t.company_id FROM crm_team t
                        UNION ALL SELECT 0, NULL) tk
                    ON (p.team_id IS NOT NULL AND tk.team_key = p.team_id)
                    OR (p.team_id IS NULL AND (tk.team_key = 0 OR tk.company_id = p.company_id))
                 WHERE p.active AND p.user_id IS NULL
              ) k
             GROUP BY k.company_id, k.team_key, k.stage_id, k.month
            """
        )

    # ------------------------------------------------------------------
    # Grouped reads from the monthly totals
    # ------------------------------------------------------------------
    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """Grouped reads that the monthly totals can answer exactly read them
        instead of the funnel rows (``crm.funnel.summary._sff_read_group_for``);
        anything else reads the rows."""
        result = self.env["crm.funnel.summary"]._sff_read_group_for(
            self, domain, groupby, aggregates, having, offset, limit, order
        )
        if result is None:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        return result
