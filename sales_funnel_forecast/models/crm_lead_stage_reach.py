# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from .. import engine, engine_sql
from ..const import DEAL_STATES, ORIGIN_TYPES, REACH_COLUMNS
from ..tools.bulk import bulk_load
from ..tools.jobs import run_batch

_logger = logging.getLogger(__name__)


def _iso(column):
    """A timestamp column as text of fixed width (microseconds always
    there), which every Python reads back (``_timestamp``)."""
    return SQL("""to_char(%s, 'YYYY-MM-DD"T"HH24:MI:SS.US')""", column)


def _timestamp(value):
    """A timestamp as ``_iso`` gives it, as psycopg2 would: a naive
    datetime, or None (six digits of a second: every Python 3 reads them)."""
    return datetime.fromisoformat(value) if value else None


# from this many deals on, their rows are rebuilt by a job, committing
# between batches (``_cron_rebuild_pending``), instead of in the request that
# changed their pipeline: row by row, a million deals' rows took 136 s, past
# a web worker's time limit
QUEUED_REBUILD_DEALS = 20000
# deals a batch of the job: each is locked while its batch runs, as a save
# locks it, so that a batch keeps users waiting a few seconds at most
REBUILD_BATCH = 2000
# up to this many deals (the changes of a save), their rows are worked out
# in Python and only those that change are written (``_sff_refresh_write``); for
# more, in SQL, and only those that change are written (``_sff_merge_sql``)
REFRESH_DEALS = 100
# room left on each page of the funnel rows, in percent
REACH_FILLFACTOR = 90

REACH_TIMESTAMPS = {"date_in", "lead_create_date", "date_closed"}
REACH_AMOUNTS = {"expected_revenue", "invoiced_amount"}


