# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date

from ..tools.days import day_start, local_today

PERIOD_TYPES = [("month", "Month"), ("quarter", "Quarter")]


def period_bounds(day, period_type):
    """The first day of the month or quarter of ``day``, and the first day
    of the next one (a ``ValueError`` past the calendar's last year)."""
    if period_type == "quarter":
        start = day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
        return start, start + relativedelta(months=3)
    start = day.replace(day=1)
    return start, start + relativedelta(months=1)


def same_value(record, field, value):
    """Whether writing ``value`` in ``field`` of ``record`` leaves it as it
    is (a file's cell as Odoo's import converts it)."""
    try:
        new = field.convert_to_record(field.convert_to_cache(value, record), record)
    except (ValueError, TypeError):
        return False
    old = record[field.name]
    return new == old or (field.type in ("char", "text") and not new and not old)


def same_line(lines, command):
    """Whether the x2many ``command`` leaves ``lines`` as they are: a link
    of one of them, or an update of one of them with its own values."""
    if not isinstance(command, (list, tuple)) or not command:
        return False
    if command[0] == Command.LINK:
        return command[1] in lines.ids
    if command[0] == Command.UPDATE and command[1] in lines.ids:
        line = lines.browse(command[1])
        return all(
            name in line._fields and same_value(line, line._fields[name], value)
            for name, value in (command[2] or {}).items()
        )
    return False


