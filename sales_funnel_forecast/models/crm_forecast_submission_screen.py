# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import FLOW_SIGNS, FLOW_STEPS, REPORT_STEP_KEYS
from ..tools.days import day_start, local_today
from ..tools.formats import count_text, period_label
from ..tools.params import days_param
from .crm_forecast_submission import PERIOD_TYPES, period_bounds

# a salesperson who has not submitted a forecast for the period in this
# many days is marked on the Forecast screen (setting)
STALE_DAYS_PARAM = "sales_funnel_forecast.submission_stale_days"
DEFAULT_STALE_DAYS = 7
MAX_STALE_DAYS = 3650


class CrmForecastSubmission(models.Model):
    _inherit = "crm.forecast.submission"

    @api.model
    @api.readonly
    def get_forecast_screen(self, params):
        """The Forecast screen of a team and period: per salesperson, the
        quota, what was won, the Commit and Best Case forecasts (open deals
        of those categories expected in the period, plus what was won), the
        open pipeline expected in it, the last submission and adjustment,
        the gap to quota (quota - won) and the coverage (pipeline / gap).
        A salesperson limited to own documents gets own line only; a user
        who reads no team gets ``empty_note`` (what to do) and no lines."""
        params = self._sff_screen_params(params)
        period_type = params["period_type"]
        # the day of the funnel totals' time zone: one period for every reader
        today = local_today(self.env)
        team, start, end, company = self._sff_screen_scope(params)
        stale_days = self._sff_stale_days()
        # a period over (its last day before today): nobody is expected to
        # submit a forecast for it any more, nobody is marked
        ended = end <= today
        screen = {
            "team_id": team.id,
            "period_type": period_type,
            "date_from": start.isoformat(),
            "date_to": (end - timedelta(days=1)).isoformat(),
            "periods": self._sff_screen_periods(period_type, today),
            "period_labels": {
                day: period_label(self.env, day, period_type)
                for day in self._sff_screen_periods(period_type, today)
            },
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "stale_days": stale_days,
            "stale_note": self._sff_stale_note(stale_days, ended),
            "empty_note": False,
        }
        if not team:
            # no team the user may read in the selected companies (none yet,
            # or all archived): nobody to forecast for, said in words
            return dict(
                screen, flow=[], lines=[], team_line=None, empty_note=self._sff_no_team_note()
            )
        manager = self.env.user.has_group("sales_team.group_sale_salesman_all_leads")
        Lead = self.env["crm.lead"]
        open_domain, won_domain = self._sff_period_deals(team, start, end)
        open_rows = Lead._read_group(
            open_domain, ["user_id", "forecast_category"], ["expected_revenue:sum"]
        )
        won_rows = Lead._read_group(won_domain, ["user_id"], ["expected_revenue:sum"])
        # the members who work in the screen's company (a team of no
        # company may have members of others: they submit there, not here)
        # and had joined the team by the period's end (a newcomer has no
        # forecast to give for a period before)
        joined_by = day_start(self.env, end)
        joined = team.crm_team_member_ids.filtered(lambda member: member.create_date < joined_by)
        members = (joined.user_id | team.user_id).filtered(lambda user: company in user.company_ids)
        deal_users = self.env["res.users"].browse(
            user.id for user, _category, _amount in open_rows if user
        ) | self.env["res.users"].browse(user.id for user, _amount in won_rows if user)
        users = (members if manager else self.env.user) | deal_users
        # who submits for the team's period (_sff_check_salesperson): not a
        # salesperson of no team yet, whose own line shows all the same
        submitting = members | deal_users
        submissions = self._sff_last_submissions(team.id, start, period_type, company_id=company.id)
        if manager:
            # a salesperson who left the team during the period (moved to
            # another, archived) keeps the line of their quota and forecast
            # here, their deals handed over or not
            quotas = self._sff_quotas(team, None, period_type, start)
            users |= self.env["res.users"].browse(
                user_id for user_id in set(quotas) | set(submissions) if user_id
            )
        else:
            users = self.env.user
            quotas = self._sff_quotas(team, users, period_type, start)
        figures = {
            user.id: {"won": 0.0, "commit": 0.0, "best_case": 0.0, "pipeline": 0.0}
            for user in users
        }
        # the team's line counts every deal of the team, unassigned ones too
        total = {"won": 0.0, "commit": 0.0, "best_case": 0.0, "pipeline": 0.0}
        for user, category, amount in open_rows:
            if category == "omitted":
                continue
            for line in (figures.get(user.id), total):
                if line is None:
                    continue
                line["pipeline"] += amount
                if category == "commit":
                    line["commit"] += amount
                if category in ("commit", "best_case"):
                    line["best_case"] += amount
        for user, amount in won_rows:
            total["won"] += amount
            if user.id in figures:
                figures[user.id]["won"] += amount
        # 0 days: the reminder is off, nobody is marked; nor for a period over
        stale_before = (
            stale_days and not ended and fields.Datetime.now() - timedelta(days=stale_days)
        )
        lines = []
        for user in users.sorted("name"):
            values = figures[user.id]
            line = self._sff_screen_line(
                user.id,
                user.name,
                quotas.get(user.id),
                values,
                submissions.get(user.id),
                stale_before,
                company.currency_id,
            )
            # an archived salesperson's deals still count (the team's line
            # adds them up), but there is nobody left to chase for a forecast;
            # nor is one who left the team with none of its deals of the period
            line["late"] = line["late"] and user.active and user in submitting
            lines.append(line)
        team_line = None
        if manager:
            team_quota = quotas.get(False)
            team_line = self._sff_screen_line(
                False,
                team.name,
                team_quota,
                total,
                submissions.get(False),
                stale_before,
                company.currency_id,
            )
        # the deals the Deal Flow report lists for the team, period and
        # company (each bar opens them: action_forecast_flow_step)
        flow_wizard = self.env["crm.deal.flow.wizard"].new(
            self._sff_screen_flow(team, start, end, company)
        )
        flow = Lead.sff_deal_flow(start, end, **flow_wizard._flow_scope())
        return dict(
            screen,
            flow=[
                {
                    "step": step,
                    "label": label,
                    "count": flow[step][0],
                    "amount": flow[step][1],
                    "sign": FLOW_SIGNS[step],
                }
                for step, label in self.env["crm.deal.flow.wizard.step"]
                ._fields["step"]
                ._description_selection(self.env)
            ],
            lines=lines,
            team_line=team_line,
        )

    @api.model
    def _sff_no_team_note(self):
        """What the Forecast screen and its exports say when the user reads
        no sales team in the selected companies."""
        return self.env._(
            "There is no sales team to forecast in the selected companies: create one, or "
            "select the company of yours."
        )

    @api.model
    def _sff_screen_params(self, params):
        """The Forecast screen's parameters (team_id, period_type,
        date_from) from what a client sent, each checked as the funnel's
        are: the team by id among those the user may see, a known period, a
        date. Anything else is a ``UserError`` in the user's language;
        other keys are left out."""
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise UserError(
                self.env._(
                    "The Forecast screen's parameters are given by name (team_id, "
                    "period_type, date_from), not as %(value)s.",
                    value=type(params).__name__,
                )
            )
        Dashboard = self.env["crm.funnel.dashboard"]
        period_type = params.get("period_type") or "month"
        if not isinstance(period_type, str) or period_type not in dict(PERIOD_TYPES):
            raise UserError(self.env._("Unknown period: %(period)s.", period=period_type))
        return {
            "team_id": Dashboard._sff_record_param(
                "crm.team", params.get("team_id"), self.env._("sales team")
            ),
            "period_type": period_type,
            "date_from": Dashboard._sff_date_param(params.get("date_from")),
        }

    @api.model
    def _sff_stale_days(self):
        """The setting's days without a submission after which a salesperson
        is marked."""
        return days_param(self.env, STALE_DAYS_PARAM, DEFAULT_STALE_DAYS, MAX_STALE_DAYS)

    @api.model
    def _sff_stale_note(self, stale_days, ended=False):
        """Whom the screen marks, in words: nobody for a period ``ended``,
        and 0 days is no reminder."""
        if ended:
            return self.env._("Nobody marked: the period has ended.")
        if not stale_days:
            return self.env._("Nobody marked: the forecast submission reminder is off.")
        if stale_days == 1:
            return self.env._("Marked: no forecast submitted in the last day.")
        return self.env._(
            "Marked: no forecast submitted in the last %(days)s days.",
            days=count_text(self.env, stale_days),
        )

    @api.model
    def _sff_screen_scope(self, params):
        """The team, the period's first day and the day after its last, and
        the company whose deals the Forecast screen of checked ``params``
        counts."""
        # the day of the funnel totals' time zone: one period for every reader
        today = local_today(self.env)
        start, end = self._sff_period_bounds(params["date_from"] or today, params["period_type"])
        Team = self.env["crm.team"]
        team = Team.browse(params["team_id"]) if params["team_id"] else Team._sff_own_team()
        if not team:
            team = self.env["crm.team"].search([], limit=1)
        return team, start, end, self._sff_team_company(team)

    @api.model
    def _sff_screen_flow(self, team, start, end, company):
        """The Deal Flow of the screen's team, period and company
        (``_sff_screen_scope``), in the company's currency: the deals the
        user reads, a salesperson's own and unassigned ones as everywhere."""
        return {
            "date_from": start,
            "date_to": end,
            "team_id": team.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
        }

    @api.model
    def action_forecast_flow_step(self, params, step):
        """The deals of one bar of the Forecast screen's waterfall, with
        their values at both dates: the Deal Flow report of the screen's
        team, period and company, on that step."""
        if not isinstance(step, str) or step not in dict(FLOW_STEPS):
            raise UserError(self.env._("Unknown step of the deal flow: %(step)s.", step=step))
        params = self._sff_screen_params(params)
        team, start, end, company = self._sff_screen_scope(params)
        wizard = self.env["crm.deal.flow.wizard"].create(
            self._sff_screen_flow(team, start, end, company)
        )
        action = wizard.action_open_report()
        action["domain"] = action["domain"] + [("step", "=", REPORT_STEP_KEYS[step])]
        # the bar's step and team in the title: the step is no filter the
        # list shows
        step_label = dict(
            self.env["crm.deal.flow.wizard.step"]._fields["step"]._description_selection(self.env)
        )[step]
        action["name"] = action["display_name"] = self.env._(
            "%(step)s, %(team)s: %(flow)s", step=step_label, team=team.name, flow=action["name"]
        )
        return action

    @api.readonly
    @api.model
    def action_forecast_submissions(self, params, user_id):
        """The submissions behind a line of the Forecast screen (a
        salesperson's, or the team's for ``False``), the newest first: those
        of the screen's team, period and company, whose latest it shows."""
        params = self._sff_screen_params(params)
        user_id = self.env["crm.funnel.dashboard"]._sff_record_param(
            "res.users", user_id, self.env._("salesperson")
        )
        team, start, _end, company = self._sff_screen_scope(params)
        return {
            "type": "ir.actions.act_window",
            # whose line, of which period
            "name": self.env._(
                "Forecast Submissions: %(who)s, %(period)s",
                who=self.env["res.users"].browse(user_id).name if user_id else team.name,
                period=period_label(self.env, start, params["period_type"]),
            ),
            "res_model": "crm.forecast.submission",
            # a phone opens the cards, as Forecast Submissions does (an
            # action's record says kanban for small screens, a dict must)
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "mobile_view_mode": "kanban",
            "domain": [
                ("team_id", "=", team.id),
                ("date_from", "=", start.isoformat()),
                ("period_type", "=", params["period_type"]),
                ("user_id", "=", user_id),
                ("company_id", "=", company.id),
            ],
        }

    def _sff_screen_line(self, user_id, name, quota, values, submission, stale_before, currency):
        # sums of floats rounded to the currency: a quota met exactly is no
        # gap of 0.0000000000004 (a coverage of billions), nor of -0.00
        won = currency.round(values["won"])
        commit = currency.round(values["commit"] + won)
        best_case = currency.round(values["best_case"] + won)
        pipeline = currency.round(values["pipeline"])
        gap = currency.round(quota - won) if quota is not None else None
        adjustment = (
            submission.adjustment_ids.sorted(lambda a: (a.date, a._origin.id or 0))[-1:]
            if submission
            else None
        )
        return {
            "user_id": user_id,
            "name": name,
            "quota": quota,
            "won": won,
            "commit": commit,
            "best_case": best_case,
            "pipeline": pipeline,
            "gap": gap,
            "coverage": (
                pipeline / gap if gap is not None and currency.compare_amounts(gap, 0) > 0 else None
            ),
            # nothing left to cover: said in words, not an empty cell
            "quota_met": gap is not None and currency.compare_amounts(gap, 0) <= 0,
            # None where there is none (an empty record set would reach
            # the web client as its name, a text)
            "submission": {
                "id": submission.id,
                "commit": submission.commit_amount,
                "best_case": submission.best_case_amount,
                "date": fields.Datetime.to_string(submission.submitted_on),
            }
            if submission
            else None,
            "adjustment": {
                "commit": adjustment.commit_amount,
                "best_case": adjustment.best_case_amount,
                "reason": adjustment.reason,
                "user": adjustment.user_id.name,
            }
            if adjustment
            else None,
            "late": bool(user_id and stale_before)
            and (not submission or submission.submitted_on < stale_before),
        }

    def _sff_quotas(self, team, users, period_type, start):
        """Each salesperson's target for the period from the target plans
        (``False``: the team's own), else the team's monthly invoicing
        target for the team (times three for a quarter). ``users``: those
        salespeople only (``None``: every salesperson with a target)."""
        # sudo: the targets are read for the figures the user already sees
        # (their own line, or a manager's team)
        end = period_bounds(start, period_type)[1]
        periods = (
            self.env["crm.target.plan.period"]
            .sudo()
            .search(
                [
                    # a plan's first quarter may start after the quarter does
                    ("period_type", "=", period_type),
                    ("date_from", ">=", start),
                    ("date_from", "<", end),
                    ("in_plan", "=", True),
                    ("team_id", "=", team.id),
                    *([("user_id", "in", users.ids + [False])] if users is not None else []),
                    ("plan_id.company_id", "=", self._sff_team_company(team).id),
                    ("plan_id.active", "=", True),
                ]
            )
        )
        quotas = {}
        for period in periods:
            key = period.user_id.id or False
            quotas[key] = quotas.get(key, 0.0) + period.revenue_target
        if False not in quotas and team.invoiced_target:
            quotas[False] = team.invoiced_target * (3 if period_type == "quarter" else 1)
        return quotas

    def _sff_screen_periods(self, period_type, today):
        months = 3 if period_type == "quarter" else 1
        current = period_bounds(today, period_type)[0]
        return [
            (current + relativedelta(months=months * offset)).isoformat()
            for offset in (-2, -1, 0, 1, 2)
        ]
