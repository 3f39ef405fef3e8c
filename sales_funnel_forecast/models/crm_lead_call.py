# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Calls logged on deals: one row per call, and the deal's counters kept by
one small update per call (never a count over the deal's calls, except when
a call is deleted, moved, or logged with a date before the deal's last
activity)."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, html2plaintext, sql
from odoo.tools.misc import formatLang

from ..const import (
    CALL_NOTE_CLASS,
    CALL_NOTE_MINUTES,
    CALL_OUTCOMES,
    CONTACT_STATUSES,
    CONVERSATION_OUTCOMES,
    ORIGIN_TYPES,
    STATUS_RANK,
)
from .crm_lead_call_day import CALL_DAY

# the deal as it was at the call, copied on the call by the module (never
# typed: an import's or a client's column of them is not taken)
DEAL_FACTS = frozenset(
    (
        "stage_id",
        "contact_status",
        "team_id",
        "company_id",
        "source_id",
        "medium_id",
        "campaign_id",
        "origin_type",
        "industry_id",
    )
)
# the cuts of the reports a call keeps beside its source, as the deal (``l``)
# and its customer (``p``) have them: their column types and values in SQL
CALL_CUTS = {
    "medium_id": ("int4", SQL("l.medium_id")),
    "campaign_id": ("int4", SQL("l.campaign_id")),
    "origin_type": ("varchar", SQL("l.origin_type")),
    "industry_id": ("int4", SQL("p.industry_id")),
}
# copied by the module too: the call's link to the message that records it
# (its note, or the done activity it came from), which the module keeps in
# step with the call
MODULE_VALUES = DEAL_FACTS | {"message_id"}
# worked out from the call's date and caller, never taken from anyone
WORKED_OUT = frozenset(("day",))
# the calls the module is moving to another deal, in the transaction's cache
MOVING_KEY = "sales_funnel_forecast.calls_moving"
# what a call's note says of it
NOTE_VALUES = frozenset(("outcome", "duration_minutes", "note", "date", "user_id", "lead_id"))

