# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.19.0 -> 18.0.1.20.0: a login keeps the user's sales team and
company of its day; a move into another team's pipeline is no move back;
a call names its note in the deal's chatter.

The logins recorded before knew neither: they take the user's team and
company of today, which the adoption report showed them in until now. The
stays that entered a team's stage from another team's were flagged as moves
back when the new stage came first in the stage order: no longer. The
calls logged before name their notes: on each deal, a caller's calls and
the notes logged as that caller, each in the order of their dates, pair
up (a later rebuild of the calls from the chatter then takes them for the
calls they are, not for new ones)."""

from odoo.addons.sales_funnel_forecast.const import CALL_NOTE_START


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
    cr.execute(
        """WITH notes AS (
               SELECT m.id, m.res_id AS lead_id, m.author_id,
                      row_number() OVER (PARTITION BY m.res_id, m.author_id
                                         ORDER BY m.date, m.id) AS nth
                 FROM mail_message m
                WHERE m.model = 'crm.lead' AND m.message_type = 'notification'
                  AND m.mail_activity_type_id IS NULL AND m.body::text LIKE %s
                  AND NOT EXISTS (SELECT 1 FROM crm_lead_call c WHERE c.message_id = m.id)
           ), calls AS (
               SELECT c.id, c.lead_id, u.partner_id AS author_id,
                      row_number() OVER (PARTITION BY c.lead_id, u.partner_id
                                         ORDER BY c.date, c.id) AS nth
                 FROM crm_lead_call c
                 JOIN res_users u ON u.id = c.user_id
                WHERE c.message_id IS NULL
           )
           UPDATE crm_lead_call c SET message_id = n.id
             FROM calls k
             JOIN notes n ON n.lead_id = k.lead_id AND n.author_id = k.author_id AND n.nth = k.nth
            WHERE c.id = k.id""",
        [CALL_NOTE_START + "%"],
    )
