# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The deals' past: their forecast versions, the pipeline at a moment, the
flow of a period's pipeline between two moments, and slipped closing
dates."""

from datetime import date, datetime, time
from functools import lru_cache
from itertools import starmap

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..const import FLOW_STEPS
from ..tools.days import day_start
from ..tools.downloads import company_ids_param
from .crm_lead_forecast_version import WATCHED_COLUMNS

WATCHED_COLUMNS_SET = frozenset(WATCHED_COLUMNS)


def flow_moment(day):
    """The moment a deal flow reads the pipeline at for the date ``day``:
    its first instant (UTC, as the database keeps every time)."""
    if isinstance(day, str):
        day = fields.Datetime.to_datetime(day) if len(day) > 10 else fields.Date.to_date(day)
    if isinstance(day, datetime):
        return day
    return datetime.combine(day, time.min)


@lru_cache(maxsize=4096)
def _day(ordinal):
    """The date of the day number ``ordinal`` (``date.toordinal``), None for
    None: one object per day, which the deals closing that day share."""
    return None if ordinal is None else date.fromordinal(ordinal)


def _pipeline_deal(
    lead_id,
    stage_id,
    expected_revenue,
    probability,
    date_deadline,
    forecast_category,
    forecast_excluded,
    user_id,
    team_id,
    company_id,
):
    """One deal of ``sff_pipeline_at``, from its row. A dict display with its
    keys written out: Python builds it in two thirds of the time of
    ``dict(zip(names, row))``, and a company's pipeline is hundreds of
    thousands of deals."""
    return {
        "lead_id": lead_id,
        "stage_id": stage_id,
        "expected_revenue": expected_revenue,
        "probability": probability,
        "date_deadline": _day(date_deadline),
        "forecast_category": forecast_category,
        "forecast_excluded": forecast_excluded,
        "user_id": user_id,
        "team_id": team_id,
        "company_id": company_id,
    }


# the columns of sff_pipeline_at's rows, in the order _pipeline_deal takes them
PIPELINE_COLUMNS = _pipeline_deal.__code__.co_varnames[: _pipeline_deal.__code__.co_argcount]


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    forecast_version_ids = fields.One2many(
        "crm.lead.forecast.version",
        "lead_id",
        string="Forecast Versions",
        readonly=True,
    )
    slip_count = fields.Integer(
        string="Times Slipped",
        compute="_compute_slippage",
        search="_search_slip_count",
        help="How many times the expected closing date was moved later since "
        "the module was installed (Odoo does not keep its earlier changes).",
    )
    slip_days = fields.Integer(
        string="Days Slipped",
        compute="_compute_slippage",
        help="By how many days in all the expected closing date was moved later.",
    )

    # The database writes the versions when the deals' rows are written: what
    # the ORM holds of them in memory is read again.
    def _write_multi(self, vals_list):
        result = super()._write_multi(vals_list)
        if any(WATCHED_COLUMNS_SET.intersection(vals) for vals in vals_list):
            self._sff_forget_versions()
        return result

    @api.model
    def _create(self, data_list):
        records = super()._create(data_list)
        records._sff_forget_versions()
        return records

    def _sff_forget_versions(self):
        self.invalidate_recordset(["forecast_version_ids", "slip_count", "slip_days"], flush=False)
        self.env["crm.lead.forecast.version"].invalidate_model(flush=False)

    def _compute_slippage(self):
        totals = {
            lead.id: (count, days)
            for lead, count, days in self.env["crm.lead.forecast.version"]
            .sudo()
            ._read_group(
                # sudo: counting the deal's own versions, which the user reads
                # through the deal; the versions' company rule would hide the
                # deal's time in another company
                [("lead_id", "in", self.ids), ("slip_days", ">", 0)],
                ["lead_id"],
                ["__count", "slip_days:sum"],
            )
        }
        for lead in self:
            lead.slip_count, lead.slip_days = totals.get(lead._origin.id, (0, 0))

    def _search_slip_count(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            raise NotImplementedError(self.env._("Unsupported search on the number of slips."))
        sql_operator = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[operator]
        slipped = SQL(
            """SELECT v.lead_id FROM crm_lead_forecast_version v WHERE v.slip_days > 0
             GROUP BY v.lead_id HAVING COUNT(*) %s %s""",
            SQL(sql_operator),
            value,
        )
        self.env["crm.lead.forecast.version"].flush_model(["slip_days"])
        # the deals that slipped, read from the versions that slipped alone;
        # a count that 0 satisfies takes the deals that never slipped too
        if {
            "=": value == 0,
            "!=": value != 0,
            "<": value > 0,
            "<=": value >= 0,
            ">": value < 0,
            ">=": value <= 0,
        }[operator]:
            return [
                "!",
                (
                    "id",
                    "in",
                    SQL(
                        """(SELECT v.lead_id FROM crm_lead_forecast_version v WHERE v.slip_days > 0
                  GROUP BY v.lead_id HAVING NOT (COUNT(*) %s %s))""",
                        SQL(sql_operator),
                        value,
                    ),
                ),
            ]
        return [("id", "in", SQL("(%s)", slipped))]

    # ------------------------------------------------------------------
    # The pipeline at a moment
    # ------------------------------------------------------------------
    @api.model
    @api.readonly
    def sff_pipeline_at(self, moment, domain=None):
        """The open deals as they stood at ``moment`` (a datetime, or a date
        for its first instant in the funnel totals' time zone), among those ``domain`` selects (archived
        ones included): one dict per deal with ``lead_id`` and the
        versioned values (stage, amount, probability, expected closing,
        category, salesperson, team, company), as the versions read them.
        Record rules apply."""
        given = moment
        moment = self._sff_moment_param(moment)
        if not isinstance(given, datetime) and not (isinstance(given, str) and len(given) > 10):
            # a date: its first instant in the funnel totals' time zone
            moment = day_start(self.env, moment.date())
        self._sff_domain_param(domain)
        Version = self.env["crm.lead.forecast.version"]
        names = PIPELINE_COLUMNS

        # The amounts come as doubles, which the driver reads natively,
        # rather than as exact numerics that Odoo turns into floats value by
        # value in Python: the same floats, half a million deals faster. The
        # expected closing dates come as day numbers, each day's date made
        # once (_day): the driver's parsing of every date took a third of
        # the time of reading the rows.
        def column(name):
            if name == "date_deadline":
                return SQL("(%s - DATE '0001-01-01' + 1)", SQL.identifier(name))
            if Version._fields[name].column_type[0] == "numeric":
                return SQL("%s::float8", SQL.identifier(name))
            return SQL.identifier(name)

        outer = SQL(", ").join(map(column, names))
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (%s) AS v",
                outer,
                Version._sff_at_sql(moment, [("deal_state", "=", "open")], domain, columns=names),
            )
        )
        return list(starmap(_pipeline_deal, self.env.cr.fetchall()))

    # ------------------------------------------------------------------
    # Deal flow
    # ------------------------------------------------------------------
    @api.model
    def _sff_deal_flow_sql(
        self, date_from, date_to, domain=None, company_ids=None, team_id=None, user_id=None
    ):
        """One row per deal and step of the flow of the pipeline of the
        period [date_from, date_to) (open deals expected to close in it)
        between the moments date_from and date_to (now, if earlier): the
        deal, the step (``FLOW_STEPS``), the step's amount, and the deal's
        values at both moments. A deal in both pipelines has a start row,
        an end row and, if its amount changed, an increase or a decrease;
        one that left has a start row and the way it left; one that came
        has the way it came and an end row; one that came and left in
        between (created and won, pulled in and lost...) has the way it came
        and the way it left. Amounts leaving the pipeline are those of the
        start, coming into it those of the end; a deal that came and left
        in between does both with the amount it had when it was last in the
        period's pipeline.

        With ``company_ids``, the pipelines are those of these companies
        (and of no company): a deal counts at a moment where its version
        then was of one of them (a deal handed over from another company
        comes new), whichever companies the user reads besides. With
        ``team_id`` or ``user_id`` (ids), likewise the pipelines of that
        team or salesperson: a deal counts where its version then was
        theirs (one handed over to them comes new, one they handed over
        leaves pushed out), as the snapshots and the forecast accuracy
        count it; ``domain`` selects deals as they are now."""
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        # the days of the funnel totals' time zone, as what was won is counted
        start = day_start(self.env, date_from)
        end = min(day_start(self.env, date_to), self.env.cr.now())
        Version = self.env["crm.lead.forecast.version"]
        # The period's pipelines at both moments come first, found by the
        # versions' expected closing dates, and the deals in the period's
        # pipeline only in between; then the other end of the deals not in
        # both pipelines (the way they came or left), found deal by deal;
        # then the deals the user reads and ``domain`` selects. The
        # versions' own record rules apply to each part.
        in_period = [
            ("deal_state", "=", "open"),
            ("date_deadline", ">=", date_from),
            ("date_deadline", "<", date_to),
        ]
        owners = {"team_id": team_id, "user_id": user_id}
        if company_ids is not None:
            in_period.append(("company_id", "in", [*company_ids, False]))
        in_period += [(name, "=", value) for name, value in owners.items() if value]

        def in_scope(alias):
            # the versions of those companies (all without them), and of
            # that team and salesperson
            conditions = [
                SQL("%s = %s", SQL.identifier(alias, name), value)
                for name, value in owners.items()
                if value
            ]
            if company_ids is not None:
                column = SQL.identifier(alias, "company_id")
                conditions.append(
                    SQL("(%s IS NULL OR %s = ANY(%s))", column, column, list(company_ids))
                )
            return SQL("(%s)", SQL(" AND ").join(conditions)) if conditions else SQL("TRUE")

        leads = self.with_context(active_test=False)._search(domain or [])
        # The same deals either way; the plan differs: a salesperson's own
        # deals, or a team's, are found first among the deals expected in
        # the period then, which keeps the versions read few; all the deals
        # of a company are checked at the end, deal by deal, rather than
        # read whole.
        if (
            domain
            or company_ids is not None
            or team_id
            or user_id
            or not self.env.user.has_group("sales_team.group_sale_salesman_all_leads")
        ):
            candidates = SQL(
                """SELECT DISTINCT v.lead_id FROM crm_lead_forecast_version v
                    WHERE v.deal_state = 'open'
                      AND v.date_deadline >= %(date_from)s AND v.date_deadline < %(date_to)s
                      AND v.valid_from <= %(last)s AND (v.valid_to IS NULL OR v.valid_to > %(first)s)
                      AND %(in_scope)s
                      AND v.lead_id IN %(leads)s""",
                date_from=date_from,
                date_to=date_to,
                first=min(start, end),
                last=max(start, end),
                in_scope=in_scope("v"),
                leads=leads.subselect(),
            )
            in_period.append(("lead_id", "in", SQL("(SELECT c.lead_id FROM candidates c)")))
            readable = SQL("TRUE")
        else:
            candidates = SQL("SELECT NULL::integer AS lead_id WHERE FALSE")
            readable = SQL("p.lead_id IN %s", leads.subselect())
        return SQL(
            """
            WITH candidates AS MATERIALIZED (%(candidates)s),
            s_in AS MATERIALIZED (%(start_in)s), e_in AS MATERIALIZED (%(end_in)s),
            -- in the period's pipeline in between only: its last version there
            m_in AS MATERIALIZED (
                SELECT DISTINCT ON (m.lead_id) m.* FROM (%(between)s) m
                 WHERE m.lead_id NOT IN (SELECT lead_id FROM s_in)
                   AND m.lead_id NOT IN (SELECT lead_id FROM e_in)
              ORDER BY m.lead_id, m.valid_from DESC
            ),
            s AS (SELECT * FROM s_in UNION ALL %(start_of_comers)s),
            e AS (SELECT * FROM e_in UNION ALL %(end_of_leavers)s),
            sides AS (
                -- at_start: true at the start, false at the end, empty in between
                SELECT TRUE AS at_start, s.* FROM s UNION ALL SELECT FALSE, e.* FROM e
                UNION ALL SELECT NULL, m_in.* FROM m_in
            ),
            pairs AS (
                -- a deal's start and end side by side (grouped rather than
                -- joined: PostgreSQL cannot estimate a join of the two)
                SELECT x.lead_id,
                       COALESCE(BOOL_OR(x.at_start AND x.deal_state = 'open'
                                        AND x.date_deadline >= %(date_from)s
                                        AND x.date_deadline < %(date_to)s
                                        AND %(in_scope)s), FALSE) AS in_start,
                       COALESCE(BOOL_OR(NOT x.at_start AND x.deal_state = 'open'
                                        AND x.date_deadline >= %(date_from)s
                                        AND x.date_deadline < %(date_to)s
                                        AND %(in_scope)s), FALSE) AS in_end,
                       BOOL_OR(x.at_start AND %(in_scope)s) AS existed,
                       -- a deal then in another company's, team's or
                       -- salesperson's pipeline left these open (pushed
                       -- out), whatever came of it there
                       COALESCE(MAX(x.deal_state) FILTER (WHERE NOT x.at_start AND %(in_scope)s),
                                CASE WHEN BOOL_OR(NOT x.at_start) THEN 'open' END) AS end_state,
                       MAX(x.stage_id) FILTER (WHERE x.at_start) AS start_stage_id,
                       MAX(x.stage_id) FILTER (WHERE NOT x.at_start) AS end_stage_id,
                       COALESCE(MAX(x.expected_revenue) FILTER (WHERE x.at_start), 0) AS start_amount,
                       COALESCE(MAX(x.expected_revenue) FILTER (WHERE NOT x.at_start), 0) AS end_amount,
                       MAX(x.date_deadline) FILTER (WHERE x.at_start) AS start_deadline,
                       MAX(x.date_deadline) FILTER (WHERE NOT x.at_start) AS end_deadline,
                       MAX(x.forecast_category) FILTER (WHERE x.at_start) AS start_category,
                       MAX(x.forecast_category) FILTER (WHERE NOT x.at_start) AS end_category,
                       COALESCE(MAX(x.user_id) FILTER (WHERE NOT x.at_start),
                                MAX(x.user_id) FILTER (WHERE x.at_start)) AS user_id,
                       COALESCE(MAX(x.team_id) FILTER (WHERE NOT x.at_start),
                                MAX(x.team_id) FILTER (WHERE x.at_start)) AS team_id,
                       COALESCE(MAX(x.company_id) FILTER (WHERE NOT x.at_start),
                                MAX(x.company_id) FILTER (WHERE x.at_start)) AS company_id,
                       COALESCE(BOOL_OR(x.at_start IS NULL), FALSE) AS in_between,
                       MAX(x.expected_revenue) FILTER (WHERE x.at_start IS NULL) AS between_amount
                  FROM sides x
              GROUP BY x.lead_id
            ),
            flows AS (
                SELECT p.*, CASE
                           WHEN p.in_start AND p.in_end THEN
                               CASE WHEN p.end_amount > p.start_amount THEN 'increased'
                                    WHEN p.end_amount < p.start_amount THEN 'decreased' END
                           WHEN p.in_start THEN %(left)s
                           WHEN p.existed THEN 'pulled_in'
                           ELSE 'new' END AS movement,
                       -- came and left in between: the way it left too
                       CASE WHEN p.in_between THEN %(left)s END AS leaving
                  FROM pairs p
                 WHERE (p.in_start OR p.in_end OR p.in_between) AND %(readable)s
            )
            SELECT f.*, steps.step, steps.position,
                   CASE WHEN f.in_between THEN f.between_amount
                        ELSE CASE steps.step
                             WHEN 'start' THEN f.start_amount
                             WHEN 'end' THEN f.end_amount
                             WHEN 'increased' THEN f.end_amount - f.start_amount
                             WHEN 'decreased' THEN f.start_amount - f.end_amount
                             WHEN 'new' THEN f.end_amount
                             WHEN 'pulled_in' THEN f.end_amount
                             ELSE f.start_amount END END AS amount
              FROM flows f
        CROSS JOIN LATERAL (
                   SELECT 'start' AS step, 0 AS position WHERE f.in_start
                   UNION ALL SELECT f.movement, 1 WHERE f.movement IS NOT NULL
                   UNION ALL SELECT f.leaving, 1 WHERE f.leaving IS NOT NULL
                   UNION ALL SELECT 'end', 2 WHERE f.in_end
                   ) AS steps
            """,
            start_in=Version._sff_at_sql(start, in_period, check_leads=False),
            end_in=Version._sff_at_sql(end, in_period, check_leads=False),
            between=Version._sff_started_sql(start, end, in_period),
            start_of_comers=Version._sff_at_sql(
                start,
                [
                    (
                        "lead_id",
                        "in",
                        SQL(
                            """(SELECT e_in.lead_id FROM e_in
                                 WHERE e_in.lead_id NOT IN (SELECT lead_id FROM s_in)
                                UNION ALL SELECT lead_id FROM m_in)"""
                        ),
                    )
                ],
                check_leads=False,
            ),
            end_of_leavers=Version._sff_at_sql(
                end,
                [
                    (
                        "lead_id",
                        "in",
                        SQL(
                            """(SELECT s_in.lead_id FROM s_in
                                 WHERE s_in.lead_id NOT IN (SELECT lead_id FROM e_in)
                                UNION ALL SELECT lead_id FROM m_in)"""
                        ),
                    )
                ],
                check_leads=False,
            ),
            left=SQL(
                """CASE p.end_state WHEN 'won' THEN 'won'
                                    WHEN 'open' THEN 'pushed_out'
                                    ELSE 'lost' END"""
            ),
            candidates=candidates,
            readable=readable,
            in_scope=in_scope("x"),
            date_from=date_from,
            date_to=date_to,
        )

    @api.model
    @api.readonly
    def sff_deal_flow(
        self, date_from, date_to, domain=None, company_ids=None, team_id=None, user_id=None
    ):
        """How the pipeline of the period [date_from, date_to) changed
        between the moments date_from and date_to (or now, if earlier):
        ``{step: (count, amount)}`` for every step of ``FLOW_STEPS``, where
        start + new + pulled_in - pushed_out - won - lost = end, in counts,
        and in amounts with + increased - decreased. Record rules apply;
        ``company_ids``, ``team_id``, ``user_id``: the pipelines of these
        companies, that team, that salesperson only (see
        ``_sff_deal_flow_sql``)."""
        date_from, date_to = (self._sff_moment_param(day).date() for day in (date_from, date_to))
        self._sff_domain_param(domain)
        Dashboard = self.env["crm.funnel.dashboard"]
        team_id = Dashboard._sff_record_param("crm.team", team_id, self.env._("sales team"))
        user_id = Dashboard._sff_record_param("res.users", user_id, self.env._("salesperson"))
        if date_to <= date_from:
            raise UserError(self.env._("The period must end after it starts."))
        self.env.cr.execute(
            SQL(
                "SELECT flow.step, COUNT(*), COALESCE(SUM(flow.amount), 0) FROM (%s) AS flow GROUP BY flow.step",
                self._sff_deal_flow_sql(
                    date_from,
                    date_to,
                    domain,
                    None if company_ids is None else company_ids_param(self.env, company_ids),
                    team_id,
                    user_id,
                ),
            )
        )
        totals = {step: (count, amount) for step, count, amount in self.env.cr.fetchall()}
        return {step: totals.get(step, (0, 0.0)) for step, _label in FLOW_STEPS}

    @api.model
    def _sff_moment_param(self, value):
        """``flow_moment`` of what a caller gave, or a ``UserError`` in the
        user's language for what is not a date or a moment."""
        try:
            moment = flow_moment(value)
        except (TypeError, ValueError, AttributeError, OverflowError):
            moment = None
        if not isinstance(moment, datetime):
            raise UserError(
                self.env._(
                    "“%(value)s” is not a date (expected: YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS "
                    "for a moment).",
                    value=value,
                )
            )
        return moment

    @api.model
    def _sff_domain_shaped(self, domain):
        """Whether ``domain`` is shaped as Odoo reads one: conditions of
        three terms, each "|" and "&" followed by two of them (or by what
        joins them), "!" by one, the rest joined by "&"."""
        if not all(
            term in ("|", "&", "!") or (isinstance(term, (list, tuple)) and len(term) == 3)
            for term in domain
        ):
            return False
        try:
            expression.normalize_domain(domain)
        except (ValueError, AssertionError):
            return False
        return True

    @api.model
    def _sff_domain_param(self, domain):
        if domain not in (None, False) and not isinstance(domain, (list, tuple)):
            raise UserError(
                self.env._(
                    "The deals are selected by a domain, a list of conditions, not by %(value)s.",
                    value=type(domain).__name__,
                )
            )
        if domain and not self._sff_domain_shaped(list(domain)):
            raise UserError(
                self.env._(
                    "The conditions selecting the deals cannot be read: each condition is a "
                    "field, an operator and a value, joined by “|”, “&” or “!”."
                )
            )
        if domain:
            try:
                # parsed as the search will parse it (a field deals do not
                # have, a condition of two terms, an operator left alone),
                # and its values read by PostgreSQL as the field's (a date
                # that is none, a tag named where tags are ids), which reads
                # no row: a failed statement would end the transaction
                query = self.with_context(active_test=False)._search(list(domain))
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(SQL("SELECT 1 FROM (%s) AS deals LIMIT 0", query.select()))
            except (ValueError, TypeError, IndexError, AssertionError) as error:
                raise UserError(
                    self.env._(
                        "The conditions selecting the deals cannot be read: %(error)s",
                        error=str(error),
                    )
                ) from error
            except psycopg2.DataError as error:
                raise UserError(
                    self.env._(
                        "The conditions selecting the deals cannot be read: %(error)s",
                        error=error.diag.message_primary,
                    )
                ) from error
