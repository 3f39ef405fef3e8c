# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens on a phone (375 x 812) and by keyboard."""

from odoo.tests import HttpCase, tagged

from .test_tour import screens_team


@tagged("post_install", "-at_install")
class TestPhoneScreens(HttpCase):
    browser_size = "375x812"

    def test_dashboard_rates_keep_their_percent_sign(self):
        # SFF Screens Team's one deal went from S-Prospect on to S-Proposal:
        # "100.0 % moved on"; on a phone the line wrapped between the
        # figure and its "%" (a plain space), "95.5" ending one line and
        # "%" starting the next
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_phone_rates_tour", login="admin")
