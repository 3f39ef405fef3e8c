# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
from datetime import date, datetime

import openpyxl

from odoo.tests import tagged

from ..const import TZ_PARAM
from .common import FunnelCase


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
