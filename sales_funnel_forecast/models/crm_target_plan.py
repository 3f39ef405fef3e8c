# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Target plans: from an annual revenue goal back to the prospects, deals and
pipeline needed per month, quarter and year, with what really happened
beside each figure."""

import calendar
from collections import defaultdict
from datetime import date, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

from .. import engine
from ..tools.days import day_start, local_today
from ..tools.formats import count_text
from ..tools.jobs import run_batch
from ..tools.notify import notification
from .crm_target_plan_line_mixin import PLAN_LINES_LOADING, PLAN_SAVING

PERIOD_TYPES = [("month", "Month"), ("quarter", "Quarter"), ("year", "Whole Plan")]
# inputs whose change recomputes the plan's figures
PLAN_INPUTS = {
    "date_from",
    "date_to",
    "revenue_target",
    "average_deal_value",
    "win_rate",
    "sales_cycle_days",
    "season_ids",
    "stage_line_ids",
    "origin_line_ids",
    "company_id",
}
# closed deals below which the history is not trusted for defaults
PLAN_MIN_HISTORY = 10
# context key: a team plan is being split between its members
PLAN_SPLITTING = "sff_plan_splitting"
# context key: a file of plans is being imported; cursor cache key: the
# plans whose figures are worked out once, after its rows
PLAN_LOADING = "sff_plan_loading"
PLAN_LOADED = "sff_plan_loaded"


class CrmTargetPlan(models.Model):
    _name = "crm.target.plan"
    _description = "Sales Target Plan"
    _inherit = ["mail.thread", "crm.import.empty.cell.mixin"]
    # empty Win Rate and Sales Cycle cells: a new plan gets what the form
    # proposes (20 %, 30 days), not 0
    _sff_empty_cell_fields = ("win_rate", "sales_cycle_days")
    _order = "date_from desc, name"
    _check_company_auto = True

    name = fields.Char(
        string="Sales Process",
        required=True,
        tracking=True,
        help="The sales process or goal this plan is for.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # a plan of a team or a salesperson is theirs: it does not become the
    # whole company's (nor a team's own line) when they are deleted
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", check_company=True, tracking=True, ondelete="restrict"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        tracking=True,
        domain="[('share', '=', False)]",
        ondelete="restrict",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        tracking=True,
        default=lambda self: date(fields.Date.context_today(self).year, 1, 1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        tracking=True,
        default=lambda self: date(fields.Date.context_today(self).year, 12, 31),
    )
    revenue_target = fields.Monetary(required=True, tracking=True)
    average_deal_value = fields.Monetary(required=True, tracking=True)
    win_rate = fields.Float(
        string="Win Rate (%)",
        digits=(16, 2),
        tracking=True,
        compute="_compute_win_rate",
        store=True,
        readonly=False,
        precompute=True,
        help="Of the new prospects, the share that ends won. With stage conversion lines it "
        "is their product; with an origin mix, the mix's own.",
    )
    sales_cycle_days = fields.Integer(
        string="Sales Cycle (days)",
        default=30,
        tracking=True,
        help="From a prospect's entry to the deal's close: prospects enter this much earlier "
        "than the deals they become close.",
    )
    season_ids = fields.One2many(
        "crm.target.plan.season",
        "plan_id",
        string="Seasonality",
        copy=True,
        default=lambda self: self._default_seasons(),
    )
    stage_line_ids = fields.One2many(
        "crm.target.plan.stage", "plan_id", string="Stage Conversions", copy=True
    )
    origin_line_ids = fields.One2many(
        "crm.target.plan.origin", "plan_id", string="Origin Mix", copy=True
    )
    period_ids = fields.One2many(
        "crm.target.plan.period", "plan_id", string="Figures", readonly=True
    )
    parent_id = fields.Many2one(
        "crm.target.plan",
        string="Team Plan",
        ondelete="cascade",
        index=True,
        readonly=True,
        # a copy is a plan of its own, not another share of the team plan
        copy=False,
        help="The team plan this salesperson's plan is a share of.",
    )
    child_ids = fields.One2many("crm.target.plan", "parent_id", string="Members' Plans")
    month_period_ids = fields.One2many(
        "crm.target.plan.period", compute="_compute_horizons", string="Months"
    )
    quarter_period_ids = fields.One2many(
        "crm.target.plan.period", compute="_compute_horizons", string="Quarters"
    )
    year_period_ids = fields.One2many(
        "crm.target.plan.period", compute="_compute_horizons", string="Whole Plan"
    )
    history_note = fields.Char(
        readonly=True, copy=False, help="What the last fill from history found."
    )
    deals_needed = fields.Integer(compute="_compute_totals")
    leads_needed = fields.Integer(string="Prospects Needed", compute="_compute_totals")
    pipeline_value_needed = fields.Monetary(compute="_compute_totals")
    actual_revenue = fields.Monetary(compute="_compute_totals")
    # stored on the periods, written with their figures (a refresh works
    # every period of a plan out at once): the plan's row is not written
    # every night, nor locked against a manager saving the plan
    actuals_refreshed_on = fields.Datetime(
        string="Actuals Worked Out On",
        compute="_compute_actuals_refreshed_on",
        help="When the invoiced revenue, deals won and new leads were last worked out: "
        "every night, when the plan is saved, or with Refresh Actuals.",
    )

    @api.model
    def _default_seasons(self):
        return [
            fields.Command.create({"month": str(month), "weight": 1.0}) for month in range(1, 13)
        ]

    @api.depends("stage_line_ids.conversion", "origin_line_ids.share", "origin_line_ids.win_rate")
    def _compute_win_rate(self):
        for plan in self:
            if plan.origin_line_ids:
                plan.win_rate = engine.mix_win_rate(
                    [(line.share, line.win_rate) for line in plan.origin_line_ids]
                )
            elif plan.stage_line_ids:
                plan.win_rate = engine.conversion_win_rate(plan.stage_line_ids.mapped("conversion"))
            elif not plan.win_rate:
                plan.win_rate = 20.0

    @api.depends("period_ids")
    def _compute_horizons(self):
        for plan in self:
            periods = plan.period_ids.sorted("date_from")
            plan.month_period_ids = periods.filtered(lambda period: period.period_type == "month")
            plan.quarter_period_ids = periods.filtered(
                lambda period: period.period_type == "quarter"
            )
            plan.year_period_ids = periods.filtered(lambda period: period.period_type == "year")

    @api.depends("period_ids")
    def _compute_totals(self):
        for plan in self:
            whole = plan.period_ids.filtered(lambda period: period.period_type == "year")[:1]
            plan.deals_needed = whole.deals_needed
            plan.leads_needed = whole.leads_needed
            plan.pipeline_value_needed = whole.pipeline_value_needed
            plan.actual_revenue = whole.actual_revenue

    @api.depends("period_ids.actuals_refreshed_on")
    def _compute_actuals_refreshed_on(self):
        for plan in self:
            # the oldest figure's time (they are all worked out together)
            times = [time for time in plan.period_ids.mapped("actuals_refreshed_on") if time]
            plan.actuals_refreshed_on = min(times, default=False)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    @api.constrains(
        "date_from",
        "date_to",
        "revenue_target",
        "average_deal_value",
        "win_rate",
        "sales_cycle_days",
    )
    def _check_inputs(self):
        for plan in self:
            if plan.date_to < plan.date_from:
                raise ValidationError(
                    self.env._("The plan %(plan)s ends before it starts.", plan=plan.name)
                )
            last_day = calendar.monthrange(plan.date_to.year, plan.date_to.month)[1]
            if plan.date_from.day != 1 or plan.date_to.day != last_day:
                raise ValidationError(
                    self.env._(
                        "A plan covers whole months: %(plan)s must start on the first day of a month "
                        "and end on the last day of one.",
                        plan=plan.name,
                    )
                )
            if plan.revenue_target <= 0 or plan.average_deal_value <= 0:
                raise ValidationError(
                    self.env._(
                        "The revenue target and the average deal value of %(plan)s must be more than 0.",
                        plan=plan.name,
                    )
                )
            if plan.stage_line_ids and not plan.origin_line_ids and plan.win_rate <= 0:
                raise ValidationError(
                    self.env._(
                        "The stage conversions of %(plan)s give a win rate of 0 %%: no number of "
                        "prospects reaches the target.",
                        plan=plan.name,
                    )
                )
            if not 0 < plan.win_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "The win rate of %(plan)s must be more than 0 %% and at most 100 %%.",
                        plan=plan.name,
                    )
                )
            if plan.sales_cycle_days < 0:
                raise ValidationError(self.env._("A sales cycle cannot be negative."))

    @api.constrains("season_ids", "date_from", "date_to")
    def _check_seasons(self):
        for plan in self:
            if not (plan.season_ids and plan.date_from and plan.date_to):
                continue
            if plan.date_to < plan.date_from:
                continue  # said by the dates' own check
            # the plan's own months carry its target (a month without a
            # weight weighs 1)
            weights = {int(season.month): season.weight for season in plan.season_ids}
            months = engine.plan_months(plan.date_from, plan.date_to)
            if sum(weights.get(month.month, 1.0) for month in months) <= 0:
                raise ValidationError(
                    self.env._(
                        "The seasonality weights of %(plan)s are all zero: at least one month must "
                        "carry part of the target.",
                        plan=plan.name,
                    )
                )

    @api.constrains("stage_line_ids", "season_ids")
    def _check_lines_once(self):
        """One conversion per stage and one weight per month: the
        conversions multiply and a month takes one weight (a file of a
        plan's lines imported back without their ids would add each
        twice)."""

        def repeated(values):
            return next((value for value in values if values.count(value) > 1), None)

        for plan in self:
            twice = repeated([line.stage_id for line in plan.stage_line_ids])
            if twice:
                raise ValidationError(
                    self.env._(
                        "%(plan)s has two conversions for the stage %(stage)s: a plan has one "
                        "per stage (to change one, edit its line).",
                        plan=plan.name,
                        stage=twice.name,
                    )
                )
            month = repeated(plan.season_ids.mapped("month"))
            if month:
                raise ValidationError(
                    self.env._(
                        "%(plan)s has two weights for %(month)s: a plan has one per month (to "
                        "change one, edit its line).",
                        plan=plan.name,
                        month=dict(
                            plan.season_ids._fields["month"]._description_selection(self.env)
                        )[month],
                    )
                )

    @api.constrains("origin_line_ids")
    def _check_origin_mix(self):
        for plan in self:
            if plan.origin_line_ids and round(sum(plan.origin_line_ids.mapped("share")), 2) != 100:
                raise ValidationError(
                    self.env._(
                        "The origin shares of %(plan)s must add up to 100 %%.", plan=plan.name
                    )
                )

    @api.constrains("company_id", "team_id", "user_id", "date_from", "date_to", "active")
    def _check_overlap(self):
        for plan in self.filtered("active"):
            clash = self.with_context(active_test=True).search(
                [
                    ("id", "!=", plan.id),
                    ("company_id", "=", plan.company_id.id),
                    ("team_id", "=", plan.team_id.id),
                    ("user_id", "=", plan.user_id.id),
                    ("date_from", "<=", plan.date_to),
                    ("date_to", ">=", plan.date_from),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(plan)s overlaps %(other)s (%(start)s to %(end)s) for the same team and "
                        "salesperson: change the dates or archive one of them.",
                        plan=plan.name,
                        other=clash.name,
                        start=format_date(self.env, clash.date_from),
                        end=format_date(self.env, clash.date_to),
                    )
                )

    @api.onchange("team_id")
    def _onchange_team_company(self):
        if self.team_id.company_id:
            self.company_id = self.team_id.company_id

    # ------------------------------------------------------------------
    # The figures, recomputed whenever an input changes
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["crm.team"]._sff_fill_company(vals)
            if vals.get("stage_line_ids") or vals.get("origin_line_ids"):
                # the lines give the win rate
                vals.pop("win_rate", None)
        plans = super(CrmTargetPlan, self.with_context(**{PLAN_SAVING: True})).create(vals_list)
        plans = plans.with_env(self.env)
        plans._sff_rebuild_periods()
        return plans

    def copy_data(self, default=None):
        # a plan duplicated is the next one: the same length, right after it
        # (on the same dates it would overlap its original)
        default = dict(default or {})
        vals_list = super().copy_data(default)
        for plan, vals in zip(self, vals_list):
            if "date_from" not in default and "date_to" not in default:
                months = len(engine.plan_months(plan.date_from, plan.date_to))
                vals["date_from"] = plan.date_from + relativedelta(months=months)
                vals["date_to"] = (
                    plan.date_to + timedelta(days=1) + relativedelta(months=months)
                ) - timedelta(days=1)
            if "name" not in default:
                vals["name"] = self.env._("%(name)s (copy)", name=plan.name)
        return vals_list

    def write(self, vals):
        if "win_rate" in vals:
            # the lines give the win rate (an exported plan imported back
            # with its Win Rate column): it is typed only on plans without
            lined = (
                self
                if {"stage_line_ids", "origin_line_ids"} & set(vals)
                else self.filtered(lambda plan: plan.stage_line_ids or plan.origin_line_ids)
            )
            if lined and lined != self:
                return (self - lined).write(vals) and lined.write(vals)
            if lined:
                vals = {key: value for key, value in vals.items() if key != "win_rate"}
        inputs = {plan.id: plan._sff_inputs() for plan in self} if PLAN_INPUTS & set(vals) else {}
        # a member's plan archived, restored or moved: the team's other
        # members' months are rounded together again (_sff_rebuild_periods),
        # and its own with them or alone (an archived member's, a plan's
        # that left its team plan)
        members_before = self.filtered("parent_id") if {"active", "parent_id"} & set(vals) else None
        result = super(CrmTargetPlan, self.with_context(**{PLAN_SAVING: True})).write(vals)
        teams = members_before.parent_id | self.parent_id if members_before is not None else None
        if teams:
            (teams._sff_members_plans() | members_before)._sff_rebuild_periods()
        children = self.with_context(active_test=False).child_ids if "active" in vals else None
        if children:
            # a team plan's members' plans are archived and restored with it
            children.write({"active": vals["active"]})
        members = self.with_context(active_test=False).child_ids if "team_id" in vals else None
        if members:
            # and follow it to another team
            members.write({"team_id": vals["team_id"]})
        # the plans whose inputs changed (a file of plans imported back
        # unchanged leaves them, and a split team plan's members' plans, as
        # they are)
        changed = self.filtered(
            lambda plan: plan.id in inputs and plan._sff_inputs() != inputs[plan.id]
        )
        if changed:
            changed._sff_inputs_changed()
        if {"team_id", "user_id"} & set(vals) and not self.env.context.get(PLAN_SPLITTING):
            # (a split works its members' figures out at its end, actuals
            # included: their lines of now are thrown away)
            (self - changed).period_ids._sff_refresh_actuals()
        return result

    @api.model
    def load(self, fields, data):
        """A file of plans: their figures are worked out once, after all its
        rows (a split team plan's members are worked out together, so that
        each row of a member worked its fellow members' out again: a file
        of ten members' plans worked out a hundred)."""
        if self.env.context.get(PLAN_LOADING):
            return super().load(fields, data)
        self.env.cr.cache.pop(PLAN_LOADED, None)
        result = super(CrmTargetPlan, self.with_context(**{PLAN_LOADING: True})).load(fields, data)
        loaded = self.env.cr.cache.pop(PLAN_LOADED, set())
        if result["ids"] and loaded:
            self.browse(sorted(loaded)).exists()._sff_rebuild_periods()
        return result

    def unlink(self):
        # the team's other members' months are rounded together again
        fellows = self.parent_id._sff_members_plans() - self
        result = super().unlink()
        fellows.exists()._sff_rebuild_periods()
        return result

    def _sff_inputs(self):
        """What the plan's figures are worked out from (PLAN_INPUTS), as
        values to compare."""
        self.ensure_one()
        return (
            self.date_from,
            self.date_to,
            self.revenue_target,
            self.average_deal_value,
            self.win_rate,
            self.sales_cycle_days,
            self.company_id.id,
            sorted((season.month, season.weight) for season in self.season_ids),
            sorted((line.stage_id.id, line.conversion) for line in self.stage_line_ids),
            sorted((line.origin_type, line.share, line.win_rate) for line in self.origin_line_ids),
        )

    def _sff_rebuild_if_alone(self):
        """A line of these plans was written on its own (not while the plan
        saves it, which rebuilds after): the figures follow."""
        if not self.env.context.get(PLAN_SAVING) and not self.env.context.get(PLAN_LINES_LOADING):
            plans = self.exists()
            # the plan's own rules, as a save of the plan checks them
            plans._check_origin_mix()
            plans._check_lines_once()
            plans._check_seasons()
            plans._check_inputs()
            plans._sff_inputs_changed()

    def _sff_inputs_changed(self):
        """The figures worked out again; a split team plan's members' plans
        split again with their shares as they were (the reports read
        those)."""
        self._sff_rebuild_periods()
        for plan in self.filtered("child_ids"):
            plan._sff_split({child.user_id: child.revenue_target for child in plan.child_ids})

    def _sff_rebuild_periods(self):
        if self.env.context.get(PLAN_SPLITTING):
            # the split works out its members' figures once, at its end
            return
        if self.env.context.get(PLAN_LOADING):
            # and a file its plans', after its rows (load)
            self.env.cr.cache.setdefault(PLAN_LOADED, set()).update(self.ids)
            return
        # a split team plan's members' months are rounded one on top of the
        # other, so that they add up to the team's month (the reports read
        # the members'): one member's figures worked out again move the
        # others' by a cent, so they are worked out again together
        plans = (self | self.parent_id._sff_members_plans()).exists()
        # sudo: the figures' lines are worked out from the plan the user
        # saved, and written by nobody else (no write access, even for
        # managers: a file or an RPC call could not set them)
        Period = self.env["crm.target.plan.period"].sudo()
        plans.sudo().period_ids.unlink()
        values = []
        earlier = defaultdict(list)
        for plan in plans.sorted("id"):
            rows = (
                earlier[plan.parent_id, plan.currency_id] if plan._sff_rounded_with_team() else None
            )
            values += plan._sff_period_values(rows)
        periods = Period.create(values).with_env(self.env)
        periods._sff_refresh_actuals()

    def _sff_members_plans(self):
        """The active plans of these team plans' members."""
        return self.with_context(active_test=False).child_ids.filtered("active")

    def _sff_rounded_with_team(self):
        self.ensure_one()
        return bool(self.parent_id and self.active)

    def _sff_period_values(self, earlier=None):
        """One line per month (the months before the plan where prospects
        must already enter included), per quarter, and one for the whole
        plan; counts rounded up once, from exact values. ``earlier``: the
        exact monthly figures of the team's members' plans rounded before
        this one (their list gets this plan's), for the members' months to
        add up to the team's."""
        self.ensure_one()
        months = engine.plan_months(self.date_from, self.date_to)
        figures = engine.plan_figures(
            months,
            self.revenue_target,
            self.average_deal_value,
            self.win_rate,
            self.sales_cycle_days,
            {int(season.month): season.weight for season in self.season_ids},
            {line.origin_type: line.share for line in self.origin_line_ids},
        )
        lines = [
            (
                "month",
                month,
                engine._shift_months(month, 1) - timedelta(days=1),
                [figure],
                figure["in_plan"],
            )
            for month, figure in figures.items()
        ]
        quarters = defaultdict(list)
        for month, figure in figures.items():
            if figure["in_plan"]:
                quarters[engine.quarter_start(month)].append(figure)
        for start, members in quarters.items():
            end = min(engine._shift_months(start, 3) - timedelta(days=1), self.date_to)
            lines.append(("quarter", max(start, self.date_from), end, members, True))
        # the whole plan: every need, those that fall before it included
        lines.append(("year", self.date_from, self.date_to, list(figures.values()), True))
        # monthly revenue targets and pipeline values rounded so that they
        # add up to the quarters' and the plan's, in whole yen as in cents,
        # and a team's members' months to the team's
        rounded_months = {}
        for key in ("revenue", "pipeline"):
            row = {month: figure[key] for month, figure in figures.items()}
            rows = [
                {month: figure[key] for month, figure in other.items()} for other in earlier or []
            ]
            for month, amount in engine.round_running(row, self.currency_id.round, rows).items():
                rounded_months[key, month] = amount
        if earlier is not None:
            earlier.append(figures)
        values = []
        for period_type, start, end, members, in_plan in lines:
            total = engine.sum_figures(members)
            target, pipeline = (
                sum(
                    rounded_months[key, month]
                    for month, figure in figures.items()
                    if any(figure is member for member in members)
                )
                for key in ("revenue", "pipeline")
            )
            values.append(
                {
                    "plan_id": self.id,
                    "period_type": period_type,
                    "date_from": start,
                    "date_to": end,
                    "in_plan": in_plan,
                    "revenue_target": self.currency_id.round(target),
                    "deals_needed": engine.count_up(total["deals"]),
                    "leads_needed": engine.count_up(total["leads"]),
                    "pipeline_value_needed": self.currency_id.round(pipeline),
                    "leads_seed": engine.count_up(total["leads_by_origin"].get("seed", 0.0)),
                    "leads_net": engine.count_up(total["leads_by_origin"].get("net", 0.0)),
                    "leads_spear": engine.count_up(total["leads_by_origin"].get("spear", 0.0)),
                }
            )
        return values

    def action_split_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.target.plan.split",
            "view_mode": "form",
            "target": "new",
            "context": {"default_plan_id": self.id},
        }

    def _sff_split(self, weights):
        """One plan per salesperson of ``weights`` ({user: weight}), each
        with its share of the revenue target; the last one takes what
        rounding leaves, so that the members' targets add up to the team's.
        A salesperson who has a plan of this plan keeps it, updated (its
        chatter, and the link of the mail that told them of it, stay; they
        are not told again); the plans of the others go. The members'
        months are worked out once, at the end, rounded together."""
        self.ensure_one()
        self.with_context(**{PLAN_SPLITTING: True})._sff_split_members(weights)
        members = self._sff_members_plans()
        members._sff_rebuild_periods()
        return members

    def _sff_split_members(self, weights):
        total = sum(weights.values())
        if total <= 0:
            raise ValidationError(
                self.env._("At least one salesperson must carry part of the target.")
            )
        users = [user for user, weight in weights.items() if weight > 0]
        kept = {child.user_id: child for child in self.child_ids if child.user_id in users}
        self.child_ids.filtered(lambda child: child.user_id not in kept).unlink()
        # (an archived member's plan is kept, as archived)
        self.with_context(active_test=False).child_ids.filtered(
            lambda child: not child.active
        ).write({"parent_id": False})
        remaining = self.revenue_target
        values = []
        for index, user in enumerate(users):
            share = (
                remaining
                if index == len(users) - 1
                else self.currency_id.round(self.revenue_target * weights[user] / total)
            )
            remaining -= share
            values.append(
                {
                    "name": f"{self.name} - {user.name}",
                    "parent_id": self.id,
                    "user_id": user.id,
                    "team_id": self.team_id.id,
                    "company_id": self.company_id.id,
                    "date_from": self.date_from,
                    "date_to": self.date_to,
                    "revenue_target": share,
                    "average_deal_value": self.average_deal_value,
                    "win_rate": self.win_rate,
                    "sales_cycle_days": self.sales_cycle_days,
                    "season_ids": [
                        fields.Command.create({"month": season.month, "weight": season.weight})
                        for season in self.season_ids
                    ],
                    "stage_line_ids": [
                        fields.Command.create(
                            {"stage_id": line.stage_id.id, "conversion": line.conversion}
                        )
                        for line in self.stage_line_ids
                    ],
                    "origin_line_ids": [
                        fields.Command.create(
                            {
                                "origin_type": line.origin_type,
                                "share": line.share,
                                "win_rate": line.win_rate,
                            }
                        )
                        for line in self.origin_line_ids
                    ],
                }
            )
        new = []
        for user, vals in zip(users, values):
            if user in kept:
                # the salesperson and team plan are the plan's already: written
                # again, Odoo would tell the salesperson again of their plan
                del vals["user_id"], vals["parent_id"]
                for lines in ("season_ids", "stage_line_ids", "origin_line_ids"):
                    vals[lines] = [fields.Command.clear(), *vals[lines]]
                kept[user].write(vals)
            else:
                new.append(vals)
        self.create(new)

    def action_refresh_actuals(self):
        # whoever may read the plan refreshes it: its figures are worked
        # out, never typed (sudo: salespeople read their plans' figures only)
        self.check_access("read")
        self.sudo().period_ids._sff_refresh_actuals()
        return True

    @api.model
    def _sff_refresh_all_actuals(self):
        """Every plan's actuals worked out again, ended ones too (the daily
        job leaves those that ended two months ago): after a change of
        what they count (the funnel totals' time zone, a company's quota
        basis)."""
        # sudo: the plans of every team and salesperson, their figures
        # worked out, never typed; every one is what the change asks for
        plans = self.sudo().with_context(active_test=False).search([])  # pylint: disable=no-search-all
        plans.period_ids._sff_refresh_actuals()

    @api.model
    def _cron_refresh_actuals(self):
        """The actuals of the plans not ended two months ago, in a
        transaction of its own: a plan saved by a manager meanwhile (its
        periods written again) undoes it, and the job runs again a minute
        later instead of failing for the day."""

        def refresh():
            today = fields.Date.context_today(self)
            periods = self.search([("date_to", ">=", today - timedelta(days=62))]).period_ids
            periods._sff_refresh_actuals()
            return len(periods), 0

        return run_batch(
            self.env,
            "sales_funnel_forecast.ir_cron_refresh_target_plan_actuals",
            refresh,
            lambda: 1,
        )

    # ------------------------------------------------------------------
    # Defaults from history
    # ------------------------------------------------------------------
    def action_fill_from_history(self):
        """Average deal value, win rate, stage conversions, cycle and
        seasonality from the deals of the plan's team (and salesperson)
        closed in the last 12 months."""
        self.ensure_one()
        # the days and months of the funnel totals' time zone, as the plan's
        # actuals count what was won
        since = day_start(self.env, local_today(self.env) - timedelta(days=365))
        domain = [
            ("type", "=", "opportunity"),
            ("company_id", "in", [self.company_id.id, False]),
            ("date_closed", ">=", since),
            # won or lost: an open deal may carry a closing date (an import,
            # an older database) without being closed
            "|",
            ("active", "=", False),
            ("stage_id.is_won", "=", True),
        ]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        if self.user_id:
            domain.append(("user_id", "=", self.user_id.id))
        # sudo: the figures are counts and sums over the team's deals, which
        # a manager filling the plan may not all read one by one
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        closed = Lead.search(domain)
        won = closed.filtered(lambda lead: lead.active and lead.stage_id.is_won)
        lost = closed - won
        if len(closed) < PLAN_MIN_HISTORY or not won:
            self.history_note = (
                self.env._(
                    "No deal closed in the last 12 months: nothing to learn from, the typed "
                    "values stay."
                )
                if not closed
                else self.env._(
                    "Only %(count)s deals closed in the last 12 months (%(won)s won): too few "
                    "to trust, the typed values stay.",
                    count=count_text(self.env, len(closed)),
                    won=count_text(self.env, len(won)),
                )
                if len(closed) != 1
                else self.env._(
                    "Only one deal closed in the last 12 months (%(won)s won): too few to "
                    "trust, the typed values stay.",
                    won=len(won),
                )
            )
            return self._sff_notify(self.history_note, "warning")
        # refunds won at a negative amount lower the average; a plan needs
        # one above 0 (else the typed one stays)
        average_value = sum(won.mapped("expected_revenue")) / len(won)
        values = {
            "average_deal_value": average_value if average_value > 0 else self.average_deal_value
        }
        # the cycle of a deal created after it closed (imported since) is
        # not known: the deals created first give it
        cycles = [
            (lead.date_closed - lead.create_date).total_seconds() / 86400
            for lead in won
            if lead.date_closed >= lead.create_date
        ]
        if cycles:
            values["sales_cycle_days"] = round(sum(cycles) / len(cycles))
        tz = pytz.timezone(self.env["crm.funnel.summary"]._sff_tz())
        by_month = defaultdict(float)
        for lead in won:
            month = pytz.utc.localize(lead.date_closed).astimezone(tz).month
            by_month[month] += lead.expected_revenue or 1.0
        # a month of refunds weighs nothing, not less
        by_month = {month: max(amount, 0.0) for month, amount in by_month.items()}
        average = sum(by_month.values()) / 12
        if average:
            values["season_ids"] = [fields.Command.clear()] + [
                fields.Command.create(
                    {"month": str(month), "weight": round(by_month.get(month, 0.0) / average, 2)}
                )
                for month in range(1, 13)
            ]
        stages = self._sff_history_conversions(closed)
        values["stage_line_ids"] = [fields.Command.clear()] + [
            fields.Command.create({"stage_id": stage.id, "conversion": conversion})
            for stage, conversion in stages
        ]
        if not stages:
            values["win_rate"] = 100.0 * len(won) / len(closed)
        values["history_note"] = self.env._(
            "Filled from %(count)s deals closed in the last 12 months (%(won)s won, %(lost)s lost).",
            count=count_text(self.env, len(closed)),
            won=count_text(self.env, len(won)),
            lost=count_text(self.env, len(lost)),
        )
        self.write(values)
        return self._sff_notify(self.history_note, "success")

    def _sff_history_conversions(self, closed):
        """Per stage of the team's pipeline (won stage excluded), the share of
        the closed deals that reached it and reached a later one (the funnel's
        cumulative reach)."""
        Reach = self.env["crm.lead.stage.reach"].sudo()
        rows = Reach._read_group(
            [("lead_id", "in", closed.ids)], ["stage_id"], ["__count", "moved_on:array_agg"]
        )
        result = []
        order = {
            stage: index
            for index, stage in enumerate(
                self.env["crm.stage"].union(*(row[0] for row in rows))._sff_sorted()
            )
        }
        for stage, count, moved in sorted(rows, key=lambda row: order[row[0]]):
            if stage.is_won or not count:
                continue
            result.append((stage, round(100.0 * sum(1 for flag in moved if flag) / count, 2)))
        return result

    def _sff_notify(self, message, kind):
        return notification(message, kind, then={"type": "ir.actions.client", "tag": "soft_reload"})
