# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Calls logged on deals: one row per call, and the deal's counters kept by
one small update per call (never a count over the deal's calls, except when
a call is deleted, moved, or logged with a date before the deal's last
activity)."""
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, html2plaintext

from .crm_lead_disposition import CONTACT_STATUSES

CALL_OUTCOMES = [
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
    ("busy", "Busy"),
    ("wrong_number", "Wrong number"),
    ("conversation", "Conversation"),
    ("meeting_booked", "Meeting booked"),
]
# the outcomes where someone was reached: they make a deal "contacted"
CONVERSATION_OUTCOMES = ("conversation", "meeting_booked")
# the order statuses move forward in by themselves
STATUS_RANK = {status: rank for rank, (status, _label) in enumerate(CONTACT_STATUSES)}


def outcome_from_feedback(env, feedback):
    """The outcome a rep named in the feedback of a done phone call ("no
    answer, will try again"): the outcome label that comes first in the
    text, in the user's language or in English; a conversation when none
    is named."""
    text = html2plaintext(feedback or "").lower()
    found = []
    labels = dict(env["crm.lead.call"]._fields["outcome"]._description_selection(env))
    for outcome, english in CALL_OUTCOMES:
        for label in {labels[outcome].lower(), english.lower(), outcome.replace("_", " ")}:
            position = text.find(label)
            if position >= 0:
                found.append((position, outcome))
    return min(found)[1] if found else "conversation"


class CrmLeadCall(models.Model):
    _name = "crm.lead.call"
    _description = "Call on a Deal"
    _order = "date desc, id desc"
    _rec_names_search = ["lead_id", "note"]

    lead_id = fields.Many2one(
        "crm.lead", string="Deal", required=True, index=True, ondelete="cascade",
        domain="[('company_id', 'in', [company_id, False])]",
    )
    user_id = fields.Many2one(
        "res.users", string="Called By", required=True, index=True,
        default=lambda self: self.env.user,
        help="Who made the call: the call counts for them, whoever owns the deal.",
    )
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    outcome = fields.Selection(CALL_OUTCOMES, required=True)
    duration_minutes = fields.Float(string="Duration (minutes)", digits=(16, 1))
    note = fields.Text()
    stage_id = fields.Many2one(
        "crm.stage", string="Stage at Call", readonly=True, ondelete="set null",
        help="The deal's stage when the call was logged.",
    )
    contact_status = fields.Selection(
        CONTACT_STATUSES, string="Status at Call", readonly=True,
        help="The deal's contact status just before the call.",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", readonly=True, index="btree_not_null", ondelete="set null",
        help="The deal's sales team when the call was logged.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    source_id = fields.Many2one(
        "utm.source", string="Lead Source", readonly=True, ondelete="set null",
        help="The deal's source when the call was logged.",
    )
    message_id = fields.Many2one(
        "mail.message", string="Done Activity", readonly=True, index="btree_not_null",
        ondelete="set null", help="The phone call activity marked done that recorded this call.",
    )
    is_conversation = fields.Boolean(
        compute="_compute_is_conversation", store=True,
        help="Someone was reached: a conversation or a meeting booked.",
    )

    _sql_constraints = [
        ("duration_not_negative", "CHECK (duration_minutes IS NULL OR duration_minutes >= 0)",
         "A call cannot last a negative number of minutes."),
    ]

    def init(self):
        # the calls report groups each rep's calls by day and week
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_call_user_date_idx
               ON crm_lead_call (user_id, date)"""
        )

    @api.depends("outcome")
    def _compute_is_conversation(self):
        for call in self:
            call.is_conversation = call.outcome in CONVERSATION_OUTCOMES

    @api.depends("lead_id", "outcome")
    def _compute_display_name(self):
        labels = dict(self._fields["outcome"]._description_selection(self.env))
        for call in self:
            call.display_name = " · ".join(filter(None, [
                call.lead_id.display_name, labels.get(call.outcome)]))

    def _sff_check_values(self, vals_list):
        """Refused before anything is written, in the user's language."""
        if any((vals.get("duration_minutes") or 0) < 0 for vals in vals_list):
            raise ValidationError(self.env._("A call cannot last a negative number of minutes."))

    # ------------------------------------------------------------------
    # Logging
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._sff_check_values(vals_list)
        leads = self.env["crm.lead"].browse({vals["lead_id"] for vals in vals_list if vals.get("lead_id")})
        # a call is logged on a deal the user can read: record rules of the
        # deals apply, not only those of the calls
        leads.check_access("read")
        leads = leads.with_context(active_test=False).exists()
        snapshot = {lead.id: lead for lead in leads}
        for vals in vals_list:
            lead = snapshot.get(vals.get("lead_id"))
            if lead:
                # the deal as it is at the call (the stage, status, team,
                # source a report cuts the calls by)
                vals.setdefault("stage_id", lead.stage_id.id)
                vals.setdefault("contact_status", lead.contact_status)
                vals.setdefault("team_id", lead.team_id.id)
                vals.setdefault("company_id", lead.company_id.id)
                vals.setdefault("source_id", lead.source_id.id)
        calls = super().create(vals_list)
        calls._sff_count()
        self.env["crm.lead.call.day"]._sff_add(calls.ids)
        if not self.env.context.get("sff_call_from_activity"):
            calls._sff_log_on_deals()
        return calls

    def write(self, vals):
        self._sff_check_values([vals])
        before = self.lead_id
        Days = self.env["crm.lead.call.day"]
        counted = {"user_id", "date", "outcome", "contact_status", "team_id", "company_id",
                   "duration_minutes"} & set(vals)
        days = Days._sff_days_of(self.ids) if counted else []
        result = super().write(vals)
        if counted:
            Days._sff_recount(set(days) | set(Days._sff_days_of(self.ids)))
        if {"lead_id", "date", "outcome"} & set(vals) and not self.env.context.get("sff_no_recount"):
            self.env["crm.lead"]._sff_recount_calls((before | self.lead_id).ids)
        return result

    def unlink(self):
        leads = self.lead_id
        Days = self.env["crm.lead.call.day"]
        days = Days._sff_days_of(self.ids)
        result = super().unlink()
        Days._sff_recount(days)
        self.env["crm.lead"]._sff_recount_calls(leads.ids)
        return result

    def _sff_count(self):
        """The deals' counters after these new calls, in one statement: the
        number of calls, the attempts before the first conversation, the
        first conversation and the last activity. A call dated before the
        deal's last activity may change which attempts came before the first
        conversation: those deals are recounted."""
        if not self:
            return
        self.flush_recordset()
        cr = self.env.cr
        cr.execute(SQL(
            """
            WITH new AS (
                SELECT lead_id, count(*) AS n, min(date) AS first, max(date) AS last,
                       min(date) FILTER (WHERE outcome IN %(conversation)s) AS first_conversation
                  FROM crm_lead_call WHERE id = ANY(%(ids)s) GROUP BY lead_id
            )
            UPDATE crm_lead l
               SET call_count = l.call_count + new.n,
                   call_attempt_count = l.call_attempt_count + (
                       SELECT count(*) FROM crm_lead_call c
                        WHERE c.id = ANY(%(ids)s) AND c.lead_id = l.id
                          AND c.outcome NOT IN %(conversation)s
                          AND c.date < COALESCE(LEAST(l.date_first_conversation, new.first_conversation),
                                                'infinity'::timestamp)),
                   date_first_conversation = LEAST(l.date_first_conversation, new.first_conversation),
                   date_last_activity = GREATEST(l.date_last_activity, new.last)
              FROM new JOIN crm_lead old ON old.id = new.lead_id
             WHERE l.id = new.lead_id
         RETURNING l.id, new.first < old.date_last_activity
            """,
            ids=self.ids, conversation=CONVERSATION_OUTCOMES,
        ))
        # the increments assume the new calls come after the deal's others: a
        # call dated before the deal's last activity may be older than some
        # of its calls, and the deal is recounted from its calls
        backdated = [lead_id for lead_id, older in cr.fetchall() if older]
        Lead = self.env["crm.lead"]
        Lead.invalidate_model(["call_count", "call_attempt_count", "date_first_conversation",
                               "date_last_activity"])
        if backdated:
            Lead._sff_recount_calls(backdated)
        self._sff_move_contact_status()

    def _sff_move_contact_status(self):
        """A call attempt makes a not attempted deal attempted; a
        conversation makes it contacted. Never backwards: a qualified or
        disqualified deal stays so."""
        moves = {}
        for call in self.sorted("date"):
            lead = call.lead_id
            current = moves.get(lead, lead.contact_status)
            target = "contacted" if call.outcome in CONVERSATION_OUTCOMES else "attempted"
            if STATUS_RANK[target] > STATUS_RANK[current]:
                moves[lead] = target
        for target in ("attempted", "contacted"):
            leads = self.env["crm.lead"].union(*[lead for lead, status in moves.items() if status == target])
            if leads:
                # sudo: the status follows the call by rule, whoever owns the
                # deal (a manager calling a rep's deal); the change is tracked
                leads.sudo().write({"contact_status": target})

    def _sff_log_on_deals(self):
        """A line in each deal's chatter per call, in one batch of notes."""
        labels = dict(self._fields["outcome"]._description_selection(self.env))
        for call in self:
            what = labels[call.outcome]
            if call.duration_minutes:
                minutes = f"{call.duration_minutes:g}"
                what = self.env._("%(outcome)s, %(minutes)s min", outcome=what, minutes=minutes)
            body = Markup("<p><i class='fa fa-phone me-1'></i>%s</p>") % self.env._(
                "Call: %(what)s", what=what)
            if call.note:
                body += Markup("<p>%s</p>") % call.note
            # sudo: the note is the call's trace, logged even on a deal the
            # caller may read but not write (a colleague's deal)
            message = call.lead_id.sudo()._message_log(body=body, author_id=call.user_id.partner_id.id)
            if call.date < message.date:
                # a call logged after the fact sits in the chatter at its time
                message.date = call.date


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    call_ids = fields.One2many("crm.lead.call", "lead_id", string="Call Log")
    # the deal's figures below are read together, not with every read of
    # the deal (a move does not need them)
    call_count = fields.Integer(
        prefetch="sff_deal_figures",
        string="Calls", readonly=True, copy=False,
        help="Calls logged on the deal.",
    )
    call_attempt_count = fields.Integer(
        prefetch="sff_deal_figures",
        string="Attempts Before Conversation", readonly=True, copy=False,
        help="Calls that reached nobody before the first conversation (all of "
        "them while nobody was reached yet).",
    )
    date_first_conversation = fields.Datetime(
        prefetch="sff_deal_figures",
        string="First Conversation", readonly=True, copy=False,
        help="The first call where someone was reached.",
    )
    date_last_activity = fields.Datetime(
        prefetch="sff_deal_figures",
        string="Last Activity", readonly=True, copy=False, index="btree_not_null",
        help="The last call logged, activity done or message on the deal.",
    )

    def _sff_recount_calls(self, lead_ids):
        """The call counters of these deals, counted again from their calls
        (after a call is deleted, moved to another deal or back-dated)."""
        if not lead_ids:
            return
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute(SQL(
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
                   date_last_activity = GREATEST(l.date_last_activity, counted.last)
              FROM counted WHERE l.id = counted.id
            """,
            ids=list(lead_ids), conversation=CONVERSATION_OUTCOMES,
        ))
        self.invalidate_model(["call_count", "call_attempt_count", "date_first_conversation",
                               "date_last_activity"])

    def _sff_fill_last_activity(self, lead_ids=None):
        """The deals' last activity from their chatter and calls: messages
        and notes written, emails, done activities, calls (tracking and
        system notes are not activity). All deals when ``lead_ids`` is
        None."""
        self.env["crm.lead.call"].flush_model()
        only = SQL("AND res_id = ANY(%s)", lead_ids) if lead_ids is not None else SQL()
        only_calls = SQL("WHERE lead_id = ANY(%s)", lead_ids) if lead_ids is not None else SQL()
        self.env.cr.execute(SQL(
            """
            UPDATE crm_lead l SET date_last_activity = a.last
              FROM (SELECT id, max(last) AS last FROM (
                        SELECT res_id AS id, max(date) AS last FROM mail_message
                         WHERE model = 'crm.lead'
                           AND (message_type IN ('comment', 'email', 'email_outgoing')
                                OR mail_activity_type_id IS NOT NULL) %s
                         GROUP BY res_id
                         UNION ALL
                        SELECT lead_id, max(date) FROM crm_lead_call %s GROUP BY lead_id
                    ) u GROUP BY id) a
             WHERE a.id = l.id AND l.date_last_activity IS DISTINCT FROM a.last
            """,
            only, only_calls,
        ))
        self.invalidate_model(["date_last_activity"])

    @api.model
    def _sff_backfill_calls(self):
        """What a database had before the module: phone calls marked done
        on deals become calls, and each deal gets its counters, contact
        status and last activity (its last message, done activity or call).
        Returns the number of deals given calls. Idempotent: a done activity
        already turned into a call is skipped."""
        cr = self.env.cr
        outcome = SQL("CASE")
        for key, english in CALL_OUTCOMES:
            if key != "conversation":
                outcome = SQL("%s WHEN m.body::text ILIKE %s THEN %s", outcome, f"%{english}%", key)
        outcome = SQL("%s ELSE 'conversation' END", outcome)
        cr.execute(SQL(
            """
            WITH done AS (
                SELECT m.id AS message_id, m.res_id AS lead_id, m.date, m.author_id,
                       %(outcome)s AS outcome
                  FROM mail_message m
                  JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
                 WHERE m.model = 'crm.lead' AND t.category = 'phonecall'
                   AND m.message_type = 'notification'
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
                (lead_id, message_id, user_id, date, outcome, stage_id, contact_status, team_id,
                 company_id, source_id, is_conversation, create_uid, create_date, write_uid,
                 write_date)
            SELECT o.lead_id, o.message_id, COALESCE(author.id, l.user_id, %(uid)s), o.date,
                   o.outcome, COALESCE(stay.stage_id, l.stage_id),
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
         RETURNING lead_id
            """,
            outcome=outcome, conversation=CONVERSATION_OUTCOMES, uid=self.env.uid,
        ))
        lead_ids = sorted({lead_id for (lead_id,) in cr.fetchall()})
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

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if message.message_type in ("comment", "email", "email_outgoing") or message.mail_activity_type_id:
            self._sff_touch_activity(message.date)
        return message

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        calls = self.env["crm.lead.call"].sudo().search([("lead_id", "in", opportunities.ids)])
        if calls:
            # sudo: the calls of every merged deal follow, whoever made them;
            # one recount of the kept deal rather than one per call
            calls.with_context(sff_no_recount=True).write({"lead_id": self.id})
            self._sff_recount_calls(self.ids)
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

    def action_sff_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("sales_funnel_forecast.crm_lead_call_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A phone call marked done on a deal (from the chatter, the activity
        widget or the activity view) is a call: a conversation unless the
        feedback names another outcome ("no answer", "voicemail"...)."""
        phone = self.filtered(lambda activity: activity.res_model == "crm.lead"
                              and activity.activity_type_id.category == "phonecall")
        done = [(activity.res_id, activity.activity_type_id.id) for activity in phone]
        messages, next_activities = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if done:
            outcome = outcome_from_feedback(self.env, feedback)
            free = list(messages)
            calls = []
            for lead_id, type_id in done:
                message = next((message for message in free if message.model == "crm.lead"
                                and message.res_id == lead_id
                                and message.mail_activity_type_id.id == type_id), None)
                if message:
                    free.remove(message)
                calls.append({
                    "lead_id": lead_id, "outcome": outcome, "user_id": self.env.user.id,
                    "note": html2plaintext(feedback) if feedback else False,
                    "message_id": message.id if message else False,
                    "date": message.date if message else fields.Datetime.now(),
                })
            # sudo: marking an activity done is allowed to its assignee even
            # without access to the deal (Odoo's rule); the call follows it
            self.env["crm.lead.call"].sudo().with_context(sff_call_from_activity=True).create(calls)
        return messages, next_activities


class CrmLeadCallDay(models.Model):
    """Calls counted per salesperson and day (the day in the salesperson's
    time zone), outcome and contact status at the call: what the calls
    report and the adoption report read, so that they group a few rows per
    rep and day instead of every call. Kept by the calls themselves: one
    small upsert per batch of new calls; the days of deleted or changed
    calls are counted again from their calls."""

    _name = "crm.lead.call.day"
    _description = "Calls per Salesperson and Day"
    _log_access = False
    _order = "day desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="cascade")
    day = fields.Date(required=True, readonly=True)
    outcome = fields.Selection(CALL_OUTCOMES, required=True, readonly=True)
    contact_status = fields.Selection(CONTACT_STATUSES, readonly=True)
    team_id = fields.Many2one("crm.team", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, ondelete="cascade")
    call_count = fields.Integer(string="Calls", readonly=True)
    conversation_count = fields.Integer(string="Conversations", readonly=True)
    duration_minutes = fields.Float(string="Minutes", readonly=True)

    def init(self):
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_call_day_key_idx
               ON crm_lead_call_day (user_id, day, outcome, COALESCE(contact_status, ''),
                                     COALESCE(team_id, 0), COALESCE(company_id, 0))"""
        )

    @api.model
    def _sff_day_sql(self):
        """A call's day: its date in the caller's time zone (``c`` the call,
        ``p`` the caller's partner)."""
        self.env["res.partner"].flush_model(["tz"])
        return SQL("(timezone(COALESCE(p.tz, 'UTC'), c.date AT TIME ZONE 'UTC'))::date")

    @api.model
    def _sff_insert_sql(self, calls, where):
        """The INSERT of the per-day counts of the calls ``c`` read from
        ``calls`` (a FROM item) that match ``where``."""
        return SQL(
            """
            INSERT INTO crm_lead_call_day AS d
                (user_id, day, outcome, contact_status, team_id, company_id,
                 call_count, conversation_count, duration_minutes)
            SELECT c.user_id, %(day)s, c.outcome, c.contact_status, c.team_id, c.company_id,
                   count(*), count(*) FILTER (WHERE c.outcome IN %(conversation)s),
                   COALESCE(sum(c.duration_minutes), 0)
              FROM %(calls)s
              JOIN res_users u ON u.id = c.user_id
              JOIN res_partner p ON p.id = u.partner_id
             WHERE %(where)s
             GROUP BY 1, 2, 3, 4, 5, 6
            """,
            day=self._sff_day_sql(), conversation=CONVERSATION_OUTCOMES, calls=calls, where=where,
        )

    @api.model
    def _sff_add(self, call_ids):
        """New calls counted into their days."""
        self.env.cr.execute(SQL(
            """%s
            ON CONFLICT (user_id, day, outcome, COALESCE(contact_status, ''),
                         COALESCE(team_id, 0), COALESCE(company_id, 0))
            DO UPDATE SET call_count = d.call_count + EXCLUDED.call_count,
                          conversation_count = d.conversation_count + EXCLUDED.conversation_count,
                          duration_minutes = d.duration_minutes + EXCLUDED.duration_minutes
            """,
            self._sff_insert_sql(SQL("crm_lead_call c"), SQL("c.id = ANY(%s)", list(call_ids))),
        ))
        self.invalidate_model()

    @api.model
    def _sff_days_of(self, call_ids):
        """The (salesperson, day) pairs of these calls."""
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute(SQL(
            """SELECT DISTINCT c.user_id, %s FROM crm_lead_call c
                 JOIN res_users u ON u.id = c.user_id
                 JOIN res_partner p ON p.id = u.partner_id
                WHERE c.id = ANY(%s)""",
            self._sff_day_sql(), list(call_ids),
        ))
        return self.env.cr.fetchall()

    @api.model
    def _sff_recount(self, days=None):
        """Count the given (salesperson, day) pairs again from their calls;
        every day when ``days`` is None (installation)."""
        self.env["crm.lead.call"].flush_model()
        if days is None:
            self.env.cr.execute("DELETE FROM crm_lead_call_day")
            calls = SQL("crm_lead_call c")
        else:
            if not days:
                return
            users = [user_id for user_id, _day in days]
            dates = [day for _user_id, day in days]
            self.env.cr.execute(
                """DELETE FROM crm_lead_call_day d
                    USING unnest(%s::int[], %s::date[]) AS k(user_id, day)
                    WHERE d.user_id = k.user_id AND d.day = k.day""",
                [users, dates],
            )
            # the calls of those users around each day, read from the index
            # on salesperson and date; the day itself is checked below
            calls = SQL(
                """unnest(%s::int[], %s::date[]) AS k(user_id, day)
                   JOIN crm_lead_call c ON c.user_id = k.user_id
                                       AND c.date >= k.day - 1 AND c.date < k.day + 2""",
                users, dates,
            )
        same_day = SQL("TRUE") if days is None else SQL("%s = k.day", self._sff_day_sql())
        self.env.cr.execute(self._sff_insert_sql(calls, same_day))
        self.invalidate_model()
