# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..const import CALL_OUTCOMES, CONTACT_STATUSES, CONVERSATION_OUTCOMES

# a call's day: its date in the caller's time zone (``c`` the call, ``p``
# the caller's partner), the day every report counts it on
CALL_DAY = SQL("(timezone(COALESCE(p.tz, 'UTC'), c.date AT TIME ZONE 'UTC'))::date")


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
        return CALL_DAY

    @api.model
    def _sff_insert_sql(self, calls, where):
        """The INSERT of the per-day counts of the calls ``c`` read from
        ``calls`` (a FROM item) that match ``where``, added to the day's
        row when there is one. A recount has deleted its days' rows first:
        a row there is another request's, committed after this
        transaction's snapshot (a call of that day logged meanwhile), which
        PostgreSQL then refuses as a serialization failure, retried by
        Odoo, rather than as a duplicate key, which Odoo would not retry."""
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
                ON CONFLICT (user_id, day, outcome, COALESCE(contact_status, ''),
                             COALESCE(team_id, 0), COALESCE(company_id, 0))
                DO UPDATE SET call_count = d.call_count + EXCLUDED.call_count,
                              conversation_count = d.conversation_count + EXCLUDED.conversation_count,
                              duration_minutes = d.duration_minutes + EXCLUDED.duration_minutes
            """,
            day=self._sff_day_sql(),
            conversation=CONVERSATION_OUTCOMES,
            calls=calls,
            where=where,
        )

    @api.model
    def _sff_add(self, call_ids):
        """New calls counted into their days."""
        self.env.cr.execute(
            self._sff_insert_sql(SQL("crm_lead_call c"), SQL("c.id = ANY(%s)", list(call_ids)))
        )
        self.invalidate_model()

    @api.model
    def _sff_days_of(self, call_ids):
        """The (salesperson, day) pairs of these calls."""
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT c.user_id, %s FROM crm_lead_call c
                 JOIN res_users u ON u.id = c.user_id
                 JOIN res_partner p ON p.id = u.partner_id
                WHERE c.id = ANY(%s)""",
                self._sff_day_sql(),
                list(call_ids),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _sff_recount_users(self, user_ids):
        """Every day of these salespeople counted again (their time zone
        changed: their calls fall on other days)."""
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute("DELETE FROM crm_lead_call_day WHERE user_id = ANY(%s)", [user_ids])
        self.env.cr.execute(
            self._sff_insert_sql(SQL("crm_lead_call c"), SQL("c.user_id = ANY(%s)", user_ids))
        )
        self.invalidate_model()

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
                users,
                dates,
            )
        same_day = SQL("TRUE") if days is None else SQL("%s = k.day", self._sff_day_sql())
        self.env.cr.execute(self._sff_insert_sql(calls, same_day))
        self.invalidate_model()
