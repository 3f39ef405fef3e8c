# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The deals' stage history rebuilt from the chatter, at installation: one
INSERT ... SELECT over the tracked stage changes, and the stages deleted
since brought back (archived) so that no stay is lost."""

import logging

from odoo.tools import SQL

from .. import engine_sql
from ..tools.bulk import bulk_load

_logger = logging.getLogger(__name__)

# the changes that the chatter tracked on deals: tracking values ``tv`` of
# the messages ``m`` that Odoo posts for them (without a subject)
TRACKED_DEAL_CHANGES = SQL(
    """mail_tracking_value tv
       JOIN mail_message m ON m.id = tv.mail_message_id
                          AND m.model = 'crm.lead' AND m.subject IS NULL"""
)


def backfill_from_tracking(env):
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
    - a deal lost then restored, as the chatter tracked it, was out of the
      pipeline in between: its stay ends when it was lost and another one
      in the same stage starts when it was restored (``split_lost_periods``);
    - each stay carries the salesperson, team and expected revenue of its
      own time, where the chatter tracked their changes;
    - stages deleted since are restored, archived, under their tracked
      name, so that no stay is dropped.

    Deals that already have history rows are left alone, so the method
    can be rerun. Returns the number of rows written.
    """
    cr = env.cr
    field_ids = tracked_field_ids(env)
    History = env["crm.lead.stage.history"]
    restored = restore_deleted_stages(env, field_ids["stage_id"])
    History._sff_flush_pending()
    cr.execute("SELECT EXISTS (SELECT 1 FROM crm_lead_stage_history)")
    with bulk_load(env, "crm_lead_stage_history", rebuild_indexes=not cr.fetchone()[0]):
        count = _backfill_insert(env, field_ids, restored)
    count += len(split_lost_periods(env, field_ids))
    History.invalidate_model()
    return count


def tracked_field_ids(env):
    """The ids of the deals' fields whose tracked changes the rebuild reads."""
    Fields = env["ir.model.fields"]
    return {
        name: Fields._get("crm.lead", name).id
        for name in ("stage_id", "user_id", "team_id", "expected_revenue", "active")
    }


