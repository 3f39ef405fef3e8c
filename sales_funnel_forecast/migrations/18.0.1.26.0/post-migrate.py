# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""-> 18.0.1.26.0: a call's note in the deal's chatter keeps its lines
(<br>, as Odoo writes a done activity's feedback); the notes of calls
logged before ran their lines into one: their line breaks, in the note's
paragraph (after the first, which says the call's outcome), become <br>.

The statement is this migration's own (frozen)."""

# how a call's note in the chatter begins (const.CALL_NOTE_START, frozen)
CALL_NOTE_START = '<p><i class="fa fa-phone me-1'


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        r"""UPDATE mail_message
               SET body = left(body, strpos(body, '</p>') + 3)
                          || replace(replace(substr(body, strpos(body, '</p>') + 4),
                                             E'\r\n', '<br>'),
                                     E'\n', '<br>')
             WHERE model = 'crm.lead' AND mail_activity_type_id IS NULL
               AND starts_with(body, %s) AND strpos(body, '</p>') > 0
               AND strpos(substr(body, strpos(body, '</p>') + 4), E'\n') > 0""",
        [CALL_NOTE_START],
    )
