# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..const import CALL_OUTCOMES, CONTACT_STATUSES
from ..tools.days import local_time_sql

ROW_KINDS = [("call", "Call"), ("target", "Call target")]


class CrmCallReport(models.Model):
    """Calls per salesperson against their call targets: the calls counted
    per salesperson, day (in their time zone), outcome and status at the
    call (``crm.lead.call.day``), and one row per member of a team with
    targets and per day, carrying the daily target on working days and the
    weekly target on Mondays."""

    _name = "crm.call.report"
    _inherit = ["crm.report.query.mixin"]
    _description = "Calls Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.lead.call.day": [
            "user_id",
            "day",
            "outcome",
            "contact_status",
            "team_id",
            "company_id",
            "call_count",
            "conversation_count",
            "duration_minutes",
        ],
        "crm.team": [
            "call_target_daily",
            "call_target_weekly",
            "company_id",
            "active",
            "write_date",
        ],
        "crm.team.member": [
            "user_id",
            "crm_team_id",
            "call_target_daily",
            "call_target_weekly",
            "active",
            "create_date",
            "write_date",
        ],
        "res.users": ["partner_id"],
        "res.partner": ["tz"],
    }

    kind = fields.Selection(ROW_KINDS, readonly=True)
    date = fields.Date(string="Day", readonly=True)
    user_id = fields.Many2one("res.users", string="Called By", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    outcome = fields.Selection(CALL_OUTCOMES, readonly=True)
    contact_status = fields.Selection(CONTACT_STATUSES, string="Status at Call", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    conversation_count = fields.Integer(
        string="Conversations",
        readonly=True,
        help="Calls where someone was reached: a conversation or a meeting booked.",
    )
    duration_minutes = fields.Float(string="Minutes", readonly=True, digits=(16, 1))
    target_daily = fields.Integer(
        string="Daily Target",
        readonly=True,
        help="The calls expected on each working day; by week, the sum of the week's days.",
    )
    target_weekly = fields.Integer(
        string="Weekly Target",
        readonly=True,
        help="The calls expected in the week (counted on its Monday).",
    )

    def _select(self):
        return SQL("u.*")

    def _from(self):
        # the member's time zone, whose days their calls count in (and the
        # two changes of a move, out of a team and into another, fall on)
        member_tz = SQL("COALESCE(mp.tz, 'UTC')")
        tz = SQL("m.tz")
        # the rows of each kind, one SELECT a kind
        return SQL(
            """(
                SELECT d.id::bigint * 2 AS id, 'call' AS kind, d.day AS date, d.user_id, d.team_id,
                       d.company_id, d.outcome, d.contact_status, d.call_count,
                       d.conversation_count, d.duration_minutes,
                       0 AS target_daily, 0 AS target_weekly
                  FROM crm_lead_call_day d
                 UNION ALL
                SELECT (m.id::bigint * 1000000 + (d.day::date - DATE '2000-01-01')) * 2 + 1,
                       'target', d.day::date, m.user_id, m.crm_team_id, t.company_id, NULL, NULL,
                       0, 0, 0,
                       CASE WHEN EXTRACT(ISODOW FROM d.day) <= 5
                            THEN COALESCE(NULLIF(m.call_target_daily, 0), t.call_target_daily)
                            ELSE 0 END,
                       CASE WHEN EXTRACT(ISODOW FROM d.day) = 1
                            THEN COALESCE(NULLIF(m.call_target_weekly, 0), t.call_target_weekly)
                            ELSE 0 END
                  -- each membership with the member's joinings of the same
                  -- team before and after it (Odoo makes a new membership),
                  -- and their moves from and to another team (Odoo archives
                  -- the membership left as it creates the new one, or a
                  -- manager takes the member out, then in, days apart): the
                  -- day of a move is the new team's, in the member's days
                  FROM (SELECT mm.*, %(member_tz)s AS tz,
                               lag(mm.id) OVER joinings IS NOT NULL AS rejoined,
                               lead(mm.create_date) OVER joinings AS next_joined,
                               EXISTS (
                                   SELECT 1 FROM crm_team_member o
                                    WHERE o.user_id = mm.user_id
                                      AND o.crm_team_id <> mm.crm_team_id
                                      AND o.create_date < mm.create_date
                                      AND (o.active OR %(left)s >= date_trunc('week', %(joined_mm)s))
                               ) AS moved_in,
                               (SELECT min(n.create_date)
                                  FROM crm_team_member n
                                 WHERE NOT mm.active AND n.user_id = mm.user_id
                                   AND n.crm_team_id <> mm.crm_team_id
                                   AND n.create_date > mm.create_date
                                   AND date_trunc('day', %(joined_n)s) = date_trunc('day', %(changed_mm)s)
                               ) AS moved_out
                          FROM crm_team_member mm
                          JOIN res_users mu ON mu.id = mm.user_id
                          JOIN res_partner mp ON mp.id = mu.partner_id
                        WINDOW joinings AS (PARTITION BY mm.user_id, mm.crm_team_id
                                            ORDER BY mm.create_date, mm.id)) m
                  JOIN crm_team t ON t.id = m.crm_team_id
                 CROSS JOIN LATERAL (
                       -- the membership's period, in the member's days (as
                       -- their calls count): from the week the member
                       -- joined (their first membership of the team: or of
                       -- their first call counted in it, calls imported from
                       -- before; joined again, or moved from another team
                       -- left that week: from that day), to today, or to
                       -- the last change of the membership or the team
                       -- once archived (Odoo keeps no date of archiving),
                       -- or to the day before the member's next joining or
                       -- move to another team
                       SELECT CASE WHEN m.rejoined OR m.moved_in THEN date_trunc('day', %(joined)s)
                                   ELSE date_trunc('week', LEAST(
                                       %(joined)s,
                                       (SELECT min(cd.day) FROM crm_lead_call_day cd
                                         WHERE cd.user_id = m.user_id
                                           AND cd.team_id = m.crm_team_id))) END AS start,
                              LEAST(%(now)s,
                                    CASE WHEN NOT m.active THEN %(member_changed)s END,
                                    CASE WHEN NOT t.active THEN %(team_changed)s END,
                                    %(next_joined)s - INTERVAL '1 day',
                                    %(moved_out)s - INTERVAL '1 day') AS stop
                 ) span
                 CROSS JOIN LATERAL generate_series(span.start, span.stop, INTERVAL '1 day') AS d(day)
                 WHERE (COALESCE(NULLIF(m.call_target_daily, 0), t.call_target_daily) > 0
                        OR COALESCE(NULLIF(m.call_target_weekly, 0), t.call_target_weekly) > 0)
            ) AS u""",
            joined=local_time_sql(SQL("m.create_date"), tz),
            now=local_time_sql(SQL("now() AT TIME ZONE 'UTC'"), tz),
            member_changed=local_time_sql(SQL("m.write_date"), tz),
            team_changed=local_time_sql(SQL("t.write_date"), tz),
            next_joined=local_time_sql(SQL("m.next_joined"), tz),
            moved_out=local_time_sql(SQL("m.moved_out"), tz),
            member_tz=member_tz,
            left=local_time_sql(SQL("o.write_date"), member_tz),
            joined_mm=local_time_sql(SQL("mm.create_date"), member_tz),
            joined_n=local_time_sql(SQL("n.create_date"), member_tz),
            changed_mm=local_time_sql(SQL("mm.write_date"), member_tz),
        )
