# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, float_compare
from odoo.tools import sql as sql_tools

from .. import engine
from .crm_lead_stage_history import HISTORY_REASONS
from .crm_stage import stage_probability_sql

HISTORY_REASON_KEYS = {key for key, _label in HISTORY_REASONS}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    stage_history_ids = fields.One2many(
        "crm.lead.stage.history", "lead_id", readonly=True,
    )
    stage_age_days = fields.Integer(
        string="Days in Stage",
        compute="_compute_stage_age_days",
        help="Whole days since the deal entered its current stage.",
    )
    stage_forecast_probability = fields.Float(
        related="stage_id.forecast_probability", string="Stage %",
    )
    probability_is_manual = fields.Boolean(
        string="Probability Typed by Hand",
        copy=False,
        readonly=True,
        help="The probability was typed on the deal instead of taken from its "
        "stage; it holds until the deal's next stage change.",
    )
    forecast_excluded = fields.Boolean(
        string="Out of Forecast",
        copy=False,
        tracking=True,
        help="The deal counts for nothing in the weighted forecast.",
    )
    forecast_revenue = fields.Monetary(
        string="Weighted Forecast",
        compute="_compute_forecast_revenue",
        store=True,
        currency_field="company_currency",
        help="Expected revenue x probability for open deals; 0 for won, lost, "
        "archived deals and deals taken out of the forecast.",
    )
    lost_stage_id = fields.Many2one(
        "crm.stage",
        string="Lost at Stage",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The stage the deal was in when it was lost.",
    )

    def _auto_init(self):
        # Create the new columns before the ORM does, so that installing onto
        # a large database does not recompute them record by record: the
        # post-install hook fills them with one statement each.
        cr = self.env.cr
        for column, column_type in (
            ("forecast_revenue", "numeric"),
            ("probability_is_manual", "boolean"),
            ("forecast_excluded", "boolean"),
            ("lost_stage_id", "int4"),
        ):
            if not sql_tools.column_exists(cr, self._table, column):
                sql_tools.create_column(cr, self._table, column, column_type)
        return super()._auto_init()

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("date_last_stage_update")
    def _compute_stage_age_days(self):
        now = fields.Datetime.now()
        for lead in self:
            lead.stage_age_days = engine.whole_days(lead.date_last_stage_update, now)

    @api.depends("expected_revenue", "probability", "active", "stage_id.is_won",
                 "forecast_excluded")
    def _compute_forecast_revenue(self):
        for lead in self:
            lead.forecast_revenue = engine.weighted_revenue(
                lead.expected_revenue,
                lead.probability,
                lead.active,
                lead.stage_id.is_won,
                lead.forecast_excluded,
            )

    def _compute_probabilities(self):
        """Keep the probability on the stage percentage.

        Odoo recomputes the probability from its predictive scoring when the
        stage or a scoring field changes. While the company lets stages drive
        probabilities, an open deal keeps its stage's percentage, unless its
        probability was typed by hand since its last stage change (a stage
        change in the form, not yet saved, counts as a new stage).
        """
        # Called as a plain method (Odoo does so when restoring a deal), the
        # assignments below are writes, which flag typed probabilities: read
        # the flags first.
        typed = {
            lead: lead.probability_is_manual
            # in the form: a probability typed since the record was opened
            or (lead._origin.id != lead.id and bool(lead._origin)
                and lead.probability != lead._origin.probability)
            for lead in self
        }
        result = super()._compute_probabilities()
        for lead in self:
            if not lead.active or not lead.stage_id or not lead._sff_follows_stage():
                continue
            stage_changed = bool(lead._origin) and lead._origin.stage_id != lead.stage_id
            if stage_changed or not typed[lead]:
                lead.probability = lead.stage_id._sff_stage_probability()
        return result

    def _sff_follows_stage(self):
        self.ensure_one()
        return (self.company_id or self.env.company).crm_probability_from_stage

    # ------------------------------------------------------------------
    # CRUD: probability follows the stage, history follows every move
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # an empty probability cell of an import comes as False: no figure
            if "probability" in vals and vals["probability"] is False:
                del vals["probability"]
        leads = super().create(vals_list)
        # A probability given at creation is the user's (an import column, a
        # field of the form): it holds like a typed one.
        leads.browse(
            lead.id for lead, vals in zip(leads, vals_list) if "probability" in vals
        )._sff_flag_typed_probability()
        staged = leads.filtered("stage_id")
        if staged:
            # sudo: history rows are the deal's own record, written for whoever
            # moves the deal; nobody holds create rights on them by design
            History = self.env["crm.lead.stage.history"].sudo()
            History._sff_record_moves(dict.fromkeys(staged.ids, False), reason="create")
            lost = staged.filtered(lambda lead: not lead.active)
            if lost:
                # created already lost (an import of old deals)
                lost._sff_update_lost_stage(lost)
        return leads

    def write(self, vals):
        moved = {}
        following = self.browse()
        if "stage_id" in vals:
            new_stage = self.env["crm.stage"].browse(vals["stage_id"])
            moving = self.filtered(lambda lead: lead.stage_id != new_stage)
            moved = {lead.id: lead.stage_id.id for lead in moving}
            if new_stage and vals.get("active", True):
                following = moving.filtered(
                    lambda lead: lead.active and lead._sff_follows_stage()
                )
        was_active = self.filtered("active") if "active" in vals else self.browse()

        if following:
            stage_probability = new_stage._sff_stage_probability()
            # A probability other than the new stage's, written with the
            # stage (typed in the form before saving, an import with both
            # columns), is the user's: it holds.
            typed = vals.get("probability", False) is not False and float_compare(
                vals["probability"] or 0.0, stage_probability, precision_digits=2
            ) != 0
            follow_vals = dict(vals, probability_is_manual=typed)
            if not typed:
                follow_vals["probability"] = stage_probability
            if not new_stage.is_won:
                # Odoo reopens a deal only for a probability above 0.
                follow_vals.setdefault("date_closed", False)
            result = super(CrmLead, following).write(follow_vals)
            rest = self - following
            if rest:
                result = super(CrmLead, rest).write(vals)
        else:
            result = super().write(vals)

        if "active" in vals:
            self._sff_update_lost_stage(was_active)
        if "probability" in vals:
            (self - following)._sff_flag_typed_probability()
        # sudo (here and below): see create, history rows are not the user's to write
        if "company_id" in vals:
            self.env["crm.lead.stage.history"].sudo()._sff_sync_company(self.ids)
        if moved:
            reason = self.env.context.get("stage_history_reason")
            if reason not in HISTORY_REASON_KEYS:
                reason = "manual"
            self.env["crm.lead.stage.history"].sudo()._sff_record_moves(moved, reason=reason)
        return result

    def _sff_flag_typed_probability(self):
        """A probability written without a stage change is a typed one: it
        holds until the next stage change. Typing the stage's own percentage
        back puts the deal on its stage again."""
        follow = self.filtered(
            lambda lead: lead.active and lead.stage_id and lead._sff_follows_stage()
        )
        typed = follow.filtered(
            lambda lead: float_compare(
                lead.probability, lead.stage_id._sff_stage_probability(), precision_digits=2
            ) != 0
        )
        to_flag = typed.filtered(lambda lead: not lead.probability_is_manual)
        if to_flag:
            to_flag.write({"probability_is_manual": True})
        to_unflag = (follow - typed).filtered("probability_is_manual")
        if to_unflag:
            to_unflag.write({"probability_is_manual": False})

    def _sff_update_lost_stage(self, was_active):
        """A lost (archived) deal remembers the stage it was lost in, and its
        stay there ends; a restored deal forgets it and starts a new stay."""
        History = self.env["crm.lead.stage.history"].sudo()  # see create
        lost = was_active.filtered(lambda lead: not lead.active)
        for stage, leads in lost.grouped("stage_id").items():
            leads.write({"lost_stage_id": stage.id, "probability_is_manual": False})
        if lost:
            History._sff_close_stays(lost.ids)
        restored = (self - was_active).filtered(
            lambda lead: lead.active and lead.lost_stage_id
        )
        if restored:
            restored.write({"lost_stage_id": False})
            History._sff_record_moves(
                {lead.id: lead.stage_id.id for lead in restored.filtered("stage_id")}
            )

    def _handle_won_lost(self, vals):
        """Odoo's predictive scoring takes an open deal at 0 % for a lost one
        when it is won. With stage percentages, an open deal in a 0 % stage
        (a new prospect) is not lost: count it as won only."""
        if "stage_id" in vals:
            won_stage = self.env["crm.stage"].browse(vals["stage_id"]).is_won
            open_at_zero = self.filtered(
                lambda lead: lead.active and not lead.probability and not lead.stage_id.is_won
            ) if won_stage else self.browse()
            if open_at_zero:
                open_at_zero._pls_increment_frequencies(to_state="won")
                return super(CrmLead, self - open_at_zero)._handle_won_lost(vals)
        return super()._handle_won_lost(vals)

    # ------------------------------------------------------------------
    # Predictive lead scoring must not undo stage percentages
    # ------------------------------------------------------------------
    def _update_automated_probabilities(self):
        result = super()._update_automated_probabilities()
        self._sff_align_probability_to_stage()
        return result

    @api.model
    def _sff_align_probability_to_stage(self, company_ids=None, stage_ids=None,
                                        include_automated=False):
        """Put open deals whose probability was not typed back on their stage
        percentage, in SQL (Odoo's scoring cron writes probabilities in SQL
        too). Only companies that let stages drive probabilities are touched;
        ``stage_ids`` limits it to the deals of these stages.

        With ``include_automated`` (installation, turning the setting on),
        deals whose probability differs from Odoo's automated probability are
        taken as typed by hand and only flagged as such.
        """
        cr = self.env.cr
        # stage percentages may just have been written through the ORM
        self.env.flush_all()
        # sudo: the scoring cron and the install run for every company, not
        # only those of the current user; only the setting is read
        companies = self.env["res.company"].sudo().search(
            [("crm_probability_from_stage", "=", True)]
            + ([("id", "in", company_ids)] if company_ids else [])
        )
        if not companies:
            return
        default_follows = self.env.company.crm_probability_from_stage
        scope = SQL(
            "(l.company_id = ANY(%s) OR (l.company_id IS NULL AND %s)) AND (%s OR l.stage_id = ANY(%s))",
            companies.ids, bool(default_follows and not company_ids),
            stage_ids is None, list(stage_ids or []),
        )
        if include_automated:
            cr.execute(SQL(
                """
                UPDATE crm_lead l SET probability_is_manual = TRUE
                  FROM crm_stage s
                 WHERE s.id = l.stage_id AND l.active AND NOT COALESCE(s.is_won, FALSE)
                   AND %(scope)s
                   AND l.probability IS NOT NULL
                   AND l.probability IS DISTINCT FROM l.automated_probability
                   AND l.probability <> s.forecast_probability
                """,
                scope=scope,
            ))
        cr.execute(SQL(
            """
            UPDATE crm_lead l
               SET probability = %(stage_probability)s, probability_is_manual = FALSE
              FROM crm_stage s
             WHERE s.id = l.stage_id AND l.active
               AND %(scope)s
               AND NOT COALESCE(l.probability_is_manual, FALSE)
               AND l.probability IS DISTINCT FROM %(stage_probability)s
         RETURNING l.id
            """,
            scope=scope, stage_probability=stage_probability_sql("s"),
        ))
        changed = [row[0] for row in cr.fetchall()]
        # at installation every deal needs its weighted amounts
        self._sff_refresh_weighted_amounts(None if include_automated and not company_ids else changed)

    @api.model
    def _sff_restore_automated_probability(self, company_ids):
        """The company stopped letting stages drive probabilities: deals whose
        probability was not typed go back to Odoo's automated probability."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE crm_lead l SET probability = l.automated_probability
              FROM crm_stage s
             WHERE s.id = l.stage_id AND l.active AND NOT COALESCE(s.is_won, FALSE)
               AND l.company_id = ANY(%s)
               AND NOT COALESCE(l.probability_is_manual, FALSE)
               AND l.automated_probability IS NOT NULL
               AND l.probability IS DISTINCT FROM l.automated_probability
         RETURNING l.id
            """,
            [list(company_ids)],
        )
        self._sff_refresh_weighted_amounts([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _sff_refresh_weighted_amounts(self, lead_ids=None):
        """After probabilities were written in SQL, recompute what depends on
        them the same way as the ORM would: our ``forecast_revenue`` (the rule
        of ``engine.weighted_revenue``) and Odoo's prorated revenues.
        ``lead_ids=None`` means every deal."""
        if lead_ids is not None and not lead_ids:
            return
        self.env.cr.execute(SQL(
            """
            UPDATE crm_lead l
               SET forecast_revenue = CASE
                       WHEN l.active AND NOT COALESCE(s.is_won, FALSE)
                            AND NOT COALESCE(l.forecast_excluded, FALSE)
                       THEN ROUND((COALESCE(l.expected_revenue, 0) * COALESCE(l.probability, 0) / 100.0)::numeric, 2)
                       ELSE 0.00 END,
                   prorated_revenue = ROUND((COALESCE(l.expected_revenue, 0) * COALESCE(l.probability, 0) / 100.0)::numeric, 2),
                   recurring_revenue_prorated = COALESCE(l.recurring_revenue, 0) * COALESCE(l.probability, 0) / 100.0,
                   recurring_revenue_monthly_prorated = COALESCE(l.recurring_revenue_monthly, 0) * COALESCE(l.probability, 0) / 100.0
              FROM crm_lead d
         LEFT JOIN crm_stage s ON s.id = d.stage_id  -- a deal without a stage is open
             WHERE d.id = l.id AND (%s OR l.id = ANY(%s))
            """,
            lead_ids is None, list(lead_ids or []),
        ))
        self.invalidate_model([
            "probability", "probability_is_manual", "forecast_revenue", "prorated_revenue",
            "recurring_revenue_prorated", "recurring_revenue_monthly_prorated",
        ])
