# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.19.0 -> 18.0.1.20.0: a login keeps the user's sales team and
company of its day; a move into another team's pipeline is no move back;
a call names its note in the deal's chatter, and the note its call's
outcome and minutes.

The logins recorded before knew neither: they take the user's team and
company of today, which the adoption report showed them in until now.

The stays that entered a stage of another pipeline (another team's, or a
team with a catalogue from a stage shared by every team) were flagged as
moves back when the new stage came first in the stage order: no longer.

The calls logged before name their notes: on each deal, the note logged as
the call's caller nearest in time to the call (within five minutes; a note
is dated at its call, or when it was logged), each note one call's. The
notes paired get the classes the notes logged from now on carry (the
outcome's, the minutes'), so that a rebuild of the calls from the chatter
finds them again, and not the notes of calls deleted since, which are left
as they are.

The statements are this migration's own (frozen)."""

# the beginning of the call notes of earlier releases
NOTE_START = '<p><i class="fa fa-phone me-1"></i>'


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
              AND NOT (s.team_id IS NOT DISTINCT FROM ps.team_id
                       OR (ps.team_id IS NULL
                           AND NOT EXISTS (SELECT 1 FROM crm_team t
                                            WHERE t.id = s.team_id
                                              AND t.stage_catalogue_id IS NOT NULL))
                       OR (s.team_id IS NULL
                           AND NOT EXISTS (SELECT 1 FROM crm_team t
                                            WHERE t.id = ps.team_id
                                              AND t.stage_catalogue_id IS NOT NULL)))"""
    )
    cr.execute(
        """WITH candidates AS (
               SELECT c.id AS call_id, m.id AS note_id,
                      abs(extract(epoch FROM m.date - c.date)) AS gap
                 FROM crm_lead_call c
                 JOIN res_users u ON u.id = c.user_id
                 JOIN mail_message m
                   ON m.model = 'crm.lead' AND m.res_id = c.lead_id
                  AND m.author_id = u.partner_id
                  AND m.message_type = 'notification' AND m.mail_activity_type_id IS NULL
                  AND m.body::text LIKE %(start)s
                  AND m.date BETWEEN c.date - interval '5 minutes'
                                 AND c.date + interval '5 minutes'
                WHERE c.message_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM crm_lead_call o WHERE o.message_id = m.id)
           ), call_best AS (
               SELECT DISTINCT ON (call_id) call_id, note_id, gap
                 FROM candidates ORDER BY call_id, gap, note_id
           ), pairs AS (
               SELECT DISTINCT ON (note_id) call_id, note_id
                 FROM call_best ORDER BY note_id, gap, call_id
           ), linked AS (
               UPDATE crm_lead_call c SET message_id = p.note_id
                 FROM pairs p
                WHERE c.id = p.call_id
            RETURNING c.message_id, c.outcome, c.duration_minutes
           )
           UPDATE mail_message m
              SET body = replace(
                      m.body::text, 'class="fa fa-phone me-1"',
                      'class="fa fa-phone me-1 o_sff_call'
                      || CASE WHEN COALESCE(l.duration_minutes, 0) > 0
                              THEN ' o_sff_min_'
                                   || trim_scale(round(l.duration_minutes::numeric, 1))::text
                              ELSE '' END
                      || ' o_sff_call_' || l.outcome || '"')
             FROM linked l
            WHERE m.id = l.message_id""",
        {"start": NOTE_START + "%"},
    )
