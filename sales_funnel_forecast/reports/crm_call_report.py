# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_lead_call import CALL_OUTCOMES
from ..models.crm_lead_disposition import CONTACT_STATUSES
from .common import create_view

ROW_KINDS = [("call", "Call"), ("target", "Call target")]


class CrmCallReport(models.Model):
    """Calls per salesperson against their call targets: the calls counted
    per salesperson, day (in their time zone), outcome and status at the
    call (``crm.lead.call.day``), and one row per member of a team with
    targets and per day, carrying the daily target on working days and the
    weekly target on Mondays."""

    _name = "crm.call.report"
    _description = "Calls Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.lead.call.day": ["user_id", "day", "outcome", "contact_status", "team_id",
                              "company_id", "call_count", "conversation_count", "duration_minutes"],
        "crm.team": ["call_target_daily", "call_target_weekly", "company_id", "active"],
        "crm.team.member": ["user_id", "crm_team_id", "call_target_daily", "call_target_weekly",
                            "active", "create_date"],
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
        string="Conversations", readonly=True,
        help="Calls where someone was reached: a conversation or a meeting booked.")
    duration_minutes = fields.Float(string="Minutes", readonly=True, digits=(16, 1))
    target_daily = fields.Integer(
        string="Daily Target", readonly=True,
        help="The calls expected on each working day; by week, the sum of the week's days.")
    target_weekly = fields.Integer(
        string="Weekly Target", readonly=True,
        help="The calls expected in the week (counted on its Monday).")

    def init(self):
        create_view(self, SQL(
            """
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
              FROM crm_team_member m
              JOIN crm_team t ON t.id = m.crm_team_id
             CROSS JOIN LATERAL generate_series(
                   date_trunc('week', LEAST(m.create_date,
                                            (SELECT min(day) FROM crm_lead_call_day))),
                   now() at time zone 'UTC', INTERVAL '1 day') AS d(day)
             WHERE m.active AND t.active
               AND (COALESCE(NULLIF(m.call_target_daily, 0), t.call_target_daily) > 0
                    OR COALESCE(NULLIF(m.call_target_weekly, 0), t.call_target_weekly) > 0)
            """
        ))


class CrmAdoptionReport(models.Model):
    """Is the CRM used? Per salesperson and week: logins, calls logged and
    deals moved to another stage by hand, side by side (each on its day in
    the salesperson's time zone)."""

    _name = "crm.adoption.report"
    _description = "CRM Adoption"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.user.login": ["user_id", "date"],
        "crm.lead.call.day": ["user_id", "day", "call_count"],
        "crm.lead.stage.history": ["create_uid", "date_in", "reason", "previous_stage_id"],
        "res.users": ["company_id", "sale_team_id", "partner_id"],
        "res.partner": ["tz"],
    }

    kind = fields.Selection([("login", "Login"), ("call", "Call"), ("move", "Stage move")],
                            readonly=True)
    date = fields.Date(string="Day", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    login_count = fields.Integer(string="Logins", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    move_count = fields.Integer(
        string="Stage Moves", readonly=True,
        help="Deals the user moved to another stage (not the moves made by the "
        "stall rules or by invoices).")

    def init(self):
        local_day = "(timezone(COALESCE(p.tz, 'UTC'), {} AT TIME ZONE 'UTC'))::date"
        create_view(self, SQL(
            f"""
            SELECT a.id, a.kind, a.date, a.user_id, u.sale_team_id AS team_id, u.company_id,
                   a.login_count, a.call_count, a.move_count
              FROM (
                SELECT g.id::bigint * 3 AS id, 'login' AS kind, {local_day.format("g.date")} AS date,
                       g.user_id, 1 AS login_count, 0 AS call_count, 0 AS move_count
                  FROM crm_user_login g
                  JOIN res_users gu ON gu.id = g.user_id
                  JOIN res_partner p ON p.id = gu.partner_id
                 UNION ALL
                SELECT d.id::bigint * 3 + 1, 'call', d.day, d.user_id, 0, d.call_count, 0
                  FROM crm_lead_call_day d
                 UNION ALL
                SELECT h.id::bigint * 3 + 2, 'move', {local_day.format("h.date_in")}, h.create_uid,
                       0, 0, 1
                  FROM crm_lead_stage_history h
                  JOIN res_users hu ON hu.id = h.create_uid
                  JOIN res_partner p ON p.id = hu.partner_id
                 WHERE h.reason = 'manual' AND h.previous_stage_id IS NOT NULL
              ) a
              JOIN res_users u ON u.id = a.user_id
            """
        ))
