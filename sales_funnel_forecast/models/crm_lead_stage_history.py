# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from .. import engine_sql
from ..const import REACH_LEAD_FIELDS
from ..tools.bulk import BULK_TABLES, foreign_keys_to_validate, validate_foreign_key
from .crm_lead_stage_reach import REFRESH_DEALS

_logger = logging.getLogger(__name__)


# precommit data key of the moves queued in the current transaction
PENDING_KEY = "sales_funnel_forecast.stage_history"
# a stall rule changed: the stall job checks, this much later, the deals
# moved into the stage by requests running beside the change
CONCURRENT_MOVES_DELAY = timedelta(minutes=5)
# the foreign keys the daily check found broken, and the day it did
BROKEN_KEYS_PARAM = "sales_funnel_forecast.foreign_keys_broken"

HISTORY_REASONS = [
    ("create", "Created"),
    ("manual", "Moved"),
    ("team", "Team's pipeline"),
    ("stall", "Stalled"),
    ("accounting", "Accounting"),
    ("backfill", "From chatter"),
]


class CrmLeadStageHistory(models.Model):
    """One row per stay of an opportunity in a stage.

    Rows are written by the deals themselves, in SQL and in batch, whenever
    their stage changes; nobody creates or edits them by hand. A lead (Odoo's
    lead type) has no stay: its first one starts when it is converted. A lost
    (archived) deal has no open stay.
    """

    _name = "crm.lead.stage.history"
    _inherit = ["crm.system.record.mixin"]
    _description = "Deal Stage History"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    # Stages that deals went through cannot be deleted (crm.stage.unlink says
    # so and offers archiving): the history keeps where every deal has been.
    # Not indexed alone (18.0.1.7.0 dropped the (stage_id, date_in) index):
    # the reports read stays by deal and by date; a stage's new stall rule
    # reads the open stays (a partial index), and only a stage's deletion
    # reads the whole table.
    stage_id = fields.Many2one(
        "crm.stage",
        required=True,
        readonly=True,
        ondelete="restrict",
    )
    previous_stage_id = fields.Many2one(
        "crm.stage",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        readonly=True,
        ondelete="set null",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        readonly=True,
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    company_currency = fields.Many2one(
        "res.currency",
        related="company_id.currency_id",
        string="Currency",
    )
    date_in = fields.Datetime(string="Entered", required=True, readonly=True, index=True)
    date_out = fields.Datetime(
        string="Left", readonly=True, help="Empty while the deal is still in the stage."
    )
    duration_days = fields.Float(
        string="Days in Stage",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Length of the stay in days of 24 hours (elapsed time, the same "
        "in every time zone): up to the moment the deal left the stage, or up "
        "to now while it is still there.",
    )
    expected_revenue = fields.Monetary(
        currency_field="company_currency",
        readonly=True,
    )
    probability = fields.Float(
        readonly=True,
        aggregator="avg",
        help="The deal's probability on entering the stage.",
    )
    is_regression = fields.Boolean(
        string="Moved Back",
        readonly=True,
        help="The deal came here from a stage placed later in the same pipeline, "
        "in the order the pipeline shows its stages (a move into another team's "
        "pipeline is none).",
    )
    reason = fields.Selection(
        HISTORY_REASONS,
        string="Cause",
        required=True,
        default="manual",
        readonly=True,
    )
    stall_due = fields.Datetime(
        string="Stalls On",
        readonly=True,
        help="When the deal will have stayed longer than the stage allows, if "
        "it is still there; empty once the stall rule acted on the stay, or "
        "when the stage never stalls deals.",
    )

    def init(self):
        # At most one open stay per deal; a stay is closed before the next one
        # of the same deal is opened, in the same statement batch.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_stage_history_one_open_idx
               ON crm_lead_stage_history (lead_id) WHERE date_out IS NULL"""
        )
        # the stall job reads the open stays past their limit
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_stage_history_stall_due_idx
               ON crm_lead_stage_history (stall_due)
               WHERE date_out IS NULL AND stall_due IS NOT NULL"""
        )

    @api.depends("lead_id.name", "stage_id.name")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.lead_id.name} – {row.stage_id.name}"

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The stored length of a stay is the final one; while the deal is
        still in the stage (no ``date_out``) it is read as now minus entry,
        in every read, filter, sort and aggregate."""
        if fname != "duration_days":
            return super()._field_to_sql(alias, fname, query, flush)
        stored = super()._field_to_sql(alias, fname, query, flush)
        date_in = super()._field_to_sql(alias, "date_in", query, flush)
        date_out = super()._field_to_sql(alias, "date_out", query, flush)
        return SQL(
            "(CASE WHEN %s IS NULL THEN %s ELSE %s END)",
            date_out,
            engine_sql.days_between(date_in, self.env.cr.now()),
            stored,
        )

    # ------------------------------------------------------------------
    # History is the deals' own record: no hand-made rows.
    # ------------------------------------------------------------------
    def _sff_manual_change_message(self):
        return self.env._(
            "The stage history is written by the deals themselves when "
            "they change stage; it cannot be created or edited by hand."
        )

    # ------------------------------------------------------------------
    # Writers: deals queue their moves; the queue is written in SQL, a few
    # statements for the whole transaction, before the history is read and
    # at the latest when the transaction commits (like Odoo's tracking).
    # ------------------------------------------------------------------
    @api.model
    def _sff_queue(self):
        data = self.env.cr.precommit.data
        queue = data.get(PENDING_KEY)
        if queue is None:
            queue = data[PENDING_KEY] = {"ops": [], "sync": set(), "reach": set()}
            self.env.cr.precommit.add(self.sudo()._sff_flush_pending)
        return queue

    @api.model
    def _sff_record_moves(self, moves, reason="manual", when=None):
        """Queue a new stay for each deal of ``moves``, which maps deal ids to
        ``(previous stage id or False, new stage id)``; the deal's current
        stay, if any, ends then. Callers pass open opportunities only.

        Stages and dates are those of the move; the salesperson, team, amount
        and probability of the new stay are the deal's when the queue is
        written, at the end of the transaction that moved it."""
        if moves:
            self._sff_queue_op("move", moves, reason, when)

    @api.model
    def _sff_close_stays(self, lead_ids, when=None):
        """Queue the end of the current stay of deals that left the pipeline."""
        if lead_ids:
            self._sff_queue_op("close", dict.fromkeys(lead_ids), None, when)

    @api.model
    def _sff_sync_owner(self, lead_ids):
        """Queue: the stays follow their deal into another company (record
        rules filter on the history's company); the open stay also takes the
        deal's new salesperson and team, past stays keep those of their time."""
        if lead_ids:
            self._sff_queue()["sync"].update(lead_ids)
            self._sff_invalidate_queued(lead_ids)

    @api.model
    def _sff_refresh_reach(self, lead_ids):
        """Queue: the funnel rows of these deals are rebuilt from their
        history and their current values (``crm.lead.stage.reach``)."""
        if lead_ids:
            self._sff_queue()["reach"].update(lead_ids)
            self.env.cache.invalidate(
                [(field, None) for field in self.env["crm.lead.stage.reach"]._fields.values()]
            )

    def _sff_queue_op(self, kind, by_lead, reason, when):
        queue = self._sff_queue()
        queue["reach"].update(by_lead)
        ops = queue["ops"]
        when = when or self.env.cr.now()
        last = ops[-1] if ops else None
        # consecutive operations of one kind, time, cause and user on distinct
        # deals are one batch (the user who moved the deals creates the stays)
        if (
            last
            and last[:4] == (kind, reason, when, self.env.uid)
            and not by_lead.keys() & last[4].keys()
        ):
            last[4].update(by_lead)
        else:
            ops.append((kind, reason, when, self.env.uid, dict(by_lead)))
        self._sff_invalidate_queued(list(by_lead))

    def _sff_invalidate_queued(self, lead_ids):
        """Stays in memory and the deals' lists of stays are read again, which
        writes the queue (invalidating them through the ORM would write it at
        once)."""
        self.env.cache.invalidate(
            [(field, None) for field in self._fields.values()]
            + [(self.env["crm.lead"]._fields["stage_history_ids"], lead_ids)]
        )

    # reading the history through the ORM sees the moves queued before
    def flush_model(self, fnames=None):
        self._sff_flush_pending()
        return super().flush_model(fnames)

    def _fetch_query(self, query, fields):
        self._sff_flush_pending()
        return super()._fetch_query(query, fields)

    @api.model
    def _sff_flush_pending(self):
        """Write the queued moves, in one round trip: two statements per
        batch of moves, one per batch of endings, one for the owners. Called
        before the history is read and by the transaction's pre-commit
        hooks."""
        queue = self.env.cr.precommit.data.pop(PENDING_KEY, None)
        if not queue or not (queue["ops"] or queue["sync"] or queue["reach"]):
            return
        Reach = self.env["crm.lead.stage.reach"]
        refresh = sorted(queue["reach"])
        # The probability is not flushed on purpose: that would run Odoo's
        # predictive scoring now instead of when Odoo itself needs it, and
        # change what it computes. Deals driven by their stage enter at the
        # stage percentage; the others at their stored probability. The
        # values of the funnel rows too, when some are worked out.
        self.env["crm.lead"].flush_model(
            [
                "stage_id",
                "user_id",
                "team_id",
                "company_id",
                "expected_revenue",
                "active",
                "probability_is_manual",
            ]
            + (REACH_LEAD_FIELDS if refresh else [])
        )
        self.env["res.company"].flush_model(["crm_probability_from_stage"])
        self.env["crm.stage"].flush_model(
            [
                "forecast_probability",
                "is_won",
                "sequence",
                "name",
                "active",
                "team_id",
                "stall_days",
            ]
        )
        statements = []
        default_follows = self.env.company.crm_probability_from_stage
        for kind, reason, when, uid, by_lead in queue["ops"]:
            lead_ids = list(by_lead)
            statements.append(self._sff_close_sql(lead_ids, when, uid))
            if kind == "move":
                statements.append(
                    self._sff_open_sql(
                        lead_ids,
                        [by_lead[lead_id][0] or None for lead_id in lead_ids],
                        [by_lead[lead_id][1] for lead_id in lead_ids],
                        reason,
                        when,
                        uid,
                        default_follows,
                    )
                )
        if queue["sync"]:
            statements.append(self._sff_owner_sql(list(queue["sync"])))
        if refresh:
            self.env["crm.team"].flush_model(["stage_catalogue_id"])
            if len(refresh) > REFRESH_DEALS:
                # the changes of one save to many deals, each locked by it:
                # their rows brought up to date in place, in SQL
                statements.append(Reach._sff_merge_sql(refresh))
                refresh = []
        if refresh:
            # what the rows of a few deals are worked out from, read after
            # the stays are written: the last statement, whose row
            # fetchone() returns
            statements.append(Reach._sff_refresh_read_sql(refresh))
        # one round trip for the queue's statements, in order
        if statements:
            self.env.cr.execute(SQL(";\n").join(statements))
        if refresh:
            Reach._sff_refresh_write(self.env.cr.fetchone())
        self.invalidate_model()
        Reach.invalidate_model()
        self.env["crm.lead"].invalidate_model(["stage_history_ids"])

    def _sff_open_sql(self, lead_ids, prev_ids, stage_ids, reason, when, uid, default_follows):
        """The new stays of the deals ``lead_ids``, from ``prev_ids`` into
        ``stage_ids`` at ``when``."""
        return SQL(
            """
            INSERT INTO crm_lead_stage_history
                (lead_id, stage_id, previous_stage_id, user_id, team_id,
                 company_id, date_in, expected_revenue,
                 probability, is_regression, reason, stall_due,
                 create_uid, create_date, write_uid, write_date)
            SELECT l.id, ns.id, moved.prev_id, l.user_id, l.team_id,
                   l.company_id, %(when)s, l.expected_revenue,
                   CASE WHEN l.active AND NOT COALESCE(l.probability_is_manual, FALSE)
                             AND COALESCE(c.crm_probability_from_stage, %(default_follows)s)
                        THEN %(stage_probability)s
                        ELSE l.probability END,
                   COALESCE(%(moved_back)s, FALSE), %(reason)s, %(stall_due)s,
                   %(uid)s, %(when)s, %(uid)s, %(when)s
              FROM unnest(%(lead_ids)s::int[], %(prev_ids)s::int[], %(stage_ids)s::int[])
                   AS moved(lead_id, prev_id, stage_id)
              JOIN crm_lead l ON l.id = moved.lead_id
              JOIN crm_stage ns ON ns.id = moved.stage_id
         LEFT JOIN crm_stage ps ON ps.id = moved.prev_id
         LEFT JOIN res_company c ON c.id = l.company_id
            """,
            when=when,
            uid=uid,
            lead_ids=lead_ids,
            prev_ids=prev_ids,
            stage_ids=stage_ids,
            reason=reason,
            default_follows=default_follows,
            stage_probability=engine_sql.stage_probability("ns"),
            moved_back=engine_sql.moved_back("ns", "ps"),
            stall_due=engine_sql.stall_due(SQL("%s", when), "ns"),
        )

    def _sff_close_sql(self, lead_ids, when, uid):
        """The end of the current stays of the deals ``lead_ids`` at
        ``when``."""
        return SQL(
            """
            UPDATE crm_lead_stage_history
               SET date_out = %(when)s, duration_days = %(days)s,
                   write_uid = %(uid)s, write_date = %(when)s
             WHERE lead_id = ANY(%(lead_ids)s) AND date_out IS NULL
            """,
            when=when,
            uid=uid,
            lead_ids=lead_ids,
            days=engine_sql.days_between(SQL.identifier("date_in"), when),
        )

    def _sff_owner_sql(self, lead_ids):
        return SQL(
            """
            UPDATE crm_lead_stage_history h
               SET company_id = l.company_id,
                   user_id = CASE WHEN h.date_out IS NULL THEN l.user_id ELSE h.user_id END,
                   team_id = CASE WHEN h.date_out IS NULL THEN l.team_id ELSE h.team_id END
              FROM crm_lead l
             WHERE l.id = h.lead_id AND l.id = ANY(%s)
               AND (h.company_id IS DISTINCT FROM l.company_id
                    OR (h.date_out IS NULL AND (h.user_id IS DISTINCT FROM l.user_id
                                                OR h.team_id IS DISTINCT FROM l.team_id)))
            """,
            lead_ids,
        )

    # ------------------------------------------------------------------
    # Stall rules
    # ------------------------------------------------------------------
    @api.model
    def _sff_reset_stall_due(self, lead_ids, reset=False):
        """The current stays of these deals stall again their stage's number
        of days after ``reset`` (a manager kept them open), or after they
        entered the stage."""
        self._sff_flush_pending()
        self.env["crm.stage"].flush_model(["stall_days", "is_won"])
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_stage_history h SET stall_due = %s
                 FROM crm_stage s
                WHERE s.id = h.stage_id AND h.date_out IS NULL AND h.lead_id = ANY(%s)""",
                engine_sql.stall_due(SQL("COALESCE(%s, h.date_in)", reset or None), "s"),
                list(lead_ids),
            )
        )
        self.invalidate_model(["stall_due"])

    @api.model
    def _sff_stage_rule_changed(self, stage_ids, concurrent=False):
        """A stage's number of days changed: the current stays in it that the
        rule has not acted on stall by the new number.

        A deal moved into the stage by a request running beside the change
        is not among them (its stay is not in the change's snapshot) and
        stalls by the former number: ``concurrent`` (the stall job, which
        the change starts a few minutes later) puts right the stays that
        entered within the hour before the change or after it, where they
        differ."""
        self._sff_flush_pending()
        self.env["crm.lead"].flush_model(["is_stalled", "stall_reset_date"])
        self.env["crm.stage"].flush_model(["stall_days", "is_won", "stall_rule_date"])
        due = engine_sql.stall_due(
            SQL("GREATEST(h.date_in, COALESCE(l.stall_reset_date, h.date_in))"), "s"
        )
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_stage_history h
                  SET stall_due = %s
                 FROM crm_stage s, crm_lead l
                WHERE s.id = h.stage_id AND l.id = h.lead_id AND h.date_out IS NULL
                  AND h.stage_id = ANY(%s) AND NOT COALESCE(l.is_stalled, FALSE) %s""",
                due,
                list(stage_ids),
                SQL(
                    """AND h.date_in >= s.stall_rule_date - interval '1 hour'
                       AND h.stall_due IS DISTINCT FROM %s""",
                    due,
                )
                if concurrent
                else SQL(),
            )
        )
        self.invalidate_model(["stall_due"])
        job = self.env.ref(
            "sales_funnel_forecast.ir_cron_apply_stall_rules", raise_if_not_found=False
        )
        if job and not concurrent:
            # sudo: whoever changes a stage may start the job, not edit it
            job.sudo()._trigger(self.env.cr.now() + CONCURRENT_MOVES_DELAY)

    @api.model
    def _sff_stall_rules_recently_changed(self):
        """The stays moved into stages beside a change of their stall rule
        in the last two days, put right (``_sff_stage_rule_changed``)."""
        stages = (
            self.env["crm.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("stall_rule_date", ">=", self.env.cr.now() - timedelta(days=2))])
        )
        if stages:
            self._sff_stage_rule_changed(stages.ids, concurrent=True)

    # ------------------------------------------------------------------
    # The keys the installation left to check
    # ------------------------------------------------------------------
    @api.model
    def _cron_validate_foreign_keys(self):
        """Check the rows that the installation (or an upgrade) loaded in
        bulk against the foreign keys it left to check, one key per call:
        the scheduler calls again while some remain, committing in between.
        A key that rows break stays unchecked (PostgreSQL still enforces it
        on new rows), is named in the server log and is passed over until
        the next day's run, which tries it again: the keys after it are
        checked meanwhile."""
        cr = self.env.cr
        Param = self.env["ir.config_parameter"].sudo()
        today = fields.Date.to_string(fields.Date.context_today(self))
        broken = Param.get_param(BROKEN_KEYS_PARAM, "").split(",")
        # the keys found broken today (the first item is their day)
        broken = set(broken[1:]) if broken[0] == today else set()
        pending = [
            key for key in foreign_keys_to_validate(cr, BULK_TABLES) if ".".join(key) not in broken
        ]
        for index, (table, name) in enumerate(pending):
            try:
                with cr.savepoint():
                    validate_foreign_key(cr, table, name)
            except psycopg2.IntegrityError as error:
                _logger.error(
                    "sales_funnel_forecast: rows of %s break its foreign key %s, left unchecked "
                    "until tomorrow: %s",
                    table,
                    name,
                    error,
                )
                broken.add(f"{table}.{name}")
                Param.set_param(BROKEN_KEYS_PARAM, ",".join([today, *sorted(broken)]))
                continue
            remaining = len(pending) - index - 1
            self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)
            return remaining
        self.env["ir.cron"]._notify_progress(done=0, remaining=0)
        return 0
