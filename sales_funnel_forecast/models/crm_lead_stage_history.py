# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .crm_stage import stage_probability_sql


def days_between_sql(start, end):
    """SQL for the days (float, never negative) from ``start`` to ``end``."""
    return SQL("(GREATEST(EXTRACT(EPOCH FROM (%s - %s)), 0) / 86400.0)", end, start)


def stay_days_sql(date_in, date_out, now, is_won):
    """SQL for the length of a stay: to its end, or up to ``now`` while it
    lasts; a current stay in a won stage counts nothing (the end of the
    road, not time spent selling)."""
    return SQL(
        "(CASE WHEN %s IS NULL AND COALESCE(%s, FALSE) THEN 0 ELSE %s END)",
        date_out, is_won, days_between_sql(date_in, SQL("COALESCE(%s, %s)", date_out, now)),
    )


HISTORY_REASONS = [
    ("create", "Created"),
    ("manual", "Moved"),
    ("stall", "Stalled"),
    ("accounting", "Accounting"),
    ("backfill", "From chatter"),
]


class CrmLeadStageHistory(models.Model):
    """One row per stay of a deal in a stage.

    Rows are written by the deals themselves, in SQL and in batch, whenever
    their stage changes; nobody creates or edits them by hand.
    """

    _name = "crm.lead.stage.history"
    _description = "Deal Stage History"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    stage_id = fields.Many2one(
        # a deleted stage takes its stays with it rather than being blocked
        # forever by deals that once went through it
        "crm.stage", required=True, index=True, readonly=True,
        ondelete="cascade",
    )
    previous_stage_id = fields.Many2one(
        "crm.stage", readonly=True, ondelete="set null",
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", index=True, readonly=True,
        ondelete="set null",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", index=True, readonly=True,
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company", index=True, readonly=True,
        ondelete="cascade",
    )
    company_currency = fields.Many2one(
        "res.currency", related="company_id.currency_id", string="Currency",
    )
    date_in = fields.Datetime(string="Entered", required=True, readonly=True)
    date_out = fields.Datetime(
        string="Left", readonly=True, help="Empty while the deal is still in the stage."
    )
    duration_days = fields.Float(
        string="Days in Stage",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Length of the stay; for the current stay, up to the last daily "
        "refresh.",
    )
    expected_revenue = fields.Monetary(
        currency_field="company_currency", readonly=True,
    )
    probability = fields.Float(
        readonly=True, aggregator="avg",
        help="The deal's probability on entering the stage.",
    )
    is_regression = fields.Boolean(
        string="Moved Back", readonly=True,
        help="The deal came here from a stage placed later in the pipeline.",
    )
    is_current = fields.Boolean(
        string="Current Stay", compute="_compute_is_current", search="_search_is_current",
    )
    reason = fields.Selection(
        HISTORY_REASONS, string="Cause", required=True, default="manual", readonly=True,
    )

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_lead_stage_history_open_idx
               ON crm_lead_stage_history (lead_id) WHERE date_out IS NULL"""
        )

    @api.depends("lead_id.name", "stage_id.name")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.lead_id.name} – {row.stage_id.name}"

    @api.depends("date_out")
    def _compute_is_current(self):
        for row in self:
            row.is_current = not row.date_out

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(self.env._("Operation not supported"))
        current = (operator == "=") == bool(value)
        return [("date_out", "=" if current else "!=", False)]

    # ------------------------------------------------------------------
    # History is the deals' own record: no hand-made rows.
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._sff_refuse_manual_change()
        return super().create(vals_list)

    def write(self, vals):
        self._sff_refuse_manual_change()
        return super().write(vals)

    def _sff_refuse_manual_change(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The stage history is written by the deals themselves when "
                    "they change stage; it cannot be created or edited by hand."
                )
            )

    # ------------------------------------------------------------------
    # Writers (SQL, one statement per batch of deals)
    # ------------------------------------------------------------------
    @api.model
    def _sff_record_moves(self, previous_stage_by_lead, reason="manual", when=None):
        """Close the current stay and open a new one for each moved deal.

        ``previous_stage_by_lead`` maps deal ids to the stage id they left
        (False for a deal created in its stage). Values of the new stay are
        read from the deal rows as they are now.
        """
        if not previous_stage_by_lead:
            return
        cr = self.env.cr
        # The probability is not flushed on purpose: that would run Odoo's
        # predictive scoring now instead of when Odoo itself needs it, and
        # change what it computes. Deals driven by their stage enter at the
        # stage percentage; the others at their stored probability.
        self.env["crm.lead"].flush_model(
            ["stage_id", "user_id", "team_id", "company_id", "expected_revenue",
             "active", "probability_is_manual"]
        )
        self.env["res.company"].flush_model(["crm_probability_from_stage"])
        self.env["crm.stage"].flush_model(["forecast_probability", "is_won", "sequence"])
        when = when or cr.now()
        lead_ids = list(previous_stage_by_lead)
        prev_ids = [previous_stage_by_lead[lid] or None for lid in lead_ids]
        self._sff_close_stays(lead_ids, when)
        cr.execute(
            SQL(
                """
                INSERT INTO crm_lead_stage_history
                    (lead_id, stage_id, previous_stage_id, user_id, team_id,
                     company_id, date_in, duration_days, expected_revenue,
                     probability, is_regression, reason,
                     create_uid, create_date, write_uid, write_date)
                SELECT l.id, l.stage_id, moved.prev_id, l.user_id, l.team_id,
                       l.company_id, %(when)s, 0, l.expected_revenue,
                       CASE WHEN l.active AND NOT COALESCE(l.probability_is_manual, FALSE)
                                 AND COALESCE(c.crm_probability_from_stage, %(default_follows)s)
                            THEN %(stage_probability)s
                            ELSE l.probability END,
                       COALESCE(ns.sequence < ps.sequence, FALSE), %(reason)s,
                       %(uid)s, %(when)s, %(uid)s, %(when)s
                  FROM unnest(%(lead_ids)s::int[], %(prev_ids)s::int[]) AS moved(lead_id, prev_id)
                  JOIN crm_lead l ON l.id = moved.lead_id
                  JOIN crm_stage ns ON ns.id = l.stage_id
             LEFT JOIN crm_stage ps ON ps.id = moved.prev_id
             LEFT JOIN res_company c ON c.id = l.company_id
                """,
                when=when, uid=self.env.uid, lead_ids=lead_ids, prev_ids=prev_ids,
                reason=reason, default_follows=self.env.company.crm_probability_from_stage,
                stage_probability=stage_probability_sql("ns"),
            )
        )
        self.invalidate_model()
        self.env["crm.lead"].invalidate_model(["stage_history_ids"])

    @api.model
    def _sff_close_stays(self, lead_ids, when=None):
        """End the current stay of deals that moved on or left the pipeline."""
        when = when or self.env.cr.now()
        self.env.cr.execute(SQL(
            """
            UPDATE crm_lead_stage_history
               SET date_out = %(when)s, duration_days = %(days)s,
                   write_uid = %(uid)s, write_date = %(when)s
             WHERE lead_id = ANY(%(lead_ids)s) AND date_out IS NULL
            """,
            when=when, uid=self.env.uid, lead_ids=list(lead_ids),
            days=days_between_sql(SQL.identifier("date_in"), when),
        ))
        self.invalidate_model()

    @api.model
    def _sff_sync_company(self, lead_ids):
        """Stays follow their deal into another company (record rules filter
        on the history's company)."""
        self.env["crm.lead"].flush_model(["company_id"])
        self.env.cr.execute(
            """
            UPDATE crm_lead_stage_history h SET company_id = l.company_id
              FROM crm_lead l
             WHERE l.id = h.lead_id AND l.id = ANY(%s)
               AND h.company_id IS DISTINCT FROM l.company_id
            """,
            [list(lead_ids)],
        )
        self.invalidate_model(["company_id"])

    @api.model
    def _cron_refresh_current_durations(self):
        """Bring the duration of the stays still open up to now (daily).
        Stays in a won stage are the end of the road: they are not counted."""
        self.env.cr.execute(SQL(
            """
            UPDATE crm_lead_stage_history h SET duration_days = %s
              FROM crm_stage s
             WHERE h.date_out IS NULL AND s.id = h.stage_id AND NOT COALESCE(s.is_won, FALSE)
            """,
            days_between_sql(SQL.identifier("h", "date_in"), SQL("(now() AT TIME ZONE 'UTC')")),
        ))
        self.invalidate_model(["duration_days"])

    @api.model
    def _sff_backfill_from_tracking(self):
        """Rebuild the stays of every deal from the stage changes tracked in
        the chatter (``mail.tracking.value`` on ``crm.lead.stage_id``).

        - the creation stage is not tracked: it is the old value of the first
          tracked change, entered at the deal's creation date;
        - several changes made in one transaction are tracked as one change,
          from the first stage to the last: that is all we can know;
        - messages of deals merged into another one are moved onto it with a
          "From ..." subject; they describe the other deal and are skipped;
        - a deal moved without tracking (SQL, tracking disabled) ends with a
          stay in its current stage from its last stage update.

        Deals that already have history rows are left alone, so the method
        can be rerun. Returns the number of rows written.
        """
        cr = self.env.cr
        field = self.env["ir.model.fields"]._get("crm.lead", "stage_id")
        cr.execute(
            SQL(
                """
                WITH changes AS (
                    SELECT m.res_id AS lead_id, m.date AS date_change,
                           tv.old_value_integer AS old_stage,
                           tv.new_value_integer AS new_stage,
                           m.id AS message_id, tv.id AS tracking_id
                      FROM mail_tracking_value tv
                      JOIN mail_message m ON m.id = tv.mail_message_id
                     WHERE tv.field_id = %(field_id)s
                       AND m.model = 'crm.lead'
                       AND m.subject IS NULL
                       AND tv.new_value_integer IS NOT NULL
                       AND tv.new_value_integer <> 0
                ),
                leads AS (
                    SELECT l.id, l.stage_id, l.create_date, l.date_last_stage_update,
                           l.user_id, l.team_id, l.company_id, l.expected_revenue,
                           l.probability, l.active, l.date_closed
                      FROM crm_lead l
                     WHERE l.stage_id IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history h
                                        WHERE h.lead_id = l.id)
                ),
                ordered AS (
                    SELECT c.*, ROW_NUMBER() OVER w AS rank,
                           COUNT(*) OVER (PARTITION BY c.lead_id) AS total
                      FROM changes c JOIN leads ON leads.id = c.lead_id
                    WINDOW w AS (PARTITION BY c.lead_id ORDER BY c.date_change, c.message_id, c.tracking_id)
                ),
                stays AS (
                    -- the creation stay: before the first tracked change
                    SELECT o.lead_id, o.old_stage AS stage_id, NULL::int AS previous_stage_id,
                           LEAST(leads.create_date, o.date_change) AS date_in,
                           o.date_change AS date_out
                      FROM ordered o JOIN leads ON leads.id = o.lead_id
                     WHERE o.rank = 1 AND o.old_stage IS NOT NULL AND o.old_stage <> 0
                    UNION ALL
                    -- one stay per tracked change, until the next one
                    SELECT o.lead_id, o.new_stage, NULLIF(o.old_stage, 0),
                           o.date_change,
                           LEAD(o.date_change) OVER (PARTITION BY o.lead_id ORDER BY o.rank)
                      FROM ordered o
                    UNION ALL
                    -- deals never moved under tracking: one stay since creation
                    SELECT leads.id, leads.stage_id, NULL::int, leads.create_date, NULL
                      FROM leads
                     WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.lead_id = leads.id)
                    UNION ALL
                    -- deals moved after their last tracked change without tracking
                    SELECT o.lead_id, leads.stage_id, o.new_stage,
                           GREATEST(COALESCE(leads.date_last_stage_update, o.date_change), o.date_change),
                           NULL
                      FROM ordered o JOIN leads ON leads.id = o.lead_id
                     WHERE o.rank = o.total AND o.new_stage <> leads.stage_id
                ),
                closed AS (
                    -- the tracked last stay is closed when an untracked move followed
                    -- and the stay of a lost deal ended when it was lost
                    SELECT s.lead_id, s.stage_id, s.previous_stage_id, s.date_in,
                           CASE WHEN s.date_out IS NULL AND s.stage_id <> leads.stage_id
                                THEN GREATEST(COALESCE(leads.date_last_stage_update, s.date_in), s.date_in)
                                WHEN s.date_out IS NULL AND NOT leads.active AND leads.date_closed IS NOT NULL
                                THEN GREATEST(leads.date_closed, s.date_in)
                                ELSE s.date_out END AS date_out
                      FROM stays s JOIN leads ON leads.id = s.lead_id
                )
                INSERT INTO crm_lead_stage_history
                    (lead_id, stage_id, previous_stage_id, user_id, team_id,
                     company_id, date_in, date_out, duration_days,
                     expected_revenue, probability, is_regression, reason,
                     create_uid, create_date, write_uid, write_date)
                SELECT c.lead_id, c.stage_id, ps.id, leads.user_id,
                       leads.team_id, leads.company_id, c.date_in, c.date_out,
                       %(stay_days)s,
                       leads.expected_revenue,
                       CASE WHEN c.date_out IS NULL THEN leads.probability
                            ELSE %(stage_probability)s END,
                       COALESCE(s.sequence < ps.sequence, FALSE),
                       'backfill', %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM closed c
                  JOIN leads ON leads.id = c.lead_id
                  JOIN crm_stage s ON s.id = c.stage_id
             LEFT JOIN crm_stage ps ON ps.id = c.previous_stage_id
                """,
                field_id=field.id, now=cr.now(), uid=self.env.uid,
                stay_days=stay_days_sql(
                    SQL.identifier("c", "date_in"), SQL.identifier("c", "date_out"),
                    cr.now(), SQL.identifier("s", "is_won"),
                ),
                stage_probability=stage_probability_sql("s"),
            )
        )
        count = cr.rowcount
        self.invalidate_model()
        return count
