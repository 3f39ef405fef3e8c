# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.14.0 -> 18.0.1.15.0: the forecast versions say whether the deal
was out of the forecast, and a converted lead's first version has no slip.

Until now a weekly snapshot weighed every open deal in the Omitted category
at 0, while the deal itself (and the revenue forecast) weighs at 0 only the
deals out of the forecast: one that a salesperson or its stage put in
Omitted still counts. The versions get the flag (added with the default
FALSE by the model); an exclusion makes a deal Omitted, so only open
versions in Omitted can carry TRUE:

- the versions in force take the deal's flag;
- the earlier ones take it from the chatter's tracking of "Out of
  Forecast" (not the messages a merge brought from the deals merged away,
  which have a subject), and from the stall rules' exclusions in force,
  which the chatter does not track (the deal's stalled date). Odoo dates a
  tracking message when its request ends, to the second, a little after
  the transaction's time that starts a version: a change is read as the
  start of a version within a minute of it. The previous versions did not
  start at a change of the flag alone (the category stayed Omitted): such
  a version is split at each change inside it. A stall exclusion since
  cleared is known by its clearing only;
- the Omitted rows of the stored snapshots get their weighted amounts
  again from these versions (the stage's history weight of the day, as the
  day's other rows of that stage used it, else today's), the other rows
  are left as they were written; the accuracy lines are worked out again
  at the end of the upgrade.

A lead converted with another expected closing date in the same save got a
slip on its first version, measured from the lead's date: removed from
every version that does not follow one of its deal at the same moment."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT id FROM ir_model_fields WHERE model = 'crm.lead' AND name = 'forecast_excluded'"
    )
    field = cr.fetchone()
    _past_flags(cr, field[0] if field else None)
    # the versions in force (after the splits): the deal's flag
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET forecast_excluded = l.forecast_excluded
             FROM crm_lead l
            WHERE l.id = v.lead_id AND v.valid_to IS NULL
              AND v.forecast_excluded IS DISTINCT FROM l.forecast_excluded"""
    )
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET slip_days = NULL
            WHERE v.slip_days IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM crm_lead_forecast_version b
                               WHERE b.lead_id = v.lead_id AND b.valid_to = v.valid_from)"""
    )
    _omitted_snapshot_rows(cr)
    request(cr, "accuracy_lines")


def _past_flags(cr, field_id):
    # the changes of the flag, read once: tracked by the chatter (the
    # changes of the deal itself, without the subject a merge gives the
    # messages it moves), and the stall exclusions in force
    cr.execute(
        """CREATE TEMPORARY TABLE sff_flag_change ON COMMIT DROP AS
           SELECT t.id, m.res_id AS lead_id, m.date AS at,
                  COALESCE(t.old_value_integer, 0) <> 0 AS old,
                  COALESCE(t.new_value_integer, 0) <> 0 AS new
             FROM mail_tracking_value t
             JOIN mail_message m ON m.id = t.mail_message_id
            WHERE t.field_id = %s AND m.model = 'crm.lead' AND m.subject IS NULL
        UNION ALL
           SELECT 0, l.id, l.stalled_date, FALSE, TRUE
             FROM crm_lead l
            WHERE l.stall_excluded AND l.forecast_excluded AND l.stalled_date IS NOT NULL""",
        [field_id],
    )
    cr.execute("CREATE INDEX ON sff_flag_change (lead_id, at)")
    cr.execute("ANALYZE sff_flag_change")
    # the changes inside an open Omitted version, which did not start or
    # end one (a change within a minute of a version's start or end is
    # the one that started or ended it), each with the flag it left (the
    # last change of its second)
    cr.execute(
        """CREATE TEMPORARY TABLE sff_flag_split ON COMMIT DROP AS
            SELECT DISTINCT ON (v.id, c.at) v.id AS version_id, v.valid_to AS version_end,
                   c.at, c.new
              FROM crm_lead_forecast_version v
              JOIN sff_flag_change c ON c.lead_id = v.lead_id
                                    AND c.at > v.valid_from + interval '1 minute'
                                    AND (v.valid_to IS NULL
                                         OR c.at < v.valid_to - interval '1 minute')
             WHERE v.deal_state = 'open' AND v.forecast_category = 'omitted'
          ORDER BY v.id, c.at, c.id DESC"""
    )
    # the version ends at its first change
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET valid_to = f.first_at
             FROM (SELECT version_id, MIN(at) AS first_at FROM sff_flag_split GROUP BY 1) f
            WHERE v.id = f.version_id"""
    )
    # each earlier open Omitted version: the flag as it stood at its start
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET forecast_excluded = f.flag
             FROM (SELECT v.id,
                          COALESCE(
                              (SELECT c.new FROM sff_flag_change c
                                WHERE c.lead_id = v.lead_id
                                  AND c.at <= v.valid_from + interval '1 minute'
                             ORDER BY c.at DESC, c.id DESC LIMIT 1),
                              (SELECT c.old FROM sff_flag_change c
                                WHERE c.lead_id = v.lead_id
                                  AND c.at > v.valid_from + interval '1 minute'
                             ORDER BY c.at, c.id LIMIT 1),
                              l.forecast_excluded, FALSE) AS flag
                     FROM crm_lead_forecast_version v
                     JOIN crm_lead l ON l.id = v.lead_id
                    WHERE v.valid_to IS NOT NULL
                      AND v.deal_state = 'open' AND v.forecast_category = 'omitted') f
            WHERE f.id = v.id AND v.forecast_excluded IS DISTINCT FROM f.flag"""
    )
    # a copy of it from each change to the next (the last to the
    # version's end), with the flag the change left
    cr.execute(
        """INSERT INTO crm_lead_forecast_version
               (lead_id, valid_from, valid_to, stage_id, expected_revenue, probability,
                date_deadline, forecast_category, forecast_excluded, user_id, team_id,
                company_id, deal_state)
           SELECT v.lead_id, s.at,
                  COALESCE(LEAD(s.at) OVER (PARTITION BY s.version_id ORDER BY s.at),
                           s.version_end),
                  v.stage_id, v.expected_revenue, v.probability, v.date_deadline,
                  v.forecast_category, s.new, v.user_id, v.team_id, v.company_id, v.deal_state
             FROM sff_flag_split s
             JOIN crm_lead_forecast_version v ON v.id = s.version_id"""
    )
    cr.execute("DROP TABLE sff_flag_split, sff_flag_change")