def split_lost_periods(env, field_ids):
    """The stays rebuilt from the chatter that span or start in a time the
    deal was lost, between an archiving and a restoration the chatter
    tracked (``field_ids``: ``tracked_field_ids``), as a restoration writes
    them live: a stay that spans the loss ends then, and a stay in the same
    stage starts at the restoration (with the salesperson, team and amount
    of that time) and ends when the first one did; a stay that starts while
    the deal was lost (moved then, or in the write that lost it) starts at
    the restoration, or goes if it ended before. One time per stay a round.
    Returns the (deal id, lost at, restored at) of the times cut."""
    cr = env.cr
    cut = []

    def owner_then(field, value, table=None):
        # the value the chatter tracked last for ``field`` between the cut
        # stay's start and the restoration, the cut stay's own without one
        # (a salesperson or team deleted since is no one)
        found = SQL(
            """(SELECT %(value)s FROM %(tracked)s
                 WHERE m.res_id = e.lead_id AND tv.field_id = %(field)s
                   AND m.date > e.date_in AND m.date <= e.restored_at
              ORDER BY m.date DESC, m.id DESC, tv.id DESC LIMIT 1)""",
            value=SQL("ARRAY[%s]", value),
            tracked=TRACKED_DEAL_CHANGES,
            field=field_ids[field],
        )
        own = SQL.identifier("e", field)
        if table:
            return SQL(
                "CASE WHEN %(found)s IS NULL THEN %(own)s ELSE (SELECT r.id FROM %(table)s r "
                "WHERE r.id = (%(found)s)[1]) END",
                found=found,
                own=own,
                table=SQL.identifier(table),
            )
        return SQL("COALESCE((%s)[1], %s)", found, own)

    while True:
        cr.execute(
            SQL(
                """
            WITH toggles AS (
                SELECT m.res_id AS lead_id, m.date,
                       COALESCE(tv.new_value_integer, 0) <> 0 AS restored,
                       LEAD(m.date) OVER w AS next_date,
                       LEAD(COALESCE(tv.new_value_integer, 0) <> 0) OVER w AS next_restored
                  FROM %(tracked)s
                 WHERE tv.field_id = %(active_field)s
                WINDOW w AS (PARTITION BY m.res_id ORDER BY m.date, m.id, tv.id)
            ),
            periods AS (
                SELECT t.lead_id, t.date AS lost_at, t.next_date AS restored_at
                  FROM toggles t
                 WHERE NOT t.restored AND t.next_restored AND t.next_date > t.date
            ),
            inside AS (
                -- each stay rebuilt from the chatter that starts in a lost
                -- time, with the first such time
                SELECT DISTINCT ON (h.id) h.id, h.date_out, p.lost_at, p.restored_at
                  FROM periods p
                  JOIN crm_lead_stage_history h
                    ON h.lead_id = p.lead_id AND h.reason = 'backfill'
                   AND h.date_in >= p.lost_at AND h.date_in < p.restored_at
              ORDER BY h.id, p.lost_at
            ),
            spanned AS (
                -- each other one with the first lost time it spans
                SELECT DISTINCT ON (h.id) h.id, h.date_out, p.lost_at, p.restored_at
                  FROM periods p
                  JOIN crm_lead_stage_history h
                    ON h.lead_id = p.lead_id AND h.reason = 'backfill'
                   AND h.date_in < p.lost_at AND (h.date_out IS NULL OR h.date_out > p.lost_at)
                 WHERE h.id NOT IN (SELECT id FROM inside)
              ORDER BY h.id, p.lost_at
            ),
            dropped AS (
                DELETE FROM crm_lead_stage_history h
                 USING inside i
                 WHERE h.id = i.id AND i.date_out <= i.restored_at
             RETURNING h.lead_id, i.lost_at, i.restored_at
            ),
            delayed AS (
                UPDATE crm_lead_stage_history h
                   SET date_in = i.restored_at,
                       duration_days = CASE WHEN h.date_out IS NOT NULL THEN %(delayed_days)s END,
                       stall_due = CASE WHEN h.date_out IS NULL AND l.active
                                        THEN %(delayed_stall_due)s END
                  FROM inside i, crm_lead l, crm_stage s
                 WHERE h.id = i.id AND (i.date_out IS NULL OR i.date_out > i.restored_at)
                   AND l.id = h.lead_id AND s.id = h.stage_id
             RETURNING h.lead_id, i.lost_at, i.restored_at
            ),
            ended AS (
                UPDATE crm_lead_stage_history h
                   SET date_out = s.lost_at, duration_days = %(days)s, stall_due = NULL
                  FROM spanned s
                 WHERE h.id = s.id
             RETURNING h.*, s.date_out AS was_out, s.lost_at, s.restored_at
            ),
            started AS (
                INSERT INTO crm_lead_stage_history
                    (lead_id, stage_id, previous_stage_id, user_id, team_id,
                     company_id, date_in, date_out, duration_days,
                     expected_revenue, probability, is_regression, reason, stall_due,
                     create_uid, create_date, write_uid, write_date)
                SELECT e.lead_id, e.stage_id, e.stage_id, %(user_then)s, %(team_then)s,
                       e.company_id, e.restored_at, e.was_out,
                       CASE WHEN e.was_out IS NOT NULL THEN %(restored_days)s END,
                       %(revenue_then)s,
                       CASE WHEN e.was_out IS NULL THEN l.probability ELSE e.probability END,
                       FALSE, 'backfill',
                       CASE WHEN e.was_out IS NULL AND l.active THEN %(stall_due)s END,
                       e.create_uid, e.create_date, e.write_uid, e.write_date
                  FROM ended e
                  JOIN crm_lead l ON l.id = e.lead_id
                  JOIN crm_stage s ON s.id = e.stage_id
                 WHERE e.was_out IS NULL OR e.was_out > e.restored_at
              ORDER BY e.lead_id, e.date_in
            )
            SELECT lead_id, lost_at, restored_at FROM ended
             UNION SELECT lead_id, lost_at, restored_at FROM dropped
             UNION SELECT lead_id, lost_at, restored_at FROM delayed
            """,
                tracked=TRACKED_DEAL_CHANGES,
                active_field=field_ids["active"],
                days=engine_sql.days_between(SQL.identifier("h", "date_in"), SQL("s.lost_at")),
                delayed_days=engine_sql.days_between(SQL("i.restored_at"), SQL("h.date_out")),
                delayed_stall_due=engine_sql.stall_due(SQL("i.restored_at"), "s"),
                restored_days=engine_sql.days_between(SQL("e.restored_at"), SQL("e.was_out")),
                stall_due=engine_sql.stall_due(SQL("e.restored_at"), "s"),
                user_then=owner_then("user_id", SQL("tv.new_value_integer"), "res_users"),
                team_then=owner_then("team_id", SQL("tv.new_value_integer"), "crm_team"),
                revenue_then=owner_then("expected_revenue", SQL("COALESCE(tv.new_value_float, 0)")),
            )
        )
        rows = cr.fetchall()
        if not rows:
            return sorted(set(cut))
        cut.extend(rows)