class CrmForecastSubmission(models.Model):
    """A forecast submitted by a salesperson (or a team's own line, by its
    manager) for a month or a quarter: a Commit and a Best Case amount,
    prefilled from the deals' forecast categories. Submitting again makes a
    new submission: every one is kept. Managers adjust a submission with
    ``crm.forecast.adjustment`` rows beside it, never over it."""

    _name = "crm.forecast.submission"
    _description = "Forecast Submission"
    _order = "date_from desc, submitted_on desc, id desc"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        # a salesperson's forecasts stay theirs: archive the user instead
        ondelete="restrict",
        default=lambda self: self.env.user,
        help="Empty for a team's own forecast, submitted by its manager.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        index=True,
        check_company=True,
        default=lambda self: self.env["crm.team"]._sff_own_team(),
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="month")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: local_today(self.env).replace(day=1),
    )
    date_to = fields.Date(
        string="To",
        compute="_compute_date_to",
        store=True,
        help="The first day after the period.",
    )
    # every submission is kept: a group's sum would add a salesperson's
    # resubmissions up (the Forecast screen reads the latest)
    commit_amount = fields.Monetary(
        string="Commit",
        aggregator=False,
        help="What the salesperson commits to win in the period. Prefilled with the deals "
        "in Commit expected to close in it and those won in it.",
    )
    best_case_amount = fields.Monetary(
        string="Best Case",
        aggregator=False,
        help="What could be won in the period at best. Prefilled with the deals in Best "
        "Case and Commit expected to close in it and those won in it.",
    )
    note = fields.Text()
    submitted_on = fields.Datetime(readonly=True, index=True)
    adjustment_ids = fields.One2many(
        "crm.forecast.adjustment", "submission_id", string="Adjustments"
    )
    can_adjust = fields.Boolean(compute="_compute_can_adjust")
    can_file_for_others = fields.Boolean(compute="_compute_can_adjust")
    adjusted_commit_amount = fields.Monetary(
        string="Adjusted Commit",
        compute="_compute_adjusted",
        help="The latest manager's adjustment, or the submitted figure.",
    )
    adjusted_best_case_amount = fields.Monetary(
        string="Adjusted Best Case",
        compute="_compute_adjusted",
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK (commit_amount >= 0 AND best_case_amount >= 0)",
            "Forecast amounts cannot be negative.",
        ),
    ]

    @api.depends("date_from", "period_type")
    def _compute_date_to(self):
        for submission in self:
            submission.date_to = (
                submission.date_from
                and period_bounds(submission.date_from, submission.period_type)[1]
            )

    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_can_adjust(self):
        """Managers file forecasts for their salespeople and adjust them, but
        not their own (``crm.forecast.adjustment.create`` refuses it)."""
        manager = self.env.user.has_group("sales_team.group_sale_manager")
        for submission in self:
            submission.can_file_for_others = manager
            submission.can_adjust = manager and submission.user_id != self.env.user

    @api.depends(
        "commit_amount",
        "best_case_amount",
        "adjustment_ids.commit_amount",
        "adjustment_ids.best_case_amount",
        "adjustment_ids.date",
    )
    def _compute_adjusted(self):
        for submission in self:
            last = submission.adjustment_ids.sorted(lambda a: (a.date, a._origin.id or 0))[-1:]
            submission.adjusted_commit_amount = (
                last.commit_amount if last else submission.commit_amount
            )
            submission.adjusted_best_case_amount = (
                last.best_case_amount if last else submission.best_case_amount
            )

    @api.depends("user_id", "team_id", "date_from", "period_type")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # a quarter's forecast and its first month's start on the same day
        quarter = dict(self._fields["period_type"]._description_selection(self.env))["quarter"]
        for submission in self:
            who = submission.user_id.name or submission.team_id.name or ""
            name = f"{who} – {submission.date_from or ''}"
            if submission.period_type == "quarter":
                name += f" ({quarter})"
            submission.display_name = name

    @api.model
    def _search_display_name(self, operator, value):
        """A submission by its name as lists show it, "<salesperson or team>
        – <first day>", followed by " (Quarter)" for a quarter's (an import's
        column, the adjustment form's field), or by the salesperson's or
        team's name alone."""
        if operator not in ("=", "ilike", "=ilike", "like", "=like") or not isinstance(value, str):
            return super()._search_display_name(operator, value)
        who, dash, day = value.partition(" – ")
        who = who.strip()
        name_operator = "=" if operator == "=" else "ilike"
        domain = [
            "|",
            ("user_id.name", name_operator, who),
            "&",
            ("user_id", "=", False),
            ("team_id.name", name_operator, who),
        ]
        if dash and day.strip():
            day, _paren, kind = day.strip().partition(" (")
            labels = {
                label.lower(): key
                for key, label in self._fields["period_type"]._description_selection(self.env)
            }
            period_type = labels.get(kind.removesuffix(")").strip().lower()) if kind else "month"
            try:
                first = fields.Date.to_date(day.strip())
            except ValueError:
                return [("id", "=", False)]
            if not period_type:
                return [("id", "=", False)]
            domain = [
                "&",
                ("period_type", "=", period_type),
                "&",
                ("date_from", "=", first),
                *domain,
            ]
        return domain

    @api.constrains("commit_amount", "best_case_amount")
    def _check_amounts(self):
        for submission in self:
            if submission.best_case_amount < submission.commit_amount:
                raise ValidationError(
                    self.env._(
                        "The Best Case (%(best)s) cannot be below the Commit (%(commit)s): it "
                        "includes the committed deals.",
                        best=format_amount(
                            self.env, submission.best_case_amount, submission.currency_id
                        ),
                        commit=format_amount(
                            self.env, submission.commit_amount, submission.currency_id
                        ),
                    )
                )

    # ------------------------------------------------------------------
    # Submitting
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        is_manager = self.env.user.has_group("sales_team.group_sale_manager")
        for vals in vals_list:
            vals.setdefault("user_id", self.env.uid)
            self.env["crm.team"]._sff_fill_company(vals)
            if not self.env.su and not is_manager and vals.get("user_id") != self.env.uid:
                raise AccessError(
                    self.env._(
                        "You can submit your own forecast only; a team's or another salesperson's "
                        "is submitted by a sales manager."
                    )
                )
            # the first day of the period, the default one included
            missing = [name for name in ("period_type", "date_from") if not vals.get(name)]
            vals.update(self.default_get(missing) if missing else {})
            # a period sent over RPC is said wrong in words, as the Forecast
            # screen's parameters are, rather than as a server error
            if vals["period_type"] not in dict(PERIOD_TYPES):
                raise UserError(
                    self.env._("Unknown period: %(period)s.", period=vals["period_type"])
                )
            vals["date_from"] = self._sff_period_bounds(
                self.env["crm.funnel.dashboard"]._sff_date_param(vals["date_from"]),
                vals["period_type"],
            )[0]
            vals["submitted_on"] = fields.Datetime.now()
            # said in the user's language before the database's check, whose
            # message an import shows as it is
            if (vals.get("commit_amount") or 0) < 0 or (vals.get("best_case_amount") or 0) < 0:
                raise ValidationError(self.env._("Forecast amounts cannot be negative."))
        submissions = super().create(vals_list)
        if not self.env.su:
            submissions._sff_check_salesperson()
        return submissions

    def _sff_check_salesperson(self):
        """A salesperson's forecast is for a team whose Forecast screen
        shows their line: a member or the leader working in the
        submission's company, or the salesperson of one of the team's deals
        the period counts (a rep moved to another team, whose deals
        stayed)."""
        for submission in self.filtered("user_id"):
            user, team, company = submission.user_id, submission.team_id, submission.company_id
            if user in team.member_ids | team.user_id and company in user.company_ids:
                continue
            open_domain, won_domain = submission.with_company(company)._sff_period_deals(
                team, submission.date_from, submission.date_to
            )
            if self.env["crm.lead"].search_count(
                expression.AND(
                    [expression.OR([open_domain, won_domain]), [("user_id", "=", user.id)]]
                ),
                limit=1,
            ):
                continue
            raise ValidationError(
                self.env._(
                    "%(user)s is neither a member of the sales team %(team)s nor the salesperson "
                    "of one of its deals of the period: the forecast would show on no line of "
                    "its Forecast screen.",
                    user=user.name,
                    team=team.name,
                )
            )

    @api.onchange("team_id")
    def _onchange_team_company(self):
        if self.team_id.company_id:
            self.company_id = self.team_id.company_id

    @api.onchange("user_id", "team_id", "period_type", "date_from", "company_id")
    def _onchange_prefill(self):
        if self.team_id and self.date_from and self.period_type:
            # a team shared by companies: the deals of the form's company,
            # whose Forecast screen shows the submission
            submissions = self.with_company(self.company_id) if self.company_id else self
            figures = submissions._sff_prefill(
                self.user_id.id, self.team_id.id, self.period_type, self.date_from
            )
            self.commit_amount = figures["commit_amount"]
            self.best_case_amount = figures["best_case_amount"]

    def write(self, vals):
        # managers add their adjustments through the submission's form; the
        # submission and the adjustments before stay as they were
        if not self.env.su:
            # a file of forecasts exported and imported back: its values
            # equal to the forecasts' (and its adjustments' as they are)
            # change nothing
            vals = self._sff_changed_values(vals)
        if not self.env.su and (
            set(vals) - {"adjustment_ids"}
            or any(command[0] != Command.CREATE for command in vals.get("adjustment_ids") or [])
        ):
            raise UserError(
                self.env._(
                    "A submitted forecast is kept as it was submitted, and so is every "
                    "adjustment: submit a new forecast, or, as a manager, add an adjustment."
                )
            )
        return super().write(vals)

    def _sff_changed_values(self, vals):
        """``vals`` without the values every one of these records already
        has, nor the commands of their adjustments that change nothing (an
        import links and updates each line it names)."""
        changed = {}
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                changed[name] = value
            elif field.type == "one2many":
                commands = [
                    command
                    for command in value or []
                    if not all(same_line(record[name], command) for record in self)
                ]
                if commands:
                    changed[name] = commands
            elif not all(same_value(record, field, value) for record in self):
                changed[name] = value
        return changed

    @api.model
    def _sff_period_bounds(self, day, period_type):
        """``period_bounds``, with a message for a period the calendar
        cannot hold (the last quarter of the year 9999)."""
        try:
            return period_bounds(day, period_type)
        except (ValueError, OverflowError) as error:
            raise UserError(
                self.env._(
                    "The period of %(day)s ends beyond the last date a calendar can hold.",
                    day=format_date(self.env, day),
                )
            ) from error

    @api.model
    def _sff_team_company(self, team):
        """The company whose deals, forecasts and quota a team's Forecast
        screen counts, in its currency: the team's, or for a team shared
        by companies the current one."""
        return team._sff_company()

    @api.model
    def _sff_period_deals(self, team, start, end):
        """The domains of a team's deals that a period's forecast counts:
        open deals expected to close in [start, end), and deals won in it,
        the days in the funnel totals' time zone. A team shared by companies
        counts the current company's deals, in its currency (as its quota
        does)."""
        company = self._sff_team_company(team)
        base = [
            ("type", "=", "opportunity"),
            ("team_id", "=", team.id),
            ("company_id", "in", [company.id, False]),
            ("active", "=", True),
        ]
        # the days of the funnel totals' time zone (the CRM settings), as the
        # forecast accuracy counts what was won: one team's figures for
        # everyone, wherever each reader is
        won_from, won_to = (day_start(self.env, day) for day in (start, end))
        return (
            base
            + [
                ("stage_id.is_won", "=", False),
                ("date_deadline", ">=", start),
                ("date_deadline", "<", end),
            ],
            base
            + [
                ("stage_id.is_won", "=", True),
                ("date_closed", ">=", won_from),
                ("date_closed", "<", won_to),
            ],
        )

    @api.model
    def _sff_prefill(self, user_id, team_id, period_type, date_from):
        """The Commit and Best Case the deals give for a salesperson (or
        the whole team, without ``user_id``) and a period: Commit = deals in
        Commit expected to close in it + deals won in it; Best Case = Best
        Case + Commit + won. Record rules apply."""
        start, end = self._sff_period_bounds(fields.Date.to_date(date_from), period_type)
        open_domain, won_domain = self._sff_period_deals(
            self.env["crm.team"].browse(team_id), start, end
        )
        mine = [("user_id", "=", user_id)] if user_id else []
        Lead = self.env["crm.lead"]
        open_by_category = dict(
            Lead._read_group(open_domain + mine, ["forecast_category"], ["expected_revenue:sum"])
        )
        [(won,)] = Lead._read_group(won_domain + mine, [], ["expected_revenue:sum"])
        won = won or 0.0  # no deal won: the sum of nothing
        commit = open_by_category.get("commit", 0.0)
        best_case = open_by_category.get("best_case", 0.0)
        # refunds won at a negative amount lower them, never below 0: a
        # forecast is not negative (the form would refuse what it proposes)
        return {
            "commit_amount": max(commit + won, 0.0),
            "best_case_amount": max(best_case + commit + won, 0.0),
            "won_amount": won,
        }

    @api.model
    def _sff_last_submissions(self, team_id, date_from, period_type, moment=None, company_id=None):
        """The latest submission of each salesperson of a team (and of the
        team's own line, under ``False``) for a period, made at or before
        ``moment`` (default: now), in ``company_id`` if given (a team
        shared by companies)."""
        self.flush_model()
        self.env["crm.forecast.adjustment"].flush_model()
        query = self._search(
            [
                ("team_id", "=", team_id),
                ("date_from", "=", date_from),
                ("period_type", "=", period_type),
                ("submitted_on", "<=", moment or fields.Datetime.now()),
            ]
            + ([("company_id", "=", company_id)] if company_id else [])
        )
        query.order = None
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (COALESCE(s.user_id, 0)) s.id
                 FROM crm_forecast_submission s
                WHERE s.id IN (%s)
             ORDER BY COALESCE(s.user_id, 0), s.submitted_on DESC, s.id DESC""",
                query.subselect(),
            )
        )
        latest = self.browse(row[0] for row in self.env.cr.fetchall())
        return {submission.user_id.id: submission for submission in latest}
