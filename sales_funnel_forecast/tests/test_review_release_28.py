# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Release 18.0.1.28.0 reviewed: what its changes still got wrong."""

from datetime import date, datetime

from odoo.tests import HttpCase, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestSlippageQuarterLabelLanguage(FunnelCase):
    """Y, expected on April 15, 2026, never moved: one quarter row, the
    second quarter of 2026. A French manager reads the report's pivot by
    quarter as Odoo writes quarters in French ("T2 2026"); the list's
    Expected Quarter of the same row said "Q2 2026", written by the
    report's SQL in English whatever the reader's language."""

    def test_quarter_label_in_the_readers_language(self):
        self.clock_at(datetime(2026, 3, 2, 10))
        deal = self.make_deal("Y", self.s_qualified, 2000, date_deadline=date(2026, 4, 15))
        self.env.flush_all()
        self.env["res.lang"]._activate_lang("fr_FR")
        Report = self.env["crm.forecast.slippage.report"]
        domain = [("lead_id", "=", deal.id), ("period_type", "=", "quarter")]
        self.assertEqual(Report.search(domain).mapped("quarter_label"), ["Q2 2026"])
        Report_fr = Report.with_context(lang="fr_FR")
        [group] = Report_fr.read_group(domain, ["deal_count:sum"], ["date_period:quarter"])
        self.assertEqual(group["date_period:quarter"], "T2 2026")
        self.assertEqual(Report_fr.search(domain).mapped("quarter_label"), ["T2 2026"])
        # the months' rows have no quarter
        months = Report_fr.search([("lead_id", "=", deal.id), ("period_type", "=", "month")])
        self.assertEqual(months.mapped("quarter_label"), [False])


@tagged("post_install", "-at_install")
class TestSlippagePivotColumns(HttpCase):
    """A manager sets the Slippage pivot's columns to the sales teams (the
    Total folded, opened by Sales Team), then ticks My Deals: the columns
    went back to the expected months (the Months filter's columns, applied
    at every search), the team's column gone; they stay the teams (the
    other team's column goes: its deal is another salesperson's)."""

    def test_a_filter_keeps_the_users_columns(self):
        for name, user in (
            ("SFF Slip Team", "base.user_admin"),
            ("SFF Other Team", "base.user_demo"),
        ):
            self.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": self.env["crm.team"].create({"name": name}).id,
                    "user_id": self.env.ref(user).id,
                    "expected_revenue": 1000,
                    "date_deadline": date(2026, 5, 5),
                }
            )
        self.start_tour("/odoo", "sales_funnel_forecast_slippage_columns_tour", login="admin")
