# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel of a team and period as the dashboard, the PDF and the
spreadsheet show it: their parameters checked, their labels, the PDF's
drawing and the spreadsheet's bytes. Every path reads only (they run on a
read-only cursor, on a replica when there is one)."""
import json

from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import engine
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
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
            raise UserError(self.env._(
                "The funnel's parameters are given by name (team_id, period, ...), not as %(value)s.",
                value=type(params).__name__))
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
        if result["period"] == "custom" and result["date_from"] and result["date_to"] \
                and result["date_to"] <= result["date_from"]:
            raise UserError(self.env._("The period must end after it starts."))
        return result

    @api.model
    def _sff_record_param(self, model, value, what):
        """The id ``value`` of a ``model`` record the user may read, or False
        for none."""
        if value is None or value is False or value == 0:
            return False
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(self.env._("The %(what)s is given by its id, a whole number, not “%(value)s”.",
                                       what=what, value=value))
        record = self.env[model].browse(value)
        if not record.exists() or not record.has_access("read"):
            raise UserError(self.env._("There is no %(what)s #%(id)s that you may see.", what=what, id=value))
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
            raise UserError(self.env._("“%(value)s” is not a date (expected: YYYY-MM-DD).", value=value))
        return day

    @api.model
    def _sff_data(self, params):
        """What the dashboard, the PDF and the spreadsheet show for these
        (checked) parameters (``crm.funnel.report._sff_report_data``)."""
        return self.env["crm.funnel.report"]._sff_report_data(**self._sff_params(params))

    # ------------------------------------------------------------------
    # Labels, PDF, spreadsheet
    # ------------------------------------------------------------------
    @api.model
    def _sff_subtitle(self, data):
        modes = dict(self.env["crm.funnel.export"]._fields["mode"]._description_selection(self.env))
        parts = [data["team_name"]]
        if data["user_name"]:
            parts.append(data["user_name"])
        if data["date_from"]:
            last_day = fields.Date.subtract(fields.Date.to_date(data["date_to"]), days=1)
            parts.append(self.env._("%(start)s to %(end)s", start=data["date_from"],
                                    end=fields.Date.to_string(last_day)))
        else:
            parts.append(self.env._("all time"))
        parts.append(modes[data["mode"]])
        if data["compare_from"]:
            last_day = fields.Date.subtract(fields.Date.to_date(data["compare_to"]), days=1)
            parts.append(self.env._("compared with %(start)s to %(end)s",
                                    start=data["compare_from"],
                                    end=fields.Date.to_string(last_day)))
        return " · ".join(parts)

    @api.model
    def _sff_labels(self, data):
        return {
            "subtitle": self._sff_subtitle(data),
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
            "forecast_subtitle": self.env._("Open deals by expected closing month, %(team)s",
                                            team=data["team_name"]),
            "weighting": self.env._("Weighting"),
            "no_date": self.env._("No date"),
            "excluded": self.env._("Left out of forecast"),
            "stage_weighted": self.env._("Stage-weighted"),
            "history_weighted": self.env._("History-weighted"),
            "fallback": self.env._("stage %% used: under %(count)s closed deals in a year",
                                   count=engine.HISTORY_MIN_CLOSED),
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
                "their date, or payments at theirs, as the company counts."),
            "categories": dict(self.env["crm.lost.reason"]._fields["category"]._description_selection(self.env)),
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

                bars.append(dict(row, width=width, margin=(100.0 - width) / 2,
                                 won_share=share(row["won"]), lost_share=share(row["lost_here"]),
                                 open_share=share(row["open_here"])))
            funnels.append(dict(funnel, bars=bars))
        return {"data": data, "funnels": funnels, "labels": self._sff_labels(data),
                "currency": self.env.company.currency_id}

    @api.model
    def _sff_xlsx(self, params):
        """The spreadsheet: (its bytes, its file name)."""
        data = self._sff_data(params)
        team = (data["team_id"] and data["team_name"] or self.env._("all teams")).replace("/", "-")
        name = self.env._("Funnel %(team)s %(today)s.xlsx", team=team, today=fields.Date.context_today(self))
        return build_workbook(data, self._sff_labels(data)), name

    @api.model
    def _sff_export_action(self, params, kind):
        """The action that prints (PDF) or downloads (spreadsheet) the funnel
        of these parameters; both read only, on a replica when there is one."""
        if kind not in EXPORT_KINDS:
            raise UserError(self.env._("Unknown export: %(kind)s.", kind=kind))
        params = {key: fields.Date.to_string(value) if key.startswith("date_") and value else value
                  for key, value in self._sff_params(params).items()}
        if kind == "pdf":
            return self.env.ref("sales_funnel_forecast.action_report_funnel").report_action(
                [], data={"sff_params": params})
        return {
            "type": "ir.actions.act_url",
            "url": "/sales_funnel_forecast/funnel.xlsx?" + url_encode({"params": json.dumps(params)}),
            "target": "download",
        }


class ReportFunnel(models.AbstractModel):
    """The PDF: the funnel of the parameters the print action carries (or,
    printed from the export wizard's records, of theirs)."""

    _name = "report.sales_funnel_forecast.report_funnel"
    _description = "Sales Funnel PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        Dashboard = self.env["crm.funnel.dashboard"]
        if data and data.get("sff_params") is not None:
            params_list = [data["sff_params"]]
        else:
            params_list = [wizard._sff_params() for wizard in self.env["crm.funnel.export"].browse(docids)]
        return {
            "doc_ids": docids,
            "doc_model": "crm.funnel.export",
            "docs": [Dashboard._sff_pdf_values(params) for params in params_list],
        }
