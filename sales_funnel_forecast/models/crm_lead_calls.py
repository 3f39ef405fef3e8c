# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import html
import re
from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import (
    CALL_NOTE_CLASS,
    CALL_NOTE_DELETED,
    CALL_NOTE_MINUTES,
    CALL_NOTE_START,
    CALL_OUTCOMES,
    CONVERSATION_OUTCOMES,
)

# the messages of a deal that are activity (``m``): messages and notes
# written, emails and text messages, done activities; not tracking nor
# system notes. A message dated more than an hour after Odoo stored it (an
# email whose sender's clock is wrong: Odoo dates it from its header)
# counts as of then (MESSAGE_ACTIVITY_DATE, message_activity_date): a
# deal's last activity is not years in the future. Odoo's own messages are
# dated within the request or job that stores them, after its start (a job
# posting messages more than an hour after it started dates them back to
# its start).
MESSAGE_CLOCK_SLACK = timedelta(hours=1)
ACTIVITY_MESSAGE_TYPES = ("comment", "email", "email_outgoing", "sms")
MESSAGE_ACTIVITY_DATE = SQL(
    "CASE WHEN m.date > m.create_date + %s THEN m.create_date ELSE m.date END",
    MESSAGE_CLOCK_SLACK,
)
# a line break of a call's own note, as its note in the chatter writes it
LINE_BREAK = re.compile(r"<br\s*/?>")


def message_activity_date(message):
    """When ``message`` was activity: MESSAGE_ACTIVITY_DATE, in Python."""
    if message.create_date and message.date > message.create_date + MESSAGE_CLOCK_SLACK:
        return message.create_date
    return message.date


