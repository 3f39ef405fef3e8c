# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.crm_lead_call import CALL_OUTCOMES, CONVERSATION_OUTCOMES
from ..models.crm_lead_disposition import CONTACT_STATUSES

ROW_KINDS = [("call", "Call"), ("target", "Call target")]


class CrmCallReport(models.Model):
    """Calls per salesperson against their call targets: one row per call,
    and one row per member of a team with targets and per day, carrying the
    daily target on working days and the weekly target on Mondays (at noon
    UTC, so that every time zone sees them on their day)."""

    _name = "crm.call.report"
    _inherit = ["crm.funnel.report.mixin"]
    _description = "Calls Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc"
    _depends = {
        "crm.lead.call": ["lead_id", "user_id", "date", "outcome", "duration_minutes", "stage_id",
                          "contact_status", "team_id", "company_id", "source_id"],
        "crm.team": ["call_target_daily", "call_target_weekly", "company_id", "active"],
        "crm.team.member": ["user_id", "crm_team_id", "call_target_daily", "call_target_weekly",
                            "active", "create_date"],
    }

    kind = fields.Selection(ROW_KINDS, readonly=True)
    date = fields.Datetime(readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    user_id = fields.Many2one("res.users", string="Called By", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    outcome = fields.Selection(CALL_OUTCOMES, readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage at Call", readonly=True)
    contact_status = fields.Selection(CONTACT_STATUSES, string="Status at Call", readonly=True)
    source_id = fields.Many2one("utm.source", string="Lead Source", readonly=True)
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
        self._sff_create_view(SQL(
            """
            SELECT c.id::bigint * 2 AS id, 'call' AS kind, c.date, c.lead_id, c.user_id,
                   c.team_id, c.company_id, c.outcome, c.stage_id, c.contact_status,
                   c.source_id, 1 AS call_count,
                   (c.outcome IN %(conversation)s)::int AS conversation_count,
                   COALESCE(c.duration_minutes, 0) AS duration_minutes,
                   0 AS target_daily, 0 AS target_weekly
              FROM crm_lead_call c
             UNION ALL
            SELECT (m.id::bigint * 1000000 + (d.day::date - DATE '2000-01-01')) * 2 + 1,
                   'target', d.day + INTERVAL '12 hours', NULL, m.user_id, m.crm_team_id,
                   t.company_id, NULL, NULL, NULL, NULL, 0, 0, 0,
                   CASE WHEN EXTRACT(ISODOW FROM d.day) <= 5
                        THEN COALESCE(NULLIF(m.call_target_daily, 0), t.call_target_daily)
                        ELSE 0 END,
                   CASE WHEN EXTRACT(ISODOW FROM d.day) = 1
                        THEN COALESCE(NULLIF(m.call_target_weekly, 0), t.call_target_weekly)
                        ELSE 0 END
              FROM crm_team_member m
              JOIN crm_team t ON t.id = m.crm_team_id
             CROSS JOIN LATERAL generate_series(
                   date_trunc('week', LEAST(m.create_date, (SELECT min(date) FROM crm_lead_call))),
                   now() at time zone 'UTC', INTERVAL '1 day') AS d(day)
             WHERE m.active AND t.active
               AND (COALESCE(NULLIF(m.call_target_daily, 0), t.call_target_daily) > 0
                    OR COALESCE(NULLIF(m.call_target_weekly, 0), t.call_target_weekly) > 0)
            """,
            conversation=CONVERSATION_OUTCOMES,
        ))


class CrmAdoptionReport(models.Model):
    """Is the CRM used? Per salesperson and week: logins, calls logged and
    deals moved to another stage by hand, side by side."""

    _name = "crm.adoption.report"
    _description = "CRM Adoption"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.user.login": ["user_id", "date"],
        "crm.lead.call": ["user_id", "date"],
        "crm.lead.stage.history": ["create_uid", "date_in", "reason", "previous_stage_id"],
        "res.users": ["company_id", "sale_team_id"],
    }

    kind = fields.Selection([("login", "Login"), ("call", "Call"), ("move", "Stage move")],
                            readonly=True)
    date = fields.Datetime(readonly=True)
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
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), SQL(
            """
            SELECT a.id, a.kind, a.date, a.user_id, u.sale_team_id AS team_id, u.company_id,
                   a.login_count, a.call_count, a.move_count
              FROM (
                SELECT g.id::bigint * 3 AS id, 'login' AS kind, g.date, g.user_id,
                       1 AS login_count, 0 AS call_count, 0 AS move_count
                  FROM crm_user_login g
                 UNION ALL
                SELECT c.id::bigint * 3 + 1, 'call', c.date, c.user_id, 0, 1, 0
                  FROM crm_lead_call c
                 UNION ALL
                SELECT h.id::bigint * 3 + 2, 'move', h.date_in, h.create_uid, 0, 0, 1
                  FROM crm_lead_stage_history h
                 WHERE h.reason = 'manual' AND h.previous_stage_id IS NOT NULL
              ) a
              JOIN res_users u ON u.id = a.user_id
            """
        )))