class CrmLeadStageReach(models.Model):
    """One row per opportunity and per stage of its team's pipeline that it
    cumulatively reached: every stage up to the furthest one it entered (in
    today's stage order), skipped ones included.

    The funnel reports read these rows; they are rebuilt from the stage
    history, in SQL, by the same queue that writes the history (moves, and
    changes of the deal fields the reports show), and for every deal of a
    pipeline whose stages change. The deal's current salesperson, team,
    source... are copied on each row so that reports group stored rows
    without joining the deals.
    """

    _name = "crm.lead.stage.reach"
    _description = "Stage Reached by a Deal"
    _order = "lead_id, stage_id"
    _log_access = False

    # Columns in the order PostgreSQL stores them: the fixed-width ones the
    # reports read on every row first, the nullable and variable-width ones
    # after, so that scanning millions of rows reads each row fast.
    lead_id = fields.Many2one(
        "crm.lead", string="Deal", required=True, index=True, ondelete="cascade", readonly=True
    )
    # not indexed: reports group the rows by stage, none looks them up by it
    # (18.0.1.7.0 dropped the (stage_id, date_in) index)
    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade", readonly=True)
    date_in = fields.Datetime(
        string="Reached On",
        readonly=True,
        index=True,
        help="When the deal first entered this stage; for a stage it skipped, "
        "when it first entered a later one.",
    )
    entered = fields.Boolean(readonly=True, help="The deal had a stay in this stage.")
    moved_on = fields.Boolean(readonly=True, help="The deal reached a later stage.")
    is_current = fields.Boolean(readonly=True, help="The deal is in this stage now.")
    is_lost_stage = fields.Boolean(readonly=True, help="The deal was lost in this stage.")
    is_stalled = fields.Boolean(readonly=True, help="The deal is stalled in this stage now.")
    has_decision_maker = fields.Boolean(readonly=True)
    expected_revenue = fields.Float(readonly=True)
    invoiced_amount = fields.Float(readonly=True)
    stage_sequence = fields.Integer(readonly=True)
    lead_create_date = fields.Datetime(readonly=True)
    deal_state = fields.Selection(DEAL_STATES, readonly=True)
    # the deal as it is now; indexed: a salesperson's record rule, a team's
    # funnel
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True)
    team_id = fields.Many2one("crm.team", readonly=True, index=True)
    date_closed = fields.Datetime(readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    origin_type = fields.Selection(ORIGIN_TYPES, readonly=True)

    def init(self):
        # A save updates a deal's rows in place (``_sff_refresh_write``,
        # ``_sff_merge_sql``),
        # mostly flags and amounts, no indexed column: with room left on
        # each page, PostgreSQL writes the new row on the same page and
        # leaves the indexes alone. Set once (later fills keep the room).
        cr = self.env.cr
        cr.execute(
            """SELECT reloptions IS NULL OR NOT reloptions @> ARRAY[%s]
                 FROM pg_class WHERE oid = 'crm_lead_stage_reach'::regclass""",
            [f"fillfactor={REACH_FILLFACTOR}"],
        )
        if cr.fetchone()[0]:
            cr.execute(
                SQL("ALTER TABLE crm_lead_stage_reach SET (fillfactor = %s)", REACH_FILLFACTOR)
            )

    @api.model
    def _sff_rows_sql(self, scope, history_scope):
        """The SELECT of the funnel rows (``REACH_COLUMNS``) of the deals in
        ``scope`` (a condition on the deal ``l``; ``history_scope``, the
        same on their stays ``h``), from their stage history and their
        current values.

        A deal reached a stage of its pipeline when it had a stay in that
        stage or in a later one (in today's order, the kanban's:
        ``engine_sql.stage_order``), so each stay is paired with the stages
        of the deal's pipeline up to its own (``below``: a few rows per team
        and stage) and the pairs are grouped by deal and stage. A stay in an
        archived stage of the pipeline dates the stages before it; a stay
        in another team's stage does not (its sequence says nothing of
        this pipeline's order), and a won stage is reached by a won stay
        only. Python twin: ``engine.funnel_reach``
        (``_sff_refresh_write``)."""
        return SQL(
            """
            WITH ranked AS (
                -- every stage's place in the stage order, worked out once
                SELECT s.id, s.team_id, s.active, COALESCE(s.sequence, 0) AS seq,
                       COALESCE(s.is_won, FALSE) AS is_won,
                       rank() OVER (ORDER BY %(order)s) AS place
                  FROM crm_stage s
            ),
            below AS (
                -- per pipeline (a team, or 0 for the deals without one) and
                -- per stage a stay may be in: the pipeline's stages up to it
                SELECT k.team_key, u.id AS upper_id, s.id AS stage_id, s.seq
                  FROM (SELECT t.id AS team_key, t.stage_catalogue_id IS NOT NULL AS own_pipeline
                          FROM crm_team t
                        UNION ALL SELECT 0, FALSE) k
                  JOIN ranked s
                    ON s.active
                   AND (s.team_id = k.team_key OR (s.team_id IS NULL AND NOT k.own_pipeline))
                  -- a stay reaches the stages before it in the deal's own
                  -- pipeline (archived ones too), not another team's (whose
                  -- sequences say nothing of this pipeline's order); a won
                  -- stage only by a won stay (a deleted stage the install
                  -- restored comes first: it reaches none)
                  JOIN ranked u
                    ON s.place <= u.place
                   AND (u.team_id = k.team_key OR (u.team_id IS NULL AND NOT k.own_pipeline))
                   AND (NOT s.is_won OR u.is_won)
            ),
            reached AS (
                -- entered: a stay in the stage itself; the date is the first
                -- entry in it, or for a skipped stage in a later one
                SELECT h.lead_id, b.stage_id, b.seq,
                       COALESCE(MIN(h.date_in) FILTER (WHERE h.stage_id = b.stage_id),
                                MIN(h.date_in)) AS date_in,
                       bool_or(h.stage_id = b.stage_id) AS entered,
                       bool_or(h.stage_id <> b.stage_id) AS moved_on
                  FROM crm_lead_stage_history h
                  JOIN crm_lead l ON l.id = h.lead_id AND l.type = 'opportunity' AND %(scope)s
                  JOIN below b ON b.team_key = COALESCE(l.team_id, 0) AND b.upper_id = h.stage_id
                 WHERE %(history_scope)s
              GROUP BY h.lead_id, b.stage_id, b.seq
            ),
            deals AS (
                SELECT l.id, l.team_id, l.user_id, l.company_id, l.partner_id, l.source_id,
                       l.medium_id, l.campaign_id, l.origin_type, l.create_date, l.date_closed,
                       COALESCE(l.expected_revenue, 0) AS expected_revenue,
                       COALESCE(l.invoiced_amount, 0) AS invoiced_amount,
                       l.stage_id, l.lost_stage_id, COALESCE(l.is_stalled, FALSE) AS is_stalled,
                       COALESCE(l.has_decision_maker, FALSE) AS has_decision_maker,
                       CASE WHEN NOT l.active THEN 'lost'
                            WHEN COALESCE(cs.is_won, FALSE) THEN 'won'
                            ELSE 'open' END AS deal_state
                  FROM crm_lead l
             LEFT JOIN crm_stage cs ON cs.id = l.stage_id
                 WHERE l.type = 'opportunity' AND %(scope)s
            )
            SELECT x.lead_id, x.stage_id, x.seq AS stage_sequence, x.date_in, x.entered, x.moved_on,
                   d.deal_state::varchar AS deal_state,
                   d.deal_state <> 'lost' AND d.stage_id = x.stage_id AS is_current,
                   d.deal_state = 'lost' AND d.lost_stage_id IS NOT DISTINCT FROM x.stage_id AS is_lost_stage,
                   d.deal_state = 'open' AND d.stage_id = x.stage_id AND d.is_stalled AS is_stalled,
                   d.has_decision_maker,
                   d.user_id, d.team_id, d.company_id, d.partner_id, d.source_id,
                   d.medium_id, d.campaign_id, d.origin_type, d.create_date AS lead_create_date,
                   d.date_closed, d.expected_revenue, d.invoiced_amount
              FROM reached x
              JOIN deals d ON d.id = x.lead_id
            """,
            scope=scope,
            history_scope=history_scope,
            order=engine_sql.stage_order_columns("s"),
        )

    @api.model
    def _sff_rebuild_sql(self, lead_ids=None):
        """Statements that rebuild the rows of the given deals (``None``:
        every deal): their rows deleted, then written again
        (``_sff_rows_sql``)."""
        columns = SQL(", ").join(map(SQL.identifier, REACH_COLUMNS))
        if lead_ids is None:
            scope = history_scope = SQL("TRUE")
            delete = SQL("DELETE FROM crm_lead_stage_reach")
        else:
            scope = SQL("l.id = ANY(%s)", list(lead_ids))
            history_scope = SQL("h.lead_id = ANY(%s)", list(lead_ids))
            delete = SQL("DELETE FROM crm_lead_stage_reach WHERE lead_id = ANY(%s)", list(lead_ids))
        insert = SQL(
            "INSERT INTO crm_lead_stage_reach (%s) %s",
            columns,
            self._sff_rows_sql(scope, history_scope),
        )
        return [delete, insert]

    @api.model
    def _sff_merge_sql(self, lead_ids):
        """The statement that brings the rows of the given deals up to date
        in place, from the same SELECT as the rebuild (``_sff_rows_sql``):
        rows no longer given are deleted, rows given with other values
        updated, missing ones inserted; rows that stay as they are are only
        locked (no new version of the row, no index or reference written).
        For the changes of one save to many deals: a move changes two or
        three flags of a deal's rows, and deleting and writing every row
        again checked each row's nine references to other tables and wrote
        its five indexes again.

        The deals' current rows are read once, locked
        (``_sff_lock_rows_sql``), as deleting them did; every one of them is
        read (each is deleted, kept or updated). Of two rows of one deal and
        stage (the table has no unique index), the first is kept and the
        others deleted."""
        lead_ids = list(lead_ids)
        key = ("lead_id", "stage_id")
        values = [name for name in REACH_COLUMNS if name not in key]
        return SQL(
            """
            WITH given AS MATERIALIZED (%(rows)s),
            held AS MATERIALIZED (
                SELECT r.*, r.id <> min(r.id) OVER (PARTITION BY r.lead_id, r.stage_id) AS copy
                  FROM (%(locked)s) r
            ),
            gone AS (
                DELETE FROM crm_lead_stage_reach r USING held h
                 WHERE r.id = h.id
                   AND (h.copy OR NOT EXISTS (SELECT 1 FROM given g
                                              WHERE g.lead_id = h.lead_id
                                                AND g.stage_id = h.stage_id))
            ),
            changed AS (
                UPDATE crm_lead_stage_reach r SET (%(values)s) = (%(given_values)s)
                  FROM held h
                  JOIN given g ON g.lead_id = h.lead_id AND g.stage_id = h.stage_id
                 WHERE r.id = h.id AND NOT h.copy
                   AND (%(held_values)s) IS DISTINCT FROM (%(given_values)s)
            )
            -- the rows as they were (the statement's snapshot), looked up
            -- by the table's index: held has none
            INSERT INTO crm_lead_stage_reach (%(columns)s)
            SELECT %(given_columns)s FROM given g
             WHERE NOT EXISTS (SELECT 1 FROM crm_lead_stage_reach r
                                WHERE r.lead_id = g.lead_id AND r.stage_id = g.stage_id)
            """,
            rows=self._sff_rows_sql(
                SQL("l.id = ANY(%s)", lead_ids), SQL("h.lead_id = ANY(%s)", lead_ids)
            ),
            locked=self._sff_lock_rows_sql(lead_ids),
            values=SQL(", ").join(map(SQL.identifier, values)),
            given_values=SQL(", ").join(SQL.identifier("g", name) for name in values),
            held_values=SQL(", ").join(SQL.identifier("h", name) for name in values),
            columns=SQL(", ").join(map(SQL.identifier, REACH_COLUMNS)),
            given_columns=SQL(", ").join(SQL.identifier("g", name) for name in REACH_COLUMNS),
        )

    @api.model
    def _sff_lock_rows_sql(self, lead_ids):
        """The current rows of these deals, locked, before a save works them
        out again. A rebuild of the rows (a stage reordered, the job's
        batch: every row deleted and written again) that committed after
        the save's snapshot, or that has deleted them and not committed
        yet, then makes the save fail (a serialization failure, which Odoo
        retries; at once, or when the rebuild commits), even when the save
        itself would write none of the rows. Locking a row writes its lock
        marker, not a new version of the row.

        Not covered, each until the deal's next change (``_sff_rebuild``):
        a deal that has no rows yet in the save's snapshot (a new
        opportunity, a converted lead), or that the save moves into the
        pipeline being reordered, keeps rows of the stages' former order;
        a rebuild whose snapshot is older than a save that wrote none of
        the deal's rows (its change made no difference to them in the
        former order) gives rows without that change."""
        return SQL(
            "SELECT * FROM crm_lead_stage_reach WHERE lead_id = ANY(%s) FOR NO KEY UPDATE",
            list(lead_ids),
        )

    @api.model
    def _sff_refresh_read_sql(self, lead_ids):
        """Bringing the rows of a few deals up to date after their own
        changes (the history's queue, at commit: each deal then locked by
        its save), first step: what they are worked out from, in one
        statement that the queue sends in the round trip of its own, after
        them. One row: the deals' first entry into each stage, every stage
        in the pipeline's order, the deals' values, their current rows
        (locked: ``_sff_lock_rows_sql``); each
        a JSON array of arrays, timestamps as text of fixed width
        (``_sff_refresh_write`` reads them).

        The rows are worked out in Python (``engine.funnel_reach``, the twin
        of ``_sff_rows_sql``): PostgreSQL plans the rebuild's statement anew
        on every request, which cost twice what it ran."""
        lead_ids = list(lead_ids)
        return SQL(
            """
            SELECT
              (SELECT json_agg(json_build_array(lead_id, stage_id, %(first_in)s))
                 FROM (SELECT lead_id, stage_id, MIN(date_in) AS date_in FROM crm_lead_stage_history
                        WHERE lead_id = ANY(%(ids)s) GROUP BY lead_id, stage_id) first_in),
              (SELECT json_agg(json_build_array(s.id, s.team_id, s.active, COALESCE(s.sequence, 0),
                                                COALESCE(s.is_won, FALSE))
                               ORDER BY %(order)s)
                 FROM crm_stage s),
              (SELECT json_agg(json_build_array(
                          l.id, l.team_id, t.stage_catalogue_id IS NOT NULL, l.user_id, l.company_id,
                          l.partner_id, l.source_id, l.medium_id, l.campaign_id, l.origin_type,
                          %(create_date)s, %(date_closed)s, COALESCE(l.expected_revenue, 0)::float8,
                          COALESCE(l.invoiced_amount, 0)::float8, l.stage_id, l.lost_stage_id,
                          COALESCE(l.is_stalled, FALSE), COALESCE(l.has_decision_maker, FALSE),
                          CASE WHEN NOT l.active THEN 'lost'
                               WHEN COALESCE(cs.is_won, FALSE) THEN 'won' ELSE 'open' END))
                 FROM crm_lead l
            LEFT JOIN crm_team t ON t.id = l.team_id
            LEFT JOIN crm_stage cs ON cs.id = l.stage_id
                WHERE l.id = ANY(%(ids)s) AND l.type = 'opportunity'),
              (SELECT json_agg(json_build_array(r.id, %(columns)s))
                 FROM (%(locked)s) r)
            """,
            ids=lead_ids,
            locked=self._sff_lock_rows_sql(lead_ids),
            order=engine_sql.stage_order_columns("s"),
            first_in=_iso(SQL.identifier("date_in")),
            create_date=_iso(SQL.identifier("l", "create_date")),
            date_closed=_iso(SQL.identifier("l", "date_closed")),
            columns=SQL(", ").join(
                SQL("%s::float8", SQL.identifier("r", name))
                if name in REACH_AMOUNTS
                else _iso(SQL.identifier("r", name))
                if name in REACH_TIMESTAMPS
                else SQL.identifier("r", name)
                for name in REACH_COLUMNS
            ),
        )

    @api.model
    def _sff_refresh_write(self, fetched):
        """Second step: write the rows that change, from the row that
        ``_sff_refresh_read_sql`` returned, in one round trip (none when
        nothing changes). A row that a rebuild gives again with other values
        is updated in place; rows no rebuild gives any more are deleted,
        rows no row holds yet are inserted. A move changes two or three rows
        of its deal, mostly flags and amounts: PostgreSQL checks the foreign
        keys of a row it updates only when one of them changes, and the
        monthly totals' triggers sum those rows only."""
        first_in, stages, leads, current = (value or [] for value in fetched)
        stays = {}
        for lead_id, stage_id, date_in in first_in:
            stays.setdefault(lead_id, {})[stage_id] = _timestamp(date_in)
        place = {stage[0]: index for index, stage in enumerate(stages)}
        won = frozenset(stage[0] for stage in stages if stage[4])
        pipelines = {}
        new = {}
        for (
            lead_id,
            team_id,
            own_pipeline,
            user_id,
            company_id,
            partner_id,
            source_id,
            medium_id,
            campaign_id,
            origin_type,
            create_date,
            date_closed,
            expected_revenue,
            invoiced_amount,
            stage_id,
            lost_stage_id,
            is_stalled,
            has_decision_maker,
            state,
        ) in leads:
            key = (team_id or 0, own_pipeline)
            if key not in pipelines:
                family = [
                    (sid, seq, active)
                    for sid, team, active, seq, _won in stages
                    if team == key[0] or (team is None and not own_pipeline)
                ]
                pipelines[key] = (
                    [(sid, seq) for sid, seq, active in family if active],
                    frozenset(sid for sid, _seq, _active in family),
                )
            for reached_id, seq, date_in, entered, moved_on in engine.funnel_reach(
                stays.get(lead_id, {}), *pipelines[key], place, won
            ):
                new[lead_id, reached_id] = (
                    lead_id,
                    reached_id,
                    seq,
                    date_in,
                    entered,
                    moved_on,
                    state,
                    state != "lost" and stage_id == reached_id,
                    state == "lost" and lost_stage_id == reached_id,
                    state == "open" and stage_id == reached_id and is_stalled,
                    has_decision_maker,
                    user_id,
                    team_id,
                    company_id,
                    partner_id,
                    source_id,
                    medium_id,
                    campaign_id,
                    origin_type,
                    _timestamp(create_date),
                    _timestamp(date_closed),
                    expected_revenue,
                    invoiced_amount,
                )
        stale = []
        changed = {}
        for row_id, *values in current:
            values = tuple(
                _timestamp(value) if name in REACH_TIMESTAMPS else value
                for name, value in zip(REACH_COLUMNS, values)
            )
            key = (values[0], values[1])
            if key not in new:
                stale.append(row_id)
            elif new[key] == values:
                del new[key]
            else:
                changed[row_id] = new.pop(key)
        statements = []
        if stale:
            statements.append(SQL("DELETE FROM crm_lead_stage_reach WHERE id = ANY(%s)", stale))
        if changed:
            statements.append(self._sff_update_rows_sql(changed))
        if new:
            statements.append(
                SQL(
                    "INSERT INTO crm_lead_stage_reach (%s) VALUES %s",
                    SQL(", ").join(map(SQL.identifier, REACH_COLUMNS)),
                    SQL(", ").join(
                        SQL("(%s)", SQL(", ").join(SQL("%s", value) for value in row))
                        for row in new.values()
                    ),
                )
            )
        if statements:
            # the caller (the history's queue) then forgets the rows in memory
            self.env.cr.execute(SQL(";\n").join(statements))

    @api.model
    def _sff_update_rows_sql(self, rows):
        """One UPDATE of the rows ``rows`` (row id: values of
        ``REACH_COLUMNS``), every column set from an array typed as the
        table's column."""
        columns = SQL(", ").join(map(SQL.identifier, REACH_COLUMNS))
        return SQL(
            """UPDATE crm_lead_stage_reach r SET (%s) = (%s)
                 FROM unnest(%s::int4[], %s) AS v(id, %s) WHERE r.id = v.id""",
            columns,
            SQL(", ").join(SQL.identifier("v", name) for name in REACH_COLUMNS),
            list(rows),
            SQL(", ").join(
                SQL("%s::%s[]", list(values), SQL(self._fields[name].column_type[1]))
                for name, values in zip(REACH_COLUMNS, zip(*rows.values()))
            ),
            columns,
        )

    @api.model
    def _sff_rebuild(self, lead_ids=None):
        """Rebuild the rows of the given deals (``None``: every deal, as the
        installation and upgrades do); from ``QUEUED_REBUILD_DEALS`` deals
        on, the job rebuilds them after this transaction."""
        History = self.env["crm.lead.stage.history"]
        History._sff_flush_pending()
        self.env["crm.lead"].flush_model()
        self.env["crm.stage"].flush_model()
        self.env["crm.team"].flush_model(["stage_catalogue_id"])
        if lead_ids is not None and not lead_ids:
            return
        if lead_ids is None:
            self._sff_fill()
            return
        if len(lead_ids) >= QUEUED_REBUILD_DEALS and self._sff_queue_rebuild(lead_ids):
            return
        # every row deleted and written again (not only those that change):
        # a deal saved meanwhile under the stages' former order then meets
        # this transaction on its rows, which the save locks
        # (``_sff_lock_rows_sql``, which says what it leaves out), and one
        # of the two is run again. Locking the deals first would also catch
        # a save that wrote none of the rows, but would fail the reorder on
        # any edit of any of its deals, and would still miss the deals its
        # snapshot does not show in the pipeline.
        self.env.cr.execute(SQL(";\n").join(self._sff_rebuild_sql(lead_ids)))
        self.invalidate_model()

    @api.model
    def _sff_queue_rebuild(self, lead_ids):
        """The rows of these many deals (a stage reordered in a pipeline that
        most deals follow) are rebuilt by the job, batch after batch, as soon
        as a cron worker is free; until then they keep the stages' order of
        before. Returns False, having queued nothing, when the job is
        missing or switched off."""
        # sudo: whoever reorders the stages may start the job, not edit it
        job = self.env.ref(
            "sales_funnel_forecast.ir_cron_rebuild_funnel_rows", raise_if_not_found=False
        )
        if not job or not job.sudo().active:
            _logger.warning(
                "sales_funnel_forecast: the job that rebuilds funnel rows is missing or switched "
                "off: the rows of %s deals are rebuilt in the request",
                len(lead_ids),
            )
            return False
        self.env.cr.execute(
            """INSERT INTO crm_lead_stage_reach_pending (lead_id)
               SELECT unnest(%s::int[]) ON CONFLICT (lead_id) DO NOTHING""",
            [list(lead_ids)],
        )
        job.sudo()._trigger()
        return True

    @api.model
    def _cron_rebuild_pending(self, batch_size=REBUILD_BATCH):
        """Rebuild the rows of the deals queued by ``_sff_queue_rebuild``,
        one batch per call: the scheduler calls again while some remain,
        committing in between. A batch that meets a change committed by
        someone else meanwhile is left for the job's next run, a minute
        later. Returns the number of deals left."""
        # the batch's first statement is its lock (see below)
        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_rebuild_funnel_rows",
            lambda: self._sff_rebuild_pending_batch(batch_size),
            self._sff_pending_count,
            flush=False,
        )

    @api.model
    def _sff_pending_count(self):
        self.env.cr.execute("SELECT count(*) FROM crm_lead_stage_reach_pending")
        return self.env.cr.fetchone()[0]

    @api.model
    def _sff_rebuild_pending_batch(self, batch_size):
        """One batch of queued deals: their rows rebuilt, each deal locked
        first as a user's save locks it, so that nobody changes it meanwhile.
        Deals someone is saving are skipped, for the next batch: that lock
        never waits. The queue is locked first (the batch's first statement,
        before its snapshot): a pipeline change that queues deals meanwhile
        waits for the batch, and the batch sees every change queued before.
        Returns (deals rebuilt, deals left)."""
        cr = self.env.cr
        cr.execute("LOCK TABLE crm_lead_stage_reach_pending IN SHARE ROW EXCLUSIVE MODE")
        cr.execute(
            """SELECT l.id FROM crm_lead l
                WHERE l.id IN (SELECT p.lead_id FROM crm_lead_stage_reach_pending p
                                ORDER BY p.lead_id LIMIT %s)
                  FOR NO KEY UPDATE SKIP LOCKED""",
            [batch_size],
        )
        lead_ids = [row[0] for row in cr.fetchall()]
        if lead_ids:
            cr.execute(
                "DELETE FROM crm_lead_stage_reach_pending WHERE lead_id = ANY(%s)", [lead_ids]
            )
            self.env["crm.lead.stage.history"]._sff_flush_pending()
            cr.execute(SQL(";\n").join(self._sff_rebuild_sql(lead_ids)))
            self.invalidate_model()
        cr.execute("SELECT count(*) FROM crm_lead_stage_reach_pending")
        return len(lead_ids), cr.fetchone()[0]

    @api.model
    def _sff_set_stalled(self, lead_ids):
        """The rows of these open deals' current stages are stalled, written
        in place: the stall job flags thousands of deals a batch, and
        rebuilding their rows would check each row's nine references to
        other tables again for a flag. The deals' rows still queued for a
        rebuild read the flag from the deals when they are rebuilt."""
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_stage_reach SET is_stalled = TRUE
                WHERE lead_id = ANY(%s) AND is_current AND deal_state = 'open'
                  AND NOT is_stalled""",
                list(lead_ids),
            )
        )
        self.invalidate_model(["is_stalled"])

    @api.model
    def _sff_fill(self):
        """Build every deal's rows in one statement (installation, upgrade);
        into an empty table, the table's indexes and keys are built again
        after it (``bulk_load``). Returns the number of rows written."""
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT EXISTS (SELECT 1 FROM crm_lead_stage_reach)")
        empty = not cr.fetchone()[0]
        Summary = self.env["crm.funnel.summary"]
        # locked first (as the bulk load locks it anyway): switching the
        # triggers off takes a weaker lock that a reader's write could then
        # wait behind while this waits for the reader
        cr.execute("LOCK TABLE crm_lead_stage_reach IN ACCESS EXCLUSIVE MODE")
        # the monthly totals are worked out again from every row after,
        # rather than from the millions of rows deleted and written
        Summary._sff_disable_triggers()
        with bulk_load(self.env, "crm_lead_stage_reach", rebuild_indexes=empty):
            # every deal's stays: joined in the order written (the stays to
            # their deals, then to the stages below them), and the pairs
            # grouped by sorting rather than hashing two million groups (on
            # a million deals, 9.6 s instead of 15 s for the planner's own
            # choice)
            # the sort of the stays paired with the stages below them fits
            # in memory up to 1 GB (about 120 bytes a pair: 500 MB on a
            # million deals, 1.3 s less than merging runs on disk);
            # PostgreSQL takes only what the sort needs
            cr.execute(
                "SET LOCAL join_collapse_limit = 1; SET LOCAL enable_hashagg = off; "
                "SET LOCAL work_mem = '1GB'"
            )
            delete, insert = self._sff_rebuild_sql()
            cr.execute(delete)
            cr.execute(insert)
            count = cr.rowcount
            cr.execute("RESET join_collapse_limit; RESET enable_hashagg")
            # nothing is left for the job to rebuild
            cr.execute("DELETE FROM crm_lead_stage_reach_pending")
        # the rebuild creates the triggers again, switched on
        Summary._sff_rebuild()
        self.invalidate_model()
        return count

    @api.model
    def _sff_deals_of_pipelines(self, team_ids, shared):
        """Ids of the opportunities whose pipeline includes the stages of the
        given teams, and with ``shared``, the stages shared by every team."""
        self.env["crm.team"].flush_model(["stage_catalogue_id"])
        self.env["crm.lead"].flush_model(["team_id", "type"])
        self.env.cr.execute(
            SQL(
                """SELECT l.id FROM crm_lead l LEFT JOIN crm_team t ON t.id = l.team_id
                WHERE l.type = 'opportunity'
                  AND (l.team_id = ANY(%s)
                       OR (%s AND t.stage_catalogue_id IS NULL))""",
                list(team_ids),
                bool(shared),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def flush_model(self, fnames=None):
        # rows are rebuilt by the history's queue: reading them writes it
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        return super().flush_model(fnames)
