# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Forecast screen printed (QWeb PDF) and as a spreadsheet (XLSX):
forecast by salesperson, the period's deal flow with a native waterfall
chart, and the team's forecast accuracy by period."""

import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..tools.downloads import download_action, file_name_part, in_download_companies
from ..tools.formats import add_sheet, excel_date_format, excel_money_format, right_to_left

EXPORT_KINDS = ("pdf", "xlsx")
FIGURES = ("quota", "won", "commit", "best_case", "pipeline", "gap", "coverage")
# the PDF's accuracy table: the newest periods, whole (the spreadsheet has all)
PDF_ACCURACY_PERIODS = 12


class CrmForecastSubmission(models.Model):
    _inherit = "crm.forecast.submission"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _sff_export_values(self, params):
        """The screen's data with what the exports add: labels, the
        waterfall's drawn bars, and the team's accuracy by closed month."""
        data = self.get_forecast_screen(params)
        if not data["team_id"]:
            # no team the user may read in the selected companies (none yet,
            # or all archived): nothing to print
            raise UserError(self._sff_no_team_note())
        team = self.env["crm.team"].browse(data["team_id"])
        running, bars = 0.0, []
        for step in data["flow"]:
            if step["step"] in ("start", "end"):
                low, high, running = 0.0, step["amount"], step["amount"]
            else:
                after = running + step["sign"] * step["amount"]
                low, high, running = min(running, after), max(running, after), after
            bars.append(dict(step, low=low, high=high))
        top = max([bar["high"] for bar in bars] + [1.0])
        for bar in bars:
            bar["bottom"] = 100 * bar["low"] / top
            bar["height"] = max(0.5, 100 * (bar["high"] - bar["low"]) / top)
        Accuracy = self.env["crm.forecast.accuracy.report"]
        methods = dict(Accuracy._fields["method"]._description_selection(self.env))
        accuracy = [
            {
                "period": line.date_from,
                "method": methods[line.method],
                "user": line.user_id.name
                or (team.name if line.scope == "team" else self.env._("Unassigned")),
                "forecast": line.forecast_amount,
                "actual": line.actual_amount,
                # n/a where nothing was won (or a refund deal's negative
                # amount), as the accuracy lines leave them
                "accuracy": line.accuracy if line.actual_amount > 0 else None,
                "optimism": line.optimism if line.actual_amount > 0 else None,
                "invoiced": line.revenue_amount,
                "invoiced_accuracy": line.revenue_accuracy if line.revenue_amount > 0 else None,
            }
            for line in Accuracy.search(
                [
                    ("team_id", "=", team.id),
                    ("company_id", "in", [data["company_id"], False]),
                    ("period_type", "=", data["period_type"]),
                    ("lead_days", "=", 0),
                ],
                order="date_from desc, user_id, method",
            )
        ]
        periods = sorted({line["period"] for line in accuracy}, reverse=True)
        printed = set(periods[:PDF_ACCURACY_PERIODS])
        return dict(
            data,
            team_name=team.name,
            bars=bars,
            accuracy=accuracy,
            pdf_accuracy=[line for line in accuracy if line["period"] in printed],
            accuracy_note=len(periods) > len(printed)
            and self.env._(
                "Older periods (%(count)s): in the spreadsheet.",
                count=len(periods) - len(printed),
            ),
            currency=self.env["res.currency"].browse(data["currency_id"]),
            # the letterhead of the company whose figures these are
            company=self.env["res.company"].browse(data["company_id"]),
        )

    @api.model
    def _sff_forecast_xlsx(self, params):
        """The spreadsheet: (its bytes, its file name), in the companies
        its download names."""
        model, params = in_download_companies(self, params)
        return model._sff_build_forecast_xlsx(params)

    @api.model
    def _sff_build_forecast_xlsx(self, params):
        values = self._sff_export_values(params)
        name = self.env._(
            "Forecast %(team)s %(start)s.xlsx",
            team=file_name_part(values["team_name"]),
            start=values["date_from"],
        )
        output = io.BytesIO()
        # names and reasons typed by users stay text, never formulas or links
        book = xlsxwriter.Workbook(
            output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        bold = book.add_format({"bold": True})
        money_format = excel_money_format(values["currency"])
        money = book.add_format({"num_format": money_format})
        bold_money = book.add_format({"bold": True, "num_format": money_format})
        ratio = book.add_format({"num_format": "0.00"})
        title = book.add_format({"bold": True, "font_size": 14})
        # dates as the user's language writes them
        day = book.add_format({"num_format": excel_date_format(self.env), "align": "left"})
        moment = book.add_format(
            {"num_format": excel_date_format(self.env) + " hh:mm", "align": "left"}
        )
        heading = self.env._(
            "Forecast of %(team)s, %(start)s to %(end)s",
            team=values["team_name"],
            start=format_date(self.env, values["date_from"]),
            end=format_date(self.env, values["date_to"]),
        )

        sheet = add_sheet(book, self.env._("Forecast by salesperson"))
        sheet.write(0, 0, heading, title)
        # whom the last column marks (or that the reminder is off)
        sheet.write(1, 0, values["stale_note"])
        headers = [
            self.env._("Salesperson"),
            self.env._("Quota"),
            self.env._("Won"),
            self.env._("Commit"),
            self.env._("Best Case"),
            self.env._("Open Pipeline"),
            self.env._("Gap to Quota"),
            self.env._("Coverage"),
            self.env._("Submitted Commit"),
            self.env._("Submitted Best Case"),
            self.env._("Submitted On"),
            self.env._("Adjusted Commit"),
            self.env._("Adjusted Best Case"),
            self.env._("Adjustment Reason"),
            self.env._("No Recent Forecast"),
        ]
        sheet.write_row(2, 0, headers, bold)
        lines = values["lines"] + ([values["team_line"]] if values["team_line"] else [])
        for row, line in enumerate(lines, start=3):
            team_row = line is values["team_line"]
            sheet.write(
                row,
                0,
                line["name"] + (" " + self.env._("(team)") if team_row else ""),
                bold if team_row else None,
            )
            for col, key in enumerate(FIGURES, start=1):
                if line[key] is not None:
                    sheet.write_number(
                        row,
                        col,
                        line[key],
                        ratio if key == "coverage" else (bold_money if team_row else money),
                    )
            submission = line["submission"] or {}
            adjustment = line["adjustment"] or {}
            if submission:
                sheet.write_number(row, 8, submission["commit"], money)
                sheet.write_number(row, 9, submission["best_case"], money)
                # a moment of the user's time zone that sorts and filters as one
                submitted_on = fields.Datetime.context_timestamp(
                    self, fields.Datetime.to_datetime(submission["date"])
                )
                sheet.write_datetime(row, 10, submitted_on.replace(tzinfo=None), moment)
            if adjustment:
                sheet.write_number(row, 11, adjustment["commit"], money)
                sheet.write_number(row, 12, adjustment["best_case"], money)
                sheet.write(row, 13, adjustment["reason"])
            if line["quota_met"]:
                sheet.write(row, FIGURES.index("coverage") + 1, self.env._("Quota met"))
            if line["late"]:
                sheet.write(row, 14, self.env._("Yes"))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 12, 15)
        # wide enough for the date and time, lest Excel shows "#####"
        sheet.set_column(10, 10, 20)
        sheet.set_column(13, 13, 36)

        flow = add_sheet(book, self.env._("Deal flow"))
        flow.write(0, 0, heading, title)
        flow.write_row(
            2,
            0,
            [
                self.env._("Step"),
                self.env._("Deals"),
                self.env._("Amount"),
                self.env._("Base"),
                self.env._("Up"),
                self.env._("Down"),
            ],
            bold,
        )
        for row, bar in enumerate(values["bars"], start=3):
            flow.write(row, 0, bar["label"])
            flow.write_number(row, 1, bar["count"])
            flow.write_number(row, 2, bar["amount"], money)
            rising = bar["step"] in ("start", "end") or bar["sign"] > 0
            # the waterfall: an invisible base, then the step rising or falling
            flow.write_number(row, 3, bar["low"], money)
            flow.write_number(row, 4, bar["high"] - bar["low"] if rising else 0, money)
            flow.write_number(row, 5, 0 if rising else bar["high"] - bar["low"], money)
        last = 2 + len(values["bars"])
        chart = book.add_chart({"type": "column", "subtype": "stacked"})
        categories = [flow.name, 3, 0, last, 0]
        chart.add_series(
            {
                "name": self.env._("Base"),
                "categories": categories,
                "values": [flow.name, 3, 3, last, 3],
                "fill": {"none": True},
                "border": {"none": True},
            }
        )
        chart.add_series(
            {
                "name": self.env._("Up"),
                "categories": categories,
                "values": [flow.name, 3, 4, last, 4],
                "fill": {"color": "#28a745"},
                "gap": 50,
            }
        )
        chart.add_series(
            {
                "name": self.env._("Down"),
                "categories": categories,
                "values": [flow.name, 3, 5, last, 5],
                "fill": {"color": "#dc3545"},
            }
        )
        chart.set_title({"name": self.env._("How the period's pipeline changed since it started")})
        chart.set_legend({"none": True})
        chart.set_size({"width": 760, "height": 380})
        flow.insert_chart(last + 2, 0, chart)
        flow.set_column(0, 0, 22)
        flow.set_column(1, 5, 14)

        sheet = add_sheet(book, self.env._("Accuracy by period"))
        sheet.write(
            0,
            0,
            self.env._(
                "Forecast accuracy of %(team)s, at each period's start", team=values["team_name"]
            ),
            title,
        )
        sheet.set_column(0, 2, 20)
        sheet.set_column(3, 8, 14)
        if not values["accuracy"]:
            # said in words, as the PDF does (a first run: no period closed)
            sheet.write(2, 0, self.env._("No closed period to measure yet."))
            return self._sff_close_workbook(book, output), name
        sheet.write_row(
            2,
            0,
            [
                self.env._("Period"),
                self.env._("Salesperson"),
                self.env._("Method"),
                self.env._("Forecast"),
                self.env._("Won"),
                self.env._("Accuracy (%)"),
                self.env._("Optimism"),
                self.env._("Invoiced"),
                self.env._("Accuracy on Invoiced (%)"),
            ],
            bold,
        )
        for row, line in enumerate(values["accuracy"], start=3):
            sheet.write_datetime(row, 0, line["period"], day)
            sheet.write(row, 1, line["user"])
            sheet.write(row, 2, line["method"])
            sheet.write_number(row, 3, line["forecast"], money)
            sheet.write_number(row, 4, line["actual"], money)
            sheet.write_number(row, 7, line["invoiced"], money)
            for col, key in ((5, "accuracy"), (6, "optimism"), (8, "invoiced_accuracy")):
                if line[key] is None:
                    sheet.write(row, col, self.env._("n/a"))
                else:
                    sheet.write_number(row, col, line[key], ratio)
        return self._sff_close_workbook(book, output), name

    @api.model
    def _sff_close_workbook(self, book, output):
        """The workbook's bytes, its sheets in the direction of the user's
        language (right to left in Arabic, as the PDF)."""
        if right_to_left(self.env):
            for sheet in book.worksheets():
                sheet.right_to_left()
        book.close()
        return output.getvalue()

    @api.model
    @api.readonly
    def action_forecast_export(self, params, kind):
        """The action that prints (PDF) or downloads (spreadsheet) the
        Forecast screen of these parameters (checked here, so that a bad
        one is said at once rather than by the download)."""
        if not isinstance(kind, str) or kind not in EXPORT_KINDS:
            raise UserError(self.env._("Unknown export: %(kind)s.", kind=kind))
        params = self._sff_screen_params(params)
        params["date_from"] = params["date_from"] and params["date_from"].isoformat()
        if kind == "pdf":
            return self.env.ref(
                "sales_funnel_forecast.action_report_forecast_screen"
            ).report_action([], data={"sff_params": params})
        return download_action(self.env, "/sales_funnel_forecast/forecast.xlsx", params)
