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

The calls logged before name their notes: on each deal, the note nearest
in time to the call within five minutes (a note is dated at its call, or
when it was logged; the caller's first), each note one call's. The notes paired get the
classes the notes logged from now on carry (the outcome's, the
minutes'), so that a rebuild of the calls from the chatter finds them
again; the notes left, of calls deleted since, are marked so, and are
not.

The statements are this migration's own (frozen)."""

# the beginning of the call notes of earlier releases, and the classes the
# notes have from this release on (the outcome's class last)
NOTE_START = '<p><i class="fa fa-phone me-1"></i>'
NOTE_CLASS = "o_sff_call"
NOTE_MINUTES = "o_sff_min_"
NOTE_DELETED = "o_sff_call_deleted"


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
    _pair_calls_and_notes(cr)


def _pair_calls_and_notes(cr):
    """Each call logged before names its own note: on each deal, among the
    notes within five minutes of the call (a note is dated at its call, or
    when it was logged just after), the pairs nearest in time first (the
    caller's note before another's at the same distance), each call and
    each note in one pair; the notes paired are marked as the notes logged
    now, those left (calls deleted since) marked as such. The candidates
    are read by deal and time in SQL, a few per call."""
    cr.execute(
        """SELECT c.id, m.id, c.outcome, c.duration_minutes,
                  abs(extract(epoch FROM m.date - c.date)) AS gap,
                  m.author_id IS DISTINCT FROM u.partner_id AS other_author
             FROM crm_lead_call c
        LEFT JOIN res_users u ON u.id = c.user_id
             JOIN mail_message m
               ON m.model = 'crm.lead' AND m.res_id = c.lead_id
              AND m.message_type = 'notification' AND m.mail_activity_type_id IS NULL
              AND m.body::text LIKE %(start)s
              AND m.date BETWEEN c.date - interval '5 minutes' AND c.date + interval '5 minutes'
            WHERE c.message_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM crm_lead_call o WHERE o.message_id = m.id)
         ORDER BY gap, other_author, c.id, m.id""",
        {"start": NOTE_START + "%"},
    )
    paired, classes = [], []
    taken_calls, taken_notes = set(), set()
    for call_id, note_id, outcome, minutes, _gap, _other in cr.fetchall():
        if call_id in taken_calls or note_id in taken_notes:
            continue
        taken_calls.add(call_id)
        taken_notes.add(note_id)
        paired.append((call_id, note_id))
        marks = [NOTE_CLASS]
        if minutes:
            marks.append(f"{NOTE_MINUTES}{round(minutes, 1):g}")
        marks.append(f"{NOTE_CLASS}_{outcome}")
        classes.append((note_id, " ".join(marks)))
    if paired:
        cr.execute(
            """UPDATE crm_lead_call c SET message_id = p.note_id
                 FROM unnest(%s::int[], %s::int[]) AS p(call_id, note_id)
                WHERE c.id = p.call_id""",
            [[pair[0] for pair in paired], [pair[1] for pair in paired]],
        )
    if classes:
        cr.execute(
            """UPDATE mail_message m
                  SET body = replace(m.body::text, 'class="fa fa-phone me-1"',
                                     'class="fa fa-phone me-1 ' || k.marks || '"')
                 FROM unnest(%s::int[], %s::text[]) AS k(id, marks)
                WHERE m.id = k.id""",
            [[row[0] for row in classes], [row[1] for row in classes]],
        )
    # the notes left: of calls deleted since
    cr.execute(
        """UPDATE mail_message m
              SET body = replace(m.body::text, 'class="fa fa-phone me-1"',
                                 'class="fa fa-phone me-1 ' || %(marks)s || '"')
            WHERE m.model = 'crm.lead' AND m.message_type = 'notification'
              AND m.mail_activity_type_id IS NULL AND m.body::text LIKE %(start)s
              AND NOT EXISTS (SELECT 1 FROM crm_lead_call c WHERE c.message_id = m.id)""",
        {"start": NOTE_START + "%", "marks": f"{NOTE_CLASS} {NOTE_DELETED}"},
    )
