# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel's monthly totals: what the funnel pivots read when they group
and filter by what the totals keep (``crm.funnel.report._read_group``)."""

from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..const import TZ_BUILT_PARAM, TZ_PARAM
from ..tools.days import local_month_sql
from ..tools.jobs import new_transaction, run_batch
from .common import create_view

DELTA_TABLE = "crm_funnel_summary_delta"
# what the totals are grouped by (the funnel rows' columns of the same names)
SUMMARY_DIMENSIONS = ("company_id", "team_id", "user_id", "stage_id")
# the totals kept: the funnel report's counts and amounts (crm.funnel.report
# selects them under these names), over a row ``r`` of crm_lead_stage_reach;
# "reached" first (the reads of the totals rely on it)
SUMMARY_MEASURES = {
    "reached": SQL("1"),
    "entered": SQL("r.entered::int"),
    "moved_on": SQL("r.moved_on::int"),
    "entered_moved_on": SQL("(r.entered AND r.moved_on)::int"),
    "won": SQL("(r.deal_state = 'won')::int"),
    "lost_here": SQL("r.is_lost_stage::int"),
    "open_here": SQL("(r.is_current AND r.deal_state = 'open')::int"),
    "stalled_here": SQL("r.is_stalled::int"),
    "no_decision_maker": SQL("(NOT r.has_decision_maker)::int"),
    "reached_amount": SQL("r.expected_revenue"),
    "won_amount": SQL("CASE WHEN r.deal_state = 'won' THEN r.expected_revenue ELSE 0 END"),
    "lost_amount": SQL("CASE WHEN r.is_lost_stage THEN r.expected_revenue ELSE 0 END"),
    "open_amount": SQL(
        "CASE WHEN r.is_current AND r.deal_state = 'open' THEN r.expected_revenue ELSE 0 END"
    ),
    "invoiced_amount": SQL("r.invoiced_amount"),
}

# averages of the funnel rows that the monthly totals give: the share of
# rows where the numerator holds among those where the denominator does
SUMMARY_RATES = {
    "conversion_rate": ("moved_on", "reached"),
    "entered_conversion_rate": ("entered_moved_on", "entered"),
    "win_rate": ("won", "reached"),
}
AMOUNTS = ("reached_amount", "won_amount", "lost_amount", "open_amount", "invoiced_amount")
TRIGGER_EVENTS = {
    "insert": SQL("INSERT ON crm_lead_stage_reach REFERENCING NEW TABLE AS new_rows"),
    "delete": SQL("DELETE ON crm_lead_stage_reach REFERENCING OLD TABLE AS old_rows"),
    "update": SQL(
        "UPDATE ON crm_lead_stage_reach REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    ),
}


def _grouped_rows_sql(source, sign, tz):
    """The totals of the funnel rows of ``source`` (a table of
    crm_lead_stage_reach rows, aliased ``r``) per company, team,
    salesperson, stage and month (in time zone ``tz``), times ``sign``: 1,
    -1, or a column of ``source`` that gives each row's sign."""
    if isinstance(sign, int):
        sums = SQL(", ").join(
            SQL("%s * SUM(%s)", sign, value) for value in SUMMARY_MEASURES.values()
        )
    else:
        sums = SQL(", ").join(
            SQL("SUM(%s * (%s))", sign, value) for value in SUMMARY_MEASURES.values()
        )
    return SQL(
        "SELECT %(dims)s, %(month)s, %(sums)s FROM %(source)s r GROUP BY %(dims)s, %(month)s",
        dims=SQL(", ").join(SQL.identifier("r", name) for name in SUMMARY_DIMENSIONS),
        month=local_month_sql(SQL.identifier("r", "date_in"), tz),
        sums=sums,
        source=source,
    )


def _insert_sql(select):
    return SQL(
        "INSERT INTO %s (%s, month, %s) %s",
        SQL.identifier(DELTA_TABLE),
        SQL(", ").join(map(SQL.identifier, SUMMARY_DIMENSIONS)),
        SQL(", ").join(map(SQL.identifier, SUMMARY_MEASURES)),
        select,
    )


