# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 23's forecast discipline re-verified on small cases counted by
hand: slippage, the Forecast screen, its exports and the forecast
accuracy, as a sales manager and a salesperson use them."""

from datetime import date, datetime

from odoo.tests import tagged

from .common import FunnelCase, screen_domain


@tagged("post_install", "-at_install")
class TestForecastDisciplineAgain(FunnelCase):
    def at(self, month, day, hour=10):
        self.clock_at(datetime(2026, month, day, hour))

    def test_slippage_of_a_quarter_counts_what_left_the_quarter(self):
        """The first quarter of 2026 expected three deals of the rep. X,
        expected on January 15, moved on January 10 to February 20: later,
        still in the quarter. Y, expected on February 10, moved on February 5
        to March 10 (in the quarter), then on March 2 to April 20: out of
        it, by 41 days. Z, expected on March 5, did not move. By hand: of 3
        deals expected in the quarter, 1 slipped out of it (33.3 %), by 41
        days. By month, January and February each lost one deal (X by 36
        days, Y by 28) and March one (Y by 41): the months' figures do not
        add up to the quarter's (Y was expected in February and in March)."""
        self.at(1, 2)
        x = self.make_deal("X", self.s_qualified, 1000, date_deadline=date(2026, 1, 15))
        y = self.make_deal("Y", self.s_qualified, 2000, date_deadline=date(2026, 2, 10))
        z = self.make_deal("Z", self.s_qualified, 4000, date_deadline=date(2026, 3, 5))
        self.at(1, 10)
        x.date_deadline = date(2026, 2, 20)
        self.at(2, 5)
        y.date_deadline = date(2026, 3, 10)
        self.at(3, 2)
        y.date_deadline = date(2026, 4, 20)
        self.at(4, 2)
        self.env.flush_all()
        self.assertEqual((y.slip_count, y.slip_days), (2, 69))
        Report = self.env["crm.forecast.slippage.report"]
        measures = ["deal_count:sum", "slipped_count:sum", "slip_rate:avg", "slip_days:avg"]
        deals = [("lead_id", "in", (x | y | z).ids)]
        # the report as its menu opens it, months then quarters chosen
        action = self.env.ref("sales_funnel_forecast.crm_forecast_slippage_report_action")
        opened, _model = screen_domain(self.env, action.read()[0])
        months = Report._read_group(opened + deals, ["date_period:month"], measures)
        self.assertEqual(
            [
                (month, count, slipped, round(rate, 1), days)
                for month, count, slipped, rate, days in months
            ],
            [
                (date(2026, 1, 1), 1, 1, 100.0, 36),
                (date(2026, 2, 1), 2, 1, 50.0, 28),
                (date(2026, 3, 1), 2, 1, 50.0, 41),
                (date(2026, 4, 1), 1, 0, 0.0, 0),
            ],
        )
        quarters = Report._read_group(
            deals + [("period_type", "=", "quarter")], ["date_period:quarter"], measures
        )
        self.assertEqual(
            [
                (quarter, count, slipped, round(rate, 1), days)
                for quarter, count, slipped, rate, days in quarters
            ],
            [(date(2026, 1, 1), 3, 1, 33.3, 41), (date(2026, 4, 1), 1, 0, 0.0, 0)],
        )
        rows = Report.search(deals + [("period_type", "=", "quarter"), ("slipped", "=", True)])
        self.assertEqual([(row.lead_id, row.slip_days) for row in rows], [(y, 41)])
