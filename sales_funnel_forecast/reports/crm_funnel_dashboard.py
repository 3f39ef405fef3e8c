# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel of a team and period as the dashboard, the PDF and the
spreadsheet show it: their parameters checked, their labels, the PDF's
drawing and the spreadsheet's bytes. Every path reads only (they run on a
read-only cursor, on a replica when there is one)."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .. import engine
from ..tools.days import day_start, local_today
from ..tools.downloads import download_action, file_name_part, in_download_companies
from ..tools.formats import count_text, excel_money_format, minute_text, right_to_left
from .common import currency_companies, currency_company_domain
from .funnel_xlsx import build_workbook

# the funnel's parameters, as the dashboard, the export wizard and the
# controller pass them, and their defaults
PARAM_DEFAULTS = {
    "team_id": False,
    "user_id": False,
    "period": "this_year",
    "date_from": False,
    "date_to": False,
    "mode": "flow",
    "compare": "none",
}
MODES = ("flow", "cohort")
EXPORT_KINDS = ("pdf", "xlsx")


class CrmFunnelDashboard(models.AbstractModel):
    _name = "crm.funnel.dashboard"
    _description = "Sales Funnel Dashboard and Exports"

    # ------------------------------------------------------------------
    # Parameters, as clients send them
    # ------------------------------------------------------------------
    @api.model
    def _sff_params(self, params):
        """The funnel's parameters (``PARAM_DEFAULTS``) from what a client
        sent, each checked: records by id among those the user may read,
        dates, known periods, modes and comparisons. Anything else is a
        ``UserError`` in the user's language; unknown keys are left out."""
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise UserError(
                self.env._(
                    "The funnel's parameters are given by name (team_id, period, ...), not as %(value)s.",
                    value=type(params).__name__,
                )
            )
        result = dict(PARAM_DEFAULTS)
        for key, value in params.items():
            if key not in result:
                continue
            if key == "team_id":
                result[key] = self._sff_record_param("crm.team", value, self.env._("sales team"))
            elif key == "user_id":
                result[key] = self._sff_record_param("res.users", value, self.env._("salesperson"))
            elif key in ("date_from", "date_to"):
                result[key] = self._sff_date_param(value)
            elif key == "period":
                if value in (None, False, ""):
                    continue
                if value != "custom" and value not in engine.PERIODS:
                    raise UserError(self.env._("Unknown period: %(period)s.", period=value))
                result[key] = value
            elif key == "mode":
                if value not in MODES:
                    raise UserError(self.env._("Unknown funnel mode: %(mode)s.", mode=value))
                result[key] = value
            elif key == "compare":
                if value not in engine.COMPARISONS:
                    raise UserError(self.env._("Unknown comparison: %(compare)s.", compare=value))
                result[key] = value
        if (
            result["period"] == "custom"
            and result["date_from"]
            and result["date_to"]
            and result["date_to"] <= result["date_from"]
        ):
            raise UserError(self.env._("The period must end after it starts."))
        return result

    @api.model
    def _sff_record_param(self, model, value, what):
        """The id ``value`` of a ``model`` record the user may read, or False
        for none."""
        if value is None or value is False or value == 0:
            return False
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(
                self.env._(
                    "The %(what)s is given by its id, a whole number, not “%(value)s”.",
                    what=what,
                    value=value,
                )
            )
        record = self.env[model].browse(value)
        if not record.exists() or not record.has_access("read"):
            raise UserError(
                self.env._("There is no %(what)s #%(id)s that you may see.", what=what, id=value)
            )
        return value

    @api.model
    def _sff_date_param(self, value):
        if value is None or value is False or value == "":
            return False
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise UserError(
                self.env._("“%(value)s” is not a date (expected: YYYY-MM-DD).", value=value)
            )
        return day

    @api.model
    def _sff_data(self, params):
        """What the dashboard, the PDF and the spreadsheet show for these
        (checked) parameters (``_sff_report_data``)."""
        return self._sff_report_data(**self._sff_params(params))

    # ------------------------------------------------------------------
    # The funnel of a team and period, as the dashboard, the PDF and the
    # spreadsheet show it
    # ------------------------------------------------------------------
    @api.model
    def _sff_funnel_domain(
        self, team_id=False, date_from=False, date_to=False, mode="flow", user_id=False
    ):
        """Rows of a funnel: ``mode`` "flow" counts the stages reached in the
        period, "cohort" the deals created in the period."""
        date_field = "date_in" if mode == "flow" else "lead_create_date"
        domain = currency_company_domain(self.env)
        if team_id:
            domain.append(("team_id", "=", team_id))
        if user_id:
            domain.append(("user_id", "=", user_id))
        # the days of the funnel totals' time zone, as its pivots count them
        if date_from:
            domain.append((date_field, ">=", day_start(self.env, date_from)))
        if date_to:
            domain.append((date_field, "<", day_start(self.env, date_to)))
        return domain

    @api.model
    def _sff_in_team_company(self, team_id):
        """A team's funnel is in its company's currency, as its Forecast
        screen is (crm.forecast.submission._sff_team_company): with the
        team's company among those selected but not the current one, the
        figures are read as that company's (``with_company``); a team of
        no company, or of the current one, keeps the current company."""
        team = self.env["crm.team"].browse(team_id) if team_id else self.env["crm.team"]
        if team.company_id and team.company_id in self.env.companies:
            return self.with_company(team.company_id)
        return self

    @api.model
    def _sff_companies_note(self):
        """What the figures leave out, when a selected company keeps its books
        in another currency: which companies they count (False otherwise)."""
        companies = currency_companies(self.env)
        if companies == self.env.companies:
            return False
        return self.env._(
            "%(companies)s only: the selected companies in %(currency)s",
            companies=", ".join(companies.mapped("name")),
            currency=self.env.company.currency_id.name,
        )

    @api.model
    def _sff_funnel(self, domain):
        """Per stage of the rows in ``domain`` (record rules apply): the
        counts and amounts, and the conversion to the next stage, in stage
        order. Returns a list of dicts."""
        funnels = self._sff_funnels(domain)
        return [row for funnel in funnels for row in funnel["stages"]]

    @api.model
    def _sff_funnels(self, domain):
        """The funnels of the rows in ``domain``, one per sales team (each
        team has its own pipeline): a list of dicts with the team and its
        stages, teams by name, the deals without a team last."""
        measures = [
            "reached",
            "entered",
            "moved_on",
            "won",
            "lost_here",
            "open_here",
            "stalled_here",
            "reached_amount",
            "won_amount",
            "lost_amount",
            "open_amount",
        ]
        # one grouped read: the entered deals that moved on (the stricter
        # conversion) are a measure of their own
        groups = self.env["crm.funnel.report"]._read_group(
            domain,
            ["team_id", "stage_id"],
            [f"{name}:sum" for name in measures] + ["entered_moved_on:sum"],
        )
        funnels = {}
        for team, stage, *values, entered_moved in groups:
            row = dict(zip(measures, values))
            # a won stage that no deal left is where the funnel ends: no
            # conversion (0 % read as deals lost there), as the dashboard
            # draws none under it; a won stage before another (Won, then
            # Payment) has one
            ends = stage.is_won and not row["moved_on"]
            row.update(
                stage_id=stage.id,
                stage_name=stage.name,
                is_won=stage.is_won,
                conversion_rate=None
                if ends
                else engine.conversion_rate(row["moved_on"], row["reached"]),
                entered_conversion_rate=None
                if ends
                else engine.conversion_rate(entered_moved, row["entered"]),
            )
            funnel = funnels.setdefault(
                team.id,
                {
                    "team_id": team.id or False,
                    "team_name": team.name or self.env._("No sales team"),
                    "stages": [],
                },
            )
            funnel["stages"].append((stage, row))
        result = sorted(
            funnels.values(), key=lambda funnel: (not funnel["team_id"], funnel["team_name"])
        )
        order = {
            stage: index
            for index, stage in enumerate(
                self.env["crm.stage"]
                .union(*(stage for _team, stage, *_rest in groups))
                ._sff_sorted()
            )
        }
        for funnel in result:
            funnel["stages"] = [
                row for _stage, row in sorted(funnel["stages"], key=lambda item: order[item[0]])
            ]
        return result

    @api.model
    def _sff_report_data(
        self,
        team_id=False,
        user_id=False,
        period="this_year",
        date_from=False,
        date_to=False,
        mode="flow",
        compare="none",
    ):
        """Everything the dashboard, the PDF and the spreadsheet show for a
        team (or every team), a salesperson (or all) and a period: the funnel,
        its comparison period, and the revenue forecast. Record rules apply:
        a salesperson limited to own documents sees own deals only."""
        in_team_company = self._sff_in_team_company(team_id)
        if in_team_company.env.company != self.env.company:
            return in_team_company._sff_report_data(
                team_id, user_id, period, date_from, date_to, mode, compare
            )
        if mode not in ("flow", "cohort"):
            raise UserError(self.env._("Unknown funnel mode: %s", mode))
        if compare not in engine.COMPARISONS:
            raise UserError(self.env._("Unknown comparison: %s", compare))
        if period and period != "custom":
            if period not in engine.PERIODS:
                raise UserError(self.env._("Unknown period: %s", period))
            # the period around the day of the funnel totals' time zone,
            # whose days it counts: the same for every reader
            date_from, date_to = engine.period_bounds(period, local_today(self.env))
        else:
            date_from = fields.Date.to_date(date_from) if date_from else None
            date_to = fields.Date.to_date(date_to) if date_to else None
            if date_from and date_to and date_to <= date_from:
                raise UserError(self.env._("The period must end after it starts."))
        try:
            compared = engine.comparison_bounds(date_from, date_to, compare)
        except (ValueError, OverflowError) as error:
            # a period at the calendar's first years has none before it
            raise UserError(
                self.env._(
                    "There is no period before %(day)s to compare with.",
                    day=format_date(self.env, date_from),
                )
            ) from error
        funnels = self._sff_funnels(
            self._sff_funnel_domain(team_id, date_from, date_to, mode, user_id)
        )
        previous = {}
        if compared:
            for funnel in self._sff_funnels(
                self._sff_funnel_domain(team_id, compared[0], compared[1], mode, user_id)
            ):
                for row in funnel["stages"]:
                    previous[funnel["team_id"], row["stage_id"]] = row
            for funnel in funnels:
                for row in funnel["stages"]:
                    before = previous.get((funnel["team_id"], row["stage_id"]))
                    row["compare_reached"] = before["reached"] if before else 0
                    row["compare_conversion_rate"] = before["conversion_rate"] if before else None
        else:
            # a period open at an end (all time) has none to compare with:
            # no comparison, on the screen, the PDF or the spreadsheet
            compare = "none"
        self._sff_add_plans(funnels, date_from or local_today(self.env))
        team = self.env["crm.team"].browse(team_id)
        user = self.env["res.users"].browse(user_id)
        return {
            "team_id": team.id or False,
            "team_name": team.name or self.env._("All teams"),
            "user_name": user.name or False,
            "mode": mode,
            "date_from": date_from and date_from.isoformat(),
            "date_to": date_to and date_to.isoformat(),
            "compare": compare,
            "compare_from": compared and compared[0].isoformat(),
            "compare_to": compared and compared[1].isoformat(),
            # whose figures these are, in its currency
            "company_id": self.env.company.id,
            "currency_id": self.env.company.currency_id.id,
            "companies_note": self._sff_companies_note(),
            "funnels": funnels,
            "forecast": self.env["crm.forecast.report"]._sff_forecast_table(
                team_id, user_id, currency_company_domain(self.env)
            ),
            # when the history-weighted column's win rates were worked out;
            # a manager may work them out again (they read every deal)
            "win_rates_note": self._sff_win_rates_note(),
            "can_refresh_win_rates": self.env.user.has_group("sales_team.group_sale_manager"),
            # the funnel's losses: deals lost (the Losses report has the
            # leads too)
            "losses": self.env["crm.loss.report"]._sff_losses(
                currency_company_domain(self.env)
                + [("lead_type", "=", "opportunity")]
                + [
                    (name, operator, value)
                    for name, operator, value in (
                        ("team_id", "=", team_id),
                        ("user_id", "=", user_id),
                        ("date_closed", ">=", day_start(self.env, date_from)),
                        ("date_closed", "<", day_start(self.env, date_to)),
                    )
                    if value
                ]
            ),
            "attainment": self.env["crm.quota.report"]._sff_attainment(
                currency_company_domain(self.env)
                + [
                    (name, operator, value)
                    for name, operator, value in (
                        ("team_id", "=", team_id),
                        ("user_id", "=", user_id),
                        ("date", ">=", date_from),
                        ("date", "<", date_to),
                    )
                    if value
                ]
            ),
        }

    @api.model
    def _sff_win_rates_note(self):
        """When the stages' win rates were last worked out, in the user's
        time zone and language."""
        refreshed_on = self.env["crm.stage"]._sff_win_rates_refreshed_on()
        if not refreshed_on:
            return self.env._("Win rates of the last 12 months not worked out yet.")
        return self.env._(
            "Win rates of the last 12 months worked out on %(when)s",
            when=minute_text(self.env, refreshed_on),
        )

    @api.model
    def _sff_add_plans(self, funnels, day):
        """The plan's funnel beside each team's real one: the target plan of
        the team (not a salesperson's) in force on ``day`` gives each stage
        its target conversion, and the deals that would reach it if as many
        as really reached the first stage moved on at those rates. Stages
        without a conversion line in the plan pass every deal on."""
        # the plans of every team shown, read together (the dashboard of
        # every team shows a funnel per team): each team's first, in the
        # plans' order
        plans = {}
        team_ids = [funnel["team_id"] for funnel in funnels if funnel["team_id"]]
        if team_ids:
            for plan in self.env["crm.target.plan"].search(
                [
                    ("team_id", "in", team_ids),
                    ("user_id", "=", False),
                    ("date_from", "<=", day),
                    ("date_to", ">=", day),
                ]
            ):
                plans.setdefault(plan.team_id.id, plan)
        for funnel in funnels:
            plan = plans.get(funnel["team_id"])
            targets = (
                {line.stage_id.id: line.conversion for line in plan.stage_line_ids} if plan else {}
            )
            funnel["plan_name"] = plan.name if targets else False
            expected = funnel["stages"][0]["reached"] if funnel["stages"] else 0
            for row in funnel["stages"]:
                row["target_conversion"] = targets.get(row["stage_id"]) if targets else None
                row["plan_reached"] = round(expected, 1) if targets else None
                if targets:
                    expected *= targets.get(row["stage_id"], 100.0) / 100.0

    @api.readonly
    @api.model
    def get_funnel_dashboard(self, params):
        """The dashboard's data call (see ``_sff_report_data``); ``params``
        as ``_sff_params`` checks them. Reads only: on
        a read-only cursor, a replica's when the server has one."""
        params = dict(params) if isinstance(params, dict) else params
        if params is None:
            params = {}
        if isinstance(params, dict) and params.get("team_id") is None:
            # first opening: the user's own team, when there is one that
            # the user may see now (its company among those selected)
            params["team_id"] = self.env["crm.team"]._sff_own_team().id or False
        return self._sff_report_data(**self._sff_params(params))

    @api.readonly
    @api.model
    def get_stage_deals_action(self, params, stage_id, team_id=None):
        """The deals behind a stage of one of the dashboard's funnels (the
        funnel of ``team_id`` when the dashboard shows every team's)."""
        params = self._sff_params(params)
        stage_id = self._sff_record_param("crm.stage", stage_id, self.env._("stage"))
        if not stage_id:
            raise UserError(self.env._("Which stage's deals? No stage was given."))
        if team_id is not None:
            team_id = self._sff_record_param("crm.team", team_id, self.env._("sales team"))
        # the funnel the dashboard showed: in the team's company
        dashboard = self._sff_in_team_company(params["team_id"] or team_id)
        date_from, date_to = params["date_from"], params["date_to"]
        if params["period"] != "custom":
            date_from, date_to = engine.period_bounds(params["period"], local_today(self.env))
        domain = dashboard._sff_funnel_domain(
            params["team_id"],
            date_from,
            date_to,
            params["mode"],
            params["user_id"],
        ) + [("stage_id", "=", stage_id)]
        if team_id is not None and not params["team_id"]:
            domain.append(("team_id", "=", team_id or False))
        lead_ids = dashboard.env["crm.funnel.report"].search(domain).lead_id.ids
        stage = self.env["crm.stage"].browse(stage_id)
        # the funnel's team, salesperson, period and mode in the title, as
        # the PDF's subtitle says them: the list shows no filter of its own
        team = self.env["crm.team"].browse(params["team_id"] or team_id)
        subtitle = self._sff_subtitle(
            {
                "team_name": team.name
                or (self.env._("All teams") if team_id is None else self.env._("No sales team")),
                "user_name": self.env["res.users"].browse(params["user_id"]).name or False,
                "date_from": date_from and date_from.isoformat(),
                "date_to": date_to and date_to.isoformat(),
                "mode": params["mode"],
                "compare_from": False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Deals that reached %(stage)s · %(funnel)s", stage=stage.name, funnel=subtitle
            ),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": [("id", "in", lead_ids)],
            "context": {"active_test": False, "create": False},
        }

    @api.readonly
    @api.model
    def action_export(self, params, kind):
        """The dashboard's Print and Spreadsheet buttons: the same team,
        period, mode and comparison, as a PDF (``kind`` "pdf") or a
        spreadsheet ("xlsx"), both built on a read-only cursor."""
        return self._sff_export_action(params, kind)

    # ------------------------------------------------------------------
    # Labels, PDF, spreadsheet
    # ------------------------------------------------------------------
    @api.model
    def _sff_subtitle(self, data):
        modes = dict(self.env["crm.funnel.export"]._fields["mode"]._description_selection(self.env))
        parts = [data["team_name"]]
        if data["user_name"]:
            parts.append(data["user_name"])
        last_day = data["date_to"] and fields.Date.subtract(
            fields.Date.to_date(data["date_to"]), days=1
        )
        if data["date_from"] and last_day:
            parts.append(
                self.env._(
                    "%(start)s to %(end)s",
                    start=format_date(self.env, data["date_from"]),
                    end=format_date(self.env, last_day),
                )
            )
        elif data["date_from"]:
            # a period of the user's own with one end only
            parts.append(
                self.env._("from %(start)s", start=format_date(self.env, data["date_from"]))
            )
        elif last_day:
            parts.append(self.env._("until %(end)s", end=format_date(self.env, last_day)))
        else:
            parts.append(self.env._("all time"))
        parts.append(modes[data["mode"]])
        if data.get("companies_note"):
            parts.append(data["companies_note"])
        if data["compare_from"]:
            last_day = fields.Date.subtract(fields.Date.to_date(data["compare_to"]), days=1)
            parts.append(
                self.env._(
                    "compared with %(start)s to %(end)s",
                    start=format_date(self.env, data["compare_from"]),
                    end=format_date(self.env, last_day),
                )
            )
        return " · ".join(parts)

    @api.model
    def _sff_labels(self, data):
        return {
            "subtitle": self._sff_subtitle(data),
            # the sheets in the direction of the user's language
            "right_to_left": right_to_left(self.env),
            "money_format": excel_money_format(
                self.env["res.currency"].browse(data["currency_id"])
            ),
            "funnel": self.env._("Funnel"),
            "conversion": self.env._("Conversion"),
            "forecast": self.env._("Forecast"),
            "stage": self.env._("Stage"),
            "reached": self.env._("Reached"),
            "entered": self.env._("Entered"),
            "moved_on": self.env._("Moved on"),
            "won": self.env._("Won"),
            "lost_here": self.env._("Lost here"),
            "open_here": self.env._("Open here"),
            "stalled_here": self.env._("Stalled here"),
            "reached_amount": self.env._("Reached amount"),
            "won_amount": self.env._("Won amount"),
            "lost_amount": self.env._("Lost here amount"),
            "open_amount": self.env._("Open here amount"),
            "compare_reached": self.env._("Reached, compared period"),
            "conversion_rate": self.env._("Conversion (%)"),
            "entered_conversion_rate": self.env._("Conversion of entered (%)"),
            "compare_conversion_rate": self.env._("Conversion, compared period (%)"),
            "total": self.env._("Total"),
            "offset": self.env._("(chart spacing)"),
            "empty": self.env._("No deal reached a stage in this period."),
            "forecast_subtitle": self.env._(
                "Open deals by expected closing month, %(team)s", team=data["team_name"]
            ),
            # the PDF's forecast table is by stage (the spreadsheet's, by month)
            "forecast_stage_subtitle": self.env._(
                "Open deals by stage, %(team)s", team=data["team_name"]
            ),
            "weighting": self.env._("Weighting"),
            "no_date": self.env._("No date"),
            # the forecast's months, as the user's language names them
            "months": {
                month: format_date(self.env, month, date_format="MMM y")
                for month in data["forecast"]["months"]
                if month
            },
            "excluded": self.env._("Left out of forecast"),
            # the stalled deals apart, as the dashboard shows them
            "stalled_deals": (
                self.env._("Of which stalled: 1 deal")
                if data["forecast"]["stalled_count"] == 1
                else self.env._(
                    "Of which stalled: %(count)s deals",
                    count=count_text(self.env, data["forecast"]["stalled_count"]),
                )
            ),
            "stalled_weighting": self.env._("At their probability"),
            "target_conversion": self.env._("Target conversion (%)"),
            "stage_weighted": self.env._("Stage-weighted"),
            "history_weighted": self.env._("History-weighted"),
            "fallback": self.env._(
                "stage %% used: under %(count)s closed deals in a year",
                count=engine.HISTORY_MIN_CLOSED,
            ),
            "no_open_deal": self.env._("No open deal."),
            "losses": self.env._("Losses"),
            "no_loss": self.env._("No deal lost in this period."),
            "category": self.env._("Reason category"),
            "reason": self.env._("Lost reason"),
            "loss_count": self.env._("Deals lost"),
            "loss_amount": self.env._("Amount lost"),
            "lost_stage": self.env._("Lost at stage"),
            "attainment": self.env._("Quota attainment"),
            "salesperson": self.env._("Salesperson"),
            "no_revenue": self.env._("No revenue in this period."),
            "attainment_note": self.env._(
                "Untaxed revenue in company currency, net of credit notes: posted invoices at "
                "their date, or payments at theirs, as the company counts."
            ),
            "categories": dict(
                self.env["crm.lost.reason"]._fields["category"]._description_selection(self.env)
            ),
        }

    @api.model
    def _sff_pdf_values(self, params):
        """What the PDF template draws (``report_funnel.xml``): each team's
        funnel as bars as wide as the deals that reached each stage."""
        data = self._sff_data(params)
        funnels = []
        for funnel in data["funnels"]:
            widest = max((row["reached"] for row in funnel["stages"]), default=0)
            bars = []
            for row in funnel["stages"]:
                width = 100.0 * row["reached"] / widest if widest else 0.0

                def share(count, reached=row["reached"]):
                    return 100.0 * count / reached if reached else 0.0

                bars.append(
                    dict(
                        row,
                        width=width,
                        won_share=share(row["won"]),
                        lost_share=share(row["lost_here"]),
                        open_share=share(row["open_here"]),
                    )
                )
            funnels.append(dict(funnel, bars=bars))
        return {
            "data": data,
            "funnels": funnels,
            "labels": self._sff_labels(data),
            # the team's company's (_sff_in_team_company)
            "currency": self.env["res.currency"].browse(data["currency_id"]),
            "company": self.env["res.company"].browse(data["company_id"]),
        }

    @api.model
    def _sff_xlsx(self, params):
        """The spreadsheet: (its bytes, its file name), in the companies
        its download names."""
        model, params = in_download_companies(self, params)
        return model._sff_build_xlsx(params)

    @api.model
    def _sff_build_xlsx(self, params):
        data = self._sff_data(params)
        team = file_name_part(data["team_id"] and data["team_name"] or self.env._("all teams"))
        name = self.env._(
            "Funnel %(team)s %(today)s.xlsx", team=team, today=fields.Date.context_today(self)
        )
        return build_workbook(data, self._sff_labels(data)), name

    @api.model
    def _sff_export_action(self, params, kind):
        """The action that prints (PDF) or downloads (spreadsheet) the funnel
        of these parameters; both read only, on a replica when there is one."""
        if kind not in EXPORT_KINDS:
            raise UserError(self.env._("Unknown export: %(kind)s.", kind=kind))
        params = {
            key: value.isoformat() if key.startswith("date_") and value else value
            for key, value in self._sff_params(params).items()
        }
        if kind == "pdf":
            return self.env.ref("sales_funnel_forecast.action_report_funnel").report_action(
                [], data={"sff_params": params}
            )
        return download_action(self.env, "/sales_funnel_forecast/funnel.xlsx", params)