# the order statuses move forward in by themselves
# the statuses that calls give a deal (qualified and disqualified are set by
# hand: when, the deal does not say)
CALL_STATUSES = ("not_attempted", "attempted", "contacted")


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
    _inherit = ["crm.deal.filter.mixin"]
    _description = "Call on a Deal"
    _order = "date desc, id desc"
    _rec_names_search = ["lead_id", "note"]

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('company_id', 'in', [company_id, False])]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Called By",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        help="Who made the call: the call counts for them, whoever owns the deal.",
    )
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    day = fields.Date(
        compute="_compute_day",
        store=True,
        help="The day of the call in the caller's time zone: the day the call log, the "
        "calls report, the call targets and the sales process count it on, for every reader "
        "(a call at 23:30 in New York is on that day for a manager in Brussels too).",
    )
    outcome = fields.Selection(CALL_OUTCOMES, required=True)
    duration_minutes = fields.Float(string="Duration (minutes)", digits=(16, 1))
    note = fields.Text()
    stage_id = fields.Many2one(
        "crm.stage",
        string="Stage at Call",
        readonly=True,
        ondelete="set null",
        help="The deal's stage when the call was logged.",
    )
    contact_status = fields.Selection(
        CONTACT_STATUSES,
        string="Status at Call",
        readonly=True,
        help="The deal's contact status just before the call.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The deal's sales team when the call was logged.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    source_id = fields.Many2one(
        "utm.source",
        string="Lead Source",
        readonly=True,
        ondelete="set null",
        help="The deal's source when the call was logged.",
    )
    medium_id = fields.Many2one(
        "utm.medium",
        readonly=True,
        ondelete="set null",
        help="The deal's medium when the call was logged.",
    )
    campaign_id = fields.Many2one(
        "utm.campaign",
        readonly=True,
        ondelete="set null",
        help="The deal's campaign when the call was logged.",
    )
    origin_type = fields.Selection(
        ORIGIN_TYPES,
        readonly=True,
        help="The deal's origin type when the call was logged.",
    )
    industry_id = fields.Many2one(
        "res.partner.industry",
        readonly=True,
        ondelete="set null",
        help="The industry of the deal's customer when the call was logged.",
    )
    message_id = fields.Many2one(
        "mail.message",
        string="Chatter Message",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The message of the deal's chatter that records this call: the phone call "
        "activity marked done, or the call's note.",
    )
    is_conversation = fields.Boolean(
        compute="_compute_is_conversation",
        store=True,
        help="Someone was reached: a conversation or a meeting booked.",
    )

    _sql_constraints = [
        (
            "duration_not_negative",
            "CHECK (duration_minutes IS NULL OR duration_minutes >= 0)",
            "A call cannot last a negative number of minutes.",
        ),
    ]

    def _auto_init(self):
        # the day of the calls logged before it came (an upgrade), worked
        # out in one statement, not call by call by the ORM
        cr = self.env.cr
        if sql.table_exists(cr, self._table):
            if not sql.column_exists(cr, self._table, "day"):
                sql.create_column(cr, self._table, "day", "date")
                self._sff_fill_days(SQL("TRUE"))
            # the cuts of the calls logged before they came (an upgrade):
            # their deal's as it is now (what it was at each call was not
            # kept), in one statement
            cuts = [name for name in CALL_CUTS if not sql.column_exists(cr, self._table, name)]
            for name in cuts:
                sql.create_column(cr, self._table, name, CALL_CUTS[name][0])
            if cuts:
                self._sff_fill_cuts(SQL("TRUE"), cuts)
        return super()._auto_init()

    @api.model
    def _sff_fill_cuts(self, where, names=tuple(CALL_CUTS)):
        """The cuts ``names`` of the calls ``c`` that match ``where``, as
        their deal has them now, in SQL (calls written by the module's own
        statements)."""
        self.env["crm.lead"].flush_model(["partner_id", "medium_id", "campaign_id", "origin_type"])
        self.env["res.partner"].flush_model(["industry_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_call c SET %s
                     FROM crm_lead l LEFT JOIN res_partner p ON p.id = l.partner_id
                    WHERE l.id = c.lead_id AND %s""",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), CALL_CUTS[name][1]) for name in names
                ),
                where,
            )
        )

    @api.model
    def _sff_fill_days(self, where):
        """The day of the calls ``c`` that match ``where``, in SQL (calls
        written by the module's own statements)."""
        self.flush_model(["date", "user_id"])
        self.env["res.partner"].flush_model(["tz"])
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_call c SET day = %s
                     FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                    WHERE u.id = c.user_id AND %s""",
                CALL_DAY,
                where,
            )
        )

    def init(self):
        # the calls report groups each rep's calls by day and week
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_call_user_date_idx
               ON crm_lead_call (user_id, date)"""
        )

    # a caller's new time zone moves every call of theirs: in SQL, with the
    # calls per day (res.partner.write), not call by call through the ORM
    @api.depends("date", "user_id")
    def _compute_day(self):
        for call in self:
            # the caller's time zone, UTC without one (as the calls per day)
            caller = call.with_context(tz=call.user_id.tz or "UTC")
            call.day = call.date and fields.Date.context_today(caller, call.date)

    def _sff_customers_domain(self, partners):
        # the calls of the customers' deals, lost ones too (the customer's
        # tags and the products quoted to the deal are the deal's now:
        # neither is kept at the call)
        return [
            (
                "lead_id",
                "in",
                SQL("(SELECT l.id FROM crm_lead l WHERE l.partner_id IN %s)", partners.subselect()),
            )
        ]

    @api.depends("outcome")
    def _compute_is_conversation(self):
        for call in self:
            call.is_conversation = call.outcome in CONVERSATION_OUTCOMES

    @api.depends("lead_id", "outcome")
    def _compute_display_name(self):
        labels = dict(self._fields["outcome"]._description_selection(self.env))
        for call in self:
            call.display_name = " · ".join(
                # sudo: the deal's name, as the call list shows it, also for
                # a call of the user's on a deal handed to a colleague
                filter(None, [call.lead_id.sudo().display_name, labels.get(call.outcome)])
            )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        # A salesperson reads own calls on deals handed to a colleague: an
        # export names their deal as the list does. Only the calls' own
        # columns and their deal's name or id are read with sudo, after the
        # user's rights on the calls are checked; anything further on the
        # deal stays behind its rules.
        if (
            _is_toplevel_call
            and not self.env.su
            and all(
                len(path) == 1
                or (path[0] == "lead_id" and len(path) == 2 and path[1] in ("id", ".id"))
                for path in fields
            )
        ):
            self.check_access("read")
            return super(CrmLeadCall, self.sudo())._export_rows(
                fields, _is_toplevel_call=_is_toplevel_call
            )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

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
        taken_out = WORKED_OUT if self.env.su else WORKED_OUT | MODULE_VALUES
        vals_list = [
            {key: value for key, value in vals.items() if key not in taken_out}
            for vals in vals_list
        ]
        leads = self.env["crm.lead"].browse(
            {vals["lead_id"] for vals in vals_list if vals.get("lead_id")}
        )
        # a call is logged on a deal the user can read: record rules of the
        # deals apply, not only those of the calls
        leads.check_access("read")
        leads = leads.with_context(active_test=False).exists()
        snapshot = {lead.id: lead for lead in leads}
        # calls logged after the fact (imported, back-dated): the stage and
        # status the deal had then
        then = self._sff_deal_at_calls(
            [
                (
                    index,
                    vals["lead_id"],
                    fields.Datetime.to_datetime(vals["date"]),
                    vals.get("outcome"),
                )
                for index, vals in enumerate(vals_list)
                if vals.get("lead_id") in snapshot
                and vals.get("date")
                and snapshot[vals["lead_id"]]._sff_changed_since(
                    fields.Datetime.to_datetime(vals["date"])
                )
            ]
        )
        for index, vals in enumerate(vals_list):
            lead = snapshot.get(vals.get("lead_id"))
            if lead:
                # the deal as it is at the call (the stage, status, team,
                # source a report cuts the calls by)
                stage_id, status = then.get(index, (None, None))
                vals.setdefault("stage_id", stage_id or lead.stage_id.id)
                if status and lead.contact_status in CALL_STATUSES:
                    vals.setdefault("contact_status", status)
                vals.setdefault("contact_status", lead.contact_status)
                for name, value in lead._sff_call_facts().items():
                    vals.setdefault(name, value)
        calls = super().create(vals_list)
        calls._sff_count()
        self.env["crm.lead.call.day"]._sff_add(calls.ids)
        if not self.env.context.get("sff_call_from_activity"):
            calls._sff_log_on_deals()
        return calls

    @api.model
    def _sff_deal_at_calls(self, dated):
        # (callers pass the calls of deals that changed since: see
        # crm.lead._sff_changed_since)
        """The deal as it was at calls logged after the fact: for each
        (index, deal id, date, outcome) of ``dated`` whose deal changed stage
        or had a call after that date (one of the deal's, or of ``dated``),
        its index mapped to the stage it was in then (None before its first
        stay) and the status the calls before it gave it (contacted after a
        conversation, attempted after a call), those of ``dated`` too (an
        import of several calls of a deal)."""
        if not dated:
            return {}
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        self.flush_model(["lead_id", "date", "outcome"])
        self.env.cr.execute(
            SQL(
                """
            WITH k AS (
                SELECT * FROM unnest(%(ords)s::int[], %(leads)s::int[], %(dates)s::timestamp[],
                                     %(outcomes)s::varchar[]) AS k(ord, lead_id, date, outcome)
            ), calls AS (
                SELECT c.lead_id, c.date, c.outcome FROM crm_lead_call c
                 WHERE c.lead_id IN (SELECT lead_id FROM k) AND c.id <> ALL(%(ids)s)
                 UNION ALL
                SELECT k.lead_id, k.date, k.outcome FROM k
            )
            SELECT k.ord, stay.stage_id,
                   CASE WHEN earlier.conversation THEN 'contacted'
                        WHEN earlier.n > 0 THEN 'attempted'
                        ELSE 'not_attempted' END
              FROM k
         LEFT JOIN LATERAL (SELECT h.stage_id FROM crm_lead_stage_history h
                             WHERE h.lead_id = k.lead_id AND h.date_in <= k.date
                          ORDER BY h.date_in DESC, h.id DESC LIMIT 1) stay ON TRUE
        CROSS JOIN LATERAL (SELECT count(*) AS n,
                                   COALESCE(bool_or(c.outcome IN %(conversation)s), FALSE)
                                       AS conversation
                              FROM calls c
                             WHERE c.lead_id = k.lead_id AND c.date < k.date) earlier
             WHERE EXISTS (SELECT 1 FROM crm_lead_stage_history h
                            WHERE h.lead_id = k.lead_id AND h.date_in > k.date)
                OR EXISTS (SELECT 1 FROM calls c
                            WHERE c.lead_id = k.lead_id AND c.date > k.date)
            """,
                ords=[entry[0] for entry in dated],
                leads=[entry[1] for entry in dated],
                dates=[entry[2] for entry in dated],
                outcomes=[entry[3] or None for entry in dated],
                # calls moved: read as the calls of the deal they join
                ids=self.ids,
                conversation=CONVERSATION_OUTCOMES,
            )
        )
        return {index: (stage_id, status) for index, stage_id, status in self.env.cr.fetchall()}

    def write(self, vals):
        self._sff_check_values([vals])
        taken_out = WORKED_OUT if self.env.su else WORKED_OUT | MODULE_VALUES
        if taken_out & set(vals):
            vals = {key: value for key, value in vals.items() if key not in taken_out}
        moved = (
            self.filtered(lambda call: call.lead_id.id != vals["lead_id"])
            if vals.get("lead_id") and not self._sff_moved_by_the_module()
            else self.browse()
        )
        if moved:
            # moved to another deal: one the user can read (as at creation),
            # whose team, company and source it takes, and the stage and
            # status that deal had at the call; calls saved again on their
            # own deal keep theirs
            lead = self.env["crm.lead"].browse(vals["lead_id"])
            lead.check_access("read")
            then = moved._sff_deal_at_calls(
                [(call.id, lead.id, call.date, call.outcome) for call in moved]
            )
            groups = {}
            for call in moved:
                stage_id, status = then.get(call.id, (None, None))
                if not (status and lead.contact_status in CALL_STATUSES):
                    status = lead.contact_status
                groups.setdefault((stage_id or lead.stage_id.id, status), []).append(call.id)
            moving = self.env.cr.cache.setdefault(MOVING_KEY, set())
            for (stage_id, status), call_ids in groups.items():
                calls = self.browse(call_ids)
                moving.update(calls.ids)
                try:
                    calls.write(vals)
                finally:
                    moving.difference_update(calls.ids)
                # sudo: the deal's facts at the call are the module's to copy
                calls.sudo().write(
                    {"stage_id": stage_id, "contact_status": status, **lead._sff_call_facts()}
                )
            # the deal they join was attempted, or contacted, as a new call
            # would make it
            moved._sff_move_contact_status()
            rest = self - moved
            return rest.write(vals) if rest else True
        before = self.lead_id
        Days = self.env["crm.lead.call.day"]
        counted = {
            "user_id",
            "date",
            "outcome",
            "contact_status",
            "team_id",
            "company_id",
            "duration_minutes",
        } & set(vals)
        days = Days._sff_days_of(self.ids) if counted else []
        result = super().write(vals)
        if NOTE_VALUES & set(vals):
            self._sff_update_notes(set(vals))
        if "user_id" in vals and not self.env.su:
            # Odoo checks the rules on the calls as they were: a call made
            # one's own, then given to a colleague, is checked as it is now
            self.check_access("write")
        if counted:
            Days._sff_recount(set(days) | set(Days._sff_days_of(self.ids)))
        if {"lead_id", "date", "outcome"} & set(vals) and not (
            self.env.su and self.env.context.get("sff_no_recount")
        ):
            self.env["crm.lead"]._sff_recount_calls((before | self.lead_id).ids)
        return result

    def _sff_moved_by_the_module(self):
        """These calls are moved by the module itself, which has checked the
        deal they go to and copies its facts: the deals merged (as the
        superuser, told by the context) or a move it splits by the facts
        at each call (told by the transaction's own cache, which no client
        can send)."""
        return (self.env.su and self.env.context.get("sff_call_moving")) or set(
            self.ids
        ) <= self.env.cr.cache.get(MOVING_KEY, set())

    def _sff_update_notes(self, changed):
        """The notes say what the calls say now (their words in the
        language of who corrects them), at the call's date, by its caller,
        on the deal it is on (a call moved along with a merged deal keeps
        its words)."""
        # the notes given the same values are written together (calls moved
        # to one deal: a write per note costs queries per call)
        notes_by_values = defaultdict(list)
        # sudo: the note is the call's trace, written by the module (as
        # when the call was logged)
        for call in self.sudo():
            note = call._sff_notes()
            if not note:
                continue
            values = {}
            if {"outcome", "duration_minutes", "note"} & changed:
                values["body"] = call._sff_note_body()
            if "date" in changed:
                values["date"] = call.date
            if "user_id" in changed:
                values["author_id"] = call.user_id.partner_id.id
            if note.res_id != call.lead_id.id:
                values["res_id"] = call.lead_id.id
            if values:
                notes_by_values[tuple(sorted(values.items()))] += note.ids
        for values, note_ids in notes_by_values.items():
            # sudo: as above
            self.env["mail.message"].sudo().browse(note_ids).write(dict(values))

    def unlink(self):
        leads = self.lead_id
        Days = self.env["crm.lead.call.day"]
        days = Days._sff_days_of(self.ids)
        # a call deleted (logged by mistake) takes its note along, so that
        # the chatter does not tell of it, nor a reinstall bring it back (a
        # call that came from a done phone call leaves that activity's
        # message, Odoo's: a reinstall takes it for a call again); sudo: as
        # the note was logged
        notes = self.sudo()._sff_notes()
        result = super().unlink()
        notes.unlink()
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
        cr.execute(
            SQL(
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
                ids=self.ids,
                conversation=CONVERSATION_OUTCOMES,
            )
        )
        # the increments assume the new calls come after the deal's others: a
        # call dated before the deal's last activity may be older than some
        # of its calls, and the deal is recounted from its calls
        backdated = [lead_id for lead_id, older in cr.fetchall() if older]
        Lead = self.env["crm.lead"]
        Lead.invalidate_model(
            ["call_count", "call_attempt_count", "date_first_conversation", "date_last_activity"]
        )
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
            leads = self.env["crm.lead"].union(
                *[lead for lead, status in moves.items() if status == target]
            )
            if leads:
                # sudo: the status follows the call by rule, whoever owns the
                # deal (a manager calling a rep's deal); the change is tracked
                leads.sudo().write({"contact_status": target})

    def _sff_note_body(self):
        """The call's note in the deal's chatter, in the user's language:
        "Call: outcome, minutes", then the call's own note. Its classes name
        the outcome and the minutes whatever the language (the outcome's
        last): a reinstall finds the calls again from their notes."""
        self.ensure_one()
        what = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        if self.duration_minutes:
            what = self.env._(
                "%(outcome)s, %(minutes)s min",
                outcome=what,
                # in the user's notation ("3,5 min" in French); the class
                # keeps the minutes in figures any language reads back
                minutes=formatLang(
                    self.env,
                    round(self.duration_minutes, 1),
                    digits=0 if float(self._sff_minutes()).is_integer() else 1,
                ),
            )
        body = Markup("<p><i class='fa fa-phone me-1 %s'></i>%s</p>") % (
            self._sff_note_classes(),
            self.env._("Call: %(what)s", what=what),
        )
        if self.note:
            # its lines kept, as Odoo writes a done activity's feedback
            body += Markup("<p>%s</p>") % Markup("<br>").join(self.note.split("\n"))
        return body

    def _sff_minutes(self):
        return f"{round(self.duration_minutes, 1):g}"

    def _sff_note_classes(self):
        """The classes that name the call in its note: the module's, the
        minutes', the outcome's (last)."""
        self.ensure_one()
        classes = [CALL_NOTE_CLASS]
        if self.duration_minutes:
            classes.append(f"{CALL_NOTE_MINUTES}{self._sff_minutes()}")
        classes.append(f"{CALL_NOTE_CLASS}_{self.outcome}")
        return " ".join(classes)

    def _sff_notes(self):
        """The calls' own notes (not the done activities some calls came
        from, whose messages are never rewritten nor deleted)."""
        return self.message_id.filtered(
            lambda message: (
                message.model == "crm.lead"
                and not message.mail_activity_type_id
                and CALL_NOTE_CLASS in (message.body or "")
            )
        )

    def _sff_log_on_deals(self):
        """A note in the deal's chatter for each call (one note per call),
        written a batch at a time (an import of calls): one batch per author
        and per call of a deal within the calls."""
        batches, nth = defaultdict(list), defaultdict(int)
        for call in self:
            body = call._sff_note_body()
            batches[call.user_id.partner_id.id, nth[call.lead_id.id]].append((call, body))
            nth[call.lead_id.id] += 1
        dated, linked = [], []
        for (author_id, _nth), logged in sorted(batches.items(), key=lambda item: item[0][1]):
            # (the batch logs as the superuser: the note is the call's trace,
            # logged even on a deal the caller may read but not write)
            messages = (
                self.env["crm.lead"]
                .browse([call.lead_id.id for call, _body in logged])
                ._message_log_batch(
                    {call.lead_id.id: body for call, body in logged}, author_id=author_id
                )
            )
            for (call, _body), message in zip(logged, messages):
                linked.append((call.id, message.id))
                if call.date < message.date:
                    dated.append((message.id, call.date))
        # each call names its note (in SQL, at once, as the notes are logged)
        self.flush_model(["message_id"])
        self.env.cr.execute(
            """UPDATE crm_lead_call c SET message_id = v.message_id
                 FROM unnest(%s::int[], %s::int[]) AS v(id, message_id)
                WHERE c.id = v.id""",
            [[row[0] for row in linked], [row[1] for row in linked]],
        )
        self.invalidate_recordset(["message_id"])
        if dated:
            # a call logged after the fact sits in the chatter at its time
            self.env["mail.message"].flush_model(["date"])
            self.env.cr.execute(
                """UPDATE mail_message m SET date = v.date
                     FROM unnest(%s::int[], %s::timestamp[]) AS v(id, date)
                    WHERE m.id = v.id""",
                [[row[0] for row in dated], [row[1] for row in dated]],
            )
            self.env["mail.message"].invalidate_model(["date"])
