# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The deals' forecast versions of the past, rebuilt at installation (and
by the upgrade that brought them) from the stage history and the changes
the chatter tracked: one INSERT ... SELECT."""

from odoo.tools import SQL

from .. import engine_sql
from .stage_history import TRACKED_DEAL_CHANGES


def rebuild_sql(field_ids):
    """Versions of every opportunity that has stays, in one INSERT ...
    SELECT: each stay and each tracked change of amount, salesperson or team
    after the first stay is a point in the deal's time; so is the end of a
    stay that no other stay followed at once (lost or archived, until the
    deal was restored, if it was). At each point a version carries
    the last value set at or before it (a running maximum over (time, value)
    pairs, so that one sort serves every column); changes at the same moment
    are one version. The current version is the deal as it stands."""
    owner_fields = [field_ids["user_id"], field_ids["team_id"], field_ids["expected_revenue"]]
    return SQL(
        """
        WITH deals AS (
            SELECT l.id, l.active, l.stage_id, l.expected_revenue, l.probability,
                   l.date_deadline, l.forecast_category, l.forecast_excluded, l.user_id,
                   l.team_id, l.company_id
              FROM crm_lead l
             WHERE l.type = 'opportunity' AND l.stage_id IS NOT NULL
        ),
        points AS (
            -- each stay: its stage, and the facts of its time
            SELECT h.lead_id, h.date_in AS moment, 0 AS kind, h.id AS ord,
                   h.stage_id, h.probability,
                   TRUE AS user_set, h.user_id,
                   TRUE AS team_set, h.team_id,
                   h.expected_revenue AS revenue, TRUE AS active
              FROM crm_lead_stage_history h
              JOIN deals d ON d.id = h.lead_id
            UNION ALL
            -- tracked changes of salesperson, team and amount
            SELECT m.res_id, m.date, 1, tv.id,
                   NULL, NULL,
                   tv.field_id = %(user_field)s,
                   CASE WHEN tv.field_id = %(user_field)s THEN u.id END,
                   tv.field_id = %(team_field)s,
                   CASE WHEN tv.field_id = %(team_field)s THEN t.id END,
                   CASE WHEN tv.field_id = %(revenue_field)s
                        THEN COALESCE(tv.new_value_float, 0) END,
                   NULL
              FROM %(tracked)s
              JOIN deals d ON d.id = m.res_id
         LEFT JOIN res_users u ON u.id = tv.new_value_integer AND tv.field_id = %(user_field)s
         LEFT JOIN crm_team t ON t.id = tv.new_value_integer AND tv.field_id = %(team_field)s
             WHERE tv.field_id = ANY(%(owner_fields)s)
            UNION ALL
            -- a stay that ended without another one starting then: the
            -- deal left the pipeline (lost or archived) until its next
            -- stay, if any (restored)
            SELECT h.lead_id, h.date_out, 2, h.id,
                   NULL, NULL, FALSE, NULL, FALSE, NULL, NULL, FALSE
              FROM crm_lead_stage_history h
              JOIN deals d ON d.id = h.lead_id
             WHERE h.date_out IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history n
                                WHERE n.lead_id = h.lead_id AND n.date_in = h.date_out
                                  AND n.id <> h.id)
        ),
        keyed AS (
            -- the position of each point in its deal's time, as the first
            -- items of the (position, value) pairs below
            SELECT p.*, EXTRACT(EPOCH FROM p.moment)::float8 AS at FROM points p
        ),
        versions AS (
            SELECT p.lead_id, p.moment,
                   (MAX(ARRAY[p.at, p.kind, p.ord, p.stage_id]) FILTER (WHERE p.kind = 0) OVER w)[4]::int
                       AS stage_id,
                   (MAX(ARRAY[p.at, p.kind, p.ord, p.probability]) FILTER (WHERE p.kind = 0) OVER w)[4]
                       AS probability,
                   (MAX(ARRAY[p.at, p.kind, p.ord, p.user_id]) FILTER (WHERE p.user_set) OVER w)[4]::int
                       AS user_id,
                   (MAX(ARRAY[p.at, p.kind, p.ord, p.team_id]) FILTER (WHERE p.team_set) OVER w)[4]::int
                       AS team_id,
                   (MAX(ARRAY[p.at::numeric, p.kind, p.ord, p.revenue])
                       FILTER (WHERE p.revenue IS NOT NULL) OVER w)[4] AS revenue,
                   -- in the pipeline since the last stay started, out of it
                   -- since the last one ended without another
                   (MAX(ARRAY[p.at, p.kind, p.ord, p.active::int]) FILTER (WHERE p.active IS NOT NULL)
                       OVER w)[4] = 1 AS active,
                   -- the next point's time: where a version of the last
                   -- point of its moment ends
                   LEAD(p.moment) OVER w AS valid_to,
                   MIN(p.moment) FILTER (WHERE p.kind = 0) OVER (PARTITION BY p.lead_id) AS first_stay
              FROM keyed p
            WINDOW w AS (PARTITION BY p.lead_id ORDER BY p.moment, p.kind, p.ord)
        )
        INSERT INTO crm_lead_forecast_version
            (lead_id, valid_from, valid_to, stage_id, expected_revenue, probability,
             date_deadline, forecast_category, forecast_excluded, user_id, team_id, company_id,
             deal_state)
        SELECT v.lead_id, v.moment, v.valid_to,
               CASE WHEN v.valid_to IS NULL THEN d.stage_id ELSE v.stage_id END,
               CASE WHEN v.valid_to IS NULL THEN d.expected_revenue ELSE v.revenue END,
               CASE WHEN v.valid_to IS NULL THEN d.probability ELSE v.probability END,
               d.date_deadline,
               CASE WHEN v.valid_to IS NULL THEN d.forecast_category
                    ELSE %(category)s END,
               -- as the category: the past was in the forecast
               v.valid_to IS NULL AND COALESCE(d.forecast_excluded, FALSE),
               CASE WHEN v.valid_to IS NULL THEN d.user_id ELSE v.user_id END,
               CASE WHEN v.valid_to IS NULL THEN d.team_id ELSE v.team_id END,
               d.company_id,
               CASE WHEN NOT (CASE WHEN v.valid_to IS NULL THEN d.active ELSE v.active END)
                    THEN 'lost'
                    WHEN (CASE WHEN v.valid_to IS NULL THEN cs.is_won ELSE s.is_won END)
                    THEN 'won'
                    ELSE 'open' END
          FROM versions v
          JOIN deals d ON d.id = v.lead_id
          JOIN crm_stage s ON s.id = v.stage_id
          JOIN crm_stage cs ON cs.id = d.stage_id
         -- the last point of each moment, from the first stay on
         WHERE v.moment >= v.first_stay
           AND (v.valid_to IS NULL OR v.valid_to > v.moment)
      ORDER BY v.lead_id, v.moment
        """,
        tracked=TRACKED_DEAL_CHANGES,
        user_field=field_ids["user_id"],
        team_field=field_ids["team_id"],
        revenue_field=field_ids["expected_revenue"],
        owner_fields=owner_fields,
        category=engine_sql.deal_forecast_category(
            SQL("v.active"), SQL("s.is_won"), SQL("FALSE"), SQL("NULL"), SQL("s.forecast_category")
        ),
    )


def mark_lost_periods(env, cuts):
    """The versions of deals that were out of the pipeline for the times
    ``cuts`` ((deal id, lost at, restored at), as ``split_lost_periods``
    gives them): a version that spans a time's start or end is cut there,
    and those in between are lost (Omitted), as the rebuild writes them
    from stays that know those times. For versions rebuilt before the
    stays knew them (the upgrade to 18.0.1.17.0); a time already marked
    is left as it is. Returns the number of versions marked."""
    if not cuts:
        return 0
    cr = env.cr
    lead_ids = [cut[0] for cut in cuts]
    bounds = SQL(
        "unnest(%s::int[] || %s::int[], %s::timestamp[] || %s::timestamp[]) AS b(lead_id, moment)",
        lead_ids,
        lead_ids,
        [cut[1] for cut in cuts],
        [cut[2] for cut in cuts],
    )
    # a version with several bounds in it is cut at its first one per round
    while True:
        cr.execute(
            SQL(
                """
            WITH spanning AS (
                SELECT DISTINCT ON (v.id) v.id, v.valid_to, b.moment
                  FROM %(bounds)s
                  JOIN crm_lead_forecast_version v
                    ON v.lead_id = b.lead_id AND v.valid_from < b.moment
                   AND (v.valid_to IS NULL OR v.valid_to > b.moment)
              ORDER BY v.id, b.moment
            ),
            cut AS (
                UPDATE crm_lead_forecast_version v SET valid_to = s.moment
                  FROM spanning s
                 WHERE v.id = s.id
             RETURNING v.*, s.valid_to AS was_to
            )
            INSERT INTO crm_lead_forecast_version
                (lead_id, valid_from, valid_to, stage_id, expected_revenue, probability,
                 date_deadline, forecast_category, forecast_excluded, user_id, team_id,
                 company_id, deal_state)
            SELECT lead_id, valid_to, was_to, stage_id, expected_revenue, probability,
                   date_deadline, forecast_category, forecast_excluded, user_id, team_id,
                   company_id, deal_state
              FROM cut
            """,
                bounds=bounds,
            )
        )
        if not cr.rowcount:
            break
    cr.execute(
        SQL(
            """
        UPDATE crm_lead_forecast_version v
           SET deal_state = 'lost', forecast_category = 'omitted'
          FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[]) AS c(lead_id, lost_at, restored_at)
         WHERE v.lead_id = c.lead_id AND v.valid_from >= c.lost_at AND v.valid_from < c.restored_at
           AND v.deal_state <> 'lost'
        """,
            lead_ids,
            [cut[1] for cut in cuts],
            [cut[2] for cut in cuts],
        )
    )
    marked = cr.rowcount
    env["crm.lead.forecast.version"].invalidate_model()
    return marked