def _backfill_insert(env, field_ids, restored):
    """One INSERT ... SELECT. Every deal is read once and joined once to
    its stage changes (a left join: deals never moved under tracking have
    none); each change gives up to three stays (the creation stay before
    the first change, the stay it starts, and the stay of an untracked
    move after the last change), closed and dated in the same pass, so
    that the statement sorts the tracked changes once and hashes the
    deals once, whatever the number of deals."""
    cr = env.cr
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
        owner_joins.append(
            SQL(
                """LEFT JOIN owner_periods %(p)s ON %(p)s.lead_id = c.lead_id AND %(p)s.field_id = %(field)s
                      AND (%(p)s.date_from IS NULL OR c.date_in >= %(p)s.date_from)
                      AND (%(p)s.date_to IS NULL OR c.date_in < %(p)s.date_to)""",
                p=period,
                field=field_ids[name],
            )
        )
        if table:
            record = SQL.identifier(f"r_{name}")
            tracked = SQL.identifier(f"r_{name}", "id")
            owner_joins.append(
                SQL(
                    "LEFT JOIN %s %s ON %s = %s.value_int",
                    SQL.identifier(table),
                    record,
                    tracked,
                    period,
                )
            )
        else:
            tracked = SQL("COALESCE(%s.value_float, 0)", period)
        owner_values[name] = SQL(
            "CASE WHEN %s.lead_id IS NULL THEN %s ELSE %s END",
            period,
            SQL.identifier("c", current),
            tracked,
        )
    cr.execute(
        SQL(
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
            owner_fields=[
                field_ids[name] for name, _current, _table in owners if field_ids[name] in present
            ],
            tracked=TRACKED_DEAL_CHANGES,
            stage_field=field_ids["stage_id"],
            active_field=field_ids["active"],
            user_value=owner_values["user_id"],
            team_value=owner_values["team_id"],
            revenue_value=owner_values["expected_revenue"],
            owner_joins=SQL(" ").join(owner_joins),
            restored=restored,
            now=now,
            uid=env.uid,
            days=engine_sql.days_between(
                SQL.identifier("c", "date_in"), SQL.identifier("c", "date_out")
            ),
            stage_probability=engine_sql.stage_probability("s"),
            moved_back=engine_sql.moved_back("s", "ps"),
            stall_due=engine_sql.stall_due(SQL.identifier("c", "date_in"), "s"),
        )
    )
    return cr.rowcount


def restore_deleted_stages(env, stage_field_id):
    """Stages named in tracked stage changes that no longer exist come
    back, archived and folded, under their id and tracked name, so that
    the stays in them are kept. Their place in the pipeline is not known:
    they come first in the stage order, so that a stay in one reaches no
    other stage of the funnel (last, it would count the deal as having
    reached every stage of its pipeline). Returns their ids."""
    cr = env.cr
    # most databases have none: looking for them first reads the
    # tracking values alone, without joining their messages
    cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", _gone_stage_values(stage_field_id)))
    if not cr.fetchone():
        return []
    cr.execute(
        SQL(
            """
        INSERT INTO crm_stage
            (id, name, sequence, is_won, fold, active, forecast_probability,
             stall_days, stall_action, stall_move_back_steps,
             create_uid, create_date, write_uid, write_date)
        SELECT gone.stage_id, jsonb_build_object('en_US', COALESCE(NULLIF(gone.name, ''), '?')),
               (SELECT COALESCE(MIN(sequence), 0) - 1 FROM crm_stage), FALSE, TRUE, FALSE, 0, 0,
               'flag', 1,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM (SELECT DISTINCT ON (v.stage_id) v.stage_id, v.name
                  FROM %(values)s
              ORDER BY v.stage_id, m.date DESC) AS gone
     RETURNING id
        """,
            uid=env.uid,
            # the latest name the chatter kept for each stage
            values=_gone_stage_values(
                stage_field_id,
                SQL("JOIN mail_message m ON m.id = tv.mail_message_id AND m.model = 'crm.lead'"),
            ),
        )
    )
    restored = [row[0] for row in cr.fetchall()]
    if restored:
        _logger.info(
            "sales_funnel_forecast: %s deleted stages restored (archived) from the chatter: %s",
            len(restored),
            restored,
        )
        env["crm.stage"].invalidate_model()
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
        join or SQL(),
        stage_field_id,
    )
