# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's screens on a phone (375 x 812) and by keyboard."""

from odoo.tests import HttpCase, tagged

from .common import make_plan
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

    def test_plan_figures_are_a_table_on_a_phone(self):
        # a plan of 120,000 for 2027: its Figures tab on a phone showed a
        # card per period with a bare number (the period's id) and none of
        # its figures; it now lists the year, 4 quarters and 12 months as on
        # a computer, the table scrolling sideways
        plan = make_plan(self.env, self.env["crm.team"].create({"name": "SFF Phone Team"}))
        plan.name = "SFF Phone Plan"
        self.assertEqual(len(plan.month_period_ids), 12)
        self.start_tour(
            f"/odoo/action-sales_funnel_forecast.crm_target_plan_action/{plan.id}",
            "sales_funnel_forecast_phone_plan_figures_tour",
            login="admin",
        )

    def test_waterfall_amounts_of_billions_fit_their_steps(self):
        # a deal of 123,456,789,000 (the size of a rupiah or dong pipeline):
        # its step's "$ 123,456,789,000.00" and the period's end ran out of
        # their 7rem columns, over the next step's figures (127 px of text
        # in 112 px)
        screens_team(self.env)
        deal = self.env["crm.lead"].search([("name", "=", "SFF Screens Deal")])
        deal.expected_revenue = 123456789000
        self.start_tour("/odoo", "sales_funnel_forecast_phone_waterfall_tour", login="admin")


@tagged("post_install", "-at_install")
class TestKeyboard(HttpCase):
    def test_dashboard_stage_opens_from_the_keyboard(self):
        # a stage of the funnel opens its deals on a click; from the
        # keyboard, Tab went past the funnel (no stage took the focus) and
        # nothing opened the deals: Tab from the last filter now lands on
        # Prospecting, the funnel's first stage, and Enter opens its 1 deal
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_keyboard_stage_tour", login="admin")

    def test_forecast_line_opens_from_the_keyboard(self):
        # a salesperson's line of the Forecast screen opens their
        # submissions on a click; Tab went from the period picker past the
        # table: no line took the focus, nothing opened the submissions
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_keyboard_line_tour", login="admin")

    def test_waterfall_step_opens_from_the_keyboard(self):
        # the waterfall's steps said they were buttons (role) but Tab never
        # reached them: from the last line of the table, Tab now lands on
        # Pipeline at Start, then New, whose Enter opens its deals
        screens_team(self.env)
        self.start_tour("/odoo", "sales_funnel_forecast_keyboard_flow_tour", login="admin")
