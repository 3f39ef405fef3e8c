# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .. import engine_sql
from ..tools.bulk import BULK_TABLES, bulk_load, foreign_keys_to_validate, validate_foreign_key
from .crm_lead_stage_reach import REFRESH_DEALS

_logger = logging.getLogger(__name__)

# the changes that the chatter tracked on deals: tracking values ``tv`` of
# the messages ``m`` that Odoo posts for them (without a subject)
TRACKED_DEAL_CHANGES = SQL(
    """mail_tracking_value tv
       JOIN mail_message m ON m.id = tv.mail_message_id
                          AND m.model = 'crm.lead' AND m.subject IS NULL"""
)

# Deal fields copied on the funnel rows (crm.lead.stage.reach)
REACH_LEAD_FIELDS = [
    "type", "active", "stage_id", "lost_stage_id", "team_id", "user_id", "company_id", "is_stalled",
    "has_decision_maker",
    "partner_id", "source_id", "medium_id", "campaign_id", "origin_type",
    "create_date", "date_closed", "expected_revenue", "invoiced_amount",
]
# precommit data key of the moves queued in the current transaction
PENDING_KEY = "sales_funnel_forecast.stage_history"

HISTORY_REASONS = [
    ("create", "Created"),
    ("manual", "Moved"),
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
    # Indexed by the (stage_id, date_in) index of init(), which serves every
    # look-up by stage too.
    stage_id = fields.Many2one(
        "crm.stage", required=True, readonly=True, ondelete="restrict",
    )
    previous_stage_id = fields.Many2one(
        "crm.stage", readonly=True, index="btree_not_null", ondelete="restrict",
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", index=True, readonly=True,
        ondelete="set null",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", index=True, readonly=True,
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company", index=True, readonly=True,
        ondelete="cascade",
    )
    company_currency = fields.Many2one(
        "res.currency", related="company_id.currency_id", string="Currency",
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
        currency_field="company_currency", readonly=True,
    )
    probability = fields.Float(
        readonly=True, aggregator="avg",
        help="The deal's probability on entering the stage.",
    )
    is_regression = fields.Boolean(
        string="Moved Back", readonly=True,
        help="The deal came here from a stage placed later in the pipeline, "
        "in the order the pipeline shows its stages.",
    )
    reason = fields.Selection(
        HISTORY_REASONS, string="Cause", required=True, default="manual", readonly=True,
    )
    stall_due = fields.Datetime(
        string="Stalls On", readonly=True,
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
            date_out, engine_sql.days_between(date_in, self.env.cr.now()), stored,
        )

    # ------------------------------------------------------------------
    # History is the deals' own record: no hand-made rows.
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._sff_refuse_manual_change()
        return super().create(vals_list)

    def write(self, vals):
        self._sff_refuse_manual_change()
        return super().write(vals)

    def _sff_refuse_manual_change(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The stage history is written by the deals themselves when "
                    "they change stage; it cannot be created or edited by hand."
                )
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
            self.env.cache.invalidate([
                (field, None) for field in self.env["crm.lead.stage.reach"]._fields.values()
            ])

    def _sff_queue_op(self, kind, by_lead, reason, when):
        queue = self._sff_queue()
        queue["reach"].update(by_lead)
        ops = queue["ops"]
        when = when or self.env.cr.now()
        last = ops[-1] if ops else None
        # consecutive operations of one kind, time, cause and user on distinct
        # deals are one batch (the user who moved the deals creates the stays)
        if last and last[:4] == (kind, reason, when, self.env.uid) \
                and not by_lead.keys() & last[4].keys():
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
            ["stage_id", "user_id", "team_id", "company_id", "expected_revenue",
             "active", "probability_is_manual"] + (REACH_LEAD_FIELDS if refresh else [])
        )
        self.env["res.company"].flush_model(["crm_probability_from_stage"])
        self.env["crm.stage"].flush_model(
            ["forecast_probability", "is_won", "sequence", "name", "active", "team_id", "stall_days"])
        statements = []
        default_follows = self.env.company.crm_probability_from_stage
        for kind, reason, when, uid, by_lead in queue["ops"]:
            lead_ids = list(by_lead)
            statements.append(self._sff_close_sql(lead_ids, when, uid))
            if kind == "move":
                statements.append(self._sff_open_sql(
                    lead_ids, [by_lead[lead_id][0] or None for lead_id in lead_ids],
                    [by_lead[lead_id][1] for lead_id in lead_ids], reason, when, uid, default_follows,
                ))
        if queue["sync"]:
            statements.append(self._sff_owner_sql(list(queue["sync"])))
        if refresh:
            self.env["crm.team"].flush_model(["stage_catalogue_id"])
            if len(refresh) > REFRESH_DEALS:
                statements += Reach._sff_rebuild_sql(refresh)
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
            when=when, uid=uid, lead_ids=lead_ids, prev_ids=prev_ids,
            stage_ids=stage_ids, reason=reason, default_follows=default_follows,
            stage_probability=engine_sql.stage_probability("ns"),
            moved_back=engine_sql.stage_before("ns", "ps"),
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
            when=when, uid=uid, lead_ids=lead_ids,
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
        self.env.cr.execute(SQL(
            """UPDATE crm_lead_stage_history h SET stall_due = %s
                 FROM crm_stage s
                WHERE s.id = h.stage_id AND h.date_out IS NULL AND h.lead_id = ANY(%s)""",
            engine_sql.stall_due(SQL("COALESCE(%s, h.date_in)", reset or None), "s"),
            list(lead_ids),
        ))
        self.invalidate_model(["stall_due"])

    @api.model
    def _sff_stage_rule_changed(self, stage_ids):
        """A stage's number of days changed: the current stays in it that the
        rule has not acted on stall by the new number."""
        self._sff_flush_pending()
        self.env["crm.lead"].flush_model(["is_stalled", "stall_reset_date"])
        self.env["crm.stage"].flush_model(["stall_days", "is_won"])
        self.env.cr.execute(SQL(
            """UPDATE crm_lead_stage_history h
                  SET stall_due = %s
                 FROM crm_stage s, crm_lead l
                WHERE s.id = h.stage_id AND l.id = h.lead_id AND h.date_out IS NULL
                  AND h.stage_id = ANY(%s) AND NOT COALESCE(l.is_stalled, FALSE)""",
            engine_sql.stall_due(SQL("GREATEST(h.date_in, COALESCE(l.stall_reset_date, h.date_in))"), "s"),
            list(stage_ids),
        ))
        self.invalidate_model(["stall_due"])

    # ------------------------------------------------------------------
    # Rebuilding the history from the chatter (installation)
    # ------------------------------------------------------------------
    @api.model
    def _sff_backfill_from_tracking(self):
        """Rebuild the stays of every opportunity from the stage changes
        tracked in the chatter (``mail.tracking.value`` on
        ``crm.lead.stage_id``).

        - the creation stage is not tracked: it is the old value of the first
          tracked change, entered at the deal's creation date;
        - several changes made in one transaction are tracked as one change,
          from the first stage to the last: that is all we can know;
        - messages of deals merged into another one are moved onto it with a
          "From ..." subject; they describe the other deal and are skipped;
        - a deal moved without tracking (SQL, tracking disabled) ends with a
          stay in its current stage from its last stage update;
        - a lead converted into an opportunity starts its first stay at its
          conversion date; leads have none;
        - a lost deal's last stay ends when it was lost: its closing date, or
          failing that the tracked archiving, or its last update;
        - each stay carries the salesperson, team and expected revenue of its
          own time, where the chatter tracked their changes;
        - stages deleted since are restored, archived, under their tracked
          name, so that no stay is dropped.

        Deals that already have history rows are left alone, so the method
        can be rerun. Returns the number of rows written.
        """
        cr = self.env.cr
        Fields = self.env["ir.model.fields"]
        field_ids = {
            name: Fields._get("crm.lead", name).id
            for name in ("stage_id", "user_id", "team_id", "expected_revenue", "active")
        }
        restored = self._sff_restore_deleted_stages(field_ids["stage_id"])
        self._sff_flush_pending()
        cr.execute("SELECT EXISTS (SELECT 1 FROM crm_lead_stage_history)")
        with bulk_load(self.env, "crm_lead_stage_history", rebuild_indexes=not cr.fetchone()[0]):
            count = self._sff_backfill_insert(field_ids, restored)
        self.invalidate_model()
        return count

    @api.model
    def _cron_validate_foreign_keys(self):
        """Check the rows that the installation (or an upgrade) loaded in
        bulk against the foreign keys it left to check, one key per call:
        the scheduler calls again while some remain, committing in between.
        A key that rows break stays unchecked (PostgreSQL still enforces it
        on new rows) and is named in the server log; the next daily run
        tries it again."""
        cr = self.env.cr
        pending = foreign_keys_to_validate(cr, BULK_TABLES)
        if not pending:
            return 0
        table, name = pending[0]
        try:
            with cr.savepoint():
                validate_foreign_key(cr, table, name)
        except psycopg2.IntegrityError as error:
            _logger.error(
                "sales_funnel_forecast: rows of %s break its foreign key %s, left unchecked: %s",
                table, name, error,
            )
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return 0
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(pending) - 1)
        return len(pending) - 1

    def _sff_backfill_insert(self, field_ids, restored):
        """One INSERT ... SELECT. Every deal is read once and joined once to
        its stage changes (a left join: deals never moved under tracking have
        none); each change gives up to three stays (the creation stay before
        the first change, the stay it starts, and the stay of an untracked
        move after the last change), closed and dated in the same pass, so
        that the statement sorts the tracked changes once and hashes the
        deals once, whatever the number of deals."""
        cr = self.env.cr
        now = cr.now()
        # the salesperson, team and amount of each stay: the deal's own, or,
        # for the fields whose changes the chatter tracked, those of the
        # stay's time (one join per such field): field, the deal's current
        # value in "closed", the table of the records the tracked ids name
        # (a salesperson or a team deleted since is no one: the stay gets
        # none, as its foreign key would set it), or the tracked amount
        owners = [
            ("user_id", "lead_user_id", "res_users"),
            ("team_id", "lead_team_id", "crm_team"),
            ("expected_revenue", "lead_revenue", None),
        ]
        cr.execute(
            """SELECT f.id FROM unnest(%s) AS f(id)
                WHERE EXISTS (SELECT 1 FROM mail_tracking_value tv WHERE tv.field_id = f.id)""",
            [[field_ids[name] for name, _current, _table in owners]],
        )
        present = {row[0] for row in cr.fetchall()}
        owner_values, owner_joins = {}, []
        for name, current, table in owners:
            if field_ids[name] not in present:
                owner_values[name] = SQL.identifier("c", current)
                continue
            period = SQL.identifier(f"p_{name}")
            owner_joins.append(SQL(
                """LEFT JOIN owner_periods %(p)s ON %(p)s.lead_id = c.lead_id AND %(p)s.field_id = %(field)s
                          AND (%(p)s.date_from IS NULL OR c.date_in >= %(p)s.date_from)
                          AND (%(p)s.date_to IS NULL OR c.date_in < %(p)s.date_to)""",
                p=period, field=field_ids[name],
            ))
            if table:
                record = SQL.identifier(f"r_{name}")
                tracked = SQL.identifier(f"r_{name}", "id")
                owner_joins.append(SQL("LEFT JOIN %s %s ON %s = %s.value_int",
                                       SQL.identifier(table), record, tracked, period))
            else:
                tracked = SQL("COALESCE(%s.value_float, 0)", period)
            owner_values[name] = SQL("CASE WHEN %s.lead_id IS NULL THEN %s ELSE %s END",
                                     period, SQL.identifier("c", current), tracked)
        cr.execute(SQL(
            """
            WITH leads AS (
                SELECT l.id, l.stage_id, l.create_date, l.date_last_stage_update,
                       CASE WHEN l.date_conversion > l.create_date THEN l.date_conversion END
                           AS date_conversion,
                       l.user_id, l.team_id, l.company_id, l.expected_revenue,
                       l.probability, l.active, l.date_closed, l.write_date
                  FROM crm_lead l
                 WHERE l.stage_id IS NOT NULL
                   AND l.type = 'opportunity'
                   AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history h
                                    WHERE h.lead_id = l.id)
            ),
            changes AS (
                -- the tracked stage changes of each deal in order, with the
                -- date of the next one
                SELECT m.res_id AS lead_id, m.date AS date_change,
                       tv.old_value_integer AS old_stage, tv.new_value_integer AS new_stage,
                       ROW_NUMBER() OVER w AS rank, COUNT(*) OVER (PARTITION BY m.res_id) AS total,
                       LEAD(m.date) OVER w AS next_change
                  FROM %(tracked)s
                 WHERE tv.field_id = %(stage_field)s AND COALESCE(tv.new_value_integer, 0) <> 0
                WINDOW w AS (PARTITION BY m.res_id ORDER BY m.date, m.id, tv.id)
            ),
            lost_dates AS (
                -- when lost deals were archived, as the chatter tracked it
                SELECT m.res_id AS lead_id, MAX(m.date) AS date_lost
                  FROM %(tracked)s
                 WHERE tv.field_id = %(active_field)s AND COALESCE(tv.new_value_integer, 0) = 0
              GROUP BY m.res_id
            ),
            deal_changes AS MATERIALIZED (
                -- each deal with each of its changes, or alone without any
                -- (materialized: otherwise the planner multiplies the deals
                -- by the three kinds of stay below before joining the
                -- changes, and joins three times as many rows)
                SELECT leads.*, c.date_change, c.old_stage, c.new_stage, c.rank, c.total,
                       c.next_change
                  FROM leads
             LEFT JOIN changes c ON c.lead_id = leads.id
            ),
            stays AS (
                -- each deal with each of its changes (or none): n = 1, the
                -- stay the change starts (or since creation, without a
                -- change); n = 2, the creation stay before the first change;
                -- n = 3, a move without tracking after the last change
                SELECT c.*, CASE k.n WHEN 1 THEN COALESCE(c.new_stage, c.stage_id)
                                         WHEN 2 THEN c.old_stage
                                         ELSE c.stage_id END AS stay_stage_id,
                       CASE k.n WHEN 1 THEN NULLIF(c.old_stage, 0)
                                WHEN 3 THEN c.new_stage END AS stay_previous_id,
                       CASE k.n WHEN 1 THEN COALESCE(c.date_change, c.create_date)
                                WHEN 2 THEN LEAST(c.create_date, c.date_change)
                                ELSE GREATEST(COALESCE(c.date_last_stage_update, c.date_change),
                                              c.date_change) END AS stay_in,
                       CASE k.n WHEN 1 THEN c.next_change
                                WHEN 2 THEN c.date_change END AS stay_out,
                       -- the stays of a deal in the order of its tracking
                       -- messages (two moves in one second keep theirs)
                       CASE k.n WHEN 2 THEN 0
                                WHEN 1 THEN COALESCE(c.rank, 1)
                                ELSE c.total + 1 END AS stay_order
                  FROM deal_changes c
            CROSS JOIN (VALUES (1), (2), (3)) AS k(n)
                 WHERE CASE k.n WHEN 1 THEN TRUE
                                WHEN 2 THEN c.rank = 1 AND COALESCE(c.old_stage, 0) <> 0
                                ELSE c.rank = c.total AND c.new_stage <> c.stage_id END
            ),
            closed AS (
                -- the tracked last stay ends at an untracked move that followed,
                -- the last stay of a lost deal when it was lost; stays of a
                -- converted lead start at its conversion
                SELECT s.id AS lead_id, s.stay_order, s.user_id AS lead_user_id, s.team_id AS lead_team_id,
                       s.company_id, s.expected_revenue AS lead_revenue, s.probability AS lead_probability,
                       s.active,
                       s.stay_stage_id AS stage_id,
                       CASE WHEN s.stay_in < s.date_conversion THEN NULL
                            ELSE s.stay_previous_id END AS previous_stage_id,
                       GREATEST(s.stay_in, s.date_conversion) AS date_in,
                       CASE WHEN s.stay_out IS NOT NULL THEN s.stay_out
                            WHEN s.stay_stage_id <> s.stage_id
                            THEN GREATEST(COALESCE(s.date_last_stage_update, s.stay_in), s.stay_in)
                            WHEN NOT s.active
                            THEN GREATEST(COALESCE(s.date_closed, ld.date_lost, s.write_date),
                                          s.stay_in, s.date_conversion)
                       END AS date_out
                  FROM stays s
             LEFT JOIN lost_dates ld ON ld.lead_id = s.id AND NOT s.active
                 WHERE s.date_conversion IS NULL OR s.stay_out IS NULL
                       OR s.stay_out > s.date_conversion
                -- a fence: the stays' dates are worked out once a row here,
                -- not again at each use below (0.8 s of 9 s on a million deals)
                OFFSET 0
            ),
            periods AS (
                -- salesperson, team and amount of each deal over time: the old
                -- value of a change holds since the change before it, the new
                -- value of the last change until now (read from the tracking
                -- values themselves, so that the planner knows how many)
                SELECT m.res_id AS lead_id, tv.field_id,
                       LAG(m.date) OVER w AS date_from, m.date AS date_to,
                       tv.old_value_integer AS value_int, tv.old_value_float AS value_float,
                       ROW_NUMBER() OVER w = COUNT(*) OVER (PARTITION BY m.res_id, tv.field_id) AS last,
                       tv.new_value_integer AS new_int, tv.new_value_float AS new_float
                  FROM %(tracked)s
                 WHERE tv.field_id = ANY(%(owner_fields)s)
                WINDOW w AS (PARTITION BY m.res_id, tv.field_id ORDER BY m.date, m.id, tv.id)
            ),
            owner_periods AS (
                SELECT p.lead_id, p.field_id, p.date_from, p.date_to, p.value_int, p.value_float
                  FROM periods p
                UNION ALL
                SELECT p.lead_id, p.field_id, p.date_to, NULL, p.new_int, p.new_float
                  FROM periods p WHERE p.last
            )
            INSERT INTO crm_lead_stage_history
                (lead_id, stage_id, previous_stage_id, user_id, team_id,
                 company_id, date_in, date_out, duration_days,
                 expected_revenue, probability, is_regression, reason, stall_due,
                 create_uid, create_date, write_uid, write_date)
            SELECT c.lead_id, c.stage_id, ps.id,
                   %(user_value)s, %(team_value)s,
                   c.company_id, c.date_in, c.date_out,
                   CASE WHEN c.date_out IS NOT NULL THEN %(days)s END,
                   %(revenue_value)s,
                   CASE WHEN c.date_out IS NULL THEN c.lead_probability
                        ELSE %(stage_probability)s END,
                   CASE WHEN s.id = ANY(%(restored)s) OR ps.id = ANY(%(restored)s) THEN FALSE
                        ELSE COALESCE(%(moved_back)s, FALSE) END,
                   'backfill',
                   CASE WHEN c.date_out IS NULL AND c.active THEN %(stall_due)s END,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM closed c
              JOIN crm_stage s ON s.id = c.stage_id
         LEFT JOIN crm_stage ps ON ps.id = c.previous_stage_id
            %(owner_joins)s
            -- ids in the order of the moves: a deal's stays that start in
            -- the same second read in the order they happened
          ORDER BY c.lead_id, c.stay_order
            """,
            owner_fields=[field_ids[name] for name, _current, _table in owners
                          if field_ids[name] in present],
            tracked=TRACKED_DEAL_CHANGES,
            stage_field=field_ids["stage_id"], active_field=field_ids["active"],
            user_value=owner_values["user_id"], team_value=owner_values["team_id"],
            revenue_value=owner_values["expected_revenue"],
            owner_joins=SQL(" ").join(owner_joins),
            restored=restored, now=now, uid=self.env.uid,
            days=engine_sql.days_between(SQL.identifier("c", "date_in"), SQL.identifier("c", "date_out")),
            stage_probability=engine_sql.stage_probability("s"),
            moved_back=engine_sql.stage_before("s", "ps"),
            stall_due=engine_sql.stall_due(SQL.identifier("c", "date_in"), "s"),
        ))
        return cr.rowcount

    @api.model
    def _sff_restore_deleted_stages(self, stage_field_id):
        """Stages named in tracked stage changes that no longer exist come
        back, archived and folded, under their id and tracked name, so that
        the stays in them are kept. Returns their ids."""
        cr = self.env.cr
        # most databases have none: looking for them first reads the
        # tracking values alone, without joining their messages
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", _gone_stage_values(stage_field_id)))
        if not cr.fetchone():
            return []
        cr.execute(SQL(
            """
            INSERT INTO crm_stage
                (id, name, sequence, is_won, fold, active, forecast_probability,
                 stall_days, stall_action, stall_move_back_steps,
                 create_uid, create_date, write_uid, write_date)
            SELECT gone.stage_id, jsonb_build_object('en_US', COALESCE(NULLIF(gone.name, ''), '?')),
                   1000, FALSE, TRUE, FALSE, 0, 0, 'flag', 1,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM (SELECT DISTINCT ON (v.stage_id) v.stage_id, v.name
                      FROM %(values)s
                  ORDER BY v.stage_id, m.date DESC) AS gone
         RETURNING id
            """,
            uid=self.env.uid,
            # the latest name the chatter kept for each stage
            values=_gone_stage_values(stage_field_id, SQL(
                "JOIN mail_message m ON m.id = tv.mail_message_id AND m.model = 'crm.lead'")),
        ))
        restored = [row[0] for row in cr.fetchall()]
        if restored:
            _logger.info(
                "sales_funnel_forecast: %s deleted stages restored (archived) from "
                "the chatter: %s", len(restored), restored,
            )
            self.env["crm.stage"].invalidate_model()
        return restored


def _gone_stage_values(stage_field_id, join=None):
    """The old and new stages of the tracked stage changes (``stage_field_id``:
    the deals' stage field), each with the name the chatter kept
    (``v.stage_id``, ``v.name``), whose stage no longer exists; ``join``
    adds a table to the tracking values (``tv``)."""
    return SQL(
        """mail_tracking_value tv
           %s
           CROSS JOIN LATERAL (VALUES (tv.old_value_integer, tv.old_value_char),
                                      (tv.new_value_integer, tv.new_value_char))
                      AS v(stage_id, name)
           WHERE tv.field_id = %s AND COALESCE(v.stage_id, 0) <> 0
             AND NOT EXISTS (SELECT 1 FROM crm_stage s WHERE s.id = v.stage_id)""",
        join or SQL(), stage_field_id,
    )
