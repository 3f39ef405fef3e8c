# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The PDFs and spreadsheets, read as their reader reads them: each figure
whole on its line, cells that add up, dates that sort as dates."""

import io
import re
from datetime import date, datetime

import openpyxl
from lxml import html as lxml_html

from odoo.tests import tagged

from .common import FunnelCase, make_plan


def cell_text(cell):
    """A printed cell's text, its runs of spaces and new lines as one space
    (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", cell.text_content()).strip()


def unbreakable(cell):
    """Whether a printed cell keeps its text on one line: no space at which
    wkhtmltopdf may wrap it, or marked not to wrap."""
    return "text-nowrap" in (cell.get("class") or "").split() or " " not in cell_text(cell)


@tagged("post_install", "-at_install")
class TestDocumentsRead(FunnelCase):
    def test_plan_pdf_keeps_percentages_and_days_on_one_line(self):
        """A French manager prints a plan of 120,000 at 1,000 a deal, 20 %
        won, nothing invoiced: the 17 periods (the year, 4 quarters, 12
        months) read "0,0 %" in the narrow Attainment column, the win rate
        "20,0 %" and the sales cycle "0 jours", each on one line (the " %"
        fell under the figure on a line of its own, "116,1" over "%",
        which doubled the rows of a rep's plan and pushed it onto a second
        page)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        plan = make_plan(self.env, self.team)
        page = lxml_html.fromstring(
            self.env["ir.actions.report"]
            .with_context(lang="fr_FR")
            ._render_qweb_html("sales_funnel_forecast.action_report_target_plan", plan.ids)[0]
        )
        rows = page.xpath("//table[contains(@class, 'o_sff_plan_table')]/tbody/tr")
        self.assertEqual(len(rows), 17)
        attainments = [row.xpath("td")[3] for row in rows]
        self.assertEqual({cell_text(cell) for cell in attainments}, {"0,0 %"})
        self.assertEqual([unbreakable(cell) for cell in attainments], [True] * 17)
        summary = page.xpath("//div[hasclass('o_sff_target_plan')]/table[1]//td")
        self.assertEqual(cell_text(summary[5]), "20,0 %")
        self.assertRegex(cell_text(summary[7]), r"^0 \w+$")
        self.assertEqual([unbreakable(summary[5]), unbreakable(summary[7])], [True, True])

    def test_forecast_spreadsheet_submitted_on_is_a_date(self):
        """The rep submits March 2026's forecast (Commit 4,000, Best Case
        6,000) on 5 March at 14:30 UTC; the manager, in Brussels, downloads
        the Forecast screen's spreadsheet: Submitted On holds the moment
        15:30 on 5 March as a date Excel sorts and filters, in the
        language's date format, not the text "3/5/26, 3:30 PM" (which
        sorts 10 March before 5 March)."""
        self.make_deal("Commit", self.s_proposal, 4000, date_deadline=date(2026, 3, 20))
        submission = (
            self.env["crm.forecast.submission"]
            .with_user(self.rep)
            .create(
                {
                    "team_id": self.team.id,
                    "date_from": date(2026, 3, 1),
                    "commit_amount": 4000,
                    "best_case_amount": 6000,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_forecast_submission SET submitted_on = %s WHERE id = %s",
            [datetime(2026, 3, 5, 14, 30), submission.id],
        )
        self.env.invalidate_all()
        self.manager.tz = "Europe/Brussels"
        params = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        content, _name = (
            self.env["crm.forecast.submission"]
            .with_user(self.manager)
            .with_context(tz="Europe/Brussels")
            ._sff_forecast_xlsx(params)
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Forecast by salesperson"]
        self.assertEqual(sheet["K3"].value, "Submitted On")
        row = next(row for row in sheet.iter_rows(min_row=4) if row[0].value == self.rep.name)
        self.assertEqual([row[8].value, row[9].value], [4000, 6000])
        self.assertEqual(row[10].value, datetime(2026, 3, 5, 15, 30))
        self.assertEqual(row[10].number_format, "mm/dd/yyyy hh:mm")

    def test_funnel_documents_end_at_won_without_a_conversion(self):
        """Three deals reach Proposal this year, two move on to Won: the
        funnel's tables (dashboard data, PDF, spreadsheet) give Proposal
        66.7 % and Won no conversion, as the dashboard draws none under it
        (the PDF and the spreadsheet printed 0.0, read as every won deal
        lost there). The PDF's forecast, a table by stage, says so (it
        said "by expected closing month")."""
        for index in range(3):
            deal = self.make_deal(f"SFF Doc {index}", self.s_proposal, 1000)
            if index < 2:
                deal.stage_id = self.s_won
        self.env.flush_all()
        self.env.cr.precommit.run()
        Dashboard = self.env["crm.funnel.dashboard"].with_user(self.manager)
        params = {"team_id": self.team.id, "period": "this_year"}
        [funnel] = Dashboard.get_funnel_dashboard(params)["funnels"]
        rates = {
            row["stage_name"]: (row["conversion_rate"], row["entered_conversion_rate"])
            for row in funnel["stages"]
        }
        self.assertEqual(rates["T-Proposal"][0], 200 / 3)
        self.assertEqual(rates["T-Won"], (None, None))
        content, _name = Dashboard._sff_xlsx(params)
        book = openpyxl.load_workbook(io.BytesIO(content))
        [sheet] = [sheet for sheet in book.worksheets if sheet.title == "Conversion"]
        rows = {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row[0]}
        self.assertAlmostEqual(rows["T-Proposal"], 200 / 3)
        self.assertIsNone(rows["T-Won"])
        action = Dashboard.action_export(params, "pdf")
        page = lxml_html.fromstring(
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(
                "sales_funnel_forecast.action_report_funnel", [], data=action["data"]
            )[0]
        )
        cells = {
            cell_text(row.xpath("td")[0]): cell_text(row.xpath("td")[4])
            for table in page.xpath("//table")
            for row in table.xpath("tbody/tr")
            if len(row.xpath("td")) > 4 and cell_text(row.xpath("td")[0]) in ("T-Proposal", "T-Won")
        }
        self.assertEqual(cells, {"T-Proposal": "66.7", "T-Won": ""})
        self.assertIn(f"Open deals by stage, {self.team.name}", page.text_content())
        self.assertNotIn("by expected closing month", page.text_content())