def _omitted_snapshot_rows(cr):
    # the open Omitted versions, the days of the snapshots' Omitted rows,
    # and the history weight each day's snapshot gave a stage (its other rows)
    cr.execute(
        """CREATE TEMPORARY TABLE sff_omitted_version ON COMMIT DROP AS
           SELECT v.valid_from, v.valid_to, v.forecast_excluded, v.expected_revenue,
                  v.probability, v.stage_id, COALESCE(v.company_id, 0) AS company_id,
                  COALESCE(v.team_id, 0) AS team_id, COALESCE(v.user_id, 0) AS user_id,
                  COALESCE(date_trunc('month', v.date_deadline)::date, 'infinity') AS month
             FROM crm_lead_forecast_version v
            WHERE v.deal_state = 'open' AND v.forecast_category = 'omitted'"""
    )
    cr.execute(
        """
        WITH days AS (
            SELECT DISTINCT date_snapshot AS day FROM crm_pipeline_snapshot
             WHERE forecast_category = 'omitted'
        ),
        weights AS (
            SELECT date_snapshot, stage_id,
                   SUM(history_forecast_revenue) / NULLIF(SUM(expected_revenue), 0) AS weight
              FROM crm_pipeline_snapshot
             WHERE forecast_category <> 'omitted'
          GROUP BY 1, 2
        ),
        sums AS (
            SELECT d.day, v.company_id, v.team_id, v.user_id, COALESCE(v.stage_id, 0) AS stage_id,
                   v.month,
                   SUM(CASE WHEN v.forecast_excluded THEN 0
                            ELSE COALESCE(v.expected_revenue, 0) * COALESCE(v.probability, 0) / 100
                       END) AS weighted,
                   SUM(CASE WHEN v.forecast_excluded THEN 0
                            ELSE COALESCE(v.expected_revenue, 0)
                                 * COALESCE(w.weight, s.history_weight,
                                            COALESCE(s.forecast_probability, 0) / 100)
                       END) AS history
              FROM days d
              JOIN sff_omitted_version v
                ON v.valid_from <= d.day AND (v.valid_to IS NULL OR v.valid_to > d.day)
         LEFT JOIN crm_stage s ON s.id = v.stage_id
         LEFT JOIN weights w ON w.date_snapshot = d.day AND w.stage_id = v.stage_id
          GROUP BY 1, 2, 3, 4, 5, 6
        )
        UPDATE crm_pipeline_snapshot r
           SET forecast_revenue = x.weighted, history_forecast_revenue = x.history
          FROM sums x
         WHERE r.forecast_category = 'omitted' AND r.date_snapshot = x.day
           AND COALESCE(r.company_id, 0) = x.company_id AND COALESCE(r.team_id, 0) = x.team_id
           AND COALESCE(r.user_id, 0) = x.user_id AND COALESCE(r.stage_id, 0) = x.stage_id
           AND COALESCE(r.deadline_month, 'infinity') = x.month
        """
    )
    cr.execute("DROP TABLE sff_omitted_version")
