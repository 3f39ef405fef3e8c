# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL


class CrmAdoptionReport(models.Model):
    """Is the CRM used? Per salesperson and week: logins, calls logged and
    deals moved to another stage by hand, side by side (each on its day in
    the salesperson's time zone)."""

    _name = "crm.adoption.report"
    _inherit = ["crm.report.query.mixin"]
    _description = "CRM Adoption"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.user.login": ["user_id", "date", "team_id", "company_id"],
        "crm.lead.call.day": ["user_id", "day", "call_count"],
        "crm.lead.stage.history": [
            "create_uid",
            "date_in",
            "reason",
            "previous_stage_id",
            "team_id",
            "company_id",
        ],
        "crm.lead.forecast.version": ["lead_id", "valid_from", "valid_to", "team_id", "company_id"],
        "crm.team": ["company_id"],
        "res.users": ["partner_id"],
        "res.partner": ["tz"],
    }

    kind = fields.Selection(
        [("login", "Login"), ("call", "Call"), ("move", "Stage move")], readonly=True
    )
    date = fields.Date(string="Day", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    login_count = fields.Integer(string="Logins", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    move_count = fields.Integer(
        string="Stage Moves",
        readonly=True,
        help="Deals the user moved to another stage (not the moves made by the "
        "stall rules or by invoices).",
    )

    def _select(self):
        return SQL(
            """a.id, a.kind, a.date, a.user_id, a.team_id, a.company_id,
               a.login_count, a.call_count, a.move_count"""
        )

    def _from(self):
        def local_day(column):
            # the day in the user's time zone (its partner's, alias p)
            return SQL(
                "(timezone(COALESCE(p.tz, 'UTC'), %s AT TIME ZONE 'UTC'))::date",
                SQL.identifier(*column.split(".")),
            )

        # the logins, calls and stage moves, one SELECT a kind; calls and
        # moves in the team the deal was in when they were made, a login in the
        # user's team of that day. Calls keep the company of their deal at
        # the call; logins and moves count in their team's company, which a
        # member whose own company is another, or a deal handed over to
        # another company later, does not change (a team of no company: the
        # user's company of that day, the deal's)
        return SQL(
            """(
                SELECT g.id::bigint * 3 AS id, 'login' AS kind, %(login_day)s AS date,
                       g.user_id, g.team_id, COALESCE(gt.company_id, g.company_id) AS company_id,
                       1 AS login_count, 0 AS call_count, 0 AS move_count
                  FROM crm_user_login g
             LEFT JOIN crm_team gt ON gt.id = g.team_id
                  JOIN res_users gu ON gu.id = g.user_id
                  JOIN res_partner p ON p.id = gu.partner_id
                 UNION ALL
                SELECT d.id::bigint * 3 + 1, 'call', d.day, d.user_id, d.team_id, d.company_id,
                       0, d.call_count, 0
                  FROM crm_lead_call_day d
                 UNION ALL
                SELECT h.id::bigint * 3 + 2, 'move', %(move_day)s, h.create_uid,
                       o.team_id, COALESCE(ht.company_id, o.company_id), 0, 0, 1
                  FROM crm_lead_stage_history h
                  -- the deal's team and company at the move (its version
                  -- then: a stay takes the team of a deal handed over while
                  -- it lasts), the stay's for a deal without versions
                  JOIN LATERAL (
                       SELECT w.team_id, w.company_id FROM (
                              SELECT 0 AS rank, v.team_id, v.company_id
                                FROM crm_lead_forecast_version v
                               WHERE v.lead_id = h.lead_id AND v.valid_from <= h.date_in
                                 AND (v.valid_to IS NULL OR v.valid_to > h.date_in)
                           UNION ALL
                              SELECT 1, h.team_id, h.company_id) w
                     ORDER BY w.rank LIMIT 1
                  ) o ON TRUE
             LEFT JOIN crm_team ht ON ht.id = o.team_id
                  JOIN res_users hu ON hu.id = h.create_uid
                  JOIN res_partner p ON p.id = hu.partner_id
                 -- a deal restored into its stage did not move
                 WHERE h.reason = 'manual' AND h.previous_stage_id IS NOT NULL
                   AND h.previous_stage_id <> h.stage_id
            ) a""",
            login_day=local_day("g.date"),
            move_day=local_day("h.date_in"),
        )

    def _join(self):
        return SQL("JOIN res_users u ON u.id = a.user_id")
