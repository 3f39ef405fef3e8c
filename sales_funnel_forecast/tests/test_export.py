# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
import subprocess
import tempfile
import zipfile
from datetime import date

import openpyxl

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_funnel_report import FunnelReportCase


@tagged("post_install", "-at_install")
class TestFunnelExport(FunnelReportCase):
    """The PDF and the spreadsheet carry the figures of the funnel tests."""

    def wizard(self, user=None, **values):
        Wizard = self.env["crm.funnel.export"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create(dict({"team_id": self.team.id, "period": "all"}, **values))

    def xlsx(self, wizard):
        return (
            self.env["crm.funnel.dashboard"]
            .with_user(wizard.env.user)
            ._sff_xlsx(wizard._sff_params())[0]
        )

    def test_spreadsheet_figures_and_chart(self):
        self.build()
        content = self.xlsx(self.wizard())
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(
            book.sheetnames, ["Funnel", "Conversion", "Forecast", "Losses", "Quota attainment"]
        )
        # d2 and d5 lost without a reason, 2,000 + 5,000
        losses = book["Losses"]
        self.assertEqual(
            [cell.value for cell in losses[5]][:4], ["Other", "No reason given", 2, 7000]
        )
        funnel = book["Funnel"]
        self.assertEqual(funnel["A4"].value, self.team.name)
        header = [cell.value for cell in funnel[5]]
        self.assertTrue(funnel["A5"].font.bold and funnel["B5"].font.bold, "headers formatted")
        self.assertTrue(funnel["A10"].font.bold, "totals formatted")
        self.assertEqual(
            header[:8],
            [
                "Stage",
                "Reached",
                "Entered",
                "Moved on",
                "Won",
                "Lost here",
                "Open here",
                "Stalled here",
            ],
        )
        rows = [[cell.value for cell in row][:12] for row in funnel.iter_rows(min_row=6, max_row=9)]
        self.assertEqual(
            rows,
            [
                ["T-Prospect", 5, 4, 4, 1, 1, 1, 0, 15000, 1000, 5000, 3000],
                ["T-Qualified", 4, 3, 2, 1, 0, 1, 0, 10000, 1000, 0, 4000],
                ["T-Proposal", 2, 2, 1, 1, 1, 0, 0, 3000, 1000, 2000, 0],
                ["T-Won", 1, 1, 0, 1, 0, 0, 0, 1000, 1000, 0, 0],
            ],
        )
        total = [cell.value for cell in funnel[10]][:12]
        self.assertEqual(total[0], "Total")
        self.assertEqual(total[5:8], [2, 2, 0], "two deals lost, two open, none stalled")
        conversion = book["Conversion"]
        self.assertEqual(
            [cell.value for cell in conversion[6]][:6], ["T-Prospect", 5, 4, 80, 4, 75]
        )
        # the funnel chart is a native Excel chart: horizontal stacked bars
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            chart = archive.read("xl/charts/chart1.xml").decode()
        self.assertIn('<c:barDir val="bar"/>', chart)
        self.assertIn('<c:grouping val="stacked"/>', chart)

    def test_salesperson_spreadsheet_holds_own_deals(self):
        """d4 and d5 go to another rep: the rep's spreadsheet counts d1, d2
        and d3 (A by the three, B too as d2 skipped it, C by d1 and d2, W by
        d1), the manager's all five."""
        deals = self.build()
        (deals[3] | deals[4]).write({"user_id": self.other_rep.id, "team_id": self.team.id})
        for user, reached in ((self.rep, [3, 3, 2, 1]), (self.manager, [5, 4, 2, 1])):
            book = openpyxl.load_workbook(io.BytesIO(self.xlsx(self.wizard(user))))
            rows = [
                [cell.value for cell in row][:2]
                for row in book["Funnel"].iter_rows(min_row=6, max_row=9)
            ]
            self.assertEqual(
                rows,
                [
                    [stage, count]
                    for stage, count in zip(
                        ["T-Prospect", "T-Qualified", "T-Proposal", "T-Won"], reached
                    )
                ],
                user.name,
            )

    def test_pdf_figures(self):
        self.build()
        wizard = self.wizard()
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("sales_funnel_forecast.action_report_funnel", wizard.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            # poppler's pdftotext (scripts/system-deps installs it)
            text = subprocess.run(
                ["pdftotext", "-layout", handle.name, "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        text = re.sub(r"\s+", " ", text)
        self.assertIn("T-Prospect: 5 reached · 1 won · 1 lost here · 1 open here", text)
        self.assertIn("T-Qualified: 4 reached · 1 won · 0 lost here · 1 open here", text)
        self.assertIn("80.0 % moved on", text)
        self.assertIn("T-Prospect 5 4 4 80.0 75.0 1 1 1", text)

    def render_funnel(self, action):
        """The HTML of the funnel's PDF that the dashboard's ``action``
        prints."""
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_funnel_forecast.action_report_funnel", [], data=action["data"]
            )[0]
            .decode()
        )

    def funnel_html(self, params):
        """The funnel's PDF, as HTML text, for ``params``."""
        # a company whose documents' layout is chosen (else Odoo asks first)
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = self.env["crm.funnel.dashboard"].action_export(params, "pdf")
        html = self.render_funnel(action)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")

    def test_exports_carry_the_stalled_deals_and_the_plan_targets(self):
        """The dashboard shows the stalled deals apart (d4, 4,000 at 30 %:
        1,200) and the plan's target conversions (42, 50, 60 %): so do the
        PDF and the spreadsheet."""
        self.build()
        today = fields.Date.context_today(self.env["crm.lead"])
        self.make_plan(
            "Plan in force", date(today.year, 1, 1), date(today.year, 12, 31), (42, 50, 60)
        )
        self.b.write({"stall_days": 1, "stall_action": "flag"})
        self.set_now(self.day(5))
        self.run_job()
        params = {"team_id": self.team.id, "period": "all"}
        data = self.env["crm.funnel.dashboard"].get_funnel_dashboard(params)
        forecast = data["forecast"]
        self.assertEqual((forecast["stalled_count"], forecast["stalled_amount"]), (1, 1200.0))
        self.assertEqual(
            [row["target_conversion"] for row in data["funnels"][0]["stages"]][:3], [42, 50, 60]
        )
        book = openpyxl.load_workbook(
            io.BytesIO(self.env["crm.funnel.dashboard"]._sff_xlsx(params)[0])
        )
        stalled = [
            [cell.value for cell in row if cell.value is not None]
            for row in book["Forecast"].iter_rows()
            if row[0].value == "Of which stalled: 1 deal"
        ]
        self.assertEqual(stalled, [["Of which stalled: 1 deal", "At their probability", 1200]])
        conversion = book["Conversion"]
        self.assertEqual(conversion["G5"].value, "Target conversion (%)")
        self.assertEqual([conversion[f"G{row}"].value for row in (6, 7, 8)], [42, 50, 60])
        text = self.funnel_html(params)
        self.assertIn("Of which stalled: 1 deal $ 1,200.00 at their probability", text)
        self.assertIn("Target conversion %", text)
        self.assertIn("T-Prospect 5 4 4 80.0 75.0 1 1 1 $ 1,000.00 42.0", text)
        self.assertIn(
            "T-Qualified : 4 reached · 1 won · 0 lost here · 1 open here · 1 stalled here", text
        )

    def test_period_with_one_end_prints(self):
        """A period of the user's own from a day on, without an end (or
        up to a day): the dashboard shows it, its PDF and spreadsheet say so."""
        self.build()
        for dates, said in (
            ({"date_from": "2026-01-01"}, "from 01/01/2026"),
            ({"date_to": "2027-01-01"}, "until 12/31/2026"),
        ):
            params = dict({"team_id": self.team.id, "period": "custom"}, **dates)
            data = self.env["crm.funnel.dashboard"].get_funnel_dashboard(params)
            self.assertEqual(data["funnels"][0]["stages"][0]["reached"], 5)
            self.assertIn(said, self.funnel_html(params))
            book = openpyxl.load_workbook(
                io.BytesIO(self.env["crm.funnel.dashboard"]._sff_xlsx(params)[0])
            )
            self.assertIn(said, book["Funnel"]["A2"].value)

    def test_all_time_is_compared_with_nothing(self):
        """All time (or a period with one end) compared with the previous
        period or the year before: there is no such period, so no
        comparison: no "N before" on the screen's stages, no compared
        column in the PDF or the spreadsheet (they gave 0 for every
        stage); a closed period compared keeps its column."""
        self.build()
        Dashboard = self.env["crm.funnel.dashboard"]
        for compare in ("previous", "last_year"):
            for dates in ({"period": "all"}, {"period": "custom", "date_from": "2026-01-01"}):
                params = dict({"team_id": self.team.id, "compare": compare}, **dates)
                data = Dashboard.get_funnel_dashboard(params)
                self.assertEqual((data["compare"], data["compare_from"]), ("none", None))
                rows = data["funnels"][0]["stages"]
                self.assertEqual(rows[0]["reached"], 5)
                self.assertFalse([row for row in rows if "compare_reached" in row])
                self.assertNotIn("Reached, compared period", self.funnel_html(params))
                book = openpyxl.load_workbook(io.BytesIO(Dashboard._sff_xlsx(params)[0]))
                headers = [cell.value for row in book["Funnel"].iter_rows() for cell in row]
                self.assertNotIn("Reached, compared period", headers)
        closed = {
            "team_id": self.team.id,
            "period": "custom",
            "date_from": "2026-01-01",
            "date_to": "2027-01-01",
            "compare": "previous",
        }
        self.assertIn("Reached, compared period", self.funnel_html(closed))

    def test_empty_period_is_said_plainly(self):
        wizard = self.wizard(period="custom", date_from="2001-01-01", date_to="2001-02-01")
        book = openpyxl.load_workbook(io.BytesIO(self.xlsx(wizard)))
        self.assertEqual(book["Funnel"]["A4"].value, "No deal reached a stage in this period.")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sales_funnel_forecast.action_report_funnel", wizard.ids)[0]
            .decode()
        )
        self.assertIn("No deal reached a stage in this period.", html)

    def test_bad_periods_are_refused(self):
        with self.assertRaisesRegex(UserError, "end after it starts"):
            self.wizard(period="custom", date_from="2026-03-01", date_to="2026-02-01")
        with self.assertRaisesRegex(UserError, "first day"):
            self.wizard(period="custom")

    def test_dashboard_buttons(self):
        self.build()
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        params = {"team_id": self.team.id, "period": "all", "mode": "flow", "compare": "none"}
        Report = self.env["crm.funnel.dashboard"]
        action = Report.action_export(params, "xlsx")
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(
            action["url"].startswith("/sales_funnel_forecast/funnel.xlsx?params="), action["url"]
        )
        action = Report.action_export(params, "pdf")
        self.assertEqual(action["report_name"], "sales_funnel_forecast.report_funnel")
        self.assertEqual(action["data"]["sff_params"]["team_id"], self.team.id)
        # the PDF of the dashboard's print action: no record, the parameters
        html = self.render_funnel(action)
        self.assertIn(
            "<strong>T-Prospect</strong>: <span>5</span> reached", re.sub(r"\s+", " ", html)
        )
