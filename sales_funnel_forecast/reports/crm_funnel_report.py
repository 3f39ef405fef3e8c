# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .. import engine
from ..models.crm_lead_stage_reach import DEAL_STATES, REACH_COLUMNS
from .crm_funnel_summary import AMOUNTS, SUMMARY_DIMENSIONS, SUMMARY_MEASURES

# averages of the funnel rows that the monthly totals give: the share of
# rows where the numerator holds among those where the denominator does
SUMMARY_RATES = {
    "conversion_rate": ("moved_on", "reached"),
    "entered_conversion_rate": ("entered_moved_on", "entered"),
    "win_rate": ("won", "reached"),
}

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
        "crm.lead": ["partner_id", "active", "is_stalled", "type", "call_count", "call_attempt_count"],
        "crm.target.plan": ["team_id", "user_id", "company_id", "active", "date_from", "date_to"],
        "crm.target.plan.stage": ["plan_id", "stage_id", "conversion"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    stage_sequence = fields.Integer(readonly=True, aggregator=False)
    deal_state = fields.Selection(DEAL_STATES, string="Deal Status", readonly=True)
    date_in = fields.Datetime(
        string="Reached On", readonly=True,
        help="When the deal first entered the stage; for a stage it skipped, "
        "when it first entered a later one.",
    )
    lead_create_date = fields.Datetime(string="Deal Created On", readonly=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    expected_revenue = fields.Monetary(
        string="Deal Amount", readonly=True, aggregator=False, currency_field="currency_id",
    )
    reached = fields.Integer(readonly=True, help="Deals that reached the stage (1 per row).")
    entered = fields.Integer(readonly=True, help="Deals that had a stay in the stage.")
    moved_on = fields.Integer(readonly=True,
                              help="Deals that reached a later stage.")
    entered_moved_on = fields.Integer(
        string="Entered and Moved On", readonly=True,
        help="Deals that had a stay in the stage and reached a later one: the "
        "numerator of the conversion of entered deals.",
    )
    won = fields.Integer(readonly=True, help="Deals that ended won.")
    lost_here = fields.Integer(readonly=True,
                               help="Deals lost while in this stage.")
    open_here = fields.Integer(readonly=True,
                               help="Open deals in this stage now.")
    stalled_here = fields.Integer(readonly=True,
                                  help="Open deals stalled in this stage now.")
    no_decision_maker = fields.Integer(
        string="Without Decision Maker", readonly=True,
        help="Deals that reached the stage with no decision maker known on the customer's side.",
    )
    partner_status = fields.Selection(
        [("active", "Active customer"), ("inactive", "Inactive customer")],
        string="Customer Status", readonly=True,
        help="Inactive: every deal of the customer is lost or stalled.",
    )
    call_attempts = fields.Selection(
        CALL_ATTEMPT_BUCKETS, string="Call Attempts Before Conversation", readonly=True,
        help="Calls that reached nobody before the deal's first conversation (so far, while "
        "nobody was reached).",
    )
    reached_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    won_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    lost_amount = fields.Monetary(string="Lost Here Amount", readonly=True,
                                  currency_field="currency_id")
    open_amount = fields.Monetary(string="Open Here Amount", readonly=True,
                                  currency_field="currency_id")
    invoiced_amount = fields.Monetary(
        string="Invoiced", readonly=True, currency_field="currency_id",
        help="Invoiced revenue (untaxed, net of credit notes) of the deals that reached the stage.",
    )
    conversion_rate = fields.Float(
        string="Conversion (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Of the deals that reached the stage, the share that reached a later one.",
    )
    entered_conversion_rate = fields.Float(
        string="Conversion of Entered (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Of the deals that had a stay in the stage, the share that reached a later one.",
    )
    target_conversion_rate = fields.Float(
        string="Target Conversion (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="The conversion of the stage that the team's target plan (or the company's, for "
        "a team without one) expects, for the deals that reached it in the plan's period.",
    )
    win_rate = fields.Float(
        string="Won (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Of the deals that reached the stage, the share that ended won.",
    )

    def init(self):
        self._sff_create_view(SQL(
            """
            SELECT r.id, r.lead_id, r.stage_id, r.stage_sequence, r.user_id, r.team_id,
                   r.company_id, r.partner_id, p.industry_id, r.source_id, r.medium_id,
                   r.campaign_id, r.origin_type, r.deal_state, r.date_in,
                   r.lead_create_date, r.date_closed, r.expected_revenue,
                   -- the counts and amounts, as the monthly totals sum them
                   %(measures)s,
                   ps.status AS partner_status,
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
                   tp.conversion AS target_conversion_rate
              FROM crm_lead_stage_reach r
         LEFT JOIN res_partner p ON p.id = r.partner_id
         LEFT JOIN crm_lead dl ON dl.id = r.lead_id
         -- the target plans' conversion of the stage in the month the deal
         -- reached it: the team's plan, else the company's; one row per key
         -- (grouped), so that PostgreSQL leaves the joins out of the queries
         -- that do not ask for the target
         LEFT JOIN (%(plans)s) tp
                ON tp.company_id = r.company_id AND tp.team_key = COALESCE(r.team_id, 0)
               AND tp.stage_id = r.stage_id AND tp.month = date_trunc('month', r.date_in)::date
         LEFT JOIN (%(partner_status)s) ps ON ps.partner_id = r.partner_id
            """,
            measures=SQL(", ").join(SQL("%s AS %s", value, SQL.identifier(name))
                                    for name, value in SUMMARY_MEASURES.items()),
            partner_status=self.env["res.partner"]._sff_status_query(),
            plans=self._sff_plan_conversions(),
        ))

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
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Grouped reads that the monthly totals (``crm.funnel.summary``) can
        answer exactly read them instead of the funnel rows: groups and
        filters on the company, team, salesperson and stage, and on the
        month reached in the totals' time zone, sums of the counts and
        amounts, the conversion and win rates, and the target conversion
        (totals in UTC). Anything else reads the rows."""
        plan = self._sff_summary_plan(domain, groupby, aggregates, having, offset, limit, order)
        if plan is None:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        summary_domain, summary_groupby, summary_order = plan
        self.browse().check_access("read")
        # reading the totals writes what the report's rows depend on: the
        # funnel rows queued by the deals (their flush), the plans
        for model_name, fnames in self._depends.items():
            self.env[model_name].flush_model(fnames)
        # reached first: the groups without a funnel row are left out on it
        sums = list(SUMMARY_MEASURES)
        if "target_conversion_rate:avg" in aggregates:
            sums += ["target_weighted", "target_reached"]
        # sudo: the salespeople have no access to the totals of their own;
        # the report's record rules for this user are in summary_domain
        Summary = self.env["crm.funnel.summary"].sudo()
        rows = Summary._read_group(
            summary_domain, summary_groupby, [f"{name}:sum" for name in sums],
            having=[("reached:sum", ">", 0)] if groupby else (), order=summary_order,
        )
        if not groupby and not rows[0][0]:
            return [tuple(self._read_group_empty_value(spec) for spec in aggregates)]
        result = []
        for row in rows:
            keys, totals = row[:len(groupby)], dict(zip(sums, row[len(groupby):]))
            values = []
            for spec, key in zip(groupby, keys):
                if spec.startswith("date_in:"):
                    values.append(datetime.combine(key, time.min) if key else False)
                else:
                    values.append(key.with_env(self.env))
            for spec in aggregates:
                name = "reached" if spec == "__count" else spec.split(":")[0]
                if name == "target_conversion_rate":
                    values.append(totals["target_weighted"] / totals["target_reached"]
                                  if totals["target_reached"] else False)
                elif name in SUMMARY_RATES:
                    numerator, denominator = SUMMARY_RATES[name]
                    values.append(100.0 * totals[numerator] / totals[denominator]
                                  if totals[denominator] else False)
                elif name in AMOUNTS:
                    values.append(totals[name])
                else:
                    # counts, as PostgreSQL gives the sums of integers
                    values.append(int(totals[name]))
            result.append(tuple(values))
        return result

    @api.model
    def _sff_summary_plan(self, domain, groupby, aggregates, having, offset, limit, order):
        """How the monthly totals answer a grouped read: (domain, groupby,
        order) over ``crm.funnel.summary``, the report's record rules in the
        domain; None when they cannot answer it exactly."""
        if having or offset or limit or not aggregates:
            return None
        for spec in aggregates:
            fname, _sep, func = spec.partition(":")
            if not (spec == "__count" or (func == "sum" and fname in SUMMARY_MEASURES)
                    or (func == "avg" and fname in SUMMARY_RATES)
                    or spec == "target_conversion_rate:avg"):
                return None
        tz = self.env["crm.funnel.summary"]._sff_built_tz()
        if tz is None:
            return None
        if "target_conversion_rate:avg" in aggregates and tz != "UTC":
            # the plans' months are UTC months, the totals' are not
            return None
        context_tz = self.env.context.get("tz")
        # grouped by month, Odoo reads the months in the context's time zone
        months_match = (context_tz if context_tz in pytz.all_timezones_set else "UTC") == tz
        terms = {}
        for spec in groupby:
            fname, _sep, granularity = spec.partition(":")
            if fname in SUMMARY_DIMENSIONS and not granularity:
                terms[spec] = spec
            elif fname == "date_in" and granularity in ("month", "quarter", "year") and months_match:
                terms[spec] = f"month:{granularity}"
            else:
                return None
        rules = [] if self.env.su else self.env["ir.rule"]._compute_domain(self._name, "read")
        summary_domain = []
        for part in (domain, rules or []):
            translated = self._sff_summary_domain(part, pytz.timezone(tz))
            if translated is None:
                return None
            summary_domain = expression.AND([summary_domain, translated])
        summary_order = None
        if order:
            parts = []
            for term in order.split(","):
                spec, *direction = term.split()
                if spec not in terms:
                    return None
                parts.append(" ".join([terms[spec], *direction]))
            summary_order = ", ".join(parts)
        return summary_domain, [terms[spec] for spec in groupby], summary_order

    @api.model
    def _sff_summary_domain(self, domain, tz):
        """``domain`` over the funnel report as a domain over the monthly
        totals (months in ``tz``), or None when it filters on anything they
        do not keep: conditions on the company, team, salesperson or stage
        compare ids; one on the date reached must start a month there
        (``>=``) or end before one (``<``)."""
        result = []
        for leaf in expression.normalize_domain(domain or []):
            if expression.is_operator(leaf) or leaf in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                result.append(leaf)
                continue
            if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
                return None
            path, operator, value = leaf
            if path in SUMMARY_DIMENSIONS:
                # ids only: the totals are read as superuser, where a search
                # on the records' names or fields would skip this user's rules
                ids = value if isinstance(value, (list, tuple)) else [value]
                if operator not in ("=", "!=", "in", "not in") or not all(
                        value_id is False or value_id is None
                        or (isinstance(value_id, int) and not isinstance(value_id, bool))
                        for value_id in ids):
                    return None
                result.append(leaf)
                continue
            if path != "date_in" or operator not in (">=", "<") or not value:
                return None
            try:
                moment = fields.Datetime.to_datetime(value)
            except ValueError:
                return None
            local = pytz.utc.localize(moment).astimezone(tz)
            if (local.day, local.hour, local.minute, local.second, local.microsecond) != (1, 0, 0, 0, 0):
                return None
            result.append(("month", operator, local.date()))
        return result

    # ------------------------------------------------------------------
    # The funnel of a team and period, as the dashboard, the PDF and the
    # spreadsheet show it
    # ------------------------------------------------------------------
    @api.model
    def _sff_funnel_domain(self, team_id=False, date_from=False, date_to=False, mode="flow",
                           user_id=False):
        """Rows of a funnel: ``mode`` "flow" counts the stages reached in the
        period, "cohort" the deals created in the period."""
        date_field = "date_in" if mode == "flow" else "lead_create_date"
        domain = []
        if team_id:
            domain.append(("team_id", "=", team_id))
        if user_id:
            domain.append(("user_id", "=", user_id))
        if date_from:
            domain.append((date_field, ">=", date_from))
        if date_to:
            domain.append((date_field, "<", date_to))
        return domain

    @api.model
    def _sff_funnel(self, domain):
        """Per stage of the rows in ``domain`` (record rules apply): the
        counts and amounts, and the conversion to the next stage, in stage
        order. Returns a list of dicts."""
        funnels = self._sff_funnels(domain)
        return [row for funnel in funnels for row in funnel["stages"]]

    @api.model
    def _sff_funnels(self, domain):
        """The funnels of the rows in ``domain``, one per sales team (each
        team has its own pipeline): a list of dicts with the team and its
        stages, teams by name, the deals without a team last."""
        measures = ["reached", "entered", "moved_on", "won", "lost_here", "open_here",
                    "stalled_here", "reached_amount", "won_amount", "lost_amount", "open_amount"]
        # one grouped read: the entered deals that moved on (the stricter
        # conversion) are a measure of their own
        groups = self._read_group(domain, ["team_id", "stage_id"],
                                  [f"{name}:sum" for name in measures] + ["entered_moved_on:sum"])
        funnels = {}
        for team, stage, *values, entered_moved in groups:
            row = dict(zip(measures, values))
            row.update(
                stage_id=stage.id,
                stage_name=stage.name,
                is_won=stage.is_won,
                conversion_rate=engine.conversion_rate(row["moved_on"], row["reached"]),
                entered_conversion_rate=engine.conversion_rate(entered_moved, row["entered"]),
            )
            funnel = funnels.setdefault(team.id, {
                "team_id": team.id or False,
                "team_name": team.name or self.env._("No sales team"),
                "stages": [],
            })
            funnel["stages"].append((stage, row))
        result = sorted(funnels.values(), key=lambda funnel: (not funnel["team_id"], funnel["team_name"]))
        order = {stage: index for index, stage in
                 enumerate(self.env["crm.stage"].union(*(stage for _team, stage, *_rest in groups))._sff_sorted())}
        for funnel in result:
            funnel["stages"] = [row for _stage, row in sorted(funnel["stages"], key=lambda item: order[item[0]])]
        return result

    @api.model
    def _sff_report_data(self, team_id=False, user_id=False, period="this_year",
                         date_from=False, date_to=False, mode="flow", compare="none"):
        """Everything the dashboard, the PDF and the spreadsheet show for a
        team (or every team), a salesperson (or all) and a period: the funnel,
        its comparison period, and the revenue forecast. Record rules apply:
        a salesperson limited to own documents sees own deals only."""
        if mode not in ("flow", "cohort"):
            raise UserError(self.env._("Unknown funnel mode: %s", mode))
        if compare not in engine.COMPARISONS:
            raise UserError(self.env._("Unknown comparison: %s", compare))
        if period and period != "custom":
            if period not in engine.PERIODS:
                raise UserError(self.env._("Unknown period: %s", period))
            today = fields.Date.context_today(self)
            date_from, date_to = engine.period_bounds(period, today)
        else:
            date_from = fields.Date.to_date(date_from) if date_from else None
            date_to = fields.Date.to_date(date_to) if date_to else None
            if date_from and date_to and date_to <= date_from:
                raise UserError(self.env._("The period must end after it starts."))
        compared = engine.comparison_bounds(date_from, date_to, compare)
        funnels = self._sff_funnels(self._sff_funnel_domain(team_id, date_from, date_to, mode, user_id))
        previous = {}
        if compared:
            for funnel in self._sff_funnels(
                self._sff_funnel_domain(team_id, compared[0], compared[1], mode, user_id)
            ):
                for row in funnel["stages"]:
                    previous[funnel["team_id"], row["stage_id"]] = row
        for funnel in funnels:
            for row in funnel["stages"]:
                before = previous.get((funnel["team_id"], row["stage_id"]))
                row["compare_reached"] = before["reached"] if before else 0
                row["compare_conversion_rate"] = before["conversion_rate"] if before else None
        self._sff_add_plans(funnels, date_from or fields.Date.context_today(self))
        team = self.env["crm.team"].browse(team_id)
        user = self.env["res.users"].browse(user_id)
        return {
            "team_id": team.id or False,
            "team_name": team.name or self.env._("All teams"),
            "user_name": user.name or False,
            "mode": mode,
            "date_from": date_from and fields.Date.to_string(date_from),
            "date_to": date_to and fields.Date.to_string(date_to),
            "compare": compare,
            "compare_from": compared and fields.Date.to_string(compared[0]),
            "compare_to": compared and fields.Date.to_string(compared[1]),
            "currency_id": self.env.company.currency_id.id,
            "funnels": funnels,
            "forecast": self.env["crm.forecast.report"]._sff_forecast_table(team_id, user_id),
            "losses": self.env["crm.loss.report"]._sff_losses(
                [(name, operator, value) for name, operator, value in (
                    ("team_id", "=", team_id), ("user_id", "=", user_id),
                    ("date_closed", ">=", date_from), ("date_closed", "<", date_to),
                ) if value]
            ),
            "attainment": self.env["crm.quota.report"]._sff_attainment(
                [(name, operator, value) for name, operator, value in (
                    ("team_id", "=", team_id), ("user_id", "=", user_id),
                    ("date", ">=", date_from), ("date", "<", date_to),
                ) if value]
            ),
        }

    @api.model
    def _sff_add_plans(self, funnels, day):
        """The plan's funnel beside each team's real one: the target plan of
        the team (not a salesperson's) in force on ``day`` gives each stage
        its target conversion, and the deals that would reach it if as many
        as really reached the first stage moved on at those rates. Stages
        without a conversion line in the plan pass every deal on."""
        Plan = self.env["crm.target.plan"]
        for funnel in funnels:
            plan = funnel["team_id"] and Plan.search([
                ("team_id", "=", funnel["team_id"]), ("user_id", "=", False),
                ("date_from", "<=", day), ("date_to", ">=", day),
            ], limit=1)
            targets = {line.stage_id.id: line.conversion for line in plan.stage_line_ids} if plan else {}
            funnel["plan_name"] = plan.name if targets else False
            expected = funnel["stages"][0]["reached"] if funnel["stages"] else 0
            for row in funnel["stages"]:
                row["target_conversion"] = targets.get(row["stage_id"]) if targets else None
                row["plan_reached"] = round(expected, 1) if targets else None
                if targets:
                    expected *= targets.get(row["stage_id"], 100.0) / 100.0

    @api.readonly
    @api.model
    def get_funnel_dashboard(self, params):
        """The dashboard's data call (see ``_sff_report_data``); ``params``
        as ``crm.funnel.dashboard._sff_params`` checks them. Reads only: on
        a read-only cursor, a replica's when the server has one."""
        Dashboard = self.env["crm.funnel.dashboard"]
        params = dict(params) if isinstance(params, dict) else params
        if params is None:
            params = {}
        if isinstance(params, dict) and params.get("team_id") is None:
            # first opening: the user's own team, when there is one that
            # the user may see now (its company among those selected)
            team = self.env.user.sale_team_id
            params["team_id"] = team.id if team and team.has_access("read") else False
        return self._sff_report_data(**Dashboard._sff_params(params))

    @api.readonly
    @api.model
    def get_stage_deals_action(self, params, stage_id, team_id=None):
        """The deals behind a stage of one of the dashboard's funnels (the
        funnel of ``team_id`` when the dashboard shows every team's)."""
        Dashboard = self.env["crm.funnel.dashboard"]
        params = Dashboard._sff_params(params)
        stage_id = Dashboard._sff_record_param("crm.stage", stage_id, self.env._("stage"))
        if not stage_id:
            raise UserError(self.env._("Which stage's deals? No stage was given."))
        if team_id is not None:
            team_id = Dashboard._sff_record_param("crm.team", team_id, self.env._("sales team"))
        date_from, date_to = params["date_from"], params["date_to"]
        if params["period"] != "custom":
            date_from, date_to = engine.period_bounds(params["period"], fields.Date.context_today(self))
        domain = self._sff_funnel_domain(
            params["team_id"], date_from, date_to, params["mode"], params["user_id"],
        ) + [("stage_id", "=", stage_id)]
        if team_id is not None and not params["team_id"]:
            domain.append(("team_id", "=", team_id or False))
        lead_ids = self.search(domain).lead_id.ids
        stage = self.env["crm.stage"].browse(stage_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Deals that reached %(stage)s", stage=stage.name),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": [("id", "in", lead_ids)],
            "context": {"active_test": False, "create": False},
        }

    @api.readonly
    @api.model
    def action_export(self, params, kind):
        """The dashboard's Print and Spreadsheet buttons: the same team,
        period, mode and comparison, as a PDF (``kind`` "pdf") or a
        spreadsheet ("xlsx"), both built on a read-only cursor."""
        return self.env["crm.funnel.dashboard"]._sff_export_action(params, kind)
