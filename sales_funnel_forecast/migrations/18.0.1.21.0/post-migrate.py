# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.20.0 -> 18.0.1.21.0: a message dated more than an hour after
Odoo stored it counts as stored in a deal's last activity; a text message
is activity.

The deals whose last activity lies in the future (an email dated by a
sender's wrong clock), and those with a text message later than their
last activity, take theirs again from their calls and chatter: their last
call, or the last of their activity messages, each at its date or, dated
more than an hour after it was stored, when it was stored.

The statement is this migration's own (frozen)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH touched AS (
            SELECT l.id FROM crm_lead l
             WHERE l.date_last_activity > now() at time zone 'UTC'
                OR EXISTS (SELECT 1 FROM mail_message m
                            WHERE m.model = 'crm.lead' AND m.res_id = l.id
                              AND m.message_type = 'sms'
                              AND m.date > COALESCE(l.date_last_activity, '-infinity'))
        ), last AS (
            SELECT t.id,
                   GREATEST(
                       (SELECT max(c.date) FROM crm_lead_call c WHERE c.lead_id = t.id),
                       (SELECT max(CASE WHEN m.date > m.create_date + interval '1 hour'
                                        THEN m.create_date ELSE m.date END)
                          FROM mail_message m
                         WHERE m.model = 'crm.lead' AND m.res_id = t.id
                           AND (m.message_type IN ('comment', 'email', 'email_outgoing', 'sms')
                                OR m.mail_activity_type_id IS NOT NULL))) AS last
              FROM touched t
        )
        UPDATE crm_lead l SET date_last_activity = last.last
          FROM last
         WHERE l.id = last.id AND l.date_last_activity IS DISTINCT FROM last.last
        """
    )
