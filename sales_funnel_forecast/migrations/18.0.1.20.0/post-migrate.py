# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.19.0 -> 18.0.1.20.0: a login keeps the user's sales team and
company of its day; a move into another team's pipeline is no move back.

The logins recorded before knew neither: they take the user's team and
company of today, which the adoption report showed them in until now. The
stays that entered a team's stage from another team's were flagged as moves
back when the new stage came first in the stage order: no longer."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE crm_user_login g
              SET team_id = u.sale_team_id, company_id = u.company_id
             FROM res_users u
            WHERE u.id = g.user_id AND g.company_id IS NULL"""
    )
    cr.execute(
        """UPDATE crm_lead_stage_history h
              SET is_regression = FALSE
             FROM crm_stage s, crm_stage ps
            WHERE h.is_regression AND s.id = h.stage_id AND ps.id = h.previous_stage_id
              AND s.team_id <> ps.team_id"""
    )
