# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import engine
from ..reports.funnel_xlsx import build_workbook

PERIOD_CHOICES = [
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("last_12_months", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Dates of my choice"),
]
MODE_CHOICES = [
    ("flow", "Stages reached in the period (flow)"),
    ("cohort", "Deals created in the period (cohort)"),
]
COMPARE_CHOICES = [
    ("none", "No comparison"),
    ("previous", "Previous period"),
    ("last_year", "Same period last year"),
]


class CrmFunnelExport(models.TransientModel):
    """Print the funnel, conversion and forecast of a team and period as a
    PDF, or download them as a spreadsheet."""

    _name = "crm.funnel.export"
    _description = "Print or Export the Sales Funnel"

    team_id = fields.Many2one("crm.team", string="Sales Team",
                              help="Empty: every team you can see.")
    user_id = fields.Many2one("res.users", string="Salesperson",
                              help="Empty: every salesperson you can see.")
    period = fields.Selection(PERIOD_CHOICES, required=True, default="this_year")
    date_from = fields.Date(string="From")
    date_to = fields.Date(string="To", help="First day after the period.")
    mode = fields.Selection(MODE_CHOICES, required=True, default="flow")
    compare = fields.Selection(COMPARE_CHOICES, string="Compare With", required=True,
                               default="none")
    xlsx_file = fields.Binary(readonly=True, attachment=False)
    xlsx_name = fields.Char(readonly=True)

    @api.constrains("period", "date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.period == "custom" and not (wizard.date_from and wizard.date_to):
                raise UserError(self.env._("Give the first day and the day after the period."))
            if wizard.period == "custom" and wizard.date_to <= wizard.date_from:
                raise UserError(self.env._("The period must end after it starts."))

    def _sff_data(self):
        self.ensure_one()
        return self.env["crm.funnel.report"]._sff_report_data(
            team_id=self.team_id.id, user_id=self.user_id.id, period=self.period,
            date_from=self.date_from, date_to=self.date_to, mode=self.mode,
            compare=self.compare,
        )

    def _sff_subtitle(self, data):
        mode = dict(self._fields["mode"]._description_selection(self.env))[data["mode"]]
        parts = [data["team_name"]]
        if data["user_name"]:
            parts.append(data["user_name"])
        if data["date_from"]:
            last_day = fields.Date.subtract(fields.Date.to_date(data["date_to"]), days=1)
            parts.append(self.env._("%(start)s to %(end)s", start=data["date_from"],
                                    end=fields.Date.to_string(last_day)))
        else:
            parts.append(self.env._("all time"))
        parts.append(mode)
        if data["compare_from"]:
            last_day = fields.Date.subtract(fields.Date.to_date(data["compare_to"]), days=1)
            parts.append(self.env._("compared with %(start)s to %(end)s",
                                    start=data["compare_from"],
                                    end=fields.Date.to_string(last_day)))
        return " · ".join(parts)

    def _sff_labels(self, data):
        return {
            "subtitle": self._sff_subtitle(data),
            "funnel": self.env._("Funnel"), "conversion": self.env._("Conversion"), "forecast": self.env._("Forecast"),
            "stage": self.env._("Stage"), "reached": self.env._("Reached"), "entered": self.env._("Entered"),
            "moved_on": self.env._("Moved on"), "won": self.env._("Won"), "lost_here": self.env._("Lost here"),
            "open_here": self.env._("Open here"), "stalled_here": self.env._("Stalled here"), "reached_amount": self.env._("Reached amount"),
            "won_amount": self.env._("Won amount"), "lost_amount": self.env._("Lost here amount"),
            "open_amount": self.env._("Open here amount"), "compare_reached": self.env._("Reached, compared period"),
            "conversion_rate": self.env._("Conversion (%)"),
            "entered_conversion_rate": self.env._("Conversion of entered (%)"),
            "compare_conversion_rate": self.env._("Conversion, compared period (%)"),
            "total": self.env._("Total"), "offset": self.env._("(chart spacing)"),
            "empty": self.env._("No deal reached a stage in this period."),
            "forecast_subtitle": self.env._("Open deals by expected closing month, %(team)s",
                                   team=data["team_name"]),
            "weighting": self.env._("Weighting"), "no_date": self.env._("No date"),
            "excluded": self.env._("Left out of forecast"),
            "stage_weighted": self.env._("Stage-weighted"), "history_weighted": self.env._("History-weighted"),
            "fallback": self.env._("stage %% used: under %(count)s closed deals in a year",
                          count=engine.HISTORY_MIN_CLOSED),
            "no_open_deal": self.env._("No open deal."),
            "losses": self.env._("Losses"), "no_loss": self.env._("No deal lost in this period."),
            "category": self.env._("Reason category"), "reason": self.env._("Lost reason"),
            "loss_count": self.env._("Deals lost"), "loss_amount": self.env._("Amount lost"),
            "lost_stage": self.env._("Lost at stage"),
            "attainment": self.env._("Quota attainment"), "salesperson": self.env._("Salesperson"),
            "no_revenue": self.env._("No revenue in this period."),
            "attainment_note": self.env._(
                "Untaxed revenue in company currency, net of credit notes: posted invoices at "
                "their date, or payments at theirs, as the company counts."),
            "categories": dict(self.env["crm.lost.reason"]._fields["category"]._description_selection(self.env)),
        }

    def _sff_xlsx(self):
        data = self._sff_data()
        return build_workbook(data, self._sff_labels(data))

    def action_export_xlsx(self):
        self.ensure_one()
        team = (self.team_id.name or self.env._("all teams")).replace("/", "-")
        self.write({
            "xlsx_file": base64.b64encode(self._sff_xlsx()),
            "xlsx_name": self.env._("Funnel %(team)s %(today)s.xlsx", team=team,
                                    today=fields.Date.context_today(self)),
        })
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_name}?download=true",
            "target": "self",
        }

    def action_print_pdf(self):
        self.ensure_one()
        return self.env.ref("sales_funnel_forecast.action_report_funnel").report_action(self)

    def _sff_pdf_values(self):
        """What the PDF template draws (see report_funnel.xml): each team's
        funnel as bars as wide as the deals that reached each stage."""
        data = self._sff_data()
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
        return {"data": data, "funnels": funnels, "labels": self._sff_labels(data)}
