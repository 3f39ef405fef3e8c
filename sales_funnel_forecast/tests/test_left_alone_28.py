# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
from datetime import date, datetime

import openpyxl
from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..const import TZ_PARAM
from .common import FunnelCase, screen_domain


def pdf_text(html):
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@tagged("post_install", "-at_install")
class TestEndedPeriodMarksNobody(FunnelCase):
    """Rita and Otto each have one deal expected in March 2026 and in April
    2026, and neither ever submitted a forecast: with the reminder at 7
    days the current period marks both of them; a period already over
    marks neither (nobody submits a forecast for a finished month), and the
    screen, its PDF and its spreadsheet say why."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(TZ_PARAM, "Europe/Paris")
        for user in (self.rep, self.other_rep):
            for day in (date(2026, 3, 20), date(2026, 4, 20)):
                self.make_deal(
                    f"{user.name} {day}", self.s_proposal, 1000, date_deadline=day, user_id=user.id
                )
        self.Submission = self.env["crm.forecast.submission"].with_user(self.manager)
        self.march = {"team_id": self.team.id, "period_type": "month", "date_from": "2026-03-01"}
        self.april = dict(self.march, date_from="2026-04-01")

    def marks(self, params):
        screen = self.Submission.get_forecast_screen(params)
        return [(line["name"], line["late"]) for line in screen["lines"]], screen["stale_note"]

    def test_ended_month_marks_nobody(self):
        # 1 April 2026, 00:30 in Paris (22:30 UTC on 31 March): March is over
        self.clock_at(datetime(2026, 3, 31, 22, 30))
        self.assertEqual(
            self.marks(self.march),
            (
                [("Otto Rep", False), ("Rita Rep", False)],
                "Nobody marked: the period has ended.",
            ),
        )
        self.assertEqual(
            self.marks(self.april),
            (
                [("Otto Rep", True), ("Rita Rep", True)],
                "Marked: no forecast submitted in the last 7 days.",
            ),
        )
        # the quarter under way (April to June) still marks, the first one not
        quarter = dict(self.march, period_type="quarter")
        self.assertEqual(self.marks(quarter)[0], [("Otto Rep", False), ("Rita Rep", False)])
        self.assertEqual(
            self.marks(dict(quarter, date_from="2026-04-01"))[0],
            [("Otto Rep", True), ("Rita Rep", True)],
        )

    def test_last_day_of_the_month_still_marks(self):
        # 31 March 2026, 23:30 in Paris (21:30 UTC): March is still running
        self.clock_at(datetime(2026, 3, 31, 21, 30))
        self.assertEqual(
            self.marks(self.march),
            (
                [("Otto Rep", True), ("Rita Rep", True)],
                "Marked: no forecast submitted in the last 7 days.",
            ),
        )

    def test_ended_month_printed_and_exported(self):
        self.clock_at(datetime(2026, 4, 10, 9, 0))
        content, _name = self.Submission._sff_forecast_xlsx(self.march)
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Forecast by salesperson"]
        self.assertEqual(sheet["A2"].value, "Nobody marked: the period has ended.")
        self.assertEqual(sheet["O3"].value, "No Recent Forecast")
        # Otto, Rita and the team's line: no "Yes" in the last column
        self.assertEqual(
            [(row[0].value, row[14].value) for row in sheet.iter_rows(min_row=4)],
            [("Otto Rep", None), ("Rita Rep", None), ("Funnel Test Team (team)", None)],
        )
        text = pdf_text(self.print_screen(self.march))
        self.assertIn("Nobody marked: the period has ended.", text)
        self.assertNotIn("(no recent forecast)", text)
        # April, under way: both marked, on paper too
        text = pdf_text(self.print_screen(self.april))
        self.assertEqual(text.count("(no recent forecast)"), 2)


@tagged("post_install", "-at_install")
class TestSlippageQuarterRows(FunnelCase):
    """X, expected on March 20, 2026, moved on March 10 to May 5: out of
    March, and of the first quarter, by 46 days (11 days left of March, 30
    of April, 5 of May). Y, expected on April 15, never moved. By quarter:
    Q1 2026 expected X (slipped), Q2 2026 X (from March 10) and Y; by
    month: March X, April Y, May X."""

    def setUp(self):
        super().setUp()
        self.clock_at(datetime(2026, 3, 2, 10))
        self.x = self.make_deal("X", self.s_qualified, 1000, date_deadline=date(2026, 3, 20))
        self.y = self.make_deal("Y", self.s_qualified, 2000, date_deadline=date(2026, 4, 15))
        self.clock_at(datetime(2026, 3, 10, 10))
        self.x.date_deadline = date(2026, 5, 5)
        self.clock_at(datetime(2026, 4, 20, 10))
        self.env.flush_all()
        self.Report = self.env["crm.forecast.slippage.report"]
        self.action = self.env.ref("sales_funnel_forecast.crm_forecast_slippage_report_action")
        search = self.Report.get_views([(self.action.search_view_id.id, "search")])
        self.search_arch = etree.fromstring(search["views"]["search"]["arch"])

    def filter_context(self, name):
        [node] = self.search_arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("context") or "{}")

    def test_quarter_rows_read_as_quarters(self):
        deals = [("lead_id", "in", (self.x | self.y).ids)]
        quarters = self.Report.search(deals + [("period_type", "=", "quarter")])
        self.assertEqual(
            sorted((row.quarter_label, row.lead_id.name, row.slip_days) for row in quarters),
            [("Q1 2026", "X", 46), ("Q2 2026", "X", 0), ("Q2 2026", "Y", 0)],
        )
        # the months' rows keep their month, and no quarter
        opened, _model = screen_domain(self.env, self.action.read()[0])
        months = self.Report.search(opened + deals)
        self.assertEqual(
            sorted((row.date_period, row.lead_id.name, row.quarter_label) for row in months),
            [
                (date(2026, 3, 1), "X", False),
                (date(2026, 4, 1), "Y", False),
                (date(2026, 5, 1), "X", False),
            ],
        )
        # the list: with the Quarters filter the quarter's column, not the
        # first month's date; with the Months filter the month's date
        view = self.Report.get_views([(False, "list")])["views"]["list"]
        arch = etree.fromstring(view["arch"])

        def columns(context):
            return [
                node.get("name")
                for node in arch.xpath("//field[@name='date_period' or @name='quarter_label']")
                if not safe_eval(node.get("column_invisible") or "False", {"context": context})
            ]

        quarters, months = self.filter_context("quarters"), self.filter_context("months")
        self.assertEqual(columns(quarters), ["quarter_label"])
        self.assertEqual(columns(months), ["date_period"])
        # both filters on (rows of both kinds), or neither: both columns
        self.assertEqual(columns({**months, **quarters}), ["date_period", "quarter_label"])
        self.assertEqual(columns({}), ["date_period", "quarter_label"])

    def test_quarter_rows_sort_in_time(self):
        """The list's Expected Quarter column sorts (a computed label did
        not), in time: W, expected on January 10, 2027, comes after the
        quarters of 2026, where its text "Q1 2027" comes before "Q2
        2026"."""
        w = self.make_deal("W", self.s_qualified, 500, date_deadline=date(2027, 1, 10))
        self.env.flush_all()
        fields = self.Report.fields_get(["quarter_label"], ["sortable"])
        self.assertTrue(fields["quarter_label"]["sortable"])
        deals = [("lead_id", "in", (self.x | self.y | w).ids), ("period_type", "=", "quarter")]
        rows = self.Report.search(deals, order="quarter_label, id")
        self.assertEqual(
            [(row.quarter_label, row.lead_id.name) for row in rows],
            [("Q1 2026", "X"), ("Q2 2026", "X"), ("Q2 2026", "Y"), ("Q1 2027", "W")],
        )
        rows = self.Report.search(deals, order="quarter_label desc, id")
        self.assertEqual(rows[0].quarter_label, "Q1 2027")

    def test_pivot_by_quarter_with_the_quarters_filter(self):
        """The pivot's columns follow the filter: quarters with Quarters
        (Q1 2026: X slipped; Q2 2026: X and Y), months with Months."""
        self.assertEqual(
            self.filter_context("quarters").get("pivot_column_groupby"), ["date_period:quarter"]
        )
        self.assertEqual(
            self.filter_context("months").get("pivot_column_groupby"), ["date_period:month"]
        )
        groups = self.Report.read_group(
            [("lead_id", "in", (self.x | self.y).ids), ("period_type", "=", "quarter")],
            ["deal_count:sum", "slipped_count:sum"],
            ["date_period:quarter"],
        )
        self.assertEqual(
            [
                (group["date_period:quarter"], group["deal_count"], group["slipped_count"])
                for group in groups
            ],
            [("Q1 2026", 1, 1), ("Q2 2026", 2, 0)],
        )