ACTIVITY_MESSAGES = SQL(
    "(m.message_type IN %s OR m.mail_activity_type_id IS NOT NULL)", ACTIVITY_MESSAGE_TYPES
)


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    call_ids = fields.One2many("crm.lead.call", "lead_id", string="Call Log")
    # the deal's figures below are read together, not with every read of
    # the deal (a move does not need them)
    call_count = fields.Integer(
        prefetch="sff_deal_figures",
        string="Calls",
        readonly=True,
        copy=False,
        help="Calls logged on the deal.",
    )
    call_attempt_count = fields.Integer(
        prefetch="sff_deal_figures",
        string="Attempts Before Conversation",
        readonly=True,
        copy=False,
        help="Calls that reached nobody before the first conversation (all of "
        "them while nobody was reached yet).",
    )
    date_first_conversation = fields.Datetime(
        prefetch="sff_deal_figures",
        string="First Conversation",
        readonly=True,
        copy=False,
        help="The first call where someone was reached.",
    )
    date_last_activity = fields.Datetime(
        prefetch="sff_deal_figures",
        string="Last Activity",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The last call logged, activity done or message on the deal.",
    )

    def unlink(self):
        # the deals' calls go with them in the database (a cascade): their
        # days are counted again once they are gone
        # sudo: every call of the deals, whoever made them
        calls = self.env["crm.lead.call"].sudo().search([("lead_id", "in", self.ids)])
        if not calls:
            return super().unlink()
        Days = self.env["crm.lead.call.day"]
        days = Days._sff_days_of(calls.ids)
        result = super().unlink()
        Days._sff_recount(days)
        return result

    def _sff_changed_since(self, when):
        """Whether the deal moved stage or had activity (a call among it)
        after ``when``: a call dated then was logged after the fact, and
        the deal it found is not the one it had."""
        self.ensure_one()
        return any(
            moment and moment > when
            for moment in (self.date_last_stage_update, self.date_last_activity)
        )

    def _sff_call_facts(self):
        """What a call on the deal keeps of it, as it is now: the team,
        company, source, medium, campaign and origin type the reports cut
        the calls by, and its customer's industry."""
        self.ensure_one()
        return {
            "team_id": self.team_id.id,
            "company_id": self.company_id.id,
            "source_id": self.source_id.id,
            "medium_id": self.medium_id.id,
            "campaign_id": self.campaign_id.id,
            "origin_type": self.origin_type,
            # sudo: the customer's industry as the deal names it, also for a
            # rep who may read the deal but not its customer (another
            # company's contact)
            "industry_id": self.partner_id.sudo().industry_id.id,
        }

    def _sff_recount_calls(self, lead_ids):
        """The call counters of these deals, counted again from their calls
        (after a call is deleted, moved to another deal or back-dated)."""
        if not lead_ids:
            return
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH calls AS (
                SELECT c.lead_id, c.date, c.outcome,
                       min(c.date) FILTER (WHERE c.outcome IN %(conversation)s)
                           OVER (PARTITION BY c.lead_id) AS first_conversation
                  FROM crm_lead_call c WHERE c.lead_id = ANY(%(ids)s)
            ), counted AS (
                SELECT d.id, count(calls.lead_id) AS n,
                       min(calls.first_conversation) AS first_conversation,
                       max(calls.date) AS last,
                       count(*) FILTER (WHERE calls.outcome NOT IN %(conversation)s
                                          AND (calls.first_conversation IS NULL
                                               OR calls.date < calls.first_conversation)) AS attempts
                  FROM unnest(%(ids)s::int[]) AS d(id)
             LEFT JOIN calls ON calls.lead_id = d.id
                 GROUP BY d.id
            )
            UPDATE crm_lead l
               SET call_count = counted.n, call_attempt_count = counted.attempts,
                   date_first_conversation = counted.first_conversation,
                   -- its last call, or message or done activity: a call
                   -- deleted or moved away is no longer its last activity
                   date_last_activity = GREATEST(
                       counted.last,
                       (SELECT max(%(date)s) FROM mail_message m
                         WHERE m.model = 'crm.lead' AND m.res_id = l.id AND %(activity)s))
              FROM counted WHERE l.id = counted.id
            """,
                date=MESSAGE_ACTIVITY_DATE,
                ids=list(lead_ids),
                conversation=CONVERSATION_OUTCOMES,
                activity=ACTIVITY_MESSAGES,
            )
        )
        self.invalidate_model(
            ["call_count", "call_attempt_count", "date_first_conversation", "date_last_activity"]
        )

    def _sff_fill_last_activity(self, lead_ids=None):
        """The deals' last activity from their chatter and calls: messages
        and notes written, emails, done activities, calls (tracking and
        system notes are not activity). All deals when ``lead_ids`` is
        None."""
        self.env["crm.lead.call"].flush_model()
        only = SQL("AND res_id = ANY(%s)", lead_ids) if lead_ids is not None else SQL()
        only_calls = SQL("WHERE lead_id = ANY(%s)", lead_ids) if lead_ids is not None else SQL()
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_lead l SET date_last_activity = a.last
              FROM (SELECT id, max(last) AS last FROM (
                        SELECT res_id AS id, max(%s) AS last FROM mail_message m
                         WHERE model = 'crm.lead' AND %s %s
                         GROUP BY res_id
                         UNION ALL
                        SELECT lead_id, max(date) FROM crm_lead_call %s GROUP BY lead_id
                    ) u GROUP BY id) a
             WHERE a.id = l.id AND l.date_last_activity IS DISTINCT FROM a.last
            """,
                MESSAGE_ACTIVITY_DATE,
                ACTIVITY_MESSAGES,
                only,
                only_calls,
            )
        )
        self.invalidate_model(["date_last_activity"])

    @api.model
    def _sff_backfill_calls(self):
        """What a database had before the module: phone calls marked done
        on deals become calls, and each deal gets its counters, contact
        status and last activity (its last message, done activity or call).
        Returns the number of deals given calls. Idempotent: a done activity
        already turned into a call is skipped."""
        cr = self.env.cr
        # the outcome: named by the class of the module's own call note; in
        # a note of an earlier release, by its words ("Call: No answer", in
        # the caller's language: any installed one); in a done activity's
        # feedback, by an outcome's English label
        outcome = SQL("CASE")
        for key, _label in CALL_OUTCOMES:
            # the outcome's class ends the note's icon's classes
            outcome = SQL(
                "%s WHEN m.body::text LIKE %s THEN %s", outcome, f'%{CALL_NOTE_CLASS}_{key}"%', key
            )
        said = self._sff_call_note_words()
        for key, english in CALL_OUTCOMES:
            if key != "conversation":
                outcome = SQL(
                    """%s WHEN m.mail_activity_type_id IS NULL AND m.body::text LIKE ANY(%s)
                          THEN %s
                          WHEN m.mail_activity_type_id IS NOT NULL AND m.body::text ILIKE %s
                          THEN %s""",
                    outcome,
                    [f"%{words}%" for words in said[key]],
                    key,
                    f"%{english}%",
                    key,
                )
        outcome = SQL("%s ELSE 'conversation' END", outcome)
        # the module's notes, but those of calls deleted before the upgrade
        # that marked them (the call gone, its note left)
        notes = SQL(
            "m.body::text LIKE %s AND m.body::text NOT LIKE %s",
            CALL_NOTE_START + "%",
            f"%{CALL_NOTE_DELETED}%",
        )
        cr.execute(
            SQL(
                """
            WITH done AS (
                -- phone calls marked done, and the module's own call notes
                -- (a reinstall: the calls went with the module)
                SELECT m.id AS message_id, m.res_id AS lead_id, m.date, m.author_id,
                       %(outcome)s AS outcome,
                       COALESCE(substring(m.body::text FROM %(minutes)s),
                                replace(substring(m.body::text FROM %(said_minutes)s), ',', '.')
                       )::float AS minutes
                  FROM mail_message m
             LEFT JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
                 WHERE m.model = 'crm.lead' AND m.message_type = 'notification'
                   AND (t.category = 'phonecall'
                        OR (m.mail_activity_type_id IS NULL AND %(notes)s))
                   AND NOT EXISTS (SELECT 1 FROM crm_lead_call c WHERE c.message_id = m.id)
            ), ordered AS (
                SELECT done.*,
                       bool_or(done.outcome IN %(conversation)s) OVER (
                           PARTITION BY done.lead_id ORDER BY done.date, done.message_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached_before,
                       row_number() OVER (PARTITION BY done.lead_id
                                          ORDER BY done.date, done.message_id) AS nth
                  FROM done
            )
            INSERT INTO crm_lead_call
                (lead_id, message_id, user_id, date, outcome, duration_minutes, stage_id,
                 contact_status, team_id, company_id, source_id, is_conversation, create_uid,
                 create_date, write_uid, write_date)
            SELECT o.lead_id, o.message_id, COALESCE(author.id, l.user_id, %(uid)s), o.date,
                   o.outcome, o.minutes, COALESCE(stay.stage_id, l.stage_id),
                   CASE WHEN o.reached_before THEN 'contacted'
                        WHEN o.nth > 1 THEN 'attempted' ELSE 'not_attempted' END,
                   l.team_id, l.company_id, l.source_id, o.outcome IN %(conversation)s,
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM ordered o
              JOIN crm_lead l ON l.id = o.lead_id
         LEFT JOIN LATERAL (SELECT u.id FROM res_users u
                             WHERE u.partner_id = o.author_id AND NOT u.share
                             ORDER BY u.id LIMIT 1) author ON TRUE
         LEFT JOIN LATERAL (SELECT h.stage_id FROM crm_lead_stage_history h
                             WHERE h.lead_id = o.lead_id AND h.date_in <= o.date
                             ORDER BY h.date_in DESC LIMIT 1) stay ON TRUE
         RETURNING lead_id, id, message_id
            """,
                outcome=outcome,
                minutes=f"{CALL_NOTE_MINUTES}([0-9.]+)",
                # a note of an earlier release: "Call: Busy, 4 min" (in its
                # first paragraph, in any of the module's languages)
                said_minutes="^<p><i[^>]*></i>[^<]*[,，] ?([0-9]+(?:[.,][0-9]+)?) ?(?:min|分钟)</p>",
                notes=notes,
                conversation=CONVERSATION_OUTCOMES,
                uid=self.env.uid,
            )
        )
        rebuilt = cr.fetchall()
        rebuilt_calls = SQL("c.id = ANY(%s)", [call_id for _lead, call_id, _message_id in rebuilt])
        self.env["crm.lead.call"]._sff_fill_days(rebuilt_calls)
        # the cuts of their deals, as the source
        self.env["crm.lead.call"]._sff_fill_cuts(rebuilt_calls)
        lead_ids = sorted({lead_id for lead_id, _id, _message_id in rebuilt})
        self._sff_call_notes_again({call_id: message_id for _lead, call_id, message_id in rebuilt})
        if lead_ids:
            self._sff_recount_calls(lead_ids)
            self.env["crm.lead.call.day"]._sff_recount()
            cr.execute(
                """UPDATE crm_lead
                      SET contact_status = CASE WHEN date_first_conversation IS NOT NULL
                                                THEN 'contacted' ELSE 'attempted' END
                    WHERE id = ANY(%s)
                      AND (contact_status = 'not_attempted'
                           OR contact_status = 'attempted' AND date_first_conversation IS NOT NULL)""",
                [lead_ids],
            )
        self._sff_fill_last_activity()
        self.invalidate_model()
        self.env["crm.lead.call"].invalidate_model()
        return len(lead_ids)

    @api.model
    def _sff_call_note_words(self):
        """How the call notes of earlier releases began for each outcome, in
        every installed language ("Call: No answer", "Appel : Pas de
        réponse"), as the note's text after its icon."""
        said = {key: set() for key, _label in CALL_OUTCOMES}
        field = self.env["crm.lead.call"]._fields["outcome"]
        for code, _name in self.env["res.lang"].get_installed():
            env = self.with_context(lang=code).env
            described = dict(field._description_selection(env))
            for key in said:
                words = env._("Call: %(what)s", what=described[key])
                said[key].add(str(escape(words)))
        return said

    @api.model
    def _sff_call_notes_again(self, messages):
        """The calls rebuilt from the module's notes (``messages`` maps
        call ids to message ids) take their own note again (the note's
        second paragraph); a note of an earlier release gets the classes
        the notes have now, so that the call and its note keep in step."""
        Message = self.env["mail.message"]
        notes, marked = [], []
        for call in self.env["crm.lead.call"].browse(messages):
            message = Message.browse(messages[call.id])
            body = str(message.body or "")
            if message.mail_activity_type_id or not body.startswith(CALL_NOTE_START):
                continue
            # the call's own note: the second paragraph, as typed (its
            # lines were written apart by <br>)
            _said, _end, rest = body.partition("</p>")
            if rest.startswith("<p>") and rest.endswith("</p>"):
                typed = LINE_BREAK.sub("\n", rest[len("<p>") : -len("</p>")])
                notes.append((call.id, html.unescape(typed)))
            if CALL_NOTE_CLASS not in body:
                marked.append(
                    (
                        message.id,
                        body.replace(
                            'class="fa fa-phone me-1"',
                            f'class="fa fa-phone me-1 {call._sff_note_classes()}"',
                            1,
                        ),
                    )
                )
        # in one statement each
        if notes:
            self.env.cr.execute(
                """UPDATE crm_lead_call c SET note = v.note
                     FROM unnest(%s::int[], %s::text[]) AS v(id, note) WHERE c.id = v.id""",
                [[row[0] for row in notes], [row[1] for row in notes]],
            )
        if marked:
            self.env.cr.execute(
                """UPDATE mail_message m SET body = v.body
                     FROM unnest(%s::int[], %s::text[]) AS v(id, body) WHERE m.id = v.id""",
                [[row[0] for row in marked], [row[1] for row in marked]],
            )
        Message.invalidate_model(["body"])

    def _sff_touch_activity(self, when=None):
        """The deals had activity (a message, a done activity) at ``when``."""
        if not self.ids:
            return
        when = when or fields.Datetime.now()
        self.env.cr.execute(
            """UPDATE crm_lead SET date_last_activity = %(when)s
                WHERE id = ANY(%(ids)s) AND (date_last_activity IS NULL OR date_last_activity < %(when)s)""",
            {"when": when, "ids": self.ids},
        )
        self.invalidate_recordset(["date_last_activity"])

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        # the merged deals' messages came with them: read where they are
        self.env["mail.message"].flush_model(["model", "res_id", "date"])
        calls = self.env["crm.lead.call"].sudo().search([("lead_id", "in", opportunities.ids)])
        if calls:
            # sudo: the calls of every merged deal follow, whoever made them;
            # one recount of the kept deal rather than one per call
            # the calls keep the stage, status, team and company they were
            # made at (the merged deal's); they move the kept deal's status
            calls.with_context(sff_no_recount=True, sff_call_moving=True).write(
                {"lead_id": self.id}
            )
            calls._sff_move_contact_status()
            # the merged deals too: Odoo may keep them (``auto_unlink=False``)
            self._sff_recount_calls((self | opportunities).ids)
        else:
            # the last activity is the latest of them all
            self._sff_fill_last_activity(self.ids)
        return result

    def action_sff_log_call(self):
        """The call dialog: outcome buttons, an optional duration and note."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "crm.lead.call.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_lead_id": self.id, "dialog_size": "medium"},
        }

    @api.readonly
    def action_sff_view_calls(self):
        """The deal form's Calls button: its calls, listed (reads only: on
        a read-only cursor, a replica's when the server has one)."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sales_funnel_forecast.crm_lead_call_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action
