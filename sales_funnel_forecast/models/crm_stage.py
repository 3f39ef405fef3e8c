# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import float_compare
from odoo.tools import sql as sql_tools

from .. import engine
from ..const import FORECAST_CATEGORY_SELECTION
from ..tools.formats import count_text, named
from ..tools.holders import holders
from ..tools.jobs import run_batch
from ..tools.writers import claim_writer_row, claimed_on
from .crm_lead_invoice import DOCUMENT_TRIGGERS

# the win rates a manager accepted as the stages' percentages, for the
# history of the percentages (crm.stage._sff_win_rates_accepted)
WIN_RATES_KEY = "sales_funnel_forecast.win_rates_accepted"
# the time the win rates were last worked out: the row each refresh writes
# first (one for every stage: a refresh always works them all out at once)
WIN_RATES_REFRESH_PARAM = "sales_funnel_forecast.win_rates_refreshed_on"
# Stage fields that change which deals reached which stage
PIPELINE_STAGE_FIELDS = {"sequence", "team_id", "active", "is_won"}


class CrmStage(models.Model):
    _name = "crm.stage"
    _inherit = ["crm.stage", "crm.stage.percentage.mixin", "crm.import.empty.cell.mixin"]
    # an empty percentage cell: a new stage gets the percentage proposed
    # for its place (100 % when won)
    _sff_empty_cell_fields = ("forecast_probability",)

    active = fields.Boolean(
        default=True,
        help="Archived stages no longer show in pipelines; the stage history "
        "of the deals that went through them is kept.",
    )
    catalogue_line_id = fields.Many2one(
        "crm.stage.catalogue.line",
        string="Catalogue Step",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The stage catalogue's step this stage was made from: a language "
        "installed later gives the stage the step's name in it.",
    )
    forecast_probability = fields.Float(
        string="Stage Percentage",
        digits=(16, 2),
        help="Share of the deal's amount counted in the forecast while the "
        "deal sits in this stage. A deal entering the stage takes this "
        "probability. Won stages are always 100 %. A new stage proposes the "
        "value halfway between its neighbours.",
    )
    forecast_category = fields.Selection(
        FORECAST_CATEGORY_SELECTION,
        compute="_compute_forecast_category",
        store=True,
        readonly=False,
        precompute=True,
        help="The category of the deals in this stage, unless a salesperson chose "
        "another for a deal (until its next stage change). By default from the "
        "percentage: below 40 % Pipeline, 40 to 69 % Best Case, 70 % and above "
        "Commit; a won stage is Closed (Won).",
    )
    percentage_change_ids = fields.One2many(
        "crm.stage.percentage.change",
        "stage_id",
        string="Percentage History",
        readonly=True,
        groups="sales_team.group_sale_manager",
    )
    stall_days = fields.Integer(
        string="Stalls After (days)",
        default=0,
        help="A deal that stays longer than this in the stage is stalled. "
        "0 means deals never stall in this stage.",
    )
    stall_rule_date = fields.Datetime(
        string="Stall Rule Changed On",
        readonly=True,
        copy=False,
        help="When the stage's stall rule (its days, or its being won) last changed: the "
        "stall job checks the deals that entered the stage around then.",
    )
    stall_action = fields.Selection(
        selection=[
            ("flag", "Flag the deal"),
            ("exclude", "Take it out of the forecast"),
            ("move_back", "Move it back"),
            ("lose", "Close it as lost"),
        ],
        string="When Stalled",
        default="flag",
        required=True,
    )
    stall_move_back_steps = fields.Integer(
        string="Stages Back",
        default=1,
        help="How many stages a stalled deal is moved back.",
    )
    stall_lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost Reason When Stalled",
        # a reason a rule closes deals with is refused deletion
        # (crm.lost.reason._sff_unlink_except_stall_rules); one left behind
        # by a rule that no longer closes deals goes
        ondelete="set null",
        help="Reason recorded on deals closed as lost because they stalled.",
    )

    document_trigger = fields.Selection(
        DOCUMENT_TRIGGERS,
        string="Reached When",
        help="A deal reaches this stage by itself when its quotation is confirmed, when "
        "its first invoice is posted, or when its invoices are fully paid (a won "
        "stage then marks the deal won). A deal already further on stays where it is.",
    )
    history_win_rate = fields.Float(
        # figures of the deals, which the funnel dashboard shows salespeople
        groups="sales_team.group_sale_salesman",
        string="Win Rate (last 12 months)",
        digits=(16, 1),
        readonly=True,
        # the figures of the stage's own deals: a duplicated stage has none yet
        copy=False,
        help="Of the deals that reached this stage and were closed in the last "
        "365 days, the share won. The history-weighted forecast uses it when "
        "at least 10 such deals exist, and the stage percentage otherwise. "
        "Refreshed daily.",
    )
    history_closed_count = fields.Integer(
        # figures of the deals, which the funnel dashboard shows salespeople
        groups="sales_team.group_sale_salesman",
        string="Closed Deals (last 12 months)",
        readonly=True,
        copy=False,
        help="Deals that reached this stage and were won or lost in the last 365 days.",
    )
    history_fallback = fields.Boolean(
        groups="sales_team.group_sale_salesman",
        string="Win Rate from Stage Percentage",
        readonly=True,
        default=True,
        copy=False,
        help="Too few deals closed in the last year: the history-weighted "
        "forecast uses the stage percentage.",
    )
    # stored so that the forecast report multiplies each deal's amount by one
    # stored number instead of choosing and converting the stage's rates for
    # every deal it reads (digits=0: an exact NUMERIC, like the amounts)
    history_weight = fields.Float(
        digits=0,
        # the win rate over 100, read as the win rates are
        groups="sales_team.group_sale_salesman",
        compute="_compute_history_weight",
        store=True,
        help="Share of a deal's amount the history-weighted forecast counts in "
        "this stage: the win rate of the last 12 months, or the stage "
        "percentage when too few deals closed, over 100.",
    )

    @api.depends("forecast_probability", "history_win_rate", "history_fallback")
    def _compute_history_weight(self):
        for stage in self:
            stage.history_weight = engine.history_weight(
                stage.history_win_rate, stage.history_fallback, stage.forecast_probability
            )

    def _auto_init(self):
        # Stages that exist before the module is installed have no percentage
        # yet (NULL): the post-install hook gives them one.
        if not sql_tools.column_exists(self.env.cr, self._table, "forecast_probability"):
            sql_tools.create_column(self.env.cr, self._table, "forecast_probability", "numeric")
        return super()._auto_init()

    @api.constrains("stall_days", "stall_move_back_steps", "stall_action", "stall_lost_reason_id")
    def _check_stall_rule(self):
        for stage in self:
            if stage.stall_days < 0:
                raise ValidationError(
                    self.env._(
                        "Stage “%(stage)s”: the number of days after which a "
                        "deal stalls cannot be negative (0 means never).",
                        stage=stage.name,
                    )
                )
            if stage.stall_days and stage.stall_action == "lose" and not stage.stall_lost_reason_id:
                raise ValidationError(
                    self.env._(
                        "Stage “%(stage)s”: choose the lost reason given to the "
                        "stalled deals it closes as lost.",
                        stage=stage.name,
                    )
                )
            if stage.stall_action == "move_back" and stage.stall_move_back_steps < 1:
                raise ValidationError(
                    self.env._(
                        "Stage “%(stage)s”: a stalled deal must be moved back at least one stage.",
                        stage=stage.name,
                    )
                )

    @api.onchange("is_won", "team_id")
    def _onchange_propose_percentage(self):
        if self.is_won:
            self.forecast_probability = 100.0
        elif not self._origin or self._origin.is_won:
            # a new stage, or a won stage no longer won: from its neighbours
            # (its place: the sequence, then the name in English; not
            # proposed again as the name is typed, which would undo a
            # percentage typed before it)
            self.forecast_probability = self._sff_propose_percentage(
                self.team_id.id,
                self.sequence,
                self._origin.with_context(lang="en_US").name if self._origin else self.name,
                exclude_id=self._origin.id,
            )

    # ------------------------------------------------------------------
    # Pipelines and percentages
    # ------------------------------------------------------------------
    @api.model
    def _sff_sorted(self):
        """These stages in the order the pipeline shows them: Odoo's stage
        order (sequence, name, id), the names compared in English, as the
        funnel rows are worked out in SQL (``engine_sql.stage_order``)."""
        if len(self) < 2:
            return self
        # sudo, archived included: the order of stages already in hand
        ordered = (
            self.sudo()
            .with_context(lang="en_US", active_test=False)
            .search([("id", "in", self.ids)], order=self._order)
        )
        return self.browse(ordered.ids)

    def _sff_pipeline_domain(self, team_id):
        """Stages of a team's pipeline: its own and the shared ones, as in
        plain Odoo, or only its own once a stage catalogue was applied."""
        team = self.env["crm.team"].browse(team_id)
        if team and team.stage_catalogue_id:
            return [("team_id", "=", team.id)]
        if team:
            return ["|", ("team_id", "=", False), ("team_id", "=", team.id)]
        return [("team_id", "=", False)]

    @api.model
    def _sff_propose_percentage(self, team_id, sequence, name=None, exclude_id=None):
        """Percentage for a stage placed at ``sequence`` and named ``name``
        in the pipeline of ``team_id``: halfway between the open stages
        around it, in the pipeline's order (``_sff_sorted``: the name in
        English breaks a tie of sequences, as in the kanban)."""
        domain = self._sff_pipeline_domain(team_id) + [("is_won", "=", False)]
        if exclude_id:
            domain.append(("id", "!=", exclude_id))
        # in the pipeline's order (the names in English), as ``_sff_sorted``
        English = self.with_context(lang="en_US")
        stages = English.search(domain)
        # the stages before it, compared as PostgreSQL orders them; a stage
        # being created comes after those of the same sequence and name
        tie = [("sequence", "=", sequence or 0)]
        if name:
            tie.append(("name", "<=", name))
        before = stages & English.search(
            expression.AND([domain, expression.OR([[("sequence", "<", sequence or 0)], tie])])
        )
        after = stages - before
        return engine.propose_percentage(
            before[-1:].forecast_probability if before else None,
            after[:1].forecast_probability if after else None,
        )

    @api.model_create_multi
    def create(self, vals_list):
        team_id = self.env.context.get("default_team_id")
        kanban_team = self.env["crm.team"]
        if isinstance(team_id, int):
            kanban_team = kanban_team.browse(team_id).exists()
        for vals in vals_list:
            if kanban_team and "team_id" not in vals and kanban_team.stage_catalogue_id:
                # a column added to the kanban of a team with stages of its
                # own is the team's (Odoo drops the team for stages: the
                # column would go to every other team's pipeline instead)
                vals["team_id"] = kanban_team.id
            if kanban_team and "sequence" not in vals:
                # the kanban puts a column it adds last: its percentage is
                # proposed for that place (not for Odoo's default, the first)
                last = self.search(
                    self._sff_pipeline_domain(vals.get("team_id") or kanban_team.id),
                    order="sequence desc",
                    limit=1,
                )
                vals["sequence"] = (last.sequence or 0) + 1
            if vals.get("is_won"):
                vals.setdefault("forecast_probability", 100.0)
            elif "forecast_probability" not in vals:
                team_id = vals.get("team_id", self.env.context.get("default_team_id"))
                vals["forecast_probability"] = self._sff_propose_percentage(
                    team_id,
                    vals.get("sequence", self.default_get(["sequence"]).get("sequence", 1)),
                    vals.get("name"),
                )
        stages = super().create(vals_list)
        # a stage placed before the furthest stage of deals: they reached it
        stages._sff_rebuild_funnel(stages._sff_pipelines())
        return stages

    def write(self, vals):
        self._sff_check_deals_stay(vals)
        if "stall_days" in vals or "is_won" in vals:
            vals = dict(vals, stall_rule_date=self.env.cr.now())
        percentages = {}
        if "forecast_probability" in vals or "is_won" in vals:
            percentages = {stage.id: stage.forecast_probability for stage in self}
        # the stages made won or open again (a file of stages imported back
        # writes the flag they have: their deals keep their choices and dates)
        won_changed = (
            self.filtered(lambda stage: stage.is_won != bool(vals["is_won"]))
            if "is_won" in vals
            else self.browse()
        )
        unwon = self.browse()
        if "is_won" in vals and "forecast_probability" not in vals:
            if vals["is_won"]:
                vals = dict(vals, forecast_probability=100.0)
            else:
                # a stage that stops being the won stage takes a percentage
                # from its neighbours instead of failing on 100 %
                unwon = self.filtered("is_won")
        for stage in unwon:
            super(CrmStage, stage).write(
                dict(
                    vals,
                    forecast_probability=self._sff_propose_percentage(
                        stage.team_id.id,
                        stage.sequence,
                        stage.with_context(lang="en_US").name,
                        exclude_id=stage.id,
                    ),
                )
            )
        reordered = PIPELINE_STAGE_FIELDS & set(vals) or ("name" in vals and self._sff_tied())
        pipelines_before = self._sff_pipelines() if reordered else None
        result = super(CrmStage, self - unwon).write(vals) if self - unwon else True
        if "forecast_probability" in vals or "is_won" in vals:
            # deals in these stages follow the new percentage (typed ones hold)
            self.env["crm.lead"]._sff_align_probability_to_stage(stage_ids=self.ids)
        if won_changed:
            # won or open again: the deals of these stages take what the
            # stage now gives them, a salesperson's choice ends
            self.env["crm.lead"]._sff_forget_chosen_category(won_changed.ids)
        if "forecast_category" in vals:
            # the open deals of these stages take the new category, but for
            # those whose salesperson chose one
            self.env["crm.lead"]._sff_align_forecast_category(stage_ids=self.ids)
        if won_changed:
            self.env["crm.lead"]._sff_stage_won_changed(won_changed.ids)
        if vals.get("is_won"):
            # a won deal is stalled no more (as when it is won by hand): its
            # flag, its stall's exclusion and to-do end (sudo: every deal of
            # the stages, as the stall rules act on them)
            stalled = (
                self.env["crm.lead"]
                .sudo()
                .search([("stage_id", "in", self.ids), ("is_stalled", "=", True)])
            )
            if stalled:
                stalled._sff_clear_stall()
        if "stall_days" in vals:
            self.env["crm.lead"]._sff_stall_limit_changed(self.ids)
        if "stall_days" in vals or "is_won" in vals:
            # the current stays in these stages stall by the new rule
            # sudo: the stays are the deals' own record
            self.env["crm.lead.stage.history"].sudo()._sff_stage_rule_changed(self.ids)
        if pipelines_before is not None:
            # stages reordered, moved to another team, archived, restored:
            # the funnel rows of the deals of the pipelines concerned
            self._sff_rebuild_funnel(pipelines_before, self._sff_pipelines())
        if percentages:
            self._sff_log_percentage_changes(percentages)
        return result

    @api.model
    @contextmanager
    def _sff_win_rates_accepted(self, evidence):
        """The percentages written in the block are the stages' win rates,
        accepted (``evidence``: stage id: (percentage, win rate, closed
        deals), worked out by the server): kept in the transaction's cache,
        not in a context a call could send."""
        self.env.cr.cache[WIN_RATES_KEY] = evidence
        try:
            yield
        finally:
            self.env.cr.cache.pop(WIN_RATES_KEY, None)

    def _sff_log_percentage_changes(self, before):
        """Keep each change of these stages' percentages (``before``: stage
        id: percentage), with its evidence when it came from the win rates
        (``_sff_win_rates_accepted``)."""
        evidence = self.env.cr.cache.get(WIN_RATES_KEY) or {}
        values = []
        for stage in self:
            old = before.get(stage.id)
            if (
                float_compare(old or 0.0, stage.forecast_probability or 0.0, precision_digits=2)
                == 0
            ):
                continue
            accepted, rate, closed = evidence.get(stage.id, (None, False, 0))
            # the win rate's evidence only for the percentage it proposed
            from_rate = accepted is not None and (
                float_compare(accepted, stage.forecast_probability or 0.0, precision_digits=2) == 0
            )
            values.append(
                {
                    "stage_id": stage.id,
                    "old_percentage": old or 0.0,
                    "new_percentage": stage.forecast_probability,
                    "origin": "win_rate" if from_rate else "manual",
                    "win_rate": rate if from_rate else False,
                    "closed_count": closed if from_rate else 0,
                }
            )
        if values:
            # sudo: the history is the stages' own record; nobody writes it by hand
            self.env["crm.stage.percentage.change"].sudo().create(values)

    def _sff_tied(self):
        """Whether another stage has the sequence of one of these: their
        names (in English, which a rename in another language leaves as it
        is) then order them, and a new name may change the order."""
        if (self.env.lang or "en_US") != "en_US":
            return False
        # sudo: every stage counts, whoever renames one
        return bool(
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [("sequence", "in", self.mapped("sequence")), ("id", "not in", self.ids)], limit=1
            )
        )

    def _sff_pipelines(self):
        """(team ids, shared) of the pipelines these stages belong to."""
        return set(self.mapped("team_id").ids), any(not stage.team_id for stage in self)

    def _sff_rebuild_funnel(self, *pipelines):
        team_ids = set().union(*(teams for teams, _shared in pipelines))
        shared = any(shared for _teams, shared in pipelines)
        # sudo: the funnel rows of every deal of these pipelines, not only
        # the ones the user can read
        Reach = self.env["crm.lead.stage.reach"].sudo()
        Reach._sff_rebuild(Reach._sff_deals_of_pipelines(team_ids, shared))

    def _sff_check_deals_stay(self, vals):
        """Refuses, before anything is written, to archive stages that hold
        open or won deals (the Archive button, an import's Active column,
        a call over RPC) or to take stages out of the pipeline of deals in
        them (their Sales Team changed): the deals would leave the funnel,
        their figures with them."""
        archiving = "active" in vals and not vals["active"]
        if not (archiving or "team_id" in vals) or self.env.context.get("install_module"):
            # a module's data files, at its install or upgrade, are let
            # through (Odoo's imports all run in "install mode")
            return
        # the user's right first: the counts below read every deal
        self.check_access("write")
        # sudo: counting every deal, not only those the user can read
        Lead = self.env["crm.lead"].sudo()
        deals = [("stage_id", "in", self.ids), ("active", "=", True), ("type", "=", "opportunity")]
        if archiving:
            won = Lead.search_count(deals + [("stage_id.is_won", "=", True)])
            if won:
                raise UserError(
                    self.env._(
                        "Won deals (%(count)s) are in the stages you are archiving: "
                        "archived, the stages would take them out of the funnel's won "
                        "figures. Keep the stages active.",
                        count=count_text(self.env, won),
                    )
                )
            open_deals = Lead.search_count(deals)
            if open_deals == 1:
                raise UserError(
                    self.env._(
                        "An open deal is in the stages you are archiving: move it to "
                        "another stage first."
                    )
                )
            if open_deals:
                raise UserError(
                    self.env._(
                        "%(count)s open deals are in the stages you are archiving: move "
                        "them to another stage first.",
                        count=count_text(self.env, open_deals),
                    )
                )
        if "team_id" in vals:
            team = self.env["crm.team"].sudo().browse(vals["team_id"])
            if team:
                # a team's stage: the pipeline of that team's deals only
                leaving = [("team_id", "!=", team.id)]
            else:
                # shared: not in the pipelines of teams with stages of their own
                leaving = [("team_id.stage_catalogue_id", "!=", False)]
            moved = 0
            for stage in self.filtered(lambda stage: stage.team_id != team):
                # the deals whose pipeline holds the stage now (a deal left
                # in another team's stage is outside it already)
                in_pipeline = (
                    [("team_id", "=", stage.team_id.id)]
                    if stage.team_id
                    else ["|", ("team_id", "=", False), ("team_id.stage_catalogue_id", "=", False)]
                )
                moved += Lead.search_count(
                    [
                        ("stage_id", "=", stage.id),
                        ("active", "=", True),
                        ("type", "=", "opportunity"),
                    ]
                    + in_pipeline
                    + leaving
                )
            if moved:
                raise UserError(
                    self.env._(
                        "Deals (%(count)s) are in stages that this change of Sales Team "
                        "would take out of their team's pipeline: move them to a stage "
                        "of their team first.",
                        count=count_text(self.env, moved),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_history(self):
        # sudo: the history of every deal counts, not only the readable ones
        History = self.env["crm.lead.stage.history"].sudo()
        for stage in self:
            passed = History.search_count(
                ["|", ("stage_id", "=", stage.id), ("previous_stage_id", "=", stage.id)]
            )
            if passed == 1:
                raise UserError(
                    self.env._(
                        "Stage “%(stage)s” is in the stage history of a deal move: "
                        "deleting it would erase where that deal has been. Archive it "
                        "instead (Actions > Archive): it leaves the pipelines and the "
                        "history stays whole.",
                        stage=stage.name,
                    )
                )
            if passed:
                raise UserError(
                    self.env._(
                        "Stage “%(stage)s” is in the stage history of %(count)s deal "
                        "moves: deleting it would erase where those deals have been. "
                        "Archive it instead (Actions > Archive): it leaves the "
                        "pipelines and the history stays whole.",
                        stage=stage.name,
                        count=count_text(self.env, passed),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_in_plans(self):
        lines = holders(self.env, "crm.target.plan.stage", "stage_id", self.ids)
        if lines:
            stage = lines.stage_id[:1]
            plans = lines.filtered(lambda line: line.stage_id == stage).plan_id
            raise UserError(
                self.env._(
                    "Stage “%(stage)s” is in the stage conversions of target plans "
                    "(%(plans)s): take it out of the plans first, or archive the stage.",
                    stage=stage.name,
                    plans=named(plans),
                )
            )

    @api.model
    def _sff_closed_counts(self):
        """Per stage, the deals that reached it (funnel rows) and were won,
        and lost, in the last 365 days: {stage id: (won, lost)}. Every deal
        counts, whoever asks (the win rates are the company's figures)."""
        self.env["crm.lead.stage.history"]._sff_flush_pending()
        self.env.cr.execute(
            """SELECT stage_id, count(*) FILTER (WHERE deal_state = 'won'),
                      count(*) FILTER (WHERE deal_state = 'lost')
                 FROM crm_lead_stage_reach
                WHERE deal_state IN ('won', 'lost')
                  AND date_closed >= (now() AT TIME ZONE 'UTC') - make_interval(days => %s)
             GROUP BY stage_id""",
            [engine.HISTORY_DAYS],
        )
        return {stage_id: (won, lost) for stage_id, won, lost in self.env.cr.fetchall()}

    @api.model
    def _cron_refresh_history_win_rates(self):
        """Win rate of every stage from the deals that reached it (funnel
        rows) and were closed in the last 365 days; fewer than 10 such deals:
        the stage percentage stands in, and the stage says so. In a
        transaction of its own: a stage saved by a manager meanwhile (a
        kanban column dragged) undoes it, and the job runs again a minute
        later instead of failing for the day."""
        return not run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_refresh_history_win_rates",
            lambda: (self._sff_refresh_history_win_rates(), 0),
            lambda: 1,
        )

    @api.model
    def _sff_refresh_history_win_rates(self):
        """Write every stage's win rate; returns the stages whose figures
        changed. One refresh at a time: each first writes the row of the
        refresh's time (``claim_writer_row``), in its transaction with the
        rates, so that a second one at once (the night's job and a
        manager's Refresh) waits for the first, then is run again on its
        data."""
        cr = self.env.cr
        counts = self._sff_closed_counts()
        claim_writer_row(cr, WIN_RATES_REFRESH_PARAM)
        self.flush_model(["forecast_probability"])
        # every stage, archived ones included, whoever triggers the refresh
        cr.execute("SELECT id, forecast_probability FROM crm_stage")
        rows = []
        for stage_id, percentage in cr.fetchall():
            won, lost = counts.get(stage_id, (0, 0))
            rate, fell_back = engine.history_win_rate(won, lost, percentage)
            rows.append(
                (
                    stage_id,
                    rate,
                    won + lost,
                    fell_back,
                    engine.history_weight(rate, fell_back, percentage),
                )
            )
        # plain column values, no stage rule to run; the stages whose
        # figures change only, compared as the columns keep them (NUMERIC:
        # a float of more digits is never equal to the rate stored)
        cr.execute(
            """UPDATE crm_stage s
                  SET history_win_rate = v.rate, history_closed_count = v.closed,
                      history_fallback = v.fell_back, history_weight = v.weight
                 FROM unnest(%s::int[], %s::float8[], %s::int[], %s::bool[], %s::float8[])
                      AS v(id, rate, closed, fell_back, weight)
                WHERE s.id = v.id
                  AND (s.history_win_rate, s.history_closed_count, s.history_fallback,
                       s.history_weight)
                      IS DISTINCT FROM (v.rate::numeric, v.closed, v.fell_back, v.weight::numeric)""",
            [list(column) for column in zip(*rows)] if rows else [[], [], [], [], []],
        )
        self.invalidate_model(
            ["history_win_rate", "history_closed_count", "history_fallback", "history_weight"]
        )
        return cr.rowcount

    @api.model
    def _sff_win_rates_refreshed_on(self):
        """When the win rates were last worked out (False: never yet)."""
        return claimed_on(self.env.cr, WIN_RATES_REFRESH_PARAM)

    @api.model
    def action_sff_refresh_win_rates(self):
        """Refresh (managers, on the funnel dashboard): every stage's win
        rate worked out again now, from every deal, instead of at night."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only sales managers can work the win rates out again."))
        return self._sff_refresh_history_win_rates()

    def _sff_stage_probability(self):
        """Probability a deal takes on entering this stage."""
        self.ensure_one()
        return engine.stage_probability(self.forecast_probability, self.is_won)

    @api.model
    def _sff_translate_catalogue_stages(self, langs):
        """Stages made from a catalogue's step take the step's name in the
        languages ``langs`` (installed after the stage was made), unless the
        stage was renamed or already has a name of its own in them."""
        stages = self.with_context(active_test=False).search([("catalogue_line_id", "!=", False)])
        for stage in stages:
            line = stage.catalogue_line_id
            if stage.with_context(lang="en_US").name != line.with_context(lang="en_US").name:
                continue
            english = line.with_context(lang="en_US").name
            names = {
                lang: line.with_context(lang=lang).name
                for lang in langs
                if lang != "en_US"
                and stage.with_context(lang=lang).name == english
                and line.with_context(lang=lang).name != english
            }
            if names:
                stage.update_field_translations("name", names)