class CrmFunnelSummary(models.Model):
    """The funnel rows (``crm.lead.stage.reach``) totalled per company,
    sales team, salesperson, stage and month the stage was reached, in the
    time zone of the setting "Funnel Totals Time Zone" (``_sff_built_tz``:
    the one they were last worked out in).

    A pivot over a million deals' funnel rows reads two to three million
    rows; these totals hold a few thousand. PostgreSQL keeps them: triggers
    on the funnel rows add, for every statement that writes some, what it
    added and took away, as rows of their own (``crm_funnel_summary_delta``:
    no row is ever updated in place, so that two reps moving deals at once
    never wait for each other), and this view sums them. A daily job
    (``_cron_compact``) folds them into one row per key.

    Read only through the funnel report, which applies its own record rules
    (Odoo's and any added since) to these totals: nobody has access of their
    own, so that no read of them goes around those rules.
    """

    _name = "crm.funnel.summary"
    _description = "Sales Funnel Monthly Totals"
    _auto = False

    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    month = fields.Date(readonly=True, help="First day of the month the stage was reached.")
    reached = fields.Integer(readonly=True)
    entered = fields.Integer(readonly=True)
    moved_on = fields.Integer(readonly=True)
    entered_moved_on = fields.Integer(string="Entered and Moved On", readonly=True)
    won = fields.Integer(readonly=True)
    lost_here = fields.Integer(readonly=True)
    open_here = fields.Integer(readonly=True)
    stalled_here = fields.Integer(readonly=True)
    no_decision_maker = fields.Integer(string="Without Decision Maker", readonly=True)
    reached_amount = fields.Float(readonly=True)
    won_amount = fields.Float(readonly=True)
    lost_amount = fields.Float(string="Lost Here Amount", readonly=True)
    open_amount = fields.Float(string="Open Here Amount", readonly=True)
    invoiced_amount = fields.Float(readonly=True)
    # the target plans' conversion of the key's company, team, stage and
    # month, times its deals, and the deals that have one: their average
    # is the funnel rows' average target conversion (the plans' months are
    # those of the totals' time zone, as the report's rows read them)
    target_weighted = fields.Float(string="Target Conversion x Deals", readonly=True)
    target_reached = fields.Integer(string="Deals with a Target", readonly=True)

    def init(self):
        cr = self.env.cr
        # the setting fixed at the install (and at the upgrade of a database
        # where it was unset): the administrator's time zone then, so that
        # the company's months do not move with the administrator's own
        # preferences later
        Param = self.env["ir.config_parameter"].sudo()
        if Param.get_param(TZ_PARAM) not in pytz.all_timezones_set:
            Param.set_param(TZ_PARAM, self._sff_tz())
        cr.execute("SELECT to_regclass(%s) IS NULL", [DELTA_TABLE])
        created = cr.fetchone()[0]
        if created:
            cr.execute(
                SQL(
                    "CREATE TABLE %s (id bigserial, %s, month date, %s)",
                    SQL.identifier(DELTA_TABLE),
                    SQL(", ").join(
                        SQL("%s integer", SQL.identifier(name)) for name in SUMMARY_DIMENSIONS
                    ),
                    SQL(", ").join(
                        SQL(
                            "%s %s",
                            SQL.identifier(name),
                            SQL("double precision" if name in AMOUNTS else "bigint"),
                        )
                        for name in SUMMARY_MEASURES
                    ),
                )
            )
        else:
            # each total's id: that of its first row (18.0.1.8.0 had none)
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN IF NOT EXISTS id bigserial",
                    SQL.identifier(DELTA_TABLE),
                )
            )
        dims = SQL(", ").join(SQL.identifier("d", name) for name in SUMMARY_DIMENSIONS)
        # the id of a key is the least id of its rows, not a row number: a
        # window over the view would keep PostgreSQL from filtering the rows
        # before it sums them (9 ms instead of 1 for a team's month on 19,000
        # rows)
        create_view(
            self,
            SQL(
                """SELECT k.*,
                      tp.conversion * k.reached AS target_weighted,
                      CASE WHEN tp.conversion IS NULL THEN 0 ELSE k.reached END AS target_reached
                 FROM (SELECT MIN(d.id) AS id, %(dims)s, d.month, %(sums)s
                         FROM %(table)s d GROUP BY %(dims)s, d.month) k
                 -- one row per key: PostgreSQL leaves the join out when the
                 -- target is not asked for
            LEFT JOIN (%(plans)s) tp
                   ON tp.company_id = k.company_id AND tp.team_key = COALESCE(k.team_id, 0)
                  AND tp.stage_id = k.stage_id AND tp.month = k.month""",
                dims=dims,
                table=SQL.identifier(DELTA_TABLE),
                sums=SQL(", ").join(
                    SQL(
                        "SUM(%s)::%s AS %s",
                        SQL.identifier("d", name),
                        SQL("float8" if name in AMOUNTS else "bigint"),
                        SQL.identifier(name),
                    )
                    for name in SUMMARY_MEASURES
                ),
                plans=self.env["crm.funnel.report"]._sff_plan_conversions(),
            ),
        )
        built = self._sff_built_tz()
        if created or built != self._sff_tz():
            self._sff_rebuild()
        else:
            self._sff_create_triggers(built)

    @api.model
    def _sff_tz(self):
        """The time zone the totals' months should be in: the setting (which
        the install sets), else the administrator's time zone, else UTC."""
        tz = self.env["ir.config_parameter"].sudo().get_param(TZ_PARAM)
        if tz not in pytz.all_timezones_set:
            admin = self.env.ref("base.user_admin", raise_if_not_found=False)
            tz = admin.tz if admin else None
        return tz if tz in pytz.all_timezones_set else "UTC"

    @api.model
    def _sff_built_tz(self):
        """The time zone the totals' months are in, as their last rebuild
        left them (None before any)."""
        tz = self.env["ir.config_parameter"].sudo().get_param(TZ_BUILT_PARAM)
        return tz if tz in pytz.all_timezones_set else None

    @api.model
    def _sff_create_triggers(self, tz):
        """The triggers that keep the totals, their months in ``tz``."""
        cr = self.env.cr
        delta = SQL(
            """
            CREATE OR REPLACE FUNCTION sff_funnel_summary_delta() RETURNS trigger
            LANGUAGE plpgsql AS $body$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    %(removed)s;
                ELSIF TG_OP = 'INSERT' THEN
                    %(added)s;
                ELSE
                    %(changed)s;
                END IF;
                RETURN NULL;
            END
            $body$
            """,
            # the time zone is the trigger's argument; an update's rows, as
            # they were and as they are, are summed in one statement
            removed=_insert_sql(_grouped_rows_sql(SQL("old_rows"), -1, SQL("TG_ARGV[0]"))),
            added=_insert_sql(_grouped_rows_sql(SQL("new_rows"), 1, SQL("TG_ARGV[0]"))),
            changed=_insert_sql(
                _grouped_rows_sql(
                    SQL(
                        "(SELECT o.*, -1 AS sff_sign FROM old_rows o "
                        "UNION ALL SELECT n.*, 1 AS sff_sign FROM new_rows n)"
                    ),
                    SQL("r.sff_sign"),
                    SQL("TG_ARGV[0]"),
                )
            ),
        )
        cr.execute(delta)
        for event, definition in TRIGGER_EVENTS.items():
            name = SQL.identifier(f"sff_funnel_summary_{event}")
            cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON crm_lead_stage_reach", name))
            cr.execute(
                SQL(
                    "CREATE TRIGGER %s AFTER %s FOR EACH STATEMENT EXECUTE FUNCTION sff_funnel_summary_delta(%s)",
                    name,
                    definition,
                    tz,
                )
            )
        # TRUNCATE (of the funnel rows, or of the deals with CASCADE) fires
        # no row trigger: the totals are emptied with the rows
        cr.execute(
            SQL(
                """
            CREATE OR REPLACE FUNCTION sff_funnel_summary_truncate() RETURNS trigger
            LANGUAGE plpgsql AS $body$
            BEGIN
                DELETE FROM %s;
                RETURN NULL;
            END
            $body$
            """,
                SQL.identifier(DELTA_TABLE),
            )
        )
        cr.execute("DROP TRIGGER IF EXISTS sff_funnel_summary_truncate ON crm_lead_stage_reach")
        cr.execute(
            """CREATE TRIGGER sff_funnel_summary_truncate AFTER TRUNCATE ON crm_lead_stage_reach
               FOR EACH STATEMENT EXECUTE FUNCTION sff_funnel_summary_truncate()"""
        )

    @api.model
    def _sff_disable_triggers(self):
        """Switch the triggers off while the funnel rows are written in bulk
        (``crm.lead.stage.reach._sff_fill``, whose rebuild of the totals
        creates them again after)."""
        for event in TRIGGER_EVENTS:
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE crm_lead_stage_reach DISABLE TRIGGER %s",
                    SQL.identifier(f"sff_funnel_summary_{event}"),
                )
            )

    @api.model
    def _sff_rebuild(self, tz=None):
        """The totals again from every funnel row, in ``tz`` (default:
        ``_sff_tz``), in this transaction. The funnel rows stay locked until
        it ends, so that no change slips in between the triggers and the
        totals.

        Right in the time zone the totals are already in (after a bulk fill
        of the funnel rows): a change committed by someone else after this
        transaction's snapshot but before the lock is not in the rows read
        here, and its own additions to the totals, in the same time zone,
        are not deleted here either, so they add up. In another time zone,
        those additions would stay in the old one's months: a change of
        time zone goes through ``_cron_rebuild``, whose snapshot comes after
        its lock."""
        cr = self.env.cr
        tz = tz or self._sff_tz()
        cr.execute("LOCK TABLE crm_lead_stage_reach IN ACCESS EXCLUSIVE MODE")
        self._sff_create_triggers(tz)
        cr.execute(SQL("DELETE FROM %s", SQL.identifier(DELTA_TABLE)))
        cr.execute(_insert_sql(_grouped_rows_sql(SQL("crm_lead_stage_reach"), 1, tz)))
        self.env["ir.config_parameter"].sudo().set_param(TZ_BUILT_PARAM, tz)
        cr.execute(SQL("ANALYZE %s", SQL.identifier(DELTA_TABLE)))

    @api.model
    def _sff_schedule_rebuild(self):
        """Have the totals worked out again in the time zone of the setting,
        by the job (``_cron_rebuild``), as soon as a cron worker is free;
        until then the pivots read them in the time zone they are in."""
        # sudo: whoever saves the setting may start the job, not edit it
        self.env.ref("sales_funnel_forecast.ir_cron_rebuild_funnel_summary").sudo()._trigger()

    @api.model
    def _cron_rebuild(self):
        """Work the totals out again when the setting's time zone is not the
        one they are in (a change of the setting, or of the administrator's
        time zone the setting falls back to). Its transaction locks the
        funnel rows before it reads anything: every change committed before
        is then in what it reads, and every change after waits for it.
        Returns whether it worked them out again."""
        tz = self._sff_tz()
        if tz == self._sff_built_tz():
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return False
        # the batch's first statement is the lock

        def rebuild():
            self._sff_rebuild(tz)
            return 1, 0

        return not run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_rebuild_funnel_summary",
            rebuild,
            lambda: 1,
            flush=False,
        )

    @api.model
    def _cron_compact(self):
        """Fold the rows the triggers added into one row per key, dropping
        the keys whose counts are all nothing (no funnel row is left under
        them: their amounts are then nothing too, but for the rounding of
        sums of floats). Rows added
        meanwhile by other transactions stay as they are, for the next
        run. Returns the number of rows left."""
        cr = self.env.cr
        # The job runner has read in this transaction already, which took
        # its snapshot: the fold starts another, whose first statement takes
        # the funnel rows' lock that every save takes, and that the time
        # zone's rebuild (``_sff_rebuild``) waits for and makes it wait
        # for: the fold then never meets rows the rebuild deleted, nor the
        # rebuild rows the fold deleted.
        new_transaction(cr)
        cr.execute("LOCK TABLE crm_lead_stage_reach IN ROW EXCLUSIVE MODE")
        dims = SQL(", ").join(map(SQL.identifier, SUMMARY_DIMENSIONS))
        cr.execute(
            SQL(
                "WITH gone AS (DELETE FROM %s RETURNING *) %s",
                SQL.identifier(DELTA_TABLE),
                _insert_sql(
                    SQL(
                        "SELECT %(dims)s, month, %(sums)s FROM gone GROUP BY %(dims)s, month HAVING %(kept)s",
                        dims=dims,
                        sums=SQL(", ").join(
                            SQL("SUM(%s)", SQL.identifier(name)) for name in SUMMARY_MEASURES
                        ),
                        # a key is dropped only when every count is nothing
                        kept=SQL(" OR ").join(
                            SQL("SUM(%s) <> 0", SQL.identifier(name))
                            for name in SUMMARY_MEASURES
                            if name not in AMOUNTS
                        ),
                    )
                ),
            )
        )
        folded = cr.rowcount
        self.env["ir.cron"]._notify_progress(done=1, remaining=0)
        return folded

    # ------------------------------------------------------------------
    # The funnel report's grouped reads, answered from the totals
    # ------------------------------------------------------------------
    @api.model
    def _sff_read_group_for(
        self, report, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """A grouped read of the funnel report (``report``, with its user
        and context) answered from the monthly totals, when they can answer
        it exactly: groups and
        filters on the company, team, salesperson and stage, and on the
        month reached in the totals' time zone, sums of the counts and
        amounts, the conversion and win rates, and the target conversion
        (totals in the setting's time zone). None for anything else: the
        rows answer it."""
        plan = self._sff_plan(report, domain, groupby, aggregates, having, offset, limit, order)
        if plan is None:
            return None
        summary_domain, summary_groupby, summary_order = plan
        report.browse().check_access("read")
        # reading the totals writes what the report's rows depend on: the
        # funnel rows queued by the deals (their flush), the plans
        for model_name, fnames in report._depends.items():
            self.env[model_name].flush_model(fnames)
        # reached first: the groups without a funnel row are left out on it
        sums = list(SUMMARY_MEASURES)
        if "target_conversion_rate:avg" in aggregates:
            sums += ["target_weighted", "target_reached"]
        # sudo: the salespeople have no access to the totals of their own;
        # the report's record rules for this user are in summary_domain
        Summary = self.sudo()
        rows = Summary._read_group(
            summary_domain,
            summary_groupby,
            [f"{name}:sum" for name in sums],
            having=[("reached:sum", ">", 0)] if groupby else (),
            order=summary_order,
        )
        if not groupby and not rows[0][0]:
            return [tuple(report._read_group_empty_value(spec) for spec in aggregates)]
        teams = report._sff_target_teams() if "target_conversion_rate:avg" in aggregates else None
        targets = None
        if teams is not None:
            # the reader reads some teams' plans only: the targets of the
            # others' totals are left out, as the rows leave them out
            # (crm.funnel.report._sff_target_sql)
            targets = {
                tuple(row[: len(groupby)]): row[len(groupby) :]
                for row in Summary._read_group(
                    summary_domain + ["|", ("team_id", "=", False), ("team_id", "in", teams)],
                    summary_groupby,
                    ["target_weighted:sum", "target_reached:sum"],
                )
            }
        result = []
        for row in rows:
            keys, totals = row[: len(groupby)], dict(zip(sums, row[len(groupby) :]))
            if targets is not None:
                totals["target_weighted"], totals["target_reached"] = targets.get(
                    tuple(keys), (0.0, 0)
                )
            values = []
            for spec, key in zip(groupby, keys):
                if spec.startswith("date_in:"):
                    values.append(datetime.combine(key, time.min) if key else False)
                else:
                    values.append(key.with_env(report.env))
            for spec in aggregates:
                name = "reached" if spec == "__count" else spec.split(":")[0]
                if name == "target_conversion_rate":
                    values.append(
                        totals["target_weighted"] / totals["target_reached"]
                        if totals["target_reached"]
                        else False
                    )
                elif name in SUMMARY_RATES:
                    numerator, denominator = SUMMARY_RATES[name]
                    values.append(
                        100.0 * totals[numerator] / totals[denominator]
                        if totals[denominator]
                        else False
                    )
                elif name in AMOUNTS:
                    values.append(totals[name])
                else:
                    # counts, as PostgreSQL gives the sums of integers
                    values.append(int(totals[name]))
            result.append(tuple(values))
        return result

    @api.model
    def _sff_plan(self, report, domain, groupby, aggregates, having, offset, limit, order):
        """How the monthly totals answer a grouped read of the funnel report
        (``report``): (domain, groupby, order) over the totals, the report's
        record rules for its user in the domain; None when they cannot
        answer it exactly."""
        if having or offset or limit or not aggregates:
            return None
        for spec in aggregates:
            fname, _sep, func = spec.partition(":")
            if not (
                spec == "__count"
                or (func == "sum" and fname in SUMMARY_MEASURES)
                or (func == "avg" and fname in SUMMARY_RATES)
                or spec == "target_conversion_rate:avg"
            ):
                return None
        tz = self._sff_built_tz()
        if tz is None:
            return None
        if "target_conversion_rate:avg" in aggregates and tz != self._sff_tz():
            # the plans' months are those of the setting, the totals' are
            # still another time zone's (their rebuild is pending)
            return None
        context_tz = report.env.context.get("tz")
        # grouped by month, Odoo reads the months in the context's time zone
        months_match = (context_tz if context_tz in pytz.all_timezones_set else "UTC") == tz
        terms = {}
        for spec in groupby:
            fname, _sep, granularity = spec.partition(":")
            if fname in SUMMARY_DIMENSIONS and not granularity:
                terms[spec] = spec
            elif (
                fname == "date_in" and granularity in ("month", "quarter", "year") and months_match
            ):
                terms[spec] = f"month:{granularity}"
            else:
                return None
        rules = [] if report.env.su else report.env["ir.rule"]._compute_domain(report._name, "read")
        summary_domain = []
        for part in (domain, rules or []):
            translated = self._sff_domain(part, pytz.timezone(tz))
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
    def _sff_domain(self, domain, tz):
        """``domain`` over the funnel report as a domain over the monthly
        totals (months in ``tz``), or None when it filters on anything they
        do not keep: conditions on the company, team, salesperson or stage
        compare ids; one on the date reached must start a month there
        (``>=``) or end before one (``<``)."""
        result = []
        for leaf in expression.normalize_domain(domain or []):
            if expression.is_operator(leaf) or leaf in (
                expression.TRUE_LEAF,
                expression.FALSE_LEAF,
            ):
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
                    value_id is False
                    or value_id is None
                    or (isinstance(value_id, int) and not isinstance(value_id, bool))
                    for value_id in ids
                ):
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
            if (local.day, local.hour, local.minute, local.second, local.microsecond) != (
                1,
                0,
                0,
                0,
                0,
            ):
                return None
            result.append(("month", operator, local.date()))
        return result
